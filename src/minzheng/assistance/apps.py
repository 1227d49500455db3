from django.apps import AppConfig
from django.utils.translation import gettext_noop


class AssistanceConfig(AppConfig):
    name = "minzheng.assistance"
    label = "assistance"
    verbose_name = "社会救助"

    def ready(self) -> None:
        from . import dynamic_wiring

        dynamic_wiring.connect()

        from minzheng.accounts.roles import Perm
        from minzheng.web.menu import MENU, MenuItem, register

        section = gettext_noop("社会救助")
        items = (
            MenuItem("待办案件", "assistance:inbox", Perm.ASSISTANCE_VIEW),
            MenuItem("救助申请", "assistance:application_create", Perm.ASSISTANCE_APPLY),
            MenuItem("公示名单", "assistance:publicity", Perm.ASSISTANCE_VIEW),
            MenuItem("救助参数", "assistance:parameters", Perm.ASSISTANCE_VIEW),
        )
        present = {i.url_name for s in MENU if s.label == section for i in s.items}
        for item in items:
            if item.url_name not in present:
                register(section, item)
