"""Helpers of every app's write services: "leave as it is", refusals, unique codes, row locks."""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from enum import Enum
from typing import Final, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet

from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.core.queries import tenant_row

M = TypeVar("M", bound=Model)


class Unset(Enum):
    """The type of UNSET: "leave as it is" in a partial update, where None can be a value."""

    UNSET = "unset"


UNSET: Final = Unset.UNSET


def refuse(errors: list[FieldError], detail: str) -> None:
    """Raise 422 with every problem found, if there is any."""
    if errors:
        raise ValidationFailed(detail, errors=errors)


def field_conflict(field: str, code: str, message: str) -> Conflict:
    """409 with `code`, naming the one field at fault; `message` is the detail too."""
    return Conflict(message, code=code, errors=[FieldError(field, code, message)])


def taken(at: str, code: str) -> Conflict:
    """409 `code_taken`: found by looking before writing (the common case)."""
    return Conflict(
        f"The code {code!r} is already used.",
        code="code_taken",
        errors=[FieldError(at, "code_taken", f"{code} is already used")],
    )


@contextmanager
def saved_or_conflict(conflict: Conflict) -> Iterator[None]:
    """Run a write that a unique constraint guards; a violation raises `conflict`.

    The caller looked first; this only catches the request that raced it and lost. The
    savepoint keeps the caller's transaction usable after the violation.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise conflict from exc


def code_must_be_free(at: str) -> AbstractContextManager[None]:
    """Turn a unique-code violation (a concurrent writer won the race) into 409 `code_taken`."""
    return saved_or_conflict(
        Conflict(
            "Another record already uses this code.",
            code="code_taken",
            errors=[FieldError(at, "code_taken", "This code is already used")],
        )
    )


def locked_tenant_row(queryset: QuerySet[M], tenant_id: int, pk: int, missing: str) -> M:
    """The tenant's row `pk` of `queryset`, locked until the transaction ends; else 404.

    Only the row of the queryset's own table is locked, not rows that `select_related` joins:
    locking a company's price list, say, would make every company on that list wait.
    """
    return tenant_row(queryset.select_for_update(of=("self",)), tenant_id, pk, missing)
