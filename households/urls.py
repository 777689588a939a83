from django.urls import path  # noqa: F401

app_name = "households"

# Each section belongs to one views module; keep URLs namespaced ("households:...").
urlpatterns = [
    # --- households, members, couples, surveys, 专人, merges, void (views/register.py) ---------
    # --- follow-up visits, register list, visit list, due/overdue (views/visits.py) ------------
    # --- work-group outreach (views/outreach.py) and leader statistics (views/stats.py) --------
    # --- Excel import and export (views/exchange.py) ------------------------------------------
]
