from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "minzheng.workdays"
    label = "workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from minzheng.accounts.roles import Perm
        from minzheng.web.menu import MenuItem, register

        register("系统", MenuItem("节假日与调休", "workdays:calendar", Perm.SYSTEM_CONFIG))
