"""How the price and promotion pages run a change and show its refusal: the service call in
one transaction (another tenant's or a removed row is 404), and each problem the service found
next to the field it is about, or above the form."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.http import Http404

from dinghuo.core import refusals
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import DomainError, FieldError, NotFound

T = TypeVar("T")


def run(change: Callable[[], T]) -> T:
    """A service call in one transaction; another tenant's (or a removed) row is 404."""
    try:
        return atomic_with_retry(change)
    except NotFound as error:
        raise Http404 from error


def show_refusal(
    form: forms.Form, error: DomainError, place: Callable[[FieldError], str | None]
) -> None:
    """Each problem next to the field `place` names for it (None: above the form)."""
    for problem in error.errors:
        target = place(problem)
        form.add_error(target if target in form.fields else None, refusals.message(problem))
    if not error.errors:
        form.add_error(None, " ".join(refusals.messages(error)))


def field_of(problem: FieldError) -> str:
    """The form field a service's problem is about."""
    # "sku_ids[2]" → "sku_ids": a problem of one member of a list belongs to the list's field.
    return problem.field.split("[", 1)[0]
