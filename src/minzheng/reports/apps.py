from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "minzheng.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each installed app declares its report figures in its own ``metrics.py``.
        autodiscover_modules("metrics")
