"""Connects dynamic management at start-up (called from ``AssistanceConfig.ready``): the
registry's hooks (a death, a change) and the menu entries of its pages."""

from __future__ import annotations

from django.utils.translation import gettext_noop


def connect() -> None:
    from minzheng.accounts.roles import Perm
    from minzheng.registry import hooks
    from minzheng.web.menu import MENU, MenuItem, register

    from . import dynamic

    hooks.on_person_deceased(dynamic.person_death_recorded)
    hooks.on_change(dynamic.registry_change_noted)
    hooks.on_situation_change(dynamic.situation_noted)

    section = gettext_noop("社会救助")
    items = (
        MenuItem(gettext_noop("动态管理任务"), "assistance_manage:task_list", Perm.REGISTRY_VIEW),
        MenuItem(gettext_noop("保障对象"), "assistance_manage:enrollment_list", Perm.REGISTRY_VIEW),
    )
    present = {i.url_name for s in MENU if s.label == section for i in s.items}
    for item in items:
        if item.url_name not in present:
            register(section, item)
