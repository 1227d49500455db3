"""The left menu: one section per business domain; each item names the permission it needs.

Apps add their entries here as they are built, so the menu never shows a page that does not
exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from minzheng.accounts.roles import Perm


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    perm: str


@dataclass(frozen=True)
class MenuSection:
    label: str
    items: tuple[MenuItem, ...]


# Labels are the Chinese msgids, translated when the menu is drawn (base.html): mark new ones
# with gettext_noop so that makemessages finds them.
MENU: list[MenuSection] = [
    MenuSection(
        gettext_noop("工作台"), (MenuItem(gettext_noop("首页"), "web:home", Perm.DASHBOARD_VIEW),)
    ),
    MenuSection(
        gettext_noop("系统"), (MenuItem(gettext_noop("后台任务"), "web:jobs", Perm.TASKS_VIEW),)
    ),
]


LAST_SECTION = "系统"


def register(section: str, item: MenuItem) -> None:
    """Add an item; a new section goes before the 系统 section, which stays last."""
    for i, s in enumerate(MENU):
        if s.label == section:
            MENU[i] = MenuSection(s.label, (*s.items, item))
            return
    at = next((i for i, s in enumerate(MENU) if s.label == LAST_SECTION), len(MENU))
    MENU.insert(at, MenuSection(section, (item,)))


def menu_for(user: object) -> list[MenuSection]:
    has = getattr(user, "has_perm_code", None)
    if has is None:
        return []
    out = []
    for s in MENU:
        items = tuple(i for i in s.items if has(i.perm))
        if items:
            out.append(MenuSection(s.label, items))
    return out
