"""Why a line costs what it costs: for staff about any company, for a buyer about their own."""

from dinghuo.catalog.models import Category
from dinghuo.pricing.models import Assortment, PriceListAssignment
from tests.catalog.support import problem
from tests.customers.buyers import buyer_client
from tests.pricing.support import group, price_list


def _explain(client, path, **params):
    r = client.get(path, **params)
    assert r.status_code == 200, r.content
    return r.json()


def _staff(world, sku="A-1", quantity=1):
    return _explain(
        world.client(),
        f"/companies/{world.company.pk}/price-explanation",
        sku=sku,
        quantity=quantity,
    )


def test_the_explanation_of_a_list_price_with_a_promotion(world):
    dealers = group(world, "dealers", world.company)
    dealer = price_list(world, "dealer", {"A-1": [(1, "9.50"), (10, "8.80")]})
    PriceListAssignment.objects.create(
        tenant=world.tenant, price_list=dealer, customer_group=dealers, priority=3
    )
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    world.client().post(
        "/promotions",
        {
            "code": "spring",
            "name": "Spring",
            "kind": "percent",
            "value": "10",
            "starts_at": "2000-01-01T00:00:00Z",
            "ends_at": "2100-01-01T00:00:00Z",
            "category_ids": [tools.pk],
        },
    )

    body = _staff(world, quantity=12)

    assert body == {
        "sku_id": world.skus["A-1"].pk,
        "sku": "A-1",
        "quantity": 12,
        "currency": "USD",
        "unit_price": "7.92",
        "line_total": "95.04",
        "base_unit_price": "8.80",
        "source": "price_list",
        "reference": "dealer",
        "source_id": dealer.pk,
        "tier": 10,
        "promotion": {"code": "spring", "kind": "percent", "value": "10"},
        "min_order_quantity": 1,
        "pack_size": 1,
        "problems": [],
        "steps": [
            body["steps"][0],
            "Price list dealer (priority 3, assigned to group dealers): 8.80 USD from 10 units "
            "— chosen.",
            "Price list std (base list): not needed, a source before it prices 12 units.",
            "Promotion spring (10% off): 8.80 → 7.92.",
            "Promotion spring gives the lowest price; promotions never stack.",
            "Unit price: 7.92 USD.",
        ],
    }
    assert body["steps"][0].startswith("No contract price valid on ")


def test_ordering_problems_are_named(world):
    assert _staff(world, sku="B-2", quantity=3)["problems"] == [
        "below_minimum",
        "not_pack_multiple",
    ]
    assert _staff(world, sku="B-2", quantity=12)["problems"] == []
    world.client().post(f"/skus/{world.skus['B-2'].pk}/deactivate")
    assert _staff(world, sku="B-2", quantity=12)["problems"] == ["inactive_sku"]


def test_staff_see_a_sku_outside_the_assortment_as_not_in_assortment(world):
    assortment = Assortment.objects.create(
        tenant=world.tenant, seller=world.seller, code="a", name="A"
    )
    assortment.skus.add(world.skus["A-1"])
    assortment.companies.add(world.company)

    body = _staff(world, sku="C-3")

    assert body["problems"] == ["not_in_assortment"]
    assert body["steps"][0] == "The SKU is not in the company's assortment: it cannot buy it."
    assert body["unit_price"] == "0.3333"


def test_a_buyer_asks_about_their_own_company_and_never_sees_outside_their_assortment(world):
    _, buyer = buyer_client(world.company, "ann@example.com")
    assortment = Assortment.objects.create(
        tenant=world.tenant, seller=world.seller, code="a", name="A"
    )
    assortment.skus.add(world.skus["A-1"])
    assortment.companies.add(world.company)

    mine = _explain(buyer, "/my/price-explanation", sku="A-1", quantity=10)
    hidden = buyer.get("/my/price-explanation", sku="C-3", quantity=1)
    unknown = buyer.get("/my/price-explanation", sku="NOPE", quantity=1)

    assert (mine["unit_price"], mine["line_total"]) == ("9.00", "90.00")
    assert problem(hidden) == problem(unknown) == (404, "not_found", [("sku", "unknown_sku")])
    # buyer keys do not work on the staff route, nor staff keys on the buyer's
    r = buyer.get(f"/companies/{world.company.pk}/price-explanation", sku="A-1")
    assert problem(r)[:2] == (403, "staff_key_required")
    assert problem(world.client().get("/my/price-explanation", sku="A-1"))[:2] == (
        403,
        "buyer_key_required",
    )


def test_unknown_sku_company_or_bad_quantity(world, other_world):
    api = world.client()
    path = f"/companies/{world.company.pk}/price-explanation"

    assert problem(api.get(path, sku="NOPE")) == (404, "not_found", [("sku", "unknown_sku")])
    r = api.get(f"/companies/{other_world.company.pk}/price-explanation", sku="A-1")
    assert problem(r) == (404, "not_found", [("company_id", "unknown_company")])
    assert problem(api.get(path, sku="A-1", quantity=0))[:2] == (422, "invalid_request")


def test_a_sku_priced_only_from_higher_quantities(world):
    body = _staff(world, sku="A-1", quantity=1)
    assert body["problems"] == []
    world.price_list.tiers.filter(sku=world.skus["A-1"], min_quantity=1).delete()

    body = _staff(world, sku="A-1", quantity=9)

    assert (body["unit_price"], body["line_total"], body["problems"]) == (None, None, ["no_price"])
    assert body["steps"][-1] == "No source prices 9 units: the SKU cannot be bought so."


def test_the_explanation_takes_a_constant_number_of_queries(world, django_assert_num_queries):
    # key, company with flags, SKU, ladders and contracts
    with django_assert_num_queries(4):
        _staff(world)
