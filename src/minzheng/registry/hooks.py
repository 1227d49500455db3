"""Hooks: how apps built on the registry learn of registry facts without the registry
importing them (dependencies point inward: assistance → registry, never back).

An app registers its handler once, from its ``AppConfig.ready``::

    from minzheng.registry import hooks
    hooks.on_person_deceased(dynamic.person_death_recorded)

The registry's services call ``person_deceased`` / ``changed`` inside their own transaction,
so whatever a handler writes commits or rolls back with the registry change itself: a death
is recorded together with everything it ends, in one step. A handler that raises refuses
the registry change too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

DeathHandler = Callable[..., Any]
ChangeHandler = Callable[..., Any]

_death_handlers: list[DeathHandler] = []
_change_handlers: list[ChangeHandler] = []
_situation_handlers: list[ChangeHandler] = []


def on_person_deceased(handler: DeathHandler) -> None:
    """``handler(*, actor, person, died_on)`` runs when a death is recorded."""
    if handler not in _death_handlers:
        _death_handlers.append(handler)


def on_change(handler: ChangeHandler) -> None:
    """``handler(*, actor, subject, what)`` runs when a fact that may alter a household's
    income or size changes (income rows, employment, membership)."""
    if handler not in _change_handlers:
        _change_handlers.append(handler)


def on_situation_change(handler: ChangeHandler) -> None:
    """``handler(*, actor, subject, what)`` runs when a person's situation (服刑在押, 失联 …)
    is recorded, ended or deleted: facts that may alter a household's size and whether a
    child's parents can care for it."""
    if handler not in _situation_handlers:
        _situation_handlers.append(handler)


def person_deceased(*, actor: Any, person: Any, died_on: dt.date) -> list[Any]:
    """Called by ``services.person_mark_deceased``; returns each handler's result."""
    return [h(actor=actor, person=person, died_on=died_on) for h in _death_handlers]


def changed(*, actor: Any, subject: Any, what: str) -> None:
    """Called by the registry services after a change of ``subject`` (a person or a
    household) described by ``what`` in plain Chinese."""
    for h in _change_handlers:
        h(actor=actor, subject=subject, what=what)


def situation_changed(*, actor: Any, person: Any, what: str) -> None:
    """Called by the registry services after a situation of ``person`` changed."""
    for h in _situation_handlers:
        h(actor=actor, subject=person, what=what)
