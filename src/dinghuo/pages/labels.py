"""How orders, approvals and companies are named on a page, in the reader's language: the
order statuses (in the order of the status filters), the events of an order's timeline, the
states of an approval step, a company user's role, an address's kind, the state of a
company's credit and its payment terms.

The buyer's and the staff's pages say these the same way; who approves a step is said to each
in their own words (`orders.routing_notice.APPROVERS`).
"""

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.customers.models import CompanyUser, Location
from dinghuo.customers.queries import CreditSummary
from dinghuo.orders.states import OrderStatus

# --- orders -------------------------------------------------------------------------------

# Where an order came from (`Order.channel`), said to staff.
CHANNEL_LABELS = {
    "api": _("API"),
    "portal": _("Placed in the portal"),
    "staff": _("Entered at the order desk"),
    "edi": _("EDI"),
    "punchout": _("PunchOut"),
}
# The order statuses in the page's language, in the order of the status filter.
STATUS_LABELS: dict[str, Any] = dict(OrderStatus.choices)
EVENT_LABELS = {
    "order.placed": _("Order placed"),
    "order.backorder_filled": _("Backordered units reserved"),
    "order.short_closed": _("Rest of the order cancelled"),
    "order.amended": _("Order changed"),
    "order.picking_started": _("Picking started"),
    "return.requested": _("Return requested"),
    "return.approved": _("Return approved"),
    "return.rejected": _("Return rejected"),
    "return.received": _("Returned goods received"),
    "return.closed": _("Return closed"),
    "return.exchange_placed": _("Exchange order placed"),
    "return.photos_added": _("Photos added"),
    "order.confirmed": _("Confirmed"),
    "order.credit_hold": _("Put on credit hold"),
    "order.hold_released": _("Credit hold released"),
    "order.approval_requested": _("Approval requested"),
    "order.approved": _("Approved"),
    "order.rejected": _("Rejected"),
    "order.approval_expired": _("Approval expired"),
    "order.shipped": _("Shipped"),
    "order.delivered": _("Delivered"),
    "order.cancelled": _("Cancelled"),
}


def filled_sentence(payload: dict[str, Any]) -> str:
    """An `order.backorder_filled` event in words: what arrived for which line ("A-1: 5
    units reserved, 3 still waiting")."""
    parts = []
    for line in payload.get("lines") or []:
        values = {"sku": line.get("sku", ""), "units": line.get("quantity", 0)}
        waiting = line.get("still_backordered") or 0
        if waiting:
            values["waiting"] = waiting
            parts.append(
                gettext("%(sku)s: %(units)s units reserved, %(waiting)s still waiting") % values
            )
        else:
            parts.append(gettext("%(sku)s: %(units)s units reserved") % values)
    return "; ".join(parts)


APPROVAL_STATUS_LABELS: dict[str, Any] = {
    "pending": _("Waiting for a decision"),
    "waiting": _("Waiting for an earlier level"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "expired": _("Expired"),
    "cancelled": _("Cancelled"),
}

# --- companies ----------------------------------------------------------------------------

ROLE_CHOICES = [
    (CompanyUser.Role.BUYER.value, _("Buyer")),
    (CompanyUser.Role.APPROVER.value, _("Approver")),
    (CompanyUser.Role.ADMIN.value, _("Company admin")),
]
ROLE_LABELS = dict(ROLE_CHOICES)
KIND_CHOICES = [
    (Location.Kind.SHIP_TO.value, _("Delivery address (ship-to)")),
    (Location.Kind.BILL_TO.value, _("Billing address (bill-to)")),
]
KIND_LABELS = dict(KIND_CHOICES)
CREDIT_STATUS_LABELS: dict[str, Any] = {
    "ok": _("In good standing"),
    "near_limit": _("Close to the credit limit"),
    "overdue": _("Payments overdue"),
    "blocked": _("New orders on account are blocked"),
    "prepaid": _("Pays in advance"),
}


def credit_terms(summary: CreditSummary) -> str:
    """The company's payment terms in the reader's language, with its deposit if it pays
    one ("30% deposit, then net 30 days")."""
    said = _terms(summary)
    if summary.deposit_percent and summary.terms != "prepaid":
        return gettext("%(percent)d%% deposit, then %(terms)s") % {
            "percent": summary.deposit_percent,
            "terms": said,
        }
    return said


def _terms(summary: CreditSummary) -> str:
    if summary.terms == "prepaid":
        return gettext("Prepaid")
    if summary.terms == "eom":
        if not summary.terms_days:
            return gettext("End of month")
        return gettext("End of month + %(days)d days") % {"days": summary.terms_days}
    return gettext("Net %(days)d days") % {"days": summary.terms_days}
