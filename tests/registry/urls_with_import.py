"""The project URLs plus the import page, as the integrator will include it."""

from django.urls import include, path

from minzheng.config.urls import urlpatterns as project_urls

urlpatterns = [
    path("registry/", include("minzheng.registry.urls_import")),
    *project_urls,
]
