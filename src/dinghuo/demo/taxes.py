"""The demo seller's tax, as its customers would really pay it: nothing in Hong Kong, 9% GST to
Singapore (8% in 2023), 5% business tax to Taiwan, 13% VAT to Shenzhen (9% on basic food);
a retail list whose prices include tax, and one company exempt with a certificate."""

from datetime import date
from decimal import Decimal

from dinghuo.catalog import services as catalog
from dinghuo.catalog.models import Product
from dinghuo.core.models import Seller, Tenant
from dinghuo.customers import services as customers
from dinghuo.demo.buyers import Buyer
from dinghuo.pricing import services as pricing
from dinghuo.pricing.models import PriceList
from dinghuo.pricing.tax import Rounding

# (code, names): food is reduced-rate in mainland China; everything else is standard.
CATEGORIES = {
    "standard": {"en": "Standard rate", "zh-hant": "標準稅率", "zh-hans": "标准税率"},
    "basic-food": {"en": "Basic food", "zh-hant": "基本食品", "zh-hans": "基本食品"},
}
GST = {"en": "GST", "zh-hant": "消費稅", "zh-hans": "消费税"}
VAT = {"en": "VAT", "zh-hant": "增值稅", "zh-hans": "增值税"}
BUSINESS_TAX = {"en": "Business tax", "zh-hant": "營業稅", "zh-hans": "营业税"}
# (category or None for every product, country, names, percent, from, until)
RATES = (
    (None, "SG", GST, "8", date(2023, 1, 1), date(2023, 12, 31)),
    (None, "SG", GST, "9", date(2024, 1, 1), None),
    (None, "TW", BUSINESS_TAX, "5", date(2020, 1, 1), None),
    (None, "CN", VAT, "13", date(2019, 4, 1), None),
    ("basic-food", "CN", VAT, "9", date(2019, 4, 1), None),
)
# Retail prices are shown with tax included (as shops in mainland China quote them); the
# wholesale and export lists are without.
INCLUSIVE_LISTS = ("retail-hkd",)
# A Singapore caterer importing under the Major Exporter Scheme: its goods carry no GST.
EXEMPT = ("LIONCATER", "MES-2025-00417", date(2027, 12, 31))


def set_up_taxes(
    *, tenant: Tenant, seller: Seller, price_lists: dict[str, PriceList], buyers: list[Buyer]
) -> dict[str, str]:
    """Tax categories (food products reduced), the seller's rates and rounding, which lists
    include tax, and the exempt company; returns what that company shows (code → what)."""
    made = {
        code: catalog.create_tax_category(tenant_id=tenant.pk, code=code, name=names)
        for code, names in CATEGORIES.items()
    }
    products = Product.objects.filter(tenant=tenant)
    products.filter(category__parent__code="food").update(tax_category=made["basic-food"])
    products.filter(tax_category=None).update(tax_category=made["standard"])
    for category, country, names, percent, start, end in RATES:
        pricing.create_tax_rate(
            tenant_id=tenant.pk,
            seller_slug=seller.slug,
            category_id=made[category].pk if category else None,
            country=country,
            name=names,
            percent=Decimal(percent),
            valid_from=start,
            valid_until=end,
        )
    pricing.set_tax_policy(tenant_id=tenant.pk, seller_slug=seller.slug, rounding=Rounding.LINE)
    for code in INCLUSIVE_LISTS:
        pricing.update_price_list(
            tenant_id=tenant.pk, price_list_id=price_lists[code].pk, prices_include_tax=True
        )
    code, certificate, expires_on = EXEMPT
    company = next(b.company for b in buyers if b.company.code == code)
    customers.set_tax_exemption(
        tenant_id=tenant.pk, company_id=company.pk, certificate=certificate, expires_on=expires_on
    )
    return {code: f"tax exemption certificate {certificate}"}
