"""The audit log told for people: each recorded field by its name in the reader's language,
each value as the pages show it (a choice by its label, money in its currency, a linked
record by its name, a day as a day, yes or no), and nothing internal (ids, feed positions,
counters, secrets).

The log stores columns ("price_list_id": 7); this module turns them into "Price list:
Wholesale". One query per kind of linked record on a page, and one per kind of record whose
money needs its currency.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from django.apps import apps
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dinghuo.audit.models import AuditEntry
from dinghuo.core.templatetags.dinghuo import (
    babel_locale,
    country_name,
    currency_name,
    date_,
    datetime_,
    money,
    number,
)
from dinghuo.notifications.kinds import Kind

# Columns people have no use for: ids, moments of bookkeeping, feed positions, counters that
# orders and invoices move (their own history is the event feed), secrets.
HIDDEN = frozenset(
    {
        "credential_type",
        "credential_id",
        "public_key",
        "transports",
        "sign_count",
        "backup_eligible",
        "backup_state",
        "aaguid",
        "credential_id_sha256",
        "discoverable",
        "original",
        "small",
        "large",
        "content_type",
        "id",
        "tenant_id",
        "created_at",
        "updated_at",
        "changed_at",
        "last_login",
        "brand_version",
        "feed_txid",
        "feed_event_id",
        "position_txid",
        "position_event_id",
        "next_interchange_ref",
        "next_message_ref",
        "order_exposure",
        "invoice_exposure",
        "oldest_unpaid_due_on",
        "contract_id",
        "prefix",
        "password",
        "secret",
        "previous_secret",
        "secret_hash",
        "token_hash",
        "user_permissions",
    }
)

# What each recorded column or part is called (keys: the log's names, i.e. column names).
FIELD_WORDS: dict[str, Promise] = {
    "unit_cost": _("Unit cost"),
    "last_used_at": _("Last used"),
    "position": _("Position"),
    "size": _("File size"),
    "width": _("Width"),
    "height": _("Height"),
    "contact_name": _("Contact"),
    "contact_phone": _("Contact phone"),
    "supplier_id": _("Supplier"),
    "supplier_code": _("Supplier's code"),
    "cost_tiers": _("Costs"),
    "lead_time_days": _("Lead time (days)"),
    "minimum_order_quantity": _("Minimum order"),
    "is_preferred": _("Preferred supplier"),
    "reorder_point": _("Reorder point"),
    "reorder_quantity": _("Reorder quantity"),
    "approval_limit": _("Approval limit"),
    "over_delivery_percent": _("Over-delivery tolerance"),
    "demand_window_days": _("Demand window (days)"),
    "scope": _("Scope"),
    "note": _("Note"),
    "started_by_id": _("Started by"),
    "posted_at": _("Posted on"),
    "confirmed": _("Confirmed"),
    "name": _("Name"),
    "code": _("Code"),
    "is_active": _("Active"),
    "company_id": _("Company"),
    "company": _("Company"),
    "seller_id": _("Seller"),
    "priority": _("Priority"),
    "address": _("Address"),
    "role": _("Role"),
    "spending_limit": _("Spending limit"),
    "credit_limit": _("Credit limit"),
    "terms": _("Payment terms"),
    "terms_days": _("Payment terms"),
    "deposit_percent": _("Deposit"),
    "category_id": _("Category"),
    "parent_id": _("Parent category"),
    "description": _("Description"),
    "tax_category_id": _("Tax category"),
    "unit": _("Unit"),
    "min_order_quantity": _("Minimum order quantity"),
    "pack_size": _("Pack size"),
    "gtin": _("GTIN"),
    "allow_backorder": _("Backorders allowed"),
    "product_id": _("Product"),
    "sku_id": _("SKU"),
    "currency": _("Currency"),
    "base_currency": _("Base currency"),
    "price_list_id": _("Price list"),
    "status": _("Status"),
    "languages": _("Languages"),
    "language": _("Language"),
    "time_zone": _("Time zone"),
    "display_name": _("Display name"),
    "logo": _("Logo"),
    "primary_colour": _("Main colour"),
    "accent_colour": _("Accent colour"),
    "slug": _("Short name"),
    "is_primary": _("Primary store"),
    "scopes": _("Scopes"),
    "company_user_id": _("Company user"),
    "revoked_at": _("Revoked"),
    "kind": _("Kind"),
    "line1": _("Address line 1"),
    "line2": _("Address line 2"),
    "city": _("City"),
    "postal_code": _("Postal code"),
    "country": _("Country"),
    "region": _("Region"),
    "customer_group_id": _("Customer group"),
    "groups": _("Groups"),
    "tax_exemption_certificate": _("Tax exemption certificate"),
    "tax_exemption_expires_on": _("Exemption valid until"),
    "valid_from": _("Valid from"),
    "valid_until": _("Valid until"),
    "reference": _("Reference"),
    "prices_include_tax": _("Prices include tax"),
    "min_quantity": _("Minimum quantity"),
    "unit_price": _("Unit price"),
    "tiers": _("Prices"),
    "percent": _("Rate"),
    "rounding": _("Rounding"),
    "level": _("Level"),
    "approver": _("Approver"),
    "min_amount": _("Minimum amount"),
    "buyer_role": _("Buyer role"),
    "credit_state": _("Credit state"),
    "auto_confirm": _("Automatic confirmation"),
    "credit_action": _("When credit is refused"),
    "approval_expiry_hours": _("Approval expires after (hours)"),
    "backorder_fill": _("Backorder fill"),
    "buyer_amend_hours": _("Buyer may amend for (hours)"),
    "priority_group_id": _("Priority group"),
    "overdue_grace_days": _("Overdue grace days"),
    "receivables_source": _("Receivables source"),
    "invoicing": _("Invoicing"),
    "legal_name": _("Legal name"),
    "tax_number": _("Tax number"),
    "payment_instructions": _("Payment instructions"),
    "accounts": _("Accounts"),
    "reminder_days": _("Reminder days"),
    "window_days": _("Return window (days)"),
    "restocking_fee_percent": _("Restocking fee"),
    "auto_approve_limit": _("Approve automatically up to"),
    "quarantine_warehouse_id": _("Quarantine warehouse"),
    "ship_exchange_at_once": _("Ship exchanges at once"),
    "fee_reasons": _("Fee reasons"),
    "non_returnable_categories": _("Non-returnable categories"),
    "gln": _("GLN"),
    "our_gln": _("Our GLN"),
    "test_mode": _("Test mode"),
    "accept_partial_orders": _("Accept partial orders"),
    "documents_for_all_orders": _("Documents for all orders"),
    "ship_tos": _("Delivery points"),
    "articles": _("Article numbers"),
    "buyer_domain": _("Buyer domain"),
    "buyer_identity": _("Buyer identity"),
    "supplier_domain": _("Supplier domain"),
    "supplier_identity": _("Supplier identity"),
    "named_user_allowed": _("Named user allowed"),
    "secret_renewed": _("Secret renewed"),
    "user_id": _("User"),
    "choices": _("Mails"),
    "requires": _("Two-step sign-in required for"),
    "url": _("URL"),
    "event_types": _("Event types"),
    "paused_at": _("Paused"),
    "pause_reason": _("Pause reason"),
    "contact_email": _("Contact e-mail"),
    "previous_secret_expires_at": _("Valid until"),
    "email": _("Email"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "username": _("Username"),
    "is_staff": _("Staff"),
    "is_superuser": _("Superuser"),
    "date_joined": _("Joined"),
    "invited_by": _("Invited by"),
    "door": _("Door"),
    "expires_at": _("Link valid until"),
    "sent_at": _("Sent"),
    "mail_wanted_at": _("Sending asked for"),
    "accepted_at": _("Accepted"),
    "skus": _("SKUs"),
    "sku_ids": _("SKUs"),
    "categories": _("Categories"),
    "category_ids": _("Categories"),
    "companies": _("Companies"),
    "company_ids": _("Companies"),
    "customer_groups": _("Customer groups"),
    "customer_group_ids": _("Customer groups"),
    "value": _("Value"),
    "starts_at": _("Starts"),
    "ends_at": _("Ends"),
    "applies_to_contract_prices": _("Applies to contract prices"),
    "sku_terms": _("SKU terms"),
    "exchange_rates": _("Exchange rates"),
    "reads_per_minute": _("Reads per minute"),
    "writes_per_minute": _("Writes per minute"),
    "warehouse_id": _("Warehouse"),
    "sku": _("SKU"),
    "count": _("Count"),
    "currencies": _("Currencies"),
    "first_day": pgettext_lazy("start of a period", "From"),
    "last_day": pgettext_lazy("end of a period", "Until"),
    "source": _("Source"),
}
# Money columns, and where each kind of record keeps their currency when the entry itself
# does not name it.
MONEY = frozenset(
    {"spending_limit", "credit_limit", "min_amount", "auto_approve_limit", "unit_price"}
)
CURRENCY_OF = {
    "customers.companyuser": "company__price_list__currency",
    "customers.creditline": "company__price_list__currency",
    "orders.approvalrule": "currency",
    "pricing.pricetier": "price_list__currency",
    "pricing.pricelist": "currency",
    "returns.returnpolicy": "seller__base_currency",
}
PERCENTS = frozenset(
    {"percent", "restocking_fee_percent", "deposit_percent", "over_delivery_percent"}
)
EMPTY = "–"


@dataclass(frozen=True)
class Change:
    """One field of an entry as a person reads it."""

    label: str
    before: str
    after: str


def _model(entry: AuditEntry) -> type[models.Model] | None:
    try:
        return apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> Any:
    if model is None:
        return None
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if key in (field.name, getattr(field, "attname", None)):
            return field
    return None


def _language(code: str) -> str:
    try:
        found = Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return code
    return str(found.get_display_name(babel_locale()) or code)


def _translation_of(model: type[models.Model] | None, key: str) -> tuple[str, str] | None:
    """("name", "zh-hant") for modeltranslation's "name_zh_hant"; None for another column."""
    for language in ("zh_hant", "zh_hans", "en"):
        if key.endswith("_" + language):
            base, code = key.removesuffix("_" + language), language.replace("_", "-")
            if _field(model, base) is not None:
                return base, code
    return None


def label(model: type[models.Model] | None, object_type: str, key: str) -> str:
    """What a person calls the column or part `key` of a record."""
    translated = _translation_of(model, key)
    if translated is not None:
        base, code = translated
        return f"{label(model, object_type, base)} ({_language(code)})"
    if key in FIELD_WORDS:
        return str(FIELD_WORDS[key])
    field = _field(model, key)
    if field is not None and isinstance(field.verbose_name, Promise):
        return capfirst(str(field.verbose_name))
    if object_type == "pricing.pricelist":
        return str(_("Prices of %(sku)s") % {"sku": key})  # the ladders, by SKU code
    return str(_("Other detail"))


def _visible_keys(model: type[models.Model] | None, entry: AuditEntry) -> list[str]:
    keys = [k for k in dict.fromkeys([*entry.before, *entry.after]) if k not in HIDDEN]
    # modeltranslation keeps the default language's text twice: the column and "name_en".
    shown = set(keys)
    return [k for k in keys if not any(f"{k}_{lang}" in shown for lang in ("en", "zh_hant"))]


def _linked_model(model: type[models.Model] | None, key: str) -> type[models.Model] | None:
    """The model a column or part links to: a foreign key, a many-to-many field, or a list
    of ids named "<model>_ids" (a promotion's targets)."""
    field = _field(model, key)
    if field is not None and field.is_relation:
        return field.related_model  # type: ignore[no-any-return]
    if key.endswith("_ids") and model is not None:
        wanted = key.removesuffix("_ids").replace("_", "")
        for m2m in model._meta.many_to_many:
            linked = m2m.related_model
            if not isinstance(linked, str) and linked._meta.model_name == wanted:
                return linked
    return None


def _name_of(obj: models.Model) -> str:
    if obj._meta.label_lower == "auth.user":
        full = f"{getattr(obj, 'first_name', '')} {getattr(obj, 'last_name', '')}".strip()
        return full or str(getattr(obj, "email", "")) or str(obj)
    if obj._meta.label_lower in ("customers.companyuser", "backoffice.staffmember"):
        return _name_of(obj.user)  # type: ignore[attr-defined]
    name = getattr(obj, "name", None)
    return str(name) if name else str(obj)


class Names:
    """The names of the records the entries link to, looked up once per kind of record."""

    def __init__(self, wanted: dict[type[models.Model], set[Any]]) -> None:
        self._names: dict[tuple[type[models.Model], str], str] = {}
        for linked, ids in wanted.items():
            rows = linked._default_manager.filter(pk__in=ids)
            if linked._meta.label_lower in ("customers.companyuser", "backoffice.staffmember"):
                rows = rows.select_related("user")
            for obj in rows:
                self._names[(linked, str(obj.pk))] = _name_of(obj)

    def of(self, linked: type[models.Model], value: Any) -> str:
        return self._names.get((linked, str(value)), str(_("a removed record")))


def _is_id(value: Any) -> bool:
    # A service may write a linked record by its code instead ("sku": "RIC-00003-5K"): that is
    # read as written, not looked up as an id.
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.isdigit()
    )


def _ids(value: Any) -> list[Any]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if _is_id(v)]


def _currencies(entries: list[AuditEntry]) -> dict[int, str]:
    """Each entry's currency for its money: named in the entry, or read from its record."""
    found: dict[int, str] = {}
    wanted: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries:
        named = entry.after.get("currency") or entry.before.get("currency")
        if isinstance(named, str) and named:
            found[entry.pk] = named
        elif entry.object_type in CURRENCY_OF:
            wanted[entry.object_type][entry.object_id].append(entry.pk)
    for object_type, by_object in wanted.items():
        path = CURRENCY_OF[object_type]
        rows = apps.get_model(object_type)._default_manager.filter(pk__in=list(by_object))
        for pk, currency in rows.values_list("pk", path):
            for entry_id in by_object[str(pk)]:
                found[entry_id] = currency or ""
    return found


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _yes_no(value: bool) -> str:
    return str(_("yes")) if value else str(_("no"))


def _choice(field: Any, value: Any) -> str:
    labels = {str(k): v for k, v in field.flatchoices}
    return gettext(str(labels[str(value)])) if str(value) in labels else str(value)


def _moment(value: Any, field: Any) -> str | None:
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        return datetime_(moment) if moment else None
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = parse_date(value[:10])
        return date_(day) if day else None
    return None


# Dictionaries whose keys are codes of a known list (a person's mail choices by kind).
PART_WORDS: dict[str, dict[str, Any]] = {"choices": dict(Kind.choices)}


def _part(parent: str, key: str) -> str:
    """A key inside a recorded dictionary: a kind of mail, a price's quantity…"""
    words = PART_WORDS.get(parent, {})
    if key in words:
        return str(words[key])
    return label(None, "", key) if key in FIELD_WORDS else key


SPECIAL: dict[str, Callable[[Any], str]] = {
    "country": lambda v: country_name(v),
    "currency": lambda v: currency_name(v),
    "base_currency": lambda v: currency_name(v),
    "language": lambda v: _language(str(v)) if v else EMPTY,
    "languages": lambda v: format_list(
        [_language(c) for c in str(v).split(",") if c], locale=babel_locale()
    ),
}


@dataclass(frozen=True)
class Reader:
    """Everything a page of entries needs to tell its values."""

    names: Names
    currencies: dict[int, str]

    def value(self, entry: AuditEntry, model: Any, key: str, value: Any) -> str:
        """`value` of column or part `key` of the entry's record, as a person reads it."""
        if value is None or value == "" or value == []:
            return EMPTY
        if isinstance(value, bool):
            return _yes_no(value)
        field = _field(model, key)
        linked = _linked_model(model, key)
        if linked is not None and _ids(value):
            return format_list(
                [self.names.of(linked, v) for v in _ids(value)] or [EMPTY],
                locale=babel_locale(),
            )
        if key in SPECIAL:
            return SPECIAL[key](value)
        if field is not None and field.choices:
            return _choice(field, value)
        return self._plain(entry, field, key, value)

    def _plain(self, entry: AuditEntry, field: Any, key: str, value: Any) -> str:
        moment = _moment(value, field)
        if moment is not None:
            return moment
        if key in MONEY:
            currency = self.currencies.get(entry.pk, "")
            return money(value, currency) or number(value)
        if key in PERCENTS and _decimal(value) is not None:
            return f"{number(value)}%"
        if isinstance(value, int | float) or isinstance(field, models.DecimalField):
            return number(value) or str(value)
        if isinstance(value, dict):
            return ", ".join(
                f"{_part(key, str(k))}{pgettext('after a label', ': ')}"
                f"{self.value(entry, None, str(k), v)}"
                for k, v in value.items()
            )
        if isinstance(value, list):
            return "; ".join(self.value(entry, None, key, v) for v in value)
        return str(value)


def _linked_ids(entries: Iterable[AuditEntry]) -> dict[type[models.Model], set[Any]]:
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = _model(entry)
        for key in [*entry.before, *entry.after]:
            linked = _linked_model(model, key)
            if linked is None or key in HIDDEN:
                continue
            for side in (entry.before, entry.after):
                wanted[linked].update(_ids(side.get(key)))
    return wanted


def changes(entries: list[AuditEntry]) -> dict[int, list[Change]]:
    """Each entry's fields as a person reads them, by entry id."""
    reader = Reader(Names(_linked_ids(entries)), _currencies(entries))
    told: dict[int, list[Change]] = {}
    for entry in entries:
        model = _model(entry)
        told[entry.pk] = [
            Change(
                label(model, entry.object_type, key),
                reader.value(entry, model, key, entry.before.get(key)),
                reader.value(entry, model, key, entry.after.get(key)),
            )
            for key in _visible_keys(model, entry)
        ]
    return told
