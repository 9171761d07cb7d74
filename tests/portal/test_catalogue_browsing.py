"""Browsing the catalogue as in a good shop: a count, sorting, filters, search that forgives,
availability in words, no "Add" on what cannot be ordered, a remembered layout, the cart
summary, the product pictures."""

import io
import re

from django.core.files.storage import default_storage
from PIL import Image

from dinghuo.catalog import services as catalog
from dinghuo.catalog.models import Product, Sku
from dinghuo.inventory.models import StockLevel
from tests.builders import World
from tests.portal.ordering import more_skus, sign_in


def _codes(html: str) -> list[str]:
    return re.findall(r'data-testid="entry-([^"]+)"', html)


def _count(html: str) -> str:
    found = re.search(r'data-testid="result-count"[^>]*>\s*(.*?)\s*</p>', html, re.S)
    assert found
    return " ".join(found.group(1).split())


def _entries(html: str) -> dict[str, str]:
    """Each entry's HTML by its SKU code."""
    parts = html.split('data-testid="entry-')[1:]
    return {part.split('"', 1)[0]: part for part in parts}


def _png(color: str = "red", size: tuple[int, int] = (600, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def test_the_page_says_how_many_products_match(world: World) -> None:
    buyer = sign_in(world)
    assert _count(buyer.client.get("/catalogue/").content.decode()) == "4 products"
    html = buyer.client.get("/catalogue/", {"q": "B-2"}).content.decode()
    assert _count(html) == "1 product"
    html = buyer.client.get("/catalogue/", {"q": "nothing-like-this"}).content.decode()
    assert _count(html) == "0 products"


def test_sorting_by_name_price_and_newest(world: World) -> None:
    buyer = sign_in(world)
    Sku.objects.filter(pk=world.skus["C-3"].pk).update(name_en="Anchor")
    by_name = _codes(buyer.client.get("/catalogue/", {"sort": "name"}).content.decode())
    assert by_name == ["C-3", "A-1", "B-2", "D-4"]  # Anchor, Item A-1, Item B-2, Item D-4
    by_price = _codes(buyer.client.get("/catalogue/", {"sort": "price"}).content.decode())
    assert by_price == ["C-3", "B-2", "A-1", "D-4"]  # 0.3333, 2.50, 10.00, 100.00
    newest = _codes(buyer.client.get("/catalogue/", {"sort": "newest"}).content.decode())
    assert newest == ["D-4", "C-3", "B-2", "A-1"]


def test_names_sort_in_the_readers_language(world: World) -> None:
    buyer = sign_in(world)
    Sku.objects.filter(pk=world.skus["D-4"].pk).update(name_zh_hant="一號")
    html = buyer.client.get(
        "/catalogue/", {"sort": "name"}, HTTP_ACCEPT_LANGUAGE="zh-hant"
    ).content.decode()
    assert _codes(html)[0] == "D-4"


def test_sorted_pages_follow_on_without_overlap(world: World) -> None:
    more_skus(world, 60)
    buyer = sign_in(world)
    first = buyer.client.get("/catalogue/", {"sort": "price"}).content.decode()
    assert _count(first) == "64 products"
    more = re.search(r'hx-get="/catalogue/\?([^"]+)"', first)
    assert more and "offset=50" in more.group(1)
    rest = buyer.client.get("/catalogue/?" + more.group(1).replace("&amp;", "&"),
                            HTTP_HX_REQUEST="true").content.decode()  # fmt: skip
    seen = _codes(first) + _codes(rest)
    assert len(seen) == 64 and len(set(seen)) == 64
    assert seen[-1] == "D-4"  # the dearest last


def test_in_stock_only_leaves_out_what_cannot_ship_now(world: World) -> None:
    buyer = sign_in(world)
    StockLevel.objects.filter(sku=world.skus["C-3"]).update(reserved=100)  # all taken
    html = buyer.client.get("/catalogue/", {"in_stock": "1"}).content.decode()
    assert _codes(html) == ["A-1", "B-2"]
    assert _count(html) == "2 products"
    assert 'name="in_stock" value="1" checked' in html


def test_search_forgives_case_spaces_and_full_width_letters(world: World) -> None:
    buyer = sign_in(world)
    for typed in ["item   b-2", "  ITEM B-2 ", "ｂ－２"]:
        html = buyer.client.get("/catalogue/", {"q": typed}).content.decode()
        assert _codes(html) == ["B-2"], typed


def test_search_finds_names_in_either_chinese_script(world: World) -> None:
    buyer = sign_in(world)
    Product.objects.filter(pk=world.skus["A-1"].product_id).update(
        name_zh_hant="紙巾", name_zh_hans="纸巾"
    )
    for typed in ["紙巾", "纸巾"]:
        html = buyer.client.get("/catalogue/", {"q": typed}).content.decode()
        assert _codes(html) == ["A-1"], typed


def test_availability_in_words_and_no_add_for_what_cannot_be_ordered(world: World) -> None:
    buyer = sign_in(world)
    StockLevel.objects.filter(sku=world.skus["A-1"]).update(reserved=95)  # 5 left
    StockLevel.objects.filter(sku=world.skus["C-3"]).update(reserved=100)  # none, no backorder
    html = buyer.client.get("/catalogue/").content.decode()
    entries = _entries(html)
    assert "Few left" in entries["A-1"] and "Add to cart" in entries["A-1"]
    assert "In stock" in entries["B-2"]
    assert "Unavailable" in entries["C-3"] and "Add to cart" not in entries["C-3"]
    assert "Cannot be ordered now." in entries["C-3"]
    assert "On backorder — ships when stock arrives" in entries["D-4"]
    assert "Add to cart" in entries["D-4"]


def test_the_quantity_box_names_the_unit(world: World) -> None:
    Sku.objects.filter(pk=world.skus["A-1"].pk).update(unit="ctn")
    buyer = sign_in(world)
    html = buyer.client.get("/catalogue/").content.decode()
    assert re.search(r'class="quantity-box">.*?<span class="muted">carton', html, re.S)


def test_grid_or_list_is_remembered(world: World) -> None:
    buyer = sign_in(world)
    assert 'class="catalogue catalogue--grid"' in buyer.client.get("/catalogue/").content.decode()
    buyer.client.get("/catalogue/", {"layout": "list"})
    html = buyer.client.get("/catalogue/").content.decode()
    assert 'class="catalogue catalogue--list"' in html


def test_the_cart_summary_shows_lines_and_total(world: World) -> None:
    buyer = sign_in(world)
    buyer.add(world, "A-1", 2)
    buyer.add(world, "B-2", 6)
    html = buyer.client.get("/catalogue/").content.decode()
    summary = re.search(r'data-testid="cart-size"[^>]*>(.*?)</a>', html, re.S)
    assert summary
    assert "Cart: 2 lines" in summary.group(1) and "$35.00" in summary.group(1)


def test_the_main_picture_shows_in_the_catalogue(world: World) -> None:
    product_id = world.skus["A-1"].product_id
    first = catalog.add_product_image(
        tenant_id=world.tenant.pk, product_id=product_id, content=_png("red")
    )
    catalog.add_product_image(
        tenant_id=world.tenant.pk, product_id=product_id, content=_png("blue")
    )
    buyer = sign_in(world)
    html = buyer.client.get("/catalogue/").content.decode()
    assert f'src="/media/{first.small}"' in html
    answer = buyer.client.get(f"/media/{first.small}")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/webp"
    assert "immutable" in answer["Cache-Control"] and "max-age=31536000" in answer["Cache-Control"]
    assert default_storage.exists(first.original)


def test_the_product_page_shows_pictures_and_has_no_add_when_unavailable(world: World) -> None:
    product_id = world.skus["C-3"].product_id
    image = catalog.add_product_image(
        tenant_id=world.tenant.pk, product_id=product_id, content=_png("green")
    )
    StockLevel.objects.filter(sku=world.skus["C-3"]).update(reserved=100)
    buyer = sign_in(world)
    html = buyer.client.get(f"/products/{world.skus['C-3'].pk}/").content.decode()
    assert f'src="/media/{image.large}"' in html
    assert "Unavailable" in html and "Cannot be ordered now." in html
    assert "Add to cart" not in html
