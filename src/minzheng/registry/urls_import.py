"""URLs of the household import page; the integrator includes them under ``registry/``::

path("registry/", include("minzheng.registry.urls_import")),
"""

from django.urls import path

from . import views_import

app_name = "registry_import"
urlpatterns = [
    path("import/", views_import.upload, name="upload"),
    path("import/jobs/<uuid:public_id>/", views_import.job_status, name="job"),
    path("import/template.xlsx", views_import.template_download, name="template"),
    path("import/<str:token>/errors.xlsx", views_import.errors_download, name="errors"),
]
