from django.urls import path

from . import views

app_name = "rescue"
urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<uuid:pk>/", views.case_detail, name="case_detail"),
    path("cases/<uuid:pk>/<str:part>/", views.case_update, name="case_update"),
]
