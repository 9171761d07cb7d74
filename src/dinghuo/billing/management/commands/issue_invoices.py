"""`dinghuo issue_invoices [--through YYYY-MM-DD] [--tenant SLUG]`: the consolidated invoices
of sellers that invoice weekly or monthly.

Run it once a period has ended (from cron: Monday mornings for weekly invoicing, the 1st of
the month for monthly). Each such seller's shipments not yet invoiced, up to the end of its
last complete period (`services.period_through`) or up to --through, become one invoice per
company, dated that day. Running it again issues nothing more: invoiced shipments no longer
wait. Sellers that invoice each shipment as it ships have nothing to do here.
"""

import argparse
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dinghuo.billing import services
from dinghuo.billing.models import BillingPolicy
from dinghuo.core import clock
from dinghuo.core.errors import DomainError
from dinghuo.core.models import Tenant

PERIODIC = (BillingPolicy.Invoicing.WEEKLY, BillingPolicy.Invoicing.MONTHLY)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


def _plain(day: date) -> str:
    """A day as people write it: Sunday 29 November 2026."""
    return f"{day:%A} {day.day} {day:%B %Y}"


class Command(BaseCommand):
    help = (
        "Issue the consolidated invoices of sellers that invoice weekly or monthly: "
        "the last complete period's, or everything shipped up to --through."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--through",
            type=_day,
            help="Invoice shipments up to and including this day (YYYY-MM-DD); "
            "default: the end of each seller's last complete period",
        )
        parser.add_argument("--tenant", help="Only this tenant (its slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate(clock.now())
        through: date | None = options["through"]
        if through is not None and through > today:
            raise CommandError(
                f"--through {through.isoformat()} is after today: invoices cannot be dated "
                "in the future."
            )
        policies = self._policies(options["tenant"])
        if not policies:
            self.stdout.write(
                "No seller invoices weekly or monthly; shipments are invoiced as they ship."
            )
            return
        for policy in policies:
            until = through or services.period_through(policy.invoicing, today)
            try:
                issued = services.issue_period_invoices(
                    tenant_id=policy.tenant_id, seller_id=policy.seller_id, through=until
                )
            except DomainError as exc:
                raise CommandError(f"{policy.seller.name}: {exc.detail}") from exc
            self.stdout.write(self._said(policy, len(issued), until))

    def _policies(self, slug: str | None) -> list[BillingPolicy]:
        policies = BillingPolicy.objects.filter(invoicing__in=PERIODIC)
        if slug is not None:
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                raise CommandError(f"No tenant {slug!r}.")
            policies = policies.filter(tenant=tenant)
        return list(policies.select_related("seller").order_by("tenant_id", "seller_id"))

    @staticmethod
    def _said(policy: BillingPolicy, count: int, until: date) -> str:
        how = "weekly" if policy.invoicing == BillingPolicy.Invoicing.WEEKLY else "monthly"
        what = (
            "nothing new to invoice"
            if not count
            else ("1 invoice issued" if count == 1 else f"{count} invoices issued")
        )
        return f"{policy.seller.name} (invoices {how}): {what} for shipments up to {_plain(until)}."
