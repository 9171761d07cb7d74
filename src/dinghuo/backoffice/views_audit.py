"""The audit log page: who changed what, when and from where, searched by person, object,
dates and words, newest first, a page at a time.

A thin page over `audit.queries`; the tenant comes from the signed-in staff member, so
another tenant's entries never show. A value the page cannot read (a day, a page mark) is
left out of the search rather than refused.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from dinghuo.audit import queries
from dinghuo.audit.models import AuditEntry
from dinghuo.backoffice import audit_words
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.params import int_param
from dinghuo.backoffice.views_receivables import day_param

PAGE_SIZE = 50

# What the log records, in the glossary's words (the log names tables "<app>.<model>").
OBJECT_WORDS = {
    "catalog.category": _("Category"),
    "catalog.taxcategory": _("Tax category"),
    "catalog.product": _("Product"),
    "catalog.sku": _("SKU"),
    "pricing.pricelist": _("Price list"),
    "pricing.pricetier": _("Price"),
    "pricing.pricelistassignment": _("Price list offered"),
    "pricing.contractprice": _("Contract price"),
    "pricing.promotion": _("Promotion"),
    "pricing.assortment": _("Assortment"),
    "customers.customergroup": _("Customer group"),
    "customers.company": _("Company"),
    "customers.location": _("Address"),
    "customers.companyuser": _("Company user"),
    "customers.creditline": _("Credit and terms"),
    "customers.creditpolicy": _("Credit policy"),
    "inventory.warehouse": _("Warehouse"),
    "core.apikey": _("API key"),
    "integrations.webhooksubscription": _("Webhook"),
    "auth.user": _("Sign-in account"),
    "core.tenant": _("Tenant"),
    "core.seller": _("Seller"),
    "core.tenantapilimits": _("API rate limits"),
    "backoffice.staffmember": _("Staff member"),
    "accounts.invitation": _("Invitation"),
    "two_factor.signinpolicy": _("Two-step sign-in"),
    "django_otp_webauthn.webauthncredential": _("Passkey"),
    "catalog.productimage": _("Product picture"),
    "purchasing.supplier": _("Supplier"),
    "purchasing.supplieritem": _("Supplier item"),
    "purchasing.reorderrule": _("Reorder rule"),
    "purchasing.purchasingpolicy": _("Purchasing settings"),
    "stocktaking.stockcount": _("Stock count"),
    "pricing.taxrate": _("Tax rate"),
    "pricing.taxpolicy": _("Tax policy"),
    "orders.orderpolicy": _("Ordering policy"),
    "orders.approvalrule": _("Approval rule"),
    "billing.billingpolicy": _("Billing settings"),
    "returns.returnpolicy": _("Return policy"),
    "edi.tradingpartner": _("Trading partner"),
    "punchout.connection": _("Connection"),
    "notifications.mailpreference": _("Mail preferences"),
}
ACTION_WORDS: dict[str, Any] = {
    AuditEntry.Action.CREATED: _("created"),
    AuditEntry.Action.CHANGED: _("changed"),
    AuditEntry.Action.DELETED: _("deleted"),
}
DOOR_WORDS = {
    "page": _("pages"),
    "api": _("API"),
    "admin": _("admin"),
    "worker": _("background work"),
    "command": _("command line"),
}


def _moment(day: date | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _who(entry: AuditEntry, key_names: dict[str, str]) -> str:
    if entry.actor_kind == "user":
        return queries.person_name(entry)
    if entry.actor_kind == "api_key":
        return str(_("API key “%(name)s”") % {"name": key_names.get(entry.actor_key, "")})
    if entry.actor_kind == "import":
        return str(_("Import of %(file)s") % {"file": entry.actor_label})
    if entry.actor_kind == "worker":
        return str(_("Background work"))
    if entry.actor_kind == "command":
        return str(_("Command “%(name)s”") % {"name": entry.actor_label})
    return str(_("The system"))


def _row(
    entry: AuditEntry, key_names: dict[str, str], changes: list[audit_words.Change]
) -> dict[str, Any]:
    return {
        "entry": entry,
        "who": _who(entry, key_names),
        "door": DOOR_WORDS.get(entry.via, ""),
        "what": OBJECT_WORDS.get(entry.object_type, _("Other record")),
        "action": ACTION_WORDS.get(entry.action, ""),
        "changes": changes,
    }


@require_GET
@staff_required(get="audit.view")
def audit_log(request: StaffRequest) -> HttpResponse:
    """The tenant's audit log, newest first, narrowed by what the search form gives."""
    params = {k: (request.GET.get(k) or "").strip()[:100] for k in ("person", "what", "words")}
    since, until = day_param(request.GET.get("from")), day_param(request.GET.get("to"))
    search = queries.Search(
        person=params["person"],
        object_type=params["what"] if params["what"] in OBJECT_WORDS else "",
        since=_moment(since),
        until=_moment(until + timedelta(days=1)) if until else None,
        words=params["words"],
    )
    tenant = request.staff.tenant_id
    rows = queries.newest_first(
        tenant, search, before_id=int_param(request.GET.get("before")), limit=PAGE_SIZE
    )
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    names = queries.key_names(tenant, rows)
    told = audit_words.changes(rows)
    return render(
        request,
        "backoffice/audit.html",
        {
            **params,
            "since": since,
            "until": until,
            "kinds": sorted(OBJECT_WORDS.items(), key=lambda kv: str(kv[1])),
            "rows": [_row(entry, names, told[entry.pk]) for entry in rows],
            "older": rows[-1].pk if more else None,
        },
    )
