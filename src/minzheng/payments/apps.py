from django.apps import AppConfig
from django.utils.translation import gettext_noop


class PaymentsConfig(AppConfig):
    name = "minzheng.payments"
    label = "payments"
    verbose_name = "资金发放"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()

        from minzheng.accounts.roles import Perm
        from minzheng.web.menu import MENU, MenuItem, register

        section = gettext_noop("资金发放")
        items = (
            MenuItem("发放批次", "payments:run_list", Perm.PAYMENTS_VIEW),
            MenuItem("发放异常", "payments:exception_list", Perm.PAYMENTS_VIEW),
            MenuItem("收款账户", "payments:account_list", Perm.PAYMENTS_VIEW),
            MenuItem("补发与追回", "payments:adjustments", Perm.PAYMENTS_VIEW),
            MenuItem("发放统计", "payments:stats", Perm.PAYMENTS_VIEW),
        )
        present = {i.url_name for s in MENU if s.label == section for i in s.items}
        for item in items:
            if item.url_name not in present:
                register(section, item)
