from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("exports/<int:pk>/", views.export_status, name="export_status"),
    path("exports/<int:pk>/status.json", views.export_status_json, name="export_status_json"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
