from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "minzheng.registry"
    label = "registry"
    verbose_name = "社会救助档案"

    def ready(self) -> None:
        from django.utils.translation import gettext_noop

        from minzheng.accounts.roles import Perm
        from minzheng.web.menu import MENU, MenuItem, register

        section = gettext_noop("社会救助档案")
        items = (
            MenuItem(gettext_noop("家庭档案"), "registry:household_list", Perm.REGISTRY_VIEW),
            MenuItem(gettext_noop("档案查询"), "registry:search", Perm.REGISTRY_VIEW),
            MenuItem(gettext_noop("新建家庭"), "registry:household_create", Perm.REGISTRY_EDIT),
            MenuItem(gettext_noop("批量导入"), "registry_import:upload", Perm.REGISTRY_IMPORT),
            MenuItem(gettext_noop("疑似重复人员"), "registry:duplicates", Perm.REGISTRY_EDIT),
        )
        present = {i.url_name for s in MENU if s.label == section for i in s.items}
        for item in items:
            if item.url_name not in present:
                register(section, item)
