"""Billing's time-driven work, run by `dinghuo housekeeping` (listed in the
DINGHUO_HOUSEKEEPING setting)."""

from django.utils import timezone

from dinghuo.billing.models import Account, BillingPolicy
from dinghuo.billing.services.payments import confirm_covered_orders
from dinghuo.billing.services.reminders import send_due_reminders
from dinghuo.core import clock


def send_payment_reminders() -> int:
    """Today's payment reminders of every tenant with a seller that set a reminder schedule;
    how many were sent. The housekeeping loop runs it every round: a step is sent once, so
    the first round of a day (UTC) sends that day's reminders and the others find nothing
    (one query per seller with a schedule)."""
    today = timezone.localdate(clock.now())
    scheduled = BillingPolicy.objects.values_list("tenant_id", "reminder_days")
    tenants = sorted({tenant_id for tenant_id, days in scheduled if days})
    return sum(send_due_reminders(tenant_id=t, today=today).sent for t in tenants)


def confirm_prepaid_orders_covered() -> int:
    """Prepaid orders placed while their company already had the money with the seller
    (an overpayment, a credit note, a prepayment): confirmed as a payment would have done.
    Orders cannot ask billing while they are placed (billing sits above them), so this runs
    every housekeeping round; one query when no company holds credit. Returns how many."""
    holding = Account.objects.filter(unapplied__gt=0).values_list("tenant_id", "company_id")
    return sum(
        confirm_covered_orders(tenant_id=tenant_id, company_id=company_id)
        for tenant_id, company_id in holding
    )
