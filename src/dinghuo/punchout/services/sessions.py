"""PunchOut sessions: opened by a setup request, entered once through the start page, ended
by sending the cart back.

A session's cart is the portal cart of the user it signs in as: entering empties it (a
punchout starts from the procurement system's lines, not from what was left in the portal)
and, for edit and inspect, fills it with the request's ItemOut lines. Sessions and carts are
drafts, so they record no events; the order that a later OrderRequest places records its own.
"""

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from dinghuo.buying import queries as buying_queries
from dinghuo.buying import services as buying
from dinghuo.core import clock
from dinghuo.core.errors import Conflict, DomainError, FieldError, TenantSuspended
from dinghuo.core.services import hash_secret
from dinghuo.orders.line_checks import LineRequest
from dinghuo.orders.queries import LineCheck, check_lines
from dinghuo.punchout import documents, queries, units
from dinghuo.punchout.cxml import CxmlRefusal, SetupRequest
from dinghuo.punchout.models import Connection, Session

# The start page works once, and only soon after the setup: the procurement system opens it
# in the buyer's browser straight away.
START_PAGE_LIFETIME = timedelta(minutes=5)
Names = Callable[[Iterable[int]], Mapping[int, str]]


@dataclass(frozen=True)
class Started:
    session: Session
    token: str  # for the start page's URL; stored only hashed


@dataclass(frozen=True)
class Entered:
    session: Session
    not_loaded: list[str]  # SKUs of an edit or inspect that could not be put in the cart


@dataclass(frozen=True)
class Transfer:
    """The cart as a PunchOutOrderMessage and where the buyer's browser posts it."""

    url: str
    document: bytes


@transaction.atomic
def start_session(*, connection: Connection, request: SetupRequest) -> Started:
    """A session for an authenticated setup request, with a one-time start-page token that
    expires after `START_PAGE_LIFETIME`; 403 when the user it would sign in as is off."""
    user = queries.session_user(connection, request.contact_email)
    if not user.may_sign_in:
        raise CxmlRefusal(403, "The portal user of this procurement connection is switched off.")
    token = secrets.token_urlsafe(32)
    session = Session.objects.create(
        tenant_id=connection.tenant_id,
        connection=connection,
        company_user=user,
        operation=request.operation,
        payload_id=request.payload_id,
        buyer_cookie=request.buyer_cookie,
        form_post_url=request.form_post_url,
        language=request.language,
        items=[
            {"sku": i.sku, "quantity": i.quantity, "auxiliary_id": i.auxiliary_id}
            for i in request.items
        ],
        token_hash=hash_secret(token),
        expires_at=clock.now() + START_PAGE_LIFETIME,
    )
    return Started(session, token)


def _link_refused(code: str, detail: str) -> DomainError:
    return DomainError(detail, code=code, status=410)


def _empty_cart(session: Session) -> None:
    buyer = buying_queries.buyer_company(session.tenant_id, session.connection.company_id)
    for sku_id, _code, _quantity, _note in buying_queries.cart_lines(
        session.tenant_id, buyer, session.company_user_id
    ):
        buying.remove_from_cart(
            tenant_id=session.tenant_id,
            company_id=buyer.company_id,
            owner_id=session.company_user_id,
            sku_id=sku_id,
        )


def _load_items(session: Session) -> list[str]:
    not_loaded = []
    for item in session.items:
        try:
            buying.add_to_cart(
                tenant_id=session.tenant_id,
                company_id=session.connection.company_id,
                owner_id=session.company_user_id,
                sku=item["sku"],
                quantity=item["quantity"],
            )
        except DomainError:
            not_loaded.append(item["sku"])
    return not_loaded


@transaction.atomic
def enter_session(*, token: str) -> Entered:
    """Open the session of a start-page token, once: 410 `punchout_link_unknown`,
    `punchout_link_used` or `punchout_link_expired` otherwise. Empties the user's cart and,
    for edit and inspect, fills it with the request's lines (those that cannot be ordered
    now are named in the answer, not loaded)."""
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("connection", "company_user__user", "tenant")
        .filter(token_hash=hash_secret(token))
        .first()
    )
    if session is None:
        raise _link_refused("punchout_link_unknown", "This PunchOut link is not known.")
    if session.opened_at is not None:
        raise _link_refused("punchout_link_used", "This PunchOut link was used already.")
    now = clock.now()
    if now >= session.expires_at:
        raise _link_refused("punchout_link_expired", "This PunchOut link has expired.")
    if not session.connection.is_active or not session.company_user.may_sign_in:
        raise _link_refused("punchout_link_unknown", "This PunchOut link is not known.")
    if session.tenant.is_suspended:
        # Suspended after the setup: the link signs nobody in and leaves the cart as it was.
        raise TenantSuspended()
    session.opened_at = now
    session.save(update_fields=["opened_at"])
    _empty_cart(session)
    return Entered(session, _load_items(session))


@dataclass(frozen=True)
class _Priced:
    currency: str
    lines: list[LineCheck]
    total: Decimal  # the lines' amounts as priced
    tax: Decimal | None  # to the company's first ship-to; None when not known


def _priced(session: Session) -> _Priced:
    """The lines to send back priced now: the cart's, or an inspect session's own lines."""
    tenant, company = session.tenant_id, session.connection.company_id
    if session.operation == Session.Operation.INSPECT:
        requested = [LineRequest(i["sku"], i["quantity"]) for i in session.items]
        check = check_lines(tenant, company, requested) if requested else None
        ship_to = None
    else:
        ship_to = buying_queries.first_ship_to(tenant, company)
        check = buying_queries.cart(
            tenant, company, session.company_user_id, ship_to_id=ship_to[0] if ship_to else None
        ).check
    if check is None:
        currency = buying_queries.buyer_company(tenant, company).currency
        return _Priced(currency, [], Decimal(0), None)
    tax = check.tax if ship_to else None
    return _Priced(check.currency, check.lines, check.subtotal, tax)


def _cart_lines(session: Session, lines: list[LineCheck], names: Names) -> list[documents.CartLine]:
    ids = [line.sku_id for line in lines if line.sku_id is not None]
    said, details = names(ids), queries.sku_details(session.tenant_id, ids)
    cart_lines = []
    for line in lines:
        if line.sku_id is None or line.unit_price is None:
            continue
        unit, category = details.get(line.sku_id, ("", ""))
        cart_lines.append(
            documents.CartLine(
                sku=line.sku,
                auxiliary_id=f"PO{session.pk}-{line.sku_id}",
                quantity=line.quantity,
                unit_price=line.unit_price,
                description=said.get(line.sku_id, line.description),
                unit_of_measure=units.unit_of_measure(unit),
                classification_domain="UNSPSC" if category.isdigit() else "SupplierCategory",
                classification=category or "uncategorised",
            )
        )
    return cart_lines


def _refuse_unorderable(lines: list[LineCheck]) -> None:
    for line in lines:
        if line.unit_price is None or any(p.code != "insufficient_stock" for p in line.problems):
            detail = f"The line {line.sku} cannot be ordered now; change or remove it first."
            code = "punchout_cart_not_orderable"
            raise Conflict(
                detail, code=code, errors=[FieldError("lines", code, detail, {"sku": line.sku})]
            )


@transaction.atomic
def transfer_cart(
    *, tenant_id: int, session_id: int, company_user_id: int, language: str, names: Names
) -> Transfer:
    """End the session and give its cart as a PunchOutOrderMessage, each line at today's price
    (named in `language` by `names`). 409 `punchout_session_ended` when it ended already,
    409 `punchout_cart_not_orderable` when a line could not be ordered (short stock is no
    reason: the order decides). The cart is emptied: the procurement system has it now."""
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("connection")
        .filter(tenant_id=tenant_id, pk=session_id, company_user_id=company_user_id)
        .first()
    )
    if session is None or session.ended_at is not None or session.opened_at is None:
        raise Conflict("This PunchOut session has ended.", code="punchout_session_ended")
    priced = _priced(session)
    _refuse_unorderable(priced.lines)
    connection = session.connection
    cart = documents.Cart(
        buyer=documents.Party(connection.buyer_domain, connection.buyer_identity),
        supplier=documents.Party(connection.supplier_domain, connection.supplier_identity),
        buyer_cookie=session.buyer_cookie,
        operation_allowed="inspect" if session.operation == "inspect" else "edit",
        currency=priced.currency,
        language=language,
        total=priced.total,
        tax=priced.tax,
        lines=_cart_lines(session, priced.lines, names),
    )
    session.ended_at = clock.now()
    session.save(update_fields=["ended_at"])
    if session.operation != Session.Operation.INSPECT:
        _empty_cart(session)
    return Transfer(session.form_post_url, documents.order_message(cart, session.ended_at))
