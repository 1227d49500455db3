"""How a view turns the services' refusals into what the user sees: a record outside the
user's region is a 404 like a missing one, and a ``DomainError`` is shown on the form field it
names (or above the form when that field is not on the page or is hidden)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.http import Http404
from django.http.response import HttpResponseBase

from minzheng.core.exceptions import DomainError, NotFoundOrNotYours

R = TypeVar("R", bound=HttpResponseBase)


def not_found_as_404(view: Callable[..., R]) -> Callable[..., R]:
    """``NotFoundOrNotYours`` from a service or selector answers 404, with its message."""

    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> R:
        try:
            return view(request, *args, **kwargs)
        except NotFoundOrNotYours as exc:
            raise Http404(exc.message) from exc

    return wrapped


def form_domain_error(
    form: forms.BaseForm, exc: DomainError, aliases: Mapping[str, str] | None = None
) -> None:
    """Put the refusal on the visible form field it names (a service's field name may differ
    from the form's: ``aliases`` maps one to the other), else on the whole form."""
    name = (aliases or {}).get(exc.field or "", exc.field)
    field = form.fields.get(name) if name else None
    if field is not None and not isinstance(field.widget, forms.HiddenInput):
        form.add_error(name, exc.message)
    else:
        form.add_error(None, exc.message)
