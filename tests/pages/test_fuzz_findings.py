"""What the pages' fuzzing found, pinned: each was a server error."""

import pytest

from dinghuo.buying.models import CartLine
from tests.builders import World
from tests.portal.ordering import csrf_post, sign_in


@pytest.mark.parametrize(
    "wanted",
    [
        "\ufffd\ufffd",
        "catalogue",
        "javascript:alert(1)",
        "//evil.example/",
        "https://evil.example/",
    ],
)
def test_adding_to_the_cart_with_a_next_that_is_no_path_here_goes_to_the_catalogue(
    world: World, wanted: str
) -> None:
    # A `next` without a slash was taken for the name of a view: NoReverseMatch, a 500.
    buyer = sign_in(world)
    page = csrf_post(buyer.client, "/cart/add/", {"sku": "A-1", "quantity": "2", "next": wanted})
    assert (page.status_code, page["Location"]) == (302, "/catalogue/")
    assert CartLine.objects.get().quantity == 2


def test_adding_to_the_cart_goes_back_to_the_page_it_came_from(world: World) -> None:
    buyer = sign_in(world)
    page = csrf_post(
        buyer.client, "/cart/add/", {"sku": "A-1", "quantity": "2", "next": "/orders/"}
    )
    assert (page.status_code, page["Location"]) == (302, "/orders/")


@pytest.mark.parametrize("category", ["9" * 40, str(2**63)])
def test_a_category_past_any_id_shows_the_whole_catalogue(world: World, category: str) -> None:
    # Beyond a 64-bit integer it reached SQLite as a number it cannot hold: OverflowError.
    page = sign_in(world).client.get("/catalogue/", {"category": category})
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="entry-') == 4


@pytest.mark.parametrize("quantity", [str(1_000_000_001), "9" * 40])
def test_a_product_priced_for_more_than_a_line_may_order_shows_its_usual_quantity(
    world: World, quantity: str
) -> None:
    # Its line total passed the precision of the money arithmetic: InvalidOperation.
    buyer = sign_in(world)
    sku = world.skus["A-1"].pk
    page = buyer.client.get(f"/products/{sku}/", {"quantity": quantity})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="quantity" min="1" value="1" inputmode' in html
    assert "1 at $10.00 each, $10.00 in all" in html
    most = buyer.client.get(f"/products/{sku}/", {"quantity": "1000000000"}).content.decode()
    assert "1,000,000,000 at $8.00 each, $8,000,000,000.00 in all" in most
