"""Load the demo wholesaler in one transaction, and keep its sign-ins for the next start.

Passwords and the API key are drawn from `secrets` at load time (the seeded generator only
shapes the data); they are shown once and kept in `var/demo-credentials.txt` so that
`dinghuo demo --if-empty` can show them again. The demo is never removed in place: the stock
ledger refuses deletes on PostgreSQL and the business rows are PROTECTed, so starting over
means recreating the database.
"""

import os
import random
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from dinghuo.backoffice.services import add_staff_member
from dinghuo.billing.models import CreditNote, Invoice, Payment, Receivable
from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.core import clock
from dinghuo.core.errors import TenantSuspended
from dinghuo.core.models import Seller, Tenant
from dinghuo.core.permissions import ROLE_NAMES, Role
from dinghuo.core.services import authenticate_api_key, create_api_key, create_tenant
from dinghuo.customers.models import Company, CompanyUser
from dinghuo.demo import HISTORY_DAYS, DemoRefused, catalogue, stock_count, team
from dinghuo.demo.after_sales import AfterSales, set_up_returns
from dinghuo.demo.agenda import Agenda
from dinghuo.demo.amendments import amend_a_recent_order, place_an_order_to_change
from dinghuo.demo.buyers import Buyer, create_buyers
from dinghuo.demo.catalogue import SkuInfo
from dinghuo.demo.history import History
from dinghuo.demo.offers import limit_assortment, set_up_prices
from dinghuo.demo.purchasing import set_up_purchasing
from dinghuo.demo.quotes import play_quotes
from dinghuo.demo.rates import BASE_CURRENCY, set_up_rates
from dinghuo.demo.receivables import Collections, set_up_billing
from dinghuo.demo.taxes import set_up_taxes
from dinghuo.demo.terms import set_up_terms
from dinghuo.demo.webhooks import connect_the_erp
from dinghuo.fulfilment.models import Shipment
from dinghuo.inventory.models import StockLevel
from dinghuo.notifications import services as mailing
from dinghuo.orders.models import Order
from dinghuo.orders.queries import StraightThroughShare, straight_through_share
from dinghuo.orders.services import expire_approvals
from dinghuo.pricing.models import PriceList, PriceTier
from dinghuo.returns.models import ReturnRequest

DEMO_SLUG = "demo"
DEMO_NAME = "Harbour Trading Co. 海港貿易"
STAFF_USERNAME = "staff"
STAFF_EMAIL = "staff@harbour-trading.example"
BASE_URL = "http://127.0.0.1:8000"
DEFAULT_SEED = 8_188
CREDENTIALS_FILE = "demo-credentials.txt"
# The demo's history is not mailed: only its latest order and quote events become mails in the
# outbox (sent to the console by the worker unless EMAIL_HOST is set), as a seller that just
# turned mail on would see.
MAILED_EVENTS = 6
_KEY_PATTERN = re.compile(r"\bdh_[0-9a-f]+_[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Scale:
    """How big the demo is; tests load a smaller one."""

    skus: int = 2_000
    orders: int = 500


@dataclass(frozen=True)
class BuyerLogin:
    email: str
    company: str
    role: str
    price_list: str


@dataclass(frozen=True)
class Credentials:
    """Everything needed to try the demo; `render` is what is printed and stored."""

    api_key: str
    staff_password: str
    buyer_password: str
    buyers: tuple[BuyerLogin, ...]
    team: tuple[tuple[str, Role], ...] = ()

    def render(self) -> str:
        """The sign-ins as text, with the URLs they are for."""
        buyers = "\n".join(
            f"    {b.email} / {self.buyer_password}    ({b.company}; {b.role}; {b.price_list})"
            for b in self.buyers
        )
        team = "".join(f"    {email}    ({ROLE_NAMES[role]})\n" for email, role in self.team)
        return (
            f"Dinghuo demo: {DEMO_NAME} (tenant {DEMO_SLUG!r})\n"
            f"  API docs      {BASE_URL}/api/v1/docs\n"
            f"  OpenAPI       {BASE_URL}/api/v1/openapi.json\n"
            f"  Buyer portal  {BASE_URL}/signin/\n"
            f"  Back office   {BASE_URL}/staff/signin/ (staff sign in with the email below)\n"
            f"  Staff admin   {BASE_URL}/admin/\n"
            "\n"
            "  API key (scopes read, write; keep it secret):\n"
            f"    {self.api_key}\n"
            f'    curl -H "Authorization: Bearer {self.api_key}" {BASE_URL}/api/v1/orders\n'
            "\n"
            f"  Staff login: {STAFF_EMAIL} (back office) or {STAFF_USERNAME} (admin)"
            f" / {self.staff_password} (owner)\n"
            "  The other staff, one per role, sign in with the same password:\n"
            f"{team}"
            "  Buyer logins (every demo buyer user has this password):\n"
            f"{buyers}\n"
        )


@dataclass
class Loaded:
    credentials: Credentials
    counts: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    straight_through: StraightThroughShare | None = None
    exceptions: dict[str, str] = field(default_factory=dict)
    invoices: dict[str, int] = field(default_factory=dict)


def demo_exists() -> bool:
    """Whether this database already holds the demo tenant."""
    return Tenant.objects.filter(slug=DEMO_SLUG).exists()


def _password() -> str:
    return secrets.token_urlsafe(12)


def _featured_buyers(buyers: list[Buyer]) -> tuple[BuyerLogin, ...]:
    """One login per price list, a plain buyer where there is one, to compare prices."""

    def buyer_role(company_user: CompanyUser) -> bool:
        return company_user.role == CompanyUser.Role.BUYER

    featured: dict[str, BuyerLogin] = {}
    for buyer in sorted(buyers, key=lambda b: not any(map(buyer_role, b.users))):
        if buyer.price_list_code not in featured:
            user = next(filter(buyer_role, buyer.users), buyer.users[0])
            featured[buyer.price_list_code] = BuyerLogin(
                user.user.email, buyer.company.name, user.role, buyer.price_list_code
            )
    return tuple(featured.values())


def _counts(tenant: Tenant) -> dict[str, int]:
    scoped = {"tenant": tenant}
    return {
        "categories": Category.objects.filter(**scoped).count(),
        "products": Product.objects.filter(**scoped).count(),
        "SKUs": Sku.objects.filter(**scoped).count(),
        "price tiers": PriceTier.objects.filter(**scoped).count(),
        "stock levels": StockLevel.objects.filter(**scoped).count(),
        "companies": Company.objects.filter(**scoped).count(),
        "buyer users": CompanyUser.objects.filter(**scoped).count(),
        "shipments": Shipment.objects.filter(**scoped).count(),
        "invoices": Invoice.objects.filter(**scoped).count(),
        "payments": Payment.objects.filter(**scoped).count(),
        "credit notes": CreditNote.objects.filter(**scoped).count(),
        "returns": ReturnRequest.objects.filter(**scoped).count(),
    }


def _invoice_states(tenant: Tenant) -> dict[str, int]:
    """How many invoices are paid, paid in part, open, and open past their due date."""
    today = timezone.localdate()
    states: Counter[str] = Counter()
    rows = Receivable.objects.filter(tenant=tenant).values_list(
        "open_amount", "invoice__total", "due_on"
    )
    for open_amount, total, due_on in rows:
        states["paid" if not open_amount else "part" if open_amount < total else "open"] += 1
        states["overdue"] += bool(open_amount and due_on < today)
    return dict(states)


def _show(shows: dict[str, str], more: dict[str, str]) -> None:
    """Add what else companies show (code → what) to `shows`."""
    for code, what in more.items():
        shows[code] = f"{shows[code]}; {what}" if code in shows else what


def _trade(
    tenant: Tenant,
    seller: Seller,
    buyers: list[Buyer],
    price_lists: dict[str, PriceList],
    skus: list[SkuInfo],
    orders: int,
    rng: random.Random,
) -> dict[str, str]:
    """The terms, billing, tax and prices agreed before the first order, then the months of
    orders, invoices and payments; returns what each company shows (code → what)."""
    end = timezone.now()  # the history ends now
    start = end - timedelta(days=HISTORY_DAYS)
    with clock.as_of(start - timedelta(days=1)):  # agreed before the first order
        specials = set_up_terms(tenant=tenant, seller=seller, buyers=buyers, rng=rng)
        set_up_billing(tenant=tenant, seller=seller)
        set_up_returns(tenant_id=tenant.pk, seller=seller)
    shows = specials.shows()
    _show(shows, set_up_taxes(tenant=tenant, seller=seller, price_lists=price_lists, buyers=buyers))
    offers = set_up_prices(
        tenant=tenant,
        buyers=buyers,
        price_lists=price_lists,
        skus=skus,
        history_start=start,
        rng=rng,
    )
    collections = Collections(
        tenant_id=tenant.pk,
        buyers=buyers,
        specials=specials,
        agenda=Agenda(end),
        rng=rng,
        start=start,
    )
    after_sales = AfterSales(tenant_id=tenant.pk, rng=rng, end=end)
    by_email = {u.user.email: i for i, b in enumerate(buyers) for u in b.users}
    history = History(
        tenant_id=tenant.pk,
        buyers=buyers,
        skus=skus,
        rng=rng,
        collections=collections,
        after_sales=after_sales,
        # The sign-ins the load prints, first one first: each gets an order it may return.
        featured=[by_email[login.email] for login in _featured_buyers(buyers)],
    )
    history.make(orders)
    expire_approvals()  # approvals nobody gave in time, as housekeeping would have found them
    _show(shows, amend_a_recent_order(tenant.pk))
    first = _featured_buyers(buyers)[0]
    _show(shows, place_an_order_to_change(tenant.pk, buyers[by_email[first.email]], first.email))
    _show(
        shows,
        play_quotes(
            tenant_id=tenant.pk,
            buyers=buyers,
            first=buyers[by_email[first.email]],
            skus=skus,
            end=end,
            rng=rng,
        ),
    )
    _show(shows, limit_assortment(tenant=tenant, buyers=buyers))
    _show(shows, offers.shows)
    _show(shows, collections.shows)
    _show(shows, history.shows)
    _show(shows, after_sales.shows)
    connect_the_erp(tenant.pk, end)
    return shows


@transaction.atomic
def load_demo(*, scale: Scale | None = None, seed: int = DEFAULT_SEED) -> Loaded:
    """Create the demo tenant with its catalogue, stock, buyers, history and sign-ins.

    All or nothing. Master data is written in bulk (see `catalogue`); every order goes
    through the order services exactly as a buyer's would.
    """
    scale = scale or Scale()
    if get_user_model().objects.filter(username=STAFF_USERNAME).exists():
        raise DemoRefused(
            f"A user named {STAFF_USERNAME!r} exists already; the demo's staff login needs it."
        )
    rng = random.Random(seed)
    tenant = create_tenant(
        slug=DEMO_SLUG,
        name=DEMO_NAME,
        base_currency=BASE_CURRENCY,
        languages=("en", "zh-hant", "zh-hans"),
    )
    seller = Seller.objects.get(tenant=tenant, is_primary=True)
    warehouses = catalogue.create_warehouses(tenant)
    price_lists = catalogue.create_price_lists(tenant, seller)
    set_up_rates(tenant=tenant, seller=seller, today=timezone.localdate(), seed=seed)
    categories = catalogue.create_categories(tenant)
    skus = catalogue.create_catalogue(
        tenant=tenant, seller=seller, categories=categories, sku_count=scale.skus, rng=rng
    )
    catalogue.create_price_tiers(tenant=tenant, price_lists=price_lists, skus=skus, rng=rng)
    catalogue.receive_opening_stock(tenant=tenant, warehouses=warehouses, skus=skus, rng=rng)
    buyer_password = _password()
    buyers = create_buyers(tenant=tenant, price_lists=price_lists, password=buyer_password, rng=rng)
    shows = _trade(tenant, seller, buyers, price_lists, skus, scale.orders, rng)
    stock_count.count_in_review(tenant.pk)
    set_up_purchasing(tenant)
    statuses = Counter(Order.objects.filter(tenant=tenant).values_list("status", flat=True))
    staff_password = _password()
    staff_user = get_user_model().objects.create_superuser(
        STAFF_USERNAME, STAFF_EMAIL, staff_password
    )
    add_staff_member(tenant_id=tenant.pk, user_id=staff_user.pk, role=Role.OWNER)
    staff_team = team.hire(tenant.pk, staff_password)
    mailing.start_feed(tenant_id=tenant.pk, recent_events=MAILED_EVENTS)
    mailing.make_mails_for(tenant_id=tenant.pk)
    key = create_api_key(
        tenant=tenant, name="demo", scopes={"read", "write"}, role=Role.OWNER.value
    )
    credentials = Credentials(
        api_key=key.secret,
        staff_password=staff_password,
        buyer_password=buyer_password,
        buyers=_featured_buyers(buyers),
        team=staff_team,
    )
    return Loaded(
        credentials,
        _counts(tenant),
        dict(statuses),
        straight_through_share(tenant.pk),
        shows,
        _invoice_states(tenant),
    )


def credentials_path() -> Path:
    """Where the sign-ins are kept between starts (git-ignored, readable by the owner only)."""
    return Path(settings.VAR_DIR) / CREDENTIALS_FILE


def store_credentials(credentials: Credentials) -> Path:
    """Write the sign-ins for `--if-empty` to show again; replaces an older file."""
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an older file may have been readable by others
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(credentials.render())
    return path


def stored_credentials() -> tuple[str | None, bool]:
    """The stored sign-ins, and whether their API key works on this database."""
    path = credentials_path()
    if not path.exists():
        return None, False
    text = path.read_text(encoding="utf-8")
    match = _KEY_PATTERN.search(text)
    try:
        key = authenticate_api_key(match.group(0)) if match else None
    except TenantSuspended:
        return text, True  # the key is the demo's; an operator suspended the demo for now
    demo = Tenant.objects.filter(slug=DEMO_SLUG).values_list("id", flat=True).first()
    return text, key is not None and key.tenant_id == demo
