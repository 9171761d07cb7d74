"""Trading partner writes: set one up, change it, map its delivery points and article
numbers, and take the references of what we send (never reused)."""

from dataclasses import dataclass

from django.db import connection, transaction

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Sku
from dinghuo.core import gs1
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.writes import UNSET, Unset, locked_tenant_row, refuse, saved_or_conflict
from dinghuo.core.writes import field_conflict as conflict
from dinghuo.customers.models import Company, Location
from dinghuo.edi.models import PartnerArticle, PartnerShipTo, TradingPartner
from dinghuo.integrations import events
from dinghuo.integrations.models import Event


@dataclass(frozen=True)
class ShipTo:
    """A delivery point's GLN and the id of the company's address it stands for."""

    gln: str
    location_id: int


@dataclass(frozen=True)
class Article:
    """The buyer's article number and our SKU's code."""

    buyer_article: str
    sku_code: str


def _gln_errors(field: str, gln: str) -> list[FieldError]:
    if gs1.is_gln(gln):
        return []
    return [FieldError(field, "invalid_gln", "13 digits ending with the right check digit")]


def _event(partner: TradingPartner, type: str, changed: list[str] | None = None) -> Event:
    payload: dict[str, object] = {
        "partner": partner.name,
        "gln": partner.gln,
        "company": partner.company_id,
        "test_mode": partner.test_mode,
        "is_active": partner.is_active,
    }
    if changed is not None:
        payload["changed"] = changed
    return events.new(partner.tenant_id, type, "edi_partner", partner.pk, payload)


def _company(tenant_id: int, company_id: int) -> Company:
    company = Company.objects.filter(tenant_id=tenant_id, pk=company_id).first()
    if company is None:
        raise ValidationFailed(
            "Unknown company.",
            errors=[FieldError("company_id", "unknown_company", f"No company {company_id}")],
        )
    return company


@transaction.atomic
def create_partner(
    *,
    tenant_id: int,
    name: str,
    gln: str,
    company_id: int,
    our_gln: str,
    test_mode: bool = False,
    is_active: bool = True,
    accept_partial_orders: bool = False,
    documents_for_all_orders: bool = False,
    ship_tos: list[ShipTo] | None = None,
) -> TradingPartner:
    """Set up a trading partner: its GLN (check digit validated, the tenant's only one), the
    company it orders for, our GLN towards it; its delivery points (the company's addresses)."""
    refuse(_gln_errors("gln", gln) + _gln_errors("our_gln", our_gln), "Check the GLNs.")
    company = _company(tenant_id, company_id)
    _check_free(tenant_id, gln, company.pk, None)
    partner = TradingPartner(
        tenant_id=tenant_id,
        name=name,
        gln=gln,
        company=company,
        our_gln=our_gln,
        test_mode=test_mode,
        is_active=is_active,
        accept_partial_orders=accept_partial_orders,
        documents_for_all_orders=documents_for_all_orders,
    )
    partner.feed_txid, partner.feed_event_id = start_position(tenant_id)
    with saved_or_conflict(conflict("gln", "gln_taken", "Another partner has this GLN")):
        partner.save()
    audit.created(partner)
    _replace_ship_tos(partner, ship_tos or [])
    events.record(_event(partner, "edi_partner.created"))
    return partner


def _check_free(tenant_id: int, gln: str, company_id: int, partner_id: int | None) -> None:
    others = TradingPartner.objects.filter(tenant_id=tenant_id)
    if partner_id is not None:
        others = others.exclude(pk=partner_id)
    if others.filter(gln=gln).exists():
        raise conflict("gln", "gln_taken", f"Another trading partner has the GLN {gln}.")
    if others.filter(company_id=company_id).exists():
        raise conflict(
            "company_id", "company_has_partner", "This company already has a trading partner."
        )


@transaction.atomic
def update_partner(
    *,
    tenant_id: int,
    partner_id: int,
    name: str | Unset = UNSET,
    gln: str | Unset = UNSET,
    our_gln: str | Unset = UNSET,
    test_mode: bool | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    accept_partial_orders: bool | Unset = UNSET,
    documents_for_all_orders: bool | Unset = UNSET,
    ship_tos: list[ShipTo] | Unset = UNSET,
) -> TradingPartner:
    """Change what is given; `ship_tos` replaces the delivery points whole."""
    partner = locked_tenant_row(
        TradingPartner.objects.all(), tenant_id, partner_id, f"No trading partner {partner_id}."
    )
    before = audit.snapshot(partner)
    errors = []
    if not isinstance(gln, Unset):
        errors += _gln_errors("gln", gln)
    if not isinstance(our_gln, Unset):
        errors += _gln_errors("our_gln", our_gln)
    refuse(errors, "Check the GLNs.")
    fields = {
        "name": name,
        "gln": gln,
        "our_gln": our_gln,
        "test_mode": test_mode,
        "is_active": is_active,
        "accept_partial_orders": accept_partial_orders,
        "documents_for_all_orders": documents_for_all_orders,
    }
    changed = [k for k, v in fields.items() if v is not UNSET and getattr(partner, k) != v]
    for key in changed:
        setattr(partner, key, fields[key])
    if "gln" in changed:
        _check_free(tenant_id, partner.gln, partner.company_id, partner.pk)
    if not isinstance(ship_tos, Unset) and _replace_ship_tos(partner, ship_tos):
        changed.append("ship_tos")
    if changed:
        with saved_or_conflict(conflict("gln", "gln_taken", "Another partner has this GLN")):
            partner.save()
        audit.changed(partner, before)
        events.record(_event(partner, "edi_partner.updated", changed))
    return partner


def _replace_ship_tos(partner: TradingPartner, ship_tos: list[ShipTo]) -> bool:
    """Map the delivery points; each GLN valid and once, each address the company's own."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, item in enumerate(ship_tos):
        errors += _gln_errors(f"ship_tos[{i}].gln", item.gln)
        if item.gln in seen:
            errors.append(FieldError(f"ship_tos[{i}].gln", "duplicate_gln", "Given twice"))
        seen.add(item.gln)
    ids = {item.location_id for item in ship_tos}
    own = set(
        Location.objects.filter(
            tenant_id=partner.tenant_id, company_id=partner.company_id, pk__in=ids
        ).values_list("pk", flat=True)
    )
    errors += [
        FieldError(
            f"ship_tos[{i}].location_id", "unknown_location", "Not an address of the company"
        )
        for i, item in enumerate(ship_tos)
        if item.location_id not in own
    ]
    refuse(errors, "Check the delivery points.")
    before = set(partner.ship_tos.values_list("gln", "location_id"))
    after = {(item.gln, item.location_id) for item in ship_tos}
    if before == after:
        return False
    audit.wrote(
        partner,
        "changed",
        before={"ship_tos": sorted(before)},
        after={"ship_tos": sorted(after)},
    )
    partner.ship_tos.all().delete()
    PartnerShipTo.objects.bulk_create(
        PartnerShipTo(tenant_id=partner.tenant_id, partner=partner, gln=g, location_id=loc)
        for g, loc in sorted(after)
    )
    return True


@transaction.atomic
def set_articles(*, tenant_id: int, partner_id: int, articles: list[Article]) -> TradingPartner:
    """Replace the partner's article numbers (PIA … IN) with `articles`, each naming a SKU."""
    partner = locked_tenant_row(
        TradingPartner.objects.all(), tenant_id, partner_id, f"No trading partner {partner_id}."
    )
    codes = {a.sku_code for a in articles}
    skus = dict(Sku.objects.filter(tenant_id=tenant_id, code__in=codes).values_list("code", "pk"))
    errors = [
        FieldError(f"articles[{i}].sku", "unknown_sku", f"No SKU {a.sku_code}")
        for i, a in enumerate(articles)
        if a.sku_code not in skus
    ]
    numbers = [a.buyer_article for a in articles]
    errors += [
        FieldError(f"articles[{i}].buyer_article", "duplicate_article", "Given twice")
        for i, n in enumerate(numbers)
        if n in numbers[:i]
    ]
    refuse(errors, "Check the article numbers.")
    audit.wrote(
        partner,
        "changed",
        before={"articles": sorted(partner.articles.values_list("buyer_article", "sku_id"))},
        after={"articles": sorted((a.buyer_article, skus[a.sku_code]) for a in articles)},
    )
    partner.articles.all().delete()
    PartnerArticle.objects.bulk_create(
        PartnerArticle(
            tenant_id=tenant_id,
            partner=partner,
            buyer_article=a.buyer_article,
            sku_id=skus[a.sku_code],
        )
        for a in articles
    )
    events.record(_event(partner, "edi_partner.updated", ["articles"]))
    return partner


def start_position(tenant_id: int) -> tuple[int, int]:
    """The feed's end now: a new partner's documents start from here, not from the past."""
    last = Event.objects.filter(tenant_id=tenant_id).order_by("-txid", "-id").first()
    return (last.txid, last.pk) if last else (0, 0)


def take_references(partner_id: int, messages: int) -> tuple[int, int]:
    """The next interchange reference and the first of `messages` message references of the
    partner, taken in the caller's transaction by one UPDATE … RETURNING: two writers never
    get the same, and a rolled-back one leaves no gap that matters (it sent nothing)."""
    table = TradingPartner._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET next_interchange_ref = next_interchange_ref + 1, "  # noqa: S608
            "next_message_ref = next_message_ref + %s WHERE id = %s "
            "RETURNING next_interchange_ref - 1, next_message_ref - %s",
            [messages, partner_id, messages],
        )
        interchange, first_message = cursor.fetchone()
    return int(interchange), int(first_message)
