from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "minzheng.registry"
    label = "registry"
    verbose_name = "社会救助档案"

    def ready(self) -> None:
        from minzheng.accounts.roles import Perm
        from minzheng.web.menu import MENU, MenuItem, register

        section = "社会救助档案"
        items = (
            MenuItem("家庭档案", "registry:household_list", Perm.REGISTRY_VIEW),
            MenuItem("档案查询", "registry:search", Perm.REGISTRY_VIEW),
            MenuItem("新建家庭", "registry:household_create", Perm.REGISTRY_EDIT),
            MenuItem("批量导入", "registry_import:upload", Perm.REGISTRY_IMPORT),
            MenuItem("疑似重复人员", "registry:duplicates", Perm.REGISTRY_EDIT),
        )
        present = {i.url_name for s in MENU if s.label == section for i in s.items}
        for item in items:
            if item.url_name not in present:
                register(section, item)
