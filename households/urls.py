from django.urls import path  # noqa: F401

from .views import outreach, stats, visits

app_name = "households"

# Each section belongs to one views module; keep URLs namespaced ("households:...").
urlpatterns = [
    # --- households, members, couples, surveys, 专人, merges, void (views/register.py) ---------
    # --- follow-up visits, register list, visit list, due/overdue (views/visits.py) ------------
    path("couples/<int:pk>/visits/new/", visits.visit_create, name="visit_create"),
    path("visits/<int:pk>/void/", visits.visit_void_view, name="visit_void"),
    path("register/", visits.register_list, name="register_list"),
    path("visits/", visits.visit_list, name="visit_list"),
    path("due/", visits.due_mine, name="due_mine"),
    path("due/township/", visits.due_township, name="due_township"),
    # --- work-group outreach (views/outreach.py) and leader statistics (views/stats.py) --------
    path("outreach/", outreach.outreach_households, name="outreach_households"),
    path("households/<int:pk>/outreach/new/", outreach.outreach_create, name="outreach_create"),
    path("outreach/visits/", outreach.outreach_list, name="outreach_list"),
    path("stats/", stats.stats, name="stats"),
    # --- Excel import and export (views/exchange.py) ------------------------------------------
]
