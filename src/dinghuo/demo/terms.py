"""The demo seller's commercial terms: automation on, credit lines with a few companies that
run into their limit, pay late, pay in advance or pay a deposit first, spending limits for
plain buyers and a sales-desk review of very large orders (in Hong Kong dollars, so an order
in US dollars is compared at its rate). So most demo orders confirm themselves and the
exceptions wait for a person, each with its reason.

Credit lines are set through the customers services; what companies owe on invoices then
follows from the invoices and payments of the history (see `receivables`).
"""

import random
from dataclasses import dataclass
from decimal import Decimal

from dinghuo.core.models import Seller, Tenant
from dinghuo.customers import services as customers
from dinghuo.customers.models import CompanyUser, CreditLine
from dinghuo.demo.buyers import Buyer
from dinghuo.orders import services as orders
from dinghuo.orders.models import Approver, OrderPolicy

# A plain buyer may order up to this much without a manager (about the 90th percentile).
SPENDING_LIMITS = {"HKD": Decimal(30_000), "USD": Decimal(6_000)}
# Room for a month or two of a busy customer's orders and unpaid invoices.
GENEROUS = {"HKD": Decimal(800_000), "USD": Decimal(150_000)}
# Room for about a month of the tight company's orders: more waits until it has paid.
TIGHT = {"HKD": Decimal(30_000), "USD": Decimal(4_000)}
# The sales desk reviews orders worth this much or more in the seller's base currency.
SALES_DESK_REVIEW = Decimal(100_000)
# The export customer that pays this share of each order before it is confirmed.
DEPOSIT_PERCENT = 30
TERMS = (
    (CreditLine.Terms.NET, 30),
    (CreditLine.Terms.NET, 60),
    (CreditLine.Terms.END_OF_MONTH, 15),
)


@dataclass(frozen=True)
class Specials:
    """The companies whose credit the demo shows going wrong, or paid in advance."""

    tight: Buyer  # a small limit: orders over it wait until payments make room
    late: Buyer  # stops paying: its invoices fall overdue and its orders are held
    prepaid: Buyer  # pays before anything ships
    deposit: Buyer  # a new customer: a deposit before each order is confirmed, the rest on net 30

    def shows(self) -> dict[str, str]:
        """Company code → what it shows."""
        return {
            self.tight.company.code: (
                "a tight credit limit (orders over it wait on credit hold until it has paid)"
            ),
            self.late.company.code: "overdue invoices (orders of the last weeks go on credit hold)",
            self.prepaid.company.code: (
                "prepaid terms (orders confirm themselves when paid; the latest waits for payment)"
            ),
            self.deposit.company.code: (
                f"a new customer paying a {DEPOSIT_PERCENT}% deposit, the rest on net 30 (its"
                " orders confirm themselves when the deposit is paid; one waits for it)"
            ),
        }


def specials(buyers: list[Buyer]) -> Specials:
    """The same four companies on every load (the deposit: an export customer in US dollars)."""
    ordered = sorted(buyers, key=lambda b: b.company.code)
    return Specials(tight=ordered[3], late=ordered[5], prepaid=ordered[8], deposit=ordered[15])


def set_up_terms(
    *, tenant: Tenant, seller: Seller, buyers: list[Buyer], rng: random.Random
) -> Specials:
    """Policy, approval rule, credit lines and spending limits; returns the companies whose
    credit shows an exception."""
    orders.set_order_policy(
        tenant_id=tenant.pk,
        seller_slug=seller.slug,
        auto_confirm=True,
        credit_action=OrderPolicy.CreditAction.HOLD,
        overdue_grace_days=7,
        approval_expiry_hours=72,
    )
    orders.create_approval_rule(
        tenant_id=tenant.pk,
        seller_slug=seller.slug,
        # No currency given: the seller's base (HKD); an order in US dollars is compared at
        # its rate.
        fields=orders.RuleFields(
            name="Orders of HK$100,000 or more: sales desk review",
            level=2,
            approver=Approver.SELLER,
            min_amount=SALES_DESK_REVIEW,
        ),
    )
    chosen = specials(buyers)
    for buyer in buyers:
        terms, days = rng.choice(TERMS)
        limit: Decimal | None = GENEROUS[buyer.currency]
        deposit = 0
        if buyer is chosen.tight:
            limit, terms, days = TIGHT[buyer.currency], CreditLine.Terms.NET, 60
        elif buyer is chosen.late:
            terms, days = CreditLine.Terms.NET, 30  # so its unpaid invoices fall due in time
        elif buyer is chosen.prepaid:
            limit, terms, days = None, CreditLine.Terms.PREPAID, 0
        elif buyer is chosen.deposit:
            terms, days, deposit = CreditLine.Terms.NET, 30, DEPOSIT_PERCENT
        customers.update_credit_line(
            tenant_id=tenant.pk,
            company_id=buyer.company.pk,
            credit_limit=limit,
            terms=terms,
            terms_days=days,
            deposit_percent=deposit,
        )
        plain = [u for u in buyer.users if u.role == CompanyUser.Role.BUYER]
        if plain and len(buyer.users) > 1:  # someone else in the company can approve
            for user in plain:
                user.spending_limit = SPENDING_LIMITS[buyer.currency]
            CompanyUser.objects.bulk_update(plain, ["spending_limit"])
    return chosen
