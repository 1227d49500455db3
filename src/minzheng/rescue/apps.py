from django.apps import AppConfig


class RescueConfig(AppConfig):
    name = "minzheng.rescue"
    label = "rescue"
    verbose_name = "流浪乞讨救助"

    def ready(self) -> None:
        from django.utils.translation import gettext_noop

        from minzheng.accounts.roles import Perm
        from minzheng.web.menu import MENU, MenuItem, register

        section = gettext_noop("社会救助")
        item = MenuItem(gettext_noop("流浪乞讨救助"), "rescue:case_list", Perm.REGISTRY_VIEW)
        if item.url_name not in {i.url_name for s in MENU for i in s.items}:
            register(section, item)
