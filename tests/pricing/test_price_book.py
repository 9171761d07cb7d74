"""The price book: what a company pays, loaded in a constant number of queries."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.core import clock
from dinghuo.core.errors import NotFound
from dinghuo.customers.models import Company
from dinghuo.pricing.models import (
    Assortment,
    CompanySkuTerms,
    ContractPrice,
    ContractPriceTier,
    PriceListAssignment,
    PriceTier,
    Promotion,
)
from dinghuo.pricing.queries import price_book, visible_skus_filter
from tests.pricing.support import group, price_list

NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def _contract(world, sku, tiers, *, since=date(2025, 1, 1), until=None, reference="K-1"):
    contract = ContractPrice.objects.create(
        tenant=world.tenant,
        company=world.company,
        sku=world.skus[sku],
        valid_from=since,
        valid_until=until,
        reference=reference,
    )
    for m, p in tiers:
        ContractPriceTier.objects.create(
            tenant=world.tenant, contract=contract, min_quantity=m, unit_price=Decimal(p)
        )
    return contract


def _promotion(world, code, kind, value, *, categories=(), skus=(), groups=(), **kw):
    promotion = Promotion.objects.create(
        tenant=world.tenant,
        seller=world.seller,
        code=code,
        name=code,
        kind=kind,
        value=Decimal(value),
        currency=kw.pop("currency", "USD" if kind == "amount" else ""),
        starts_at=kw.pop("starts_at", NOW - timedelta(days=1)),
        ends_at=kw.pop("ends_at", NOW + timedelta(days=30)),
        **kw,
    )
    promotion.categories.set(categories)
    promotion.skus.set([world.skus[s] for s in skus])
    promotion.customer_groups.set(groups)
    return promotion


@pytest.fixture
def rich(world):
    """C001 is a dealer: a group list and its own list at equal priority above its base list,
    a contract price for C-3, and 10% off the whole tools category for dealers."""
    dealers = group(world, "dealers", world.company)
    dealer = price_list(world, "dealer", {"A-1": [(1, "9.50"), (10, "8.80")], "B-2": [(1, "2.4")]})
    own = price_list(world, "c001", {"A-1": [(20, "8.00")]})
    PriceListAssignment.objects.create(
        tenant=world.tenant, price_list=dealer, customer_group=dealers, priority=5
    )
    PriceListAssignment.objects.create(
        tenant=world.tenant, price_list=own, company=world.company, priority=5
    )
    _contract(world, "C-3", [(1, "0.30")])
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    _promotion(world, "dealer-days", "percent", "10", categories=[tools], groups=[dealers])
    world.extra.update(dealers=dealers, dealer=dealer, own=own, tools=tools)
    return world


def _book(world, at=NOW, skus=("A-1", "B-2", "C-3", "D-4")):
    return price_book(
        world.tenant.pk,
        company_id=world.company.pk,
        sku_ids=[world.skus[s].pk for s in skus],
        at=at,
    )


def _price(book, world, sku, quantity):
    found = book.resolve(world.skus[sku].pk, quantity)
    return None if found is None else (found.source, found.reference, str(found.unit_price))


def test_a_company_with_only_its_base_list_pays_the_list_price_in_two_queries(
    world, django_assert_num_queries
):
    with django_assert_num_queries(2):
        book = _book(world)

    assert book.currency == "USD"
    assert _price(book, world, "A-1", 9) == ("price_list", "std", "10.0000")
    assert _price(book, world, "A-1", 10) == ("price_list", "std", "9.0000")
    assert book.ladder(world.skus["A-1"].pk) == [
        (1, Decimal("10.0000")),
        (10, Decimal("9.0000")),
        (100, Decimal("8.0000")),
    ]
    assert book.is_visible(world.skus["A-1"].pk)
    assert book.ordering_terms(world.skus["B-2"].pk, 6, 6) == (6, 6)


def test_every_source_resolves_by_the_rule(rich):
    book = _book(rich)

    # the group's list at 1–19 units, the company's own from 20 (company before group)
    assert _price(book, rich, "A-1", 1) == ("price_list", "dealer", "8.5500")
    assert _price(book, rich, "A-1", 10) == ("price_list", "dealer", "7.9200")
    assert _price(book, rich, "A-1", 20) == ("price_list", "c001", "7.2000")
    assert _price(book, rich, "B-2", 6) == ("price_list", "dealer", "2.1600")
    # the promotion leaves contract prices alone
    assert _price(book, rich, "C-3", 1) == ("contract", "K-1", "0.3000")
    assert _price(book, rich, "D-4", 1) == ("price_list", "std", "90.0000")
    found = book.resolve(rich.skus["A-1"].pk, 20)
    assert found.as_json() == {
        "source": "price_list",
        "price_list_id": rich.extra["own"].pk,
        "price_list": "c001",
        "tier": 20,
        "base_unit_price": "8.0000",
        "promotion": {
            "id": Promotion.objects.get().pk,
            "code": "dealer-days",
            "kind": "percent",
            "value": "10.0000",
        },
    }
    assert book.ladder(rich.skus["A-1"].pk) == [
        (1, Decimal("8.5500")),
        (10, Decimal("7.9200")),
        (20, Decimal("7.2000")),
    ]


def test_steps_say_which_sources_were_skipped_and_why(rich):
    PriceTier.objects.filter(price_list=rich.extra["dealer"]).update(unit_price=Decimal("9.5"))

    steps = _book(rich).verdict(rich.skus["A-1"].pk, 5).steps

    assert steps == (
        "No contract price valid on 2025-06-01.",
        "Price list c001 (priority 5, assigned to the company): does not price 5 units.",
        "Price list dealer (priority 5, assigned to group dealers): 9.50 USD from 1 units "
        "— chosen.",
        "Price list std (base list): not needed, a source before it prices 5 units.",
        "Promotion dealer-days (10% off): 9.50 → 8.55.",
        "Promotion dealer-days gives the lowest price; promotions never stack.",
        "Unit price: 8.55 USD.",
    )


def test_the_same_queries_for_one_sku_or_fifty_with_every_kind_of_source(
    rich, django_assert_num_queries
):
    product = rich.skus["A-1"].product
    extra = Sku.objects.bulk_create(
        Sku(tenant=rich.tenant, seller=rich.seller, product=product, code=f"X-{i}")
        for i in range(49)
    )
    PriceTier.objects.bulk_create(
        PriceTier(
            tenant=rich.tenant, price_list=rich.price_list, sku=s, min_quantity=1, unit_price=3
        )
        for s in extra
    )
    CompanySkuTerms.objects.create(
        tenant=rich.tenant, company=rich.company, sku=rich.skus["A-1"], pack_size=5
    )
    assortment = Assortment.objects.create(
        tenant=rich.tenant, seller=rich.seller, code="core", name="Core"
    )
    assortment.categories.add(rich.extra["tools"])
    assortment.customer_groups.add(rich.extra["dealers"])
    ids = [s.pk for s in extra] + [rich.skus["A-1"].pk]

    # company and flags, assigned lists, ladders and contracts, terms, category lines,
    # promotions, visible SKUs
    with django_assert_num_queries(7):
        one = price_book(rich.tenant.pk, company_id=rich.company.pk, sku_ids=ids[-1:], at=NOW)
    with django_assert_num_queries(7):
        fifty = price_book(rich.tenant.pk, company_id=rich.company.pk, sku_ids=ids, at=NOW)
    with django_assert_num_queries(0):
        prices = [fifty.resolve(i, 1) for i in ids]

    assert one.resolve(ids[-1], 1).unit_price == prices[-1].unit_price == Decimal("8.55")
    assert prices[0].unit_price == Decimal("2.7")
    assert fifty.ordering_terms(ids[-1], 1, 1) == (1, 5)
    assert all(fifty.is_visible(i) for i in ids)


def test_contracts_count_only_on_the_days_they_are_valid(world):
    _contract(world, "A-1", [(1, "7.00")], since=date(2025, 6, 1), until=date(2025, 6, 30))

    assert _price(_book(world, at=NOW - timedelta(days=1)), world, "A-1", 1)[0] == "price_list"
    assert _price(_book(world, at=NOW), world, "A-1", 1) == ("contract", "K-1", "7.0000")
    last_day = datetime(2025, 6, 30, 23, 59, tzinfo=UTC)
    assert _price(_book(world, at=last_day), world, "A-1", 1)[0] == "contract"
    assert _price(_book(world, at=last_day + timedelta(minutes=1)), world, "A-1", 1)[0] == (
        "price_list"
    )


def test_now_is_the_business_clock(world):
    _contract(world, "A-1", [(1, "7.00")], since=date(2025, 6, 1), until=date(2025, 6, 30))

    with clock.as_of(NOW):
        book = price_book(
            world.tenant.pk, company_id=world.company.pk, sku_ids=[world.skus["A-1"].pk]
        )

    assert _price(book, world, "A-1", 1)[0] == "contract"


def test_promotions_by_category_reach_the_categories_below_and_only_while_running(world):
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    hand = Category.objects.create(tenant=world.tenant, code="hand", name_en="Hand", parent=tools)
    screws = Category.objects.create(tenant=world.tenant, code="scr", name_en="S", parent=hand)
    Product.objects.filter(pk=world.skus["B-2"].product_id).update(category=screws)
    other = Category.objects.create(tenant=world.tenant, code="other", name_en="Other")
    Product.objects.filter(pk=world.skus["C-3"].product_id).update(category=other)
    _promotion(world, "tools-10", "percent", "10", categories=[tools], ends_at=NOW + timedelta(1))

    book = _book(world)
    assert _price(book, world, "B-2", 6)[2] == "2.2500"
    assert _price(book, world, "C-3", 1)[2] == "0.3333"
    # ends_at is exclusive
    assert _price(_book(world, at=NOW + timedelta(1)), world, "B-2", 6)[2] == "2.5000"


def test_a_group_promotion_is_only_for_that_groups_companies(world):
    dealers = group(world, "dealers")
    _promotion(world, "dealers-only", "amount", "1", skus=["A-1"], groups=[dealers])

    assert _price(_book(world), world, "A-1", 1)[2] == "10.0000"
    world.company.groups.add(dealers)
    assert _price(_book(world), world, "A-1", 1)[2] == "9.0000"


def test_the_lowest_promotion_wins_and_an_amount_in_another_currency_is_ignored(world):
    _promotion(world, "five-pct", "percent", "5", skus=["A-1"])
    _promotion(world, "one-off", "amount", "1", skus=["A-1"])
    _promotion(world, "euro-off", "amount", "5", skus=["A-1"], currency="EUR")

    found = _book(world).resolve(world.skus["A-1"].pk, 1)

    assert (found.unit_price, found.promotion.code) == (Decimal("9.0000"), "one-off")


def test_lists_of_another_currency_or_inactive_are_skipped(world):
    euro = price_list(world, "euro", {"A-1": [(1, "1.00")]}, currency="EUR")
    off = price_list(world, "off", {"A-1": [(1, "2.00")]}, is_active=False)
    for pl in (euro, off):
        PriceListAssignment.objects.create(
            tenant=world.tenant, price_list=pl, company=world.company, priority=9
        )

    assert _price(_book(world), world, "A-1", 1) == ("price_list", "std", "10.0000")


def test_sku_terms_override_the_skus_field_by_field(world):
    CompanySkuTerms.objects.create(
        tenant=world.tenant, company=world.company, sku=world.skus["B-2"], min_order_quantity=12
    )

    book = _book(world)

    assert book.ordering_terms(world.skus["B-2"].pk, 6, 6) == (12, 6)
    assert book.ordering_terms(world.skus["A-1"].pk, 1, 1) == (1, 1)


def test_an_assortment_limits_what_the_company_sees(world):
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    hand = Category.objects.create(tenant=world.tenant, code="hand", name_en="Hand", parent=tools)
    other = Category.objects.create(tenant=world.tenant, code="other", name_en="Other")
    Product.objects.filter(pk=world.skus["A-1"].product_id).update(category=hand)
    Product.objects.filter(pk__in=[world.skus[s].product_id for s in ("B-2", "C-3", "D-4")]).update(
        category=other
    )
    assortment = Assortment.objects.create(
        tenant=world.tenant, seller=world.seller, code="a", name="A"
    )
    assortment.categories.add(tools)
    assortment.skus.add(world.skus["C-3"])
    assert visible_skus_filter(world.tenant.pk, world.company.pk) is None

    assortment.companies.add(world.company)
    book = _book(world)
    seen = visible_skus_filter(world.tenant.pk, world.company.pk)

    assert [book.is_visible(world.skus[s].pk) for s in ("A-1", "B-2", "C-3", "D-4")] == [
        True,
        False,
        True,
        False,
    ]
    visible = Sku.objects.filter(seen, tenant=world.tenant).order_by("code")
    assert [s.code for s in visible] == ["A-1", "C-3"]


def test_an_assortment_through_a_group(world):
    dealers = group(world, "dealers", world.company)
    assortment = Assortment.objects.create(
        tenant=world.tenant, seller=world.seller, code="a", name="A"
    )
    assortment.skus.add(world.skus["D-4"])
    assortment.customer_groups.add(dealers)

    book = _book(world)

    assert [s for s in world.skus if book.is_visible(world.skus[s].pk)] == ["D-4"]


def test_unknown_inactive_or_other_tenants_company_is_not_found(world, other_world):
    inactive = Company.objects.create(
        tenant=world.tenant, code="C9", name="Gone", price_list=world.price_list, is_active=False
    )
    for company_id in (inactive.pk, other_world.company.pk, 10**9):
        with pytest.raises(NotFound) as caught:
            price_book(world.tenant.pk, company_id=company_id, sku_ids=[world.skus["A-1"].pk])
        assert [(e.field, e.code) for e in caught.value.errors] == [
            ("company_id", "unknown_company")
        ]


def test_other_tenants_sources_never_count(world, other_world):
    # A contract of the other tenant's company for the other tenant's SKU cannot leak in.
    ContractPrice.objects.create(
        tenant=other_world.tenant,
        company=other_world.company,
        sku=other_world.skus["A-1"],
        valid_from=date(2025, 1, 1),
    )
    assert _price(_book(world), world, "A-1", 1) == ("price_list", "std", "10.0000")
