from django.urls import include, path
from django.views.i18n import set_language

from minzheng.web.views import healthz

urlpatterns = [
    path("accounts/", include("minzheng.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("reports/", include("minzheng.reports.urls")),
    path("", include("minzheng.web.urls")),
]
