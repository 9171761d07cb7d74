"""Optimistic concurrency for the resources integrators change: `ETag` on a read,
`If-Match` on a change (RFC 9110 §13.1.1), 412 `precondition_failed` on a stale tag.

The tag is the SHA-256 of the answer's JSON bytes, so it changes exactly when the answer
does (a column such as `updated_at` would miss changes to what an answer gathers from other
rows: a company's users and addresses, a policy's fields kept by other apps), and it costs a
hash of a few kilobytes on the read, and one read of the current answer on a change that
sends `If-Match`. The check and the change run in one transaction with the resource's rows
locked first, so two writers holding the same tag cannot both succeed: the second reads
the first one's answer and gets 412.
"""

import hashlib
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from ninja import Header

from dinghuo.api.idempotent import json_response
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import DomainError, FieldError
from dinghuo.core.models import Seller
from dinghuo.core.queries import seller_for

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=2_000,
        description="Optional: the `ETag` of the answer you read; the change is made only if "
        "the resource still answers with it (else 412 `precondition_failed`, nothing changed). "
        "Left out, the change is made whatever changed meanwhile.",
    ),
]


class PreconditionFailed(DomainError):
    """The resource changed since the caller read it (its `If-Match` tag is stale)."""

    status = 412
    code = "precondition_failed"
    title = "Precondition failed"


def etag_of(body: Any) -> str:
    """The strong entity tag of an answer: the SHA-256 of the very bytes sent (as
    `json_response` writes them), quoted."""
    return '"' + hashlib.sha256(orjson.dumps(body)).hexdigest()[:40] + '"'


def tagged(status: int, body: Any) -> HttpResponse:
    """A JSON answer carrying its `ETag`."""
    response = json_response(status, body)
    response["ETag"] = etag_of(body)
    return response


def matches(if_match: str, current: str) -> bool:
    """Whether an `If-Match` value admits the current tag: `*`, or one of its tags by strong
    comparison (a weak tag `W/"…"` never matches, as RFC 9110 says for If-Match)."""
    if if_match.strip() == "*":
        return True
    return any(tag.strip() == current for tag in if_match.split(","))


def lock_rows(rows: QuerySet[Any]) -> None:
    """Lock these rows for the rest of the transaction (in id order, as everywhere)."""
    list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))


def run_guarded(
    if_match: str | None,
    *,
    lock: Callable[[], QuerySet[Any] | list[QuerySet[Any]]],
    read: Callable[[], Any],
    change: Callable[[], Any],
) -> HttpResponse:
    """Run a change (returning the new answer) in one transaction and answer 200 with its new
    `ETag`. With `If-Match`, the rows `lock` names are locked and the current answer (`read`)
    must carry one of its tags first; otherwise 412 and nothing changes."""

    def run() -> Any:
        if if_match is not None:
            found = lock()
            for rows in found if isinstance(found, list) else [found]:
                lock_rows(rows)
            current = etag_of(read())
            if not matches(if_match, current):
                raise PreconditionFailed(
                    "The resource changed since you read it; read it again and reapply "
                    "your change.",
                    errors=[FieldError("If-Match", "precondition_failed", f"Now {current}")],
                )
        return change()

    return tagged(200, atomic_with_retry(run))


def seller_rows(
    tenant_id: int, seller_slug: str | None, *policies: type[Model]
) -> list[QuerySet[Any]]:
    """What a change of a seller's policy locks: the seller's row (which stands for a policy
    not written yet) and its rows of these policy tables."""
    seller = seller_for(tenant_id, seller_slug)
    return [
        Seller.objects.filter(pk=seller.pk),
        *(p._default_manager.filter(tenant_id=tenant_id, seller_id=seller.pk) for p in policies),
    ]
