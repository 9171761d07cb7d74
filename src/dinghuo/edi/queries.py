"""EDI reads: partners with their delivery points and article numbers, messages with their
orders and answers; tenant-scoped, a fixed number of queries per page."""

from django.db.models import Prefetch, QuerySet

from dinghuo.core.queries import tenant_row
from dinghuo.edi.models import EdiMessage, EdiOrder, PartnerArticle, TradingPartner


def partners(tenant_id: int) -> QuerySet[TradingPartner]:
    """The tenant's trading partners with their company, delivery points and articles."""
    return (
        TradingPartner.objects.filter(tenant_id=tenant_id)
        .select_related("company")
        .prefetch_related(
            "ship_tos",
            Prefetch("articles", PartnerArticle.objects.select_related("sku").order_by("id")),
        )
    )


def partner(tenant_id: int, partner_id: int) -> TradingPartner:
    """One trading partner of the tenant (404 otherwise)."""
    return tenant_row(
        partners(tenant_id), tenant_id, partner_id, f"No trading partner {partner_id}."
    )


def messages(
    tenant_id: int,
    *,
    direction: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    partner_id: int | None = None,
) -> QuerySet[EdiMessage]:
    """The tenant's messages in and out, with their partner, orders and the message each
    answers; without the raw text (read one message for it)."""
    qs = (
        EdiMessage.objects.filter(tenant_id=tenant_id)
        .select_related("partner")
        .defer("raw")
        .prefetch_related(
            Prefetch("orders", EdiOrder.objects.only("id", "message_id", "order_id")),
            Prefetch("answered", EdiMessage.objects.only("id", "answer_id")),
        )
    )
    if direction:
        qs = qs.filter(direction=direction)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if partner_id:
        qs = qs.filter(partner_id=partner_id)
    return qs


def message(tenant_id: int, message_id: int) -> EdiMessage:
    """One message of the tenant with its raw text (404 otherwise)."""
    qs = messages(tenant_id).defer(None)
    return tenant_row(qs, tenant_id, message_id, f"No EDI message {message_id}.")


def newest_messages(tenant_id: int, limit: int, **filters: object) -> list[EdiMessage]:
    """The newest messages first, for the back office's list."""
    return list(messages(tenant_id, **filters).order_by("-id")[:limit])  # type: ignore[arg-type]
