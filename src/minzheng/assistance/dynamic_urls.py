"""Dynamic-management pages, included under ``/assistance/manage/``."""

from django.urls import path

from . import dynamic_views as views

app_name = "assistance_manage"
urlpatterns = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/scan/", views.task_scan, name="task_scan"),
    path("tasks/<uuid:pk>/", views.task_detail, name="task_detail"),
    path("enrollments/", views.enrollment_list, name="enrollment_list"),
    path("enrollments/<uuid:pk>/", views.enrollment_detail, name="enrollment_detail"),
    path(
        "enrollments/<uuid:pk>/<str:action>/",
        views.enrollment_action,
        name="enrollment_action",
    ),
    path("decisions/<uuid:pk>/", views.decision_notice, name="decision_notice"),
    path("persons/<uuid:pk>/", views.person_enrollments, name="person"),
    path("persons/<uuid:pk>/death/", views.death_record, name="death_record"),
    path("persons/<uuid:pk>/death/result/", views.death_result, name="death_result"),
]
