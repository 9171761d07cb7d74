"""The catalogue and product pages: the company's own prices, tiers, availability and terms."""

import pytest
from django.test import Client

from dinghuo.catalog.models import Product, Sku
from tests.builders import World
from tests.portal.ordering import csrf_post, more_skus, sign_in


def test_the_catalogue_shows_the_companys_prices_tiers_and_availability(world: World) -> None:
    buyer = sign_in(world)
    page = buyer.client.get("/catalogue/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Item A-1" in html
    assert "$10.00" in html  # one unit
    assert "from 10: $9.00" in html
    assert "from 100: $8.00" in html
    assert "In stock" in html
    assert "Minimum 6" in html and "Packs of 6" in html  # B-2
    assert "On backorder — ships when stock arrives" in html  # D-4: no stock, may backorder


def test_search_and_category_filter(world: World) -> None:
    buyer = sign_in(world)
    html = buyer.client.get("/catalogue/", {"q": "B-2"}).content.decode()
    assert "Item B-2" in html and "Item A-1" not in html
    category = world.skus["A-1"].product.category_id
    html = buyer.client.get("/catalogue/", {"category": category}).content.decode()
    assert "Item A-1" in html
    html = buyer.client.get("/catalogue/", {"q": "nothing-like-this"}).content.decode()
    assert "Nothing in your catalogue matches." in html


def test_names_follow_the_language_with_a_fallback(world: World) -> None:
    buyer = sign_in(world)
    Sku.objects.filter(pk=world.skus["A-1"].pk).update(name_zh_hant="扳手")
    html = buyer.client.get("/catalogue/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "扳手" in html
    # B-2 has no Chinese SKU name: its product's Chinese name, then English, stand in.
    html_hans = buyer.client.get("/catalogue/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "扳手" in html_hans  # zh-hans falls back to zh-hant first


def test_more_pages_through_the_catalogue(world: World) -> None:
    more_skus(world, 60)
    buyer = sign_in(world)
    first = buyer.client.get("/catalogue/").content.decode()
    assert 'id="catalogue-more"' in first
    last_id = (
        Sku.objects.filter(tenant=world.tenant).order_by("id").values_list("id", flat=True)[49]
    )
    more = buyer.client.get("/catalogue/", {"after": last_id}, HTTP_HX_REQUEST="true")
    html = more.content.decode()
    assert "<html" not in html  # a fragment appended in place
    assert "X-59" in html and "Item A-1" not in html
    assert 'id="catalogue-more"' not in html  # the last page


def test_the_catalogue_takes_the_same_queries_whatever_the_page_size(
    world: World, django_assert_max_num_queries
) -> None:
    buyer = sign_in(world)
    buyer.client.get("/catalogue/")  # warm the session and the content types
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert buyer.client.get("/catalogue/").status_code == 200
    more_skus(world, 46)  # a full page of 50
    with CaptureQueriesContext(connection) as many:
        assert buyer.client.get("/catalogue/").content.decode().count('data-testid="entry-') == 50
    assert len(many) == len(few)
    with django_assert_max_num_queries(12):
        buyer.client.get("/catalogue/")


def test_adding_to_the_cart_from_the_catalogue(world: World) -> None:
    buyer = sign_in(world)
    r = csrf_post(
        buyer.client, "/cart/add/", {"sku": "A-1", "quantity": "10", "sku_id": "1"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    html = r.content.decode()
    assert r.status_code == 200
    assert "Added to the cart" in html
    assert 'id="cart-size"' in html and 'hx-swap-oob="true"' in html and "Cart: 1 line" in html


def test_a_refused_add_says_why_next_to_the_quantity(world: World) -> None:
    buyer = sign_in(world)
    r = csrf_post(
        buyer.client, "/cart/add/", {"sku": "B-2", "quantity": "7"}, HTTP_HX_REQUEST="true"
    )
    html = r.content.decode()
    assert "Comes in packs of 6." in html
    assert 'aria-invalid="true"' in html
    assert "Cart: 0 lines" in html


def test_adding_without_htmx_redirects_back_with_a_message(world: World) -> None:
    buyer = sign_in(world)
    r = csrf_post(
        buyer.client, "/cart/add/", {"sku": "A-1", "quantity": "2", "next": "/catalogue/?q=A"}
    )
    assert r.status_code == 302 and r["Location"] == "/catalogue/?q=A"
    r = csrf_post(
        buyer.client, "/cart/add/", {"sku": "A-1", "quantity": "2", "next": "https://evil.test/"}
    )
    assert r["Location"] == "/catalogue/"


def test_posting_without_the_csrf_token_is_refused(world: World) -> None:
    buyer = sign_in(world)
    assert buyer.client.post("/cart/add/", {"sku": "A-1", "quantity": "1"}).status_code == 403


def test_the_product_page_explains_the_price(world: World) -> None:
    buyer = sign_in(world)
    Product.objects.filter(pk=world.skus["A-1"].product_id).update(
        description_en="A sturdy wrench.", description_zh_hant="堅固的扳手。"
    )
    sku_id = world.skus["A-1"].pk
    html = buyer.client.get(f"/products/{sku_id}/", {"quantity": 10}).content.decode()
    assert "A sturdy wrench." in html
    assert "10 at $9.00 each, $90.00 in all, from price list std." in html
    assert html.count('data-testid="tier"') == 3
    zh = buyer.client.get(f"/products/{sku_id}/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "堅固的扳手。" in zh


@pytest.mark.parametrize("case", ["other_tenant", "unpriced", "unknown"])
def test_a_sku_the_company_may_not_order_is_not_found(
    world: World, other_world: World, case: str
) -> None:
    buyer = sign_in(world)
    if case == "other_tenant":
        sku_id = other_world.skus["A-1"].pk
    elif case == "unpriced":
        product = world.skus["A-1"].product
        sku_id = Sku.objects.create(
            tenant=world.tenant, seller=world.seller, product=product, code="NOPRICE"
        ).pk
    else:
        sku_id = 999_999
    assert buyer.client.get(f"/products/{sku_id}/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(world: World) -> None:
    for path in ["/catalogue/", "/quick-order/", "/cart/", "/checkout/", "/orders/",
                 f"/products/{world.skus['A-1'].pk}/"]:  # fmt: skip
        r = Client().get(path)
        assert r.status_code == 302, path
        assert r["Location"].startswith("/signin/?next="), path
