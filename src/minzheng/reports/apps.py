from django.apps import AppConfig
from django.utils.translation import gettext_noop


class ReportsConfig(AppConfig):
    name = "minzheng.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from minzheng.accounts.roles import Perm
        from minzheng.web import menu

        # Each installed app declares its report figures in its own ``metrics.py``.
        autodiscover_modules("metrics")
        menu.register(
            gettext_noop("统计报表"),
            menu.MenuItem("工作报告与统计", "reports:index", Perm.REPORTS_VIEW),
        )
