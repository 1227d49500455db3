from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("download/<str:fmt>/", views.download, name="download"),
    path("template/", views.fill_template, name="template"),
    path("drilldown/<str:key>/", views.drilldown, name="drilldown"),
    path("drilldown/<str:key>/xlsx/", views.drilldown_export, name="drilldown_export"),
]
