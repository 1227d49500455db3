from django.urls import path

from . import views

app_name = "assistance"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("export.xlsx", views.inbox_export, name="inbox_export"),
    path("new/", views.application_create, name="application_create"),
    path("new/households/", views.household_search, name="household_search"),
    path("new/households/<uuid:pk>/", views.household_panel, name="household_panel"),
    path("assess/", views.assess_preview, name="assess"),
    path("cases/<uuid:pk>/", views.case_detail, name="case"),
    path("cases/<uuid:pk>/<str:step>/", views.case_step, name="case_step"),
    path("notices/<uuid:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("notices/<uuid:pk>/delivered/", views.notice_delivered, name="notice_delivered"),
    path("publicity/", views.publicity, name="publicity"),
    path("publicity/pdf/", views.publicity_pdf, name="publicity_pdf"),
    path("parameters/", views.parameter_list, name="parameters"),
    path("parameters/<str:key>/", views.parameter_detail, name="parameter"),
    path("parameters/rows/<int:pk>/confirm/", views.parameter_confirm, name="parameter_confirm"),
]
