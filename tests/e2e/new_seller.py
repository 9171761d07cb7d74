"""What the stories of a new seller share: the seller made as an operator makes one, its
first shelf and customer made through the services, mail read from the test's SMTP server,
and each page of the way photographed at two widths in English and Traditional Chinese
(/tmp/shots-story/<test>/, outside the repository, for a person to look at)."""

import io
import re
import shutil
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command
from playwright.sync_api import Page

from dinghuo.catalog import services as catalog
from dinghuo.core.models import Tenant
from dinghuo.customers import services as customers
from dinghuo.customers.models import Company, Location
from dinghuo.inventory import services as stock
from dinghuo.pricing import services as pricing
from dinghuo.pricing.models import PriceList
from tests.accounts.support import link_in, only_mail_to, run_worker
from tests.e2e.helpers import current_test_name
from tests.mailbox import Inbox

SHOTS = Path("/tmp/shots-story")
SIZES = {"1280": {"width": 1280, "height": 800}, "375": {"width": 375, "height": 812}}
OWNER = "olive@harbour.example"
TEA = "TEA-500"
UNIT_PRICE = Decimal("88.00")
# Money as the pages write it (HK$88.00, 88.00): what a warehouse clerk must never see.
_STARTED: set[str] = set()  # tests whose folder was emptied in this run
MONEY = re.compile(r"(HK\$|\$|¥|€|£)\s?\d|\b\d[\d,]*\.\d\d\b")


def create_seller(slug: str = "harbour", *, print_link: bool = False) -> Tenant:
    """`dinghuo tenant create`, as an operator types it (the owner is invited by mail)."""
    call_command(
        "tenant", "create", "--name", "Harbour Trading", "--slug", slug, "--currency", "HKD",
        "--languages", "en,zh-hant", "--time-zone", "Asia/Hong_Kong", "--owner-email", OWNER,
        *(["--print-link"] if print_link else []), stdout=io.StringIO(),
    )  # fmt: skip
    return Tenant.objects.get(slug=slug)


def first_shelf_and_customer(tenant: Tenant) -> tuple[Company, Location]:
    """What a new seller sets up first, through the services: a tin of tea priced on the
    standard list, 50 in the main warehouse, and a café buying on that list with a shop."""
    product = catalog.create_product(
        tenant_id=tenant.pk,
        code="P-TEA",
        name={"en": "Oolong tea", "zh-hant": "烏龍茶", "zh-hans": "乌龙茶"},
    )
    sku = catalog.create_sku(
        tenant_id=tenant.pk,
        product_id=product.pk,
        code=TEA,
        name={
            "en": "Oolong tea, 500 g tin",
            "zh-hant": "烏龍茶 500 克罐",
            "zh-hans": "乌龙茶 500 克罐",
        },
    )
    standard = PriceList.objects.get(tenant=tenant, code="standard")
    pricing.replace_prices(
        tenant_id=tenant.pk,
        price_list_id=standard.pk,
        entries=[pricing.PriceEntry(sku=TEA, tiers=[(1, UNIT_PRICE)])],
    )
    stock.receive_stock(
        tenant_id=tenant.pk, warehouse_code="main", sku_id=sku.pk, quantity=50, reason="opening"
    )
    company = customers.create_company(
        tenant_id=tenant.pk, code="KC-01", name="Kowloon Café", price_list_id=standard.pk
    )
    shop = customers.create_location(
        tenant_id=tenant.pk,
        company_id=company.pk,
        kind="ship_to",
        name="Nathan Road shop",
        line1="1 Nathan Road",
        city="Hong Kong",
        country="HK",
    )
    return company, shop


def mailed_link(inbox: Inbox, address: str) -> str:
    """One worker round, then the path of the link in the one mail `address` received."""
    run_worker()
    return link_in(only_mail_to(inbox, address))


def set_language(page: Page, language: str) -> None:
    """Choose the language as the switch does: the cookie Django reads."""
    origin = "/".join(page.url.split("/", 3)[:3])  # http://127.0.0.1:<port>
    page.context.add_cookies([{"name": "django_language", "value": language, "url": origin}])


def shoot_both_ways(page: Page, name: str) -> None:
    """The page as it is now at 1280 and 375 px, in English and in Traditional Chinese; the
    page is reloaded for each language (call it on pages reached by GET only) and left as
    it was found, in English at its own size."""
    folder = SHOTS / current_test_name()
    if folder.name not in _STARTED:  # a rerun replaces the pictures of the last one
        _STARTED.add(folder.name)
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    number = len({p.name.split("-", 1)[0] for p in folder.glob("*.png")}) + 1
    own_size = page.viewport_size
    for language in ("en", "zh-hant"):
        set_language(page, language)
        page.reload()
        for width, size in SIZES.items():
            page.set_viewport_size(size)
            path = folder / f"{number:02d}-{name}-{language}-{width}.png"
            page.screenshot(path=str(path), full_page=True, timeout=60_000)
    set_language(page, "en")
    page.reload()
    if own_size is not None:
        page.set_viewport_size(own_size)
