from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("runs/", views.run_list, name="run_list"),
    path("runs/export/", views.run_list_export, name="run_list_export"),
    path("runs/new/", views.run_create, name="run_create"),
    path("runs/<uuid:pk>/", views.run_detail, name="run_detail"),
    path("runs/<uuid:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<uuid:pk>/review/", views.run_review, name="run_review"),
    path("runs/<uuid:pk>/approve/", views.run_approve, name="run_approve"),
    path("runs/<uuid:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("runs/<uuid:pk>/export/", views.run_export, name="run_export"),
    path("runs/<uuid:pk>/return/", views.run_return, name="run_return"),
    path("exceptions/", views.exception_list, name="exception_list"),
    path("exceptions/<uuid:pk>/ready/", views.exception_ready, name="exception_ready"),
    path("exceptions/<uuid:pk>/close/", views.exception_close, name="exception_close"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("adjustments/", views.adjustments, name="adjustments"),
    path("stats/", views.stats, name="stats"),
    path("stats/entries/", views.stats_entries, name="stats_entries"),
]
