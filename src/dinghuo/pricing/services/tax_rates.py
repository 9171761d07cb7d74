"""Tax writes: a seller's tax rates (by tax category and destination, over a period) and its
tax policy (rounding per line or per document). Each is one transaction that records its
event; a refusal changes nothing. Which rate a line pays is `pricing/tax.py`'s rule."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, Q

from dinghuo.audit import services as audit
from dinghuo.catalog.models import TaxCategory
from dinghuo.catalog.texts import Texts, column, localized
from dinghuo.core.errors import FieldError
from dinghuo.core.models import Seller
from dinghuo.core.queries import seller_for
from dinghuo.core.writes import UNSET, Unset, field_conflict, locked_tenant_row, refuse
from dinghuo.integrations import events
from dinghuo.pricing.models import TaxPolicy, TaxRate
from dinghuo.pricing.tax import Rounding, percent_text


def tax_rate_payload(rate: TaxRate, seller_slug: str) -> dict[str, Any]:
    """A tax rate as its events and the API show it."""
    return {
        "seller": seller_slug,
        "category_id": rate.category_id,
        "country": rate.country,
        "region": rate.region,
        "name": localized(rate, "name"),
        "percent": percent_text(rate.percent),
        "valid_from": rate.valid_from.isoformat(),
        "valid_until": rate.valid_until.isoformat() if rate.valid_until else None,
    }


def _assign_names(rate: TaxRate, names: Texts) -> bool:
    """Set the translations given; English stays "" rather than NULL. Whether any changed."""
    changed = False
    for lang, text in names.items():
        value = text or ("" if lang == "en" else None)
        attr = column("name", lang)
        changed |= getattr(rate, attr) != value
        setattr(rate, attr, value)
    return changed


def tax_rate_errors(tenant_id: int, rate: TaxRate) -> list[FieldError]:
    """A name in English, a percent from 0 to 100, a period that ends after it starts and a
    tax category of the tenant's."""
    errors = []
    if not getattr(rate, column("name", "en")):
        errors.append(FieldError("name.en", "name_required", "An English name is required"))
    if not Decimal(0) <= rate.percent <= Decimal(100):
        errors.append(FieldError("percent", "percent_out_of_range", "From 0 to 100 percent"))
    if rate.valid_until is not None and rate.valid_until < rate.valid_from:
        errors.append(
            FieldError("valid_until", "period_not_ordered", "The end comes before the start")
        )
    if (
        rate.category_id is not None
        and not TaxCategory.objects.filter(tenant_id=tenant_id, pk=rate.category_id).exists()
    ):
        errors.append(
            FieldError("category_id", "unknown_tax_category", f"No tax category {rate.category_id}")
        )
    return errors


def overlaps(rate: TaxRate) -> bool:
    """Whether another rate of the seller for the same category and destination is valid on
    a day of this one's period (a line must have one rate a day)."""
    others = TaxRate.objects.filter(
        seller_id=rate.seller_id,
        category_id=rate.category_id,
        country=rate.country,
        region=rate.region,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=rate.valid_from))
    if rate.valid_until is not None:
        others = others.filter(valid_from__lte=rate.valid_until)
    return others.exclude(pk=rate.pk).exists()


def _refuse_overlap(rate: TaxRate) -> None:
    """409 `tax_rate_overlaps` when the rate `overlaps` another. Callers hold the seller's
    row lock, so two writers cannot both pass."""
    if overlaps(rate):
        raise field_conflict(
            "valid_from",
            "tax_rate_overlaps",
            "Another rate for this category and destination is valid in this period",
        )


def _locked_seller(seller: Seller) -> None:
    """Serialise the seller's tax rate writes (rare; placing never locks the seller)."""
    Seller.objects.select_for_update().filter(pk=seller.pk).first()


@transaction.atomic
def create_tax_rate(
    *,
    tenant_id: int,
    country: str,
    name: Texts,
    percent: Decimal,
    valid_from: date,
    valid_until: date | None = None,
    region: str = "",
    category_id: int | None = None,
    seller_slug: str | None = None,
) -> TaxRate:
    """A seller's rate for a tax category (None: the general rate of the destination) sent to
    `country` (and `region`, "" = all of it) from `valid_from` to `valid_until` (inclusive;
    None = open-ended). Refused when it overlaps a rate of the same category and destination."""
    seller = seller_for(tenant_id, seller_slug)
    rate = TaxRate(
        tenant_id=tenant_id,
        seller=seller,
        category_id=category_id,
        country=country,
        region=region,
        percent=percent,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    _assign_names(rate, name)
    refuse(tax_rate_errors(tenant_id, rate), "The tax rate cannot be created; see errors.")
    _locked_seller(seller)
    _refuse_overlap(rate)
    rate.save()
    audit.created(rate)
    payload = tax_rate_payload(rate, seller.slug)
    events.record(events.new(tenant_id, "tax_rate.created", "tax_rate", rate.pk, payload))
    return rate


@transaction.atomic
def update_tax_rate(
    *,
    tenant_id: int,
    tax_rate_id: int,
    name: Texts | Unset = UNSET,
    percent: Decimal | Unset = UNSET,
    valid_from: date | Unset = UNSET,
    valid_until: date | Unset | None = UNSET,
) -> TaxRate:
    """Change what is given. Orders keep the percent they were placed with; to change a rate
    from a day on, end this one and create the next."""
    rate = locked_tenant_row(
        TaxRate.objects.select_related("seller"),
        tenant_id,
        tax_rate_id,
        f"No tax rate {tax_rate_id}.",
    )
    before = audit.snapshot(rate)
    changed = ["name"] if name is not UNSET and _assign_names(rate, name) else []
    for attr, value in (
        ("percent", percent),
        ("valid_from", valid_from),
        ("valid_until", valid_until),
    ):
        if value is not UNSET and getattr(rate, attr) != value:
            setattr(rate, attr, value)
            changed.append(attr)
    refuse(tax_rate_errors(tenant_id, rate), "The tax rate cannot be changed; see errors.")
    if not changed:
        return rate
    _locked_seller(rate.seller)
    _refuse_overlap(rate)
    rate.save()
    audit.changed(rate, before)
    payload = {**tax_rate_payload(rate, rate.seller.slug), "changed": changed}
    events.record(events.new(tenant_id, "tax_rate.updated", "tax_rate", rate.pk, payload))
    return rate


@transaction.atomic
def delete_tax_rate(*, tenant_id: int, tax_rate_id: int) -> None:
    """Delete a rate no order used; a used one is refused (409 `tax_rate_in_use`): orders show
    its name, so end it with `valid_until` instead."""
    rate = locked_tenant_row(
        TaxRate.objects.select_related("seller"),
        tenant_id,
        tax_rate_id,
        f"No tax rate {tax_rate_id}.",
    )
    payload = tax_rate_payload(rate, rate.seller.slug)
    try:
        with transaction.atomic():
            audit.deleted(rate)
            rate.delete()
    except ProtectedError as exc:
        raise field_conflict(
            "tax_rate_id", "tax_rate_in_use", "Orders were charged this rate; end it instead"
        ) from exc
    events.record(events.new(tenant_id, "tax_rate.deleted", "tax_rate", tax_rate_id, payload))


@transaction.atomic
def set_tax_policy(
    *, tenant_id: int, rounding: Rounding, seller_slug: str | None = None
) -> TaxPolicy:
    """Set how the seller rounds tax (per line or per document) for orders placed from now."""
    seller = seller_for(tenant_id, seller_slug)
    policy, created = TaxPolicy.objects.select_for_update().get_or_create(
        seller=seller, defaults={"tenant_id": tenant_id, "rounding": rounding}
    )
    if policy.rounding == rounding and not created:
        return policy
    before = audit.snapshot(policy)
    policy.rounding = rounding
    policy.save(update_fields=["rounding"])
    if created:
        audit.created(policy)
    else:
        audit.changed(policy, before)
    payload = {"seller": seller.slug, "rounding": str(rounding)}
    events.record(events.new(tenant_id, "tax_policy.changed", "seller", seller.pk, payload))
    return policy
