"""Webhooks said to staff: the families of events a subscription can ask for, each event type
and object in words, a delivery's state, and why an attempt got no answer.

The feed's types (`order.placed`) and the worker's notes (`timed out`, `answered 500`) are
for machines and stay English in the database and the API; pages say them here, in the
reader's language. A type this module does not know (a new one) is said by its object.
"""

import re
from dataclasses import dataclass
from typing import Any

from babel.lists import format_list
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dinghuo.core.templatetags.dinghuo import babel_locale
from dinghuo.integrations.models import DeliveryState


@dataclass(frozen=True)
class Family:
    """A checkbox of the webhook form: a group of event types, as families (`order.*`)."""

    key: str
    label: Any
    examples: Any
    types: tuple[str, ...]


FAMILIES = (
    Family("orders", _("Orders"), _("placed, confirmed, shipped, cancelled…"), ("order.*",)),
    Family("returns", _("Returns"), _("requested, approved, received…"), ("return.*",)),
    Family(
        "billing",
        _("Invoices and payments"),
        _("invoices issued and settled, credit notes, payments, bank statements"),
        (
            "invoice.*",
            "credit_note.*",
            "payment.*",
            "bank_statement.*",
            "bank_line.*",
            "billing.*",
        ),
    ),
    Family(
        "stock",
        _("Stock and warehouses"),
        _("stock counts changed, warehouses"),
        ("stock.*", "warehouse.*"),
    ),
    Family(
        "catalog",
        _("Catalogue"),
        _("products, SKUs, categories, assortments"),
        ("product.*", "sku.*", "category.*", "catalog.*", "assortment.*", "tax_category.*"),
    ),
    Family(
        "prices",
        _("Prices and promotions"),
        _("price lists, contract prices, promotions, exchange rates"),
        ("price_list.*", "prices.*", "contract_price.*", "promotion.*", "exchange_rates.*"),
    ),
    Family(
        "companies",
        _("Companies"),
        _("companies, their users, addresses and groups"),
        ("company.*", "company_user.*", "location.*", "customer_group.*"),
    ),
    Family(
        "settings",
        _("Settings"),
        _("tax rates, approval rules, order and return policies"),
        ("tax_rate.*", "tax_policy.*", "approval_rule.*", "seller.*", "return_policy.*"),
    ),
    Family("webhooks", _("Webhooks"), _("webhooks made, changed, paused"), ("webhook.*",)),
)

EVENT_WORDS: dict[str, Any] = {
    "order.placed": _("Order placed"),
    "order.confirmed": _("Order confirmed"),
    "order.approval_requested": _("Order waiting for approval"),
    "order.approved": _("Order approved"),
    "order.rejected": _("Order rejected"),
    "order.approval_expired": _("Order approval expired"),
    "order.credit_hold": _("Order put on credit hold"),
    "order.hold_released": _("Order credit hold released"),
    "order.amended": _("Order changed"),
    "order.picking_started": _("Order picking started"),
    "order.shipped": _("Order shipped"),
    "order.delivered": _("Order delivered"),
    "order.cancelled": _("Order cancelled"),
    "order.short_closed": _("Rest of the order cancelled"),
    "order.backorder_filled": _("Backordered units reserved"),
    "return.requested": _("Return requested"),
    "return.approved": _("Return approved"),
    "return.rejected": _("Return rejected"),
    "return.received": _("Returned goods received"),
    "return.closed": _("Return closed"),
    "return.exchange_placed": _("Exchange order placed"),
    "return.photos_added": _("Photos added"),
    "invoice.issued": _("Invoice issued"),
    "invoice.settled": _("Invoice paid"),
    "invoice.reminder_sent": _("Payment reminder sent"),
    "credit_note.issued": _("Credit note issued"),
    "payment.received": _("Payment received"),
    "payment.refunded": _("Payment refunded"),
    "bank_statement.imported": _("Bank statement imported"),
    "bank_line.ignored": _("Bank line set aside"),
    "billing.policy_changed": _("Billing settings changed"),
    "stock.changed": _("Stock count changed"),
    "warehouse.created": _("Warehouse added"),
    "warehouse.updated": _("Warehouse changed"),
    "product.created": _("Product added"),
    "product.updated": _("Product changed"),
    "product.activated": _("Product put on sale"),
    "product.deactivated": _("Product taken off sale"),
    "product.images_changed": _("Product pictures changed"),
    "sku.created": _("SKU added"),
    "sku.updated": _("SKU changed"),
    "sku.activated": _("SKU put on sale"),
    "sku.deactivated": _("SKU taken off sale"),
    "category.created": _("Category added"),
    "category.updated": _("Category changed"),
    "catalog.bulk_upserted": _("Catalogue imported"),
    "assortment.created": _("Assortment added"),
    "assortment.changed": _("Assortment changed"),
    "tax_category.created": _("Tax category added"),
    "tax_category.updated": _("Tax category changed"),
    "price_list.created": _("Price list added"),
    "price_list.updated": _("Price list changed"),
    "price_list.assigned": _("Price list given to a company"),
    "price_list.assignment_changed": _("Price list priority changed"),
    "price_list.unassigned": _("Price list taken from a company"),
    "prices.changed": _("Prices changed"),
    "contract_price.created": _("Contract price added"),
    "contract_price.changed": _("Contract price changed"),
    "contract_price.deleted": _("Contract price removed"),
    "promotion.created": _("Promotion added"),
    "promotion.changed": _("Promotion changed"),
    "exchange_rates.updated": _("Exchange rates set"),
    "company.created": _("Company added"),
    "company.updated": _("Company changed"),
    "company.activated": _("Company reactivated"),
    "company.deactivated": _("Company deactivated"),
    "company.credit_changed": _("Company credit changed"),
    "company.tax_exemption_changed": _("Company tax exemption changed"),
    "company.sku_terms_changed": _("Company SKU terms changed"),
    "company.receivables_synced": _("Company receivables updated"),
    "company_user.created": _("Company user added"),
    "company_user.updated": _("Company user changed"),
    "company_user.api_key_issued": _("API key issued to a company user"),
    "company_user.api_key_revoked": _("API key of a company user revoked"),
    "location.created": _("Address added"),
    "location.updated": _("Address changed"),
    "customer_group.created": _("Customer group added"),
    "customer_group.updated": _("Customer group changed"),
    "tax_rate.created": _("Tax rate added"),
    "tax_rate.updated": _("Tax rate changed"),
    "tax_rate.deleted": _("Tax rate removed"),
    "tax_policy.changed": _("Tax settings changed"),
    "approval_rule.created": _("Approval rule added"),
    "approval_rule.changed": _("Approval rule changed"),
    "seller.order_policy_changed": _("Order settings changed"),
    "return_policy.changed": _("Return policy changed"),
    "webhook.created": _("Webhook created"),
    "webhook.updated": _("Webhook changed"),
    "webhook.deleted": _("Webhook deleted"),
    "webhook.paused": _("Webhook paused"),
    "webhook.resumed": _("Webhook resumed"),
    "webhook.secret_rotated": _("Webhook secret replaced"),
}

# The object an event is about (`aggregate_type`), named.
OBJECT_WORDS: dict[str, Any] = {
    "order": _("Order"),
    "return": _("Return"),
    "invoice": _("Invoice"),
    "credit_note": _("Credit note"),
    "payment": _("Payment"),
    "bank_statement": _("Bank statement"),
    "bank_line": _("Bank line"),
    "stock": _("Stock"),
    "warehouse": _("Warehouse"),
    "product": _("Product"),
    "sku": _("SKU"),
    "category": _("Category"),
    "catalog": _("Catalogue"),
    "assortment": _("Assortment"),
    "tax_category": _("Tax category"),
    "price_list": _("Price list"),
    "promotion": _("Promotion"),
    "company": _("Company"),
    "company_user": _("Company user"),
    "location": _("Address"),
    "customer_group": _("Customer group"),
    "tax_rate": _("Tax rate"),
    "approval_rule": _("Approval rule"),
    "seller": _("Seller settings"),
    "webhook": _("Webhook"),
}

STATE_WORDS: dict[str, Any] = {
    DeliveryState.PENDING: pgettext_lazy("a webhook delivery", "Waiting"),
    DeliveryState.DELIVERED: _("Delivered"),
    DeliveryState.FAILED: _("Given up"),
}
STATE_BADGES: dict[str, str] = {
    DeliveryState.PENDING: "badge--warn",
    DeliveryState.DELIVERED: "badge--ok",
    DeliveryState.FAILED: "badge--bad",
}

# Why an address is refused (`integrations.destinations`), by the service's English reason.
URL_REASONS: dict[str, Any] = {
    "Use an https:// address.": _("Use an address starting with https://."),
    "Leave user names and passwords out of the address; it is signed.": _(
        "Leave user names and passwords out of the address: deliveries are signed instead."
    ),
    "That address is this platform itself.": _("That address is this platform itself."),
    "The host name does not resolve.": _("The host name is not known (it does not resolve)."),
    "The host name is not valid.": _("The host name is not valid."),
    "The port is not a number from 1 to 65535.": _("The port must be a number from 1 to 65535."),
    "The address is private, loopback or otherwise not public.": _(
        "The address is private or local, not reachable from the internet."
    ),
}

_ANSWERED = re.compile(r"^answered (\d+)$")
_FAILED_FOR = re.compile(r"^deliveries failed for (\d+) days$")


def event_words(event_type: str, aggregate_type: str = "") -> str:
    """An event type as a person reads it ("Order shipped"); a type not known here by its
    object ("Order: another change")."""
    known = EVENT_WORDS.get(event_type)
    if known is not None:
        return str(known)
    thing = OBJECT_WORDS.get(aggregate_type or event_type.split(".", 1)[0])
    if thing is None:
        return gettext("Another event")
    return gettext("%(object)s: another change") % {"object": thing}


def object_words(aggregate_type: str) -> str:
    """The kind of object an event is about ("Order"), or "Other" for one not known here."""
    return str(OBJECT_WORDS.get(aggregate_type, _("Other")))


def types_in_words(event_types: list[str]) -> str:
    """What a subscription asks for, in words, listed as the reader's language lists things
    ("Orders and Invoice issued"); "" for every event. A type not known here is shown as
    written."""
    asked = set(event_types)
    said = []
    for family in FAMILIES:
        if set(family.types) <= asked:
            said.append(str(family.label))
            asked -= set(family.types)
    for kind in sorted(asked):
        if kind in EVENT_WORDS:
            said.append(str(EVENT_WORDS[kind]))
        elif kind.endswith(".*") and kind[:-2] in OBJECT_WORDS:
            said.append(gettext("%(object)s: every event") % {"object": OBJECT_WORDS[kind[:-2]]})
        else:
            said.append(kind)
    return format_list(said, locale=babel_locale()) if said else ""


def no_answer_words(error: str, status_code: int | None = None) -> str:
    """Why an attempt failed, from the worker's note ("timed out", "answered 500")."""
    if error.startswith("address refused"):
        return gettext("Not sent: the address is not public.")
    if error == "the host name does not resolve":
        return gettext("Not sent: the host name is not known (it does not resolve).")
    if error == "timed out":
        return gettext("No answer in time: the receiver took too long.")
    if error.startswith("could not connect"):
        return gettext("Could not connect to the receiver.")
    answered = _ANSWERED.match(error)
    code = int(answered.group(1)) if answered else status_code
    if code is not None:
        return gettext("The receiver answered with status %(status)s.") % {"status": code}
    return gettext("The attempt failed.") if error else ""


def pause_words(reason: str) -> str:
    """Why the worker paused a subscription, in words."""
    failed = _FAILED_FOR.match(reason)
    if failed:
        days = int(failed.group(1))
        return gettext("deliveries kept failing for %(days)s days") % {"days": days}
    return gettext("deliveries kept failing") if reason else ""
