from django.urls import include, path
from django.views.i18n import set_language

from minzheng.web.views import healthz

urlpatterns = [
    path("accounts/", include("minzheng.accounts.urls")),
    path("geo/", include("minzheng.geo.urls")),
    path("workdays/", include("minzheng.workdays.urls")),
    path("registry/", include("minzheng.registry.urls")),
    path("registry/", include("minzheng.registry.urls_import")),
    path("assistance/manage/", include("minzheng.assistance.dynamic_urls")),
    path("rescue/", include("minzheng.rescue.urls")),
    path("assistance/", include("minzheng.assistance.urls")),
    path("api/v1/", include("minzheng.api.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("reports/", include("minzheng.reports.urls")),
    path("payments/", include("minzheng.payments.urls")),
    path("", include("minzheng.administration.urls")),
    path("", include("minzheng.web.urls")),
]
