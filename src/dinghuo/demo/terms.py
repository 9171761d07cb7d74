"""The demo seller's commercial terms: automation on, credit lines with a few companies that
run into their limit, pay late or pay in advance, spending limits for plain buyers and a
sales-desk review of very large orders. So most demo orders confirm themselves and the
exceptions wait for a person, each with its reason.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from dinghuo.core.models import Seller, Tenant
from dinghuo.customers.models import CompanyUser, CreditLine
from dinghuo.demo.buyers import Buyer
from dinghuo.orders import services as orders
from dinghuo.orders.models import ApprovalRule, Approver, OrderPolicy

# A plain buyer may order up to this much without a manager (about the 90th percentile).
SPENDING_LIMITS = {"HKD": Decimal(30_000), "USD": Decimal(6_000)}
# Generous limits for everyone else: the demo has no invoicing yet, so exposure only grows.
GENEROUS = {"HKD": Decimal(2_000_000), "USD": Decimal(400_000)}
TIGHT = {"HKD": Decimal(120_000), "USD": Decimal(25_000)}
TERMS = (
    (CreditLine.Terms.NET, 30),
    (CreditLine.Terms.NET, 60),
    (CreditLine.Terms.END_OF_MONTH, 15),
)


def set_up_terms(
    *, tenant: Tenant, seller: Seller, buyers: list[Buyer], history_end: date, rng: random.Random
) -> dict[str, str]:
    """Policy, approval rule, credit lines and spending limits; returns which company shows
    which exception (company code → what it shows)."""
    orders.set_order_policy(
        tenant_id=tenant.pk,
        seller_slug=seller.slug,
        auto_confirm=True,
        credit_action=OrderPolicy.CreditAction.HOLD,
        overdue_grace_days=7,
        approval_expiry_hours=72,
    )
    ApprovalRule.objects.create(
        tenant=tenant,
        seller=seller,
        name="Orders of 100,000 or more: sales desk review",
        level=2,
        approver=Approver.SELLER,
        min_amount=Decimal(100_000),
    )
    ordered = sorted(buyers, key=lambda b: b.company.code)
    tight, late, prepaid = ordered[3], ordered[5], ordered[8]
    shows = {
        tight.company.code: "a tight credit limit (later orders go on credit hold)",
        late.company.code: "overdue invoices (orders of the last weeks go on credit hold)",
        prepaid.company.code: "prepaid terms (orders wait for payment)",
    }
    lines = []
    for buyer in buyers:
        terms, days = rng.choice(TERMS)
        line = CreditLine(
            tenant=tenant,
            company=buyer.company,
            credit_limit=GENEROUS[buyer.currency],
            terms=terms,
            terms_days=days,
        )
        if buyer is tight:
            line.credit_limit = TIGHT[buyer.currency]
        elif buyer is late:
            line.invoice_exposure = Decimal("18250.00")
            line.oldest_unpaid_due_on = history_end - timedelta(days=25)
        elif buyer is prepaid:
            line.credit_limit, line.terms, line.terms_days = None, CreditLine.Terms.PREPAID, 0
        lines.append(line)
        plain = [u for u in buyer.users if u.role == CompanyUser.Role.BUYER]
        if plain and len(buyer.users) > 1:  # someone else in the company can approve
            for user in plain:
                user.spending_limit = SPENDING_LIMITS[buyer.currency]
            CompanyUser.objects.bulk_update(plain, ["spending_limit"])
    CreditLine.objects.bulk_create(lines)
    return shows
