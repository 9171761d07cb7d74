"""Staff manage tax over the API: tax categories (catalog), a seller's tax rates by category
and destination with validity dates, its rounding policy, products' tax category, price
lists that include tax and companies' exemptions. Bad input is refused and changes nothing."""

from decimal import Decimal

import pytest

from dinghuo.customers.models import Company
from dinghuo.integrations.models import Event
from dinghuo.pricing.models import TaxPolicy, TaxRate
from tests.builders import World


def _category(world: World, code: str = "standard") -> int:
    r = world.client().post(
        "/tax-categories", {"code": code, "name": {"en": "Standard", "zh-hant": "標準稅率"}}
    )
    assert r.status_code == 201, r.json()
    return int(r.json()["id"])


def _rate_body(**extra: object) -> dict[str, object]:
    return {
        "country": "SG",
        "name": {"en": "GST", "zh-hant": "消費稅", "zh-hans": "消费税"},
        "percent": "9",
        "valid_from": "2024-01-01",
        **extra,
    }


def test_a_tax_category_is_created_read_and_renamed(world):
    api = world.client()
    category_id = _category(world)
    assert api.get(f"/tax-categories/{category_id}").json() == {
        "id": category_id,
        "code": "standard",
        "name": {"en": "Standard", "zh-hant": "標準稅率", "zh-hans": None},
    }
    r = api.send("PATCH", f"/tax-categories/{category_id}", '{"name": {"zh-hans": "标准税率"}}')
    assert r.status_code == 200
    assert r.json()["name"] == {"en": "Standard", "zh-hant": "標準稅率", "zh-hans": "标准税率"}
    assert [e.type for e in Event.objects.filter(aggregate_type="tax_category")] == [
        "tax_category.created",
        "tax_category.updated",
    ]
    again = api.post("/tax-categories", {"code": "standard", "name": {"en": "Again"}})
    assert (again.status_code, again.json()["code"]) == (409, "code_taken")


def test_a_product_carries_a_tax_category_of_its_tenant(world, other_world):
    category_id = _category(world)
    foreign = _category(other_world, "foreign")
    api = world.client()
    product_id = world.skus["A-1"].product_id
    r = api.send("PATCH", f"/products/{product_id}", f'{{"tax_category_id": {category_id}}}')
    assert (r.status_code, r.json()["tax_category_id"]) == (200, category_id)
    refused = api.send("PATCH", f"/products/{product_id}", f'{{"tax_category_id": {foreign}}}')
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "unknown_tax_category"
    assert world.skus["A-1"].product.__class__.objects.get(pk=product_id).tax_category_id == (
        category_id
    )
    cleared = api.send("PATCH", f"/products/{product_id}", '{"tax_category_id": null}')
    assert cleared.json()["tax_category_id"] is None


def test_a_tax_rate_is_created_changed_listed_and_deleted(world):
    api = world.client()
    category_id = _category(world)
    r = api.post("/tax-rates", _rate_body(category_id=category_id, percent="8.25"))
    assert r.status_code == 201, r.json()
    rate = r.json()
    assert rate == {
        "id": rate["id"],
        "seller": "acme",
        "category_id": category_id,
        "country": "SG",
        "region": "",
        "name": {"en": "GST", "zh-hant": "消費稅", "zh-hans": "消费税"},
        "percent": "8.25",
        "valid_from": "2024-01-01",
        "valid_until": None,
    }
    changed = api.send("PATCH", f"/tax-rates/{rate['id']}", '{"valid_until": "2024-12-31"}')
    assert changed.json()["valid_until"] == "2024-12-31"
    listed = api.get("/tax-rates", country="SG").json()["items"]
    assert [item["id"] for item in listed] == [rate["id"]]
    assert api.get("/tax-rates", country="TW").json()["items"] == []
    assert api.send("DELETE", f"/tax-rates/{rate['id']}").status_code == 204
    assert not TaxRate.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (_rate_body(percent="100.5"), "percent", "percent_out_of_range"),
        (_rate_body(valid_until="2023-12-31"), "valid_until", "period_not_ordered"),
        (_rate_body(category_id=999999), "category_id", "unknown_tax_category"),
        (_rate_body(name={"zh-hant": "消費稅"}), "name.en", "name_required"),
    ],
)
def test_a_bad_tax_rate_is_refused_and_nothing_is_written(world, body, field, code):
    r = world.client().post("/tax-rates", body)
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [(field, code)]
    assert not TaxRate.objects.exists()


@pytest.mark.parametrize("country", ["sg", "SGP", "S1", ""])
def test_a_country_must_be_two_capitals(world, country):
    r = world.client().post("/tax-rates", _rate_body(country=country))
    assert r.status_code == 422
    assert not TaxRate.objects.exists()


def test_rates_of_one_category_and_destination_never_overlap(world):
    api = world.client()
    first = api.post("/tax-rates", _rate_body(valid_until="2024-12-31")).json()
    # The day after the first ends is free; the first's last day is not.
    assert api.post("/tax-rates", _rate_body(valid_from="2025-01-01")).status_code == 201
    clash = api.post("/tax-rates", _rate_body(valid_from="2024-12-31", valid_until="2024-12-31"))
    assert (clash.status_code, clash.json()["code"]) == (409, "tax_rate_overlaps")
    # Another region, or another category, is another destination or rate.
    assert api.post("/tax-rates", _rate_body(region="01")).status_code == 201
    moved = api.send("PATCH", f"/tax-rates/{first['id']}", '{"valid_until": null}')
    assert (moved.status_code, moved.json()["code"]) == (409, "tax_rate_overlaps")
    assert TaxRate.objects.get(pk=first["id"]).valid_until is not None
    assert TaxRate.objects.count() == 3


def test_a_rate_an_order_was_charged_cannot_be_deleted(world):
    from dinghuo.customers import services as customers

    api = world.client()
    rate = api.post("/tax-rates", _rate_body(valid_from="2020-01-01")).json()
    sg = customers.create_location(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        kind="ship_to",
        name="SG dock",
        line1="1 Pier",
        city="Singapore",
        country="SG",
    )
    placed = api.place({**world.order_body(("A-1", 1)), "ship_to_id": sg.pk})
    assert placed.json()["lines"][0]["tax_rate_id"] == rate["id"]
    r = api.send("DELETE", f"/tax-rates/{rate['id']}")
    assert (r.status_code, r.json()["code"]) == (409, "tax_rate_in_use")
    assert TaxRate.objects.filter(pk=rate["id"]).exists()


def test_the_sellers_rounding_policy(world):
    api = world.client()
    assert api.get("/tax-policy").json() == {"seller": "acme", "rounding": "line"}
    r = api.send("PUT", "/tax-policy", '{"rounding": "document"}')
    assert r.json() == {"seller": "acme", "rounding": "document"}
    assert TaxPolicy.objects.get(seller=world.seller).rounding == "document"
    bad = api.send("PUT", "/tax-policy", '{"rounding": "weekly"}')
    assert bad.status_code == 422
    assert TaxPolicy.objects.get(seller=world.seller).rounding == "document"
    assert Event.objects.filter(type="tax_policy.changed").count() == 1


def test_a_price_list_says_whether_its_prices_include_tax(world):
    api = world.client()
    r = api.send("PATCH", f"/price-lists/{world.price_list.pk}", '{"prices_include_tax": true}')
    assert (r.status_code, r.json()["prices_include_tax"]) == (200, True)
    created = api.post(
        "/price-lists",
        {"code": "gross", "name": "Gross", "currency": "HKD", "prices_include_tax": True},
    )
    assert created.json()["prices_include_tax"] is True


def test_a_companys_exemption_certificate(world):
    api = world.client()
    path = f"/companies/{world.company.pk}/tax-exemption"
    r = api.send("PUT", path, '{"certificate": "EX-9", "expires_on": "2030-06-30"}')
    assert r.status_code == 200
    assert r.json()["tax_exemption"] == {"certificate": "EX-9", "expires_on": "2030-06-30"}
    refused = api.send("PUT", path, '{"certificate": "", "expires_on": "2030-06-30"}')
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "expiry_without_certificate"
    company = Company.objects.get(pk=world.company.pk)
    assert company.tax_exemption_certificate == "EX-9"
    ended = api.send("PUT", path, '{"certificate": ""}')
    assert ended.json()["tax_exemption"] is None
    assert [e.type for e in Event.objects.filter(type__startswith="company.tax")] == [
        "company.tax_exemption_changed",
        "company.tax_exemption_changed",
    ]


def test_a_location_has_a_region_where_tax_differs_by_region(world):
    api = world.client()
    body = {
        "kind": "ship_to",
        "name": "Shenzhen",
        "line1": "1 Shennan Ave",
        "city": "Shenzhen",
        "country": "CN",
        "region": "GD",
    }
    r = api.post(f"/companies/{world.company.pk}/locations", body)
    assert (r.status_code, r.json()["region"]) == (201, "GD")
    bad = api.post(f"/companies/{world.company.pk}/locations", {**body, "region": "gd-x"})
    assert bad.status_code == 422


def test_tax_names_are_kept_per_language(world):
    world.client().post("/tax-rates", _rate_body())
    rate = TaxRate.objects.get()
    assert (rate.name_en, rate.name_zh_hant, rate.name_zh_hans) == ("GST", "消費稅", "消费税")
    assert rate.percent == Decimal(9)
