"""Quick order: rows typed, pasted or uploaded, checked at once, then added to the cart."""

import re
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.buying import queries as buying
from tests.builders import World
from tests.portal.ordering import csrf_post, more_skus, sign_in


def test_typing_rows_checks_each_one_in_place(world: World) -> None:
    buyer = sign_in(world)
    r = csrf_post(
        buyer.client,
        "/quick-order/",
        {
            "action": "check",
            "sku": ["A-1", "", "B-2", "NOPE", "C-3"],
            "quantity": ["10", "", "7", "1", "x"],
        },
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert "<html" not in html and 'name="sku"' not in html  # the inputs are left alone
    # Each result goes into its own row, the blank row counted.
    assert 'data-testid="total-0">$90.00<' in html  # A-1 × 10 at the 10+ tier: 9.00
    assert 'id="qo-item-1" hx-swap-oob="true">' in html
    assert re.search(r'id="qo-item-2".*?Comes in packs of 6\.', html, re.S)
    assert re.search(r'id="qo-item-3".*?No such SKU in your catalogue\.', html, re.S)
    assert re.search(r'id="qo-item-4".*?Enter a whole number\.', html, re.S)
    assert 'data-testid="subtotal">$90.00<' in html


def test_pasting_rows_fills_the_table_and_reports_bad_lines(world: World) -> None:
    buyer = sign_in(world)
    r = csrf_post(
        buyer.client,
        "/quick-order/",
        {"action": "paste", "rows_text": "A-1\t10\nB-2\t12\nC-3\t3\nwhat?"},
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert 'value="A-1"' in html and 'value="B-2"' in html and 'value="C-3"' in html
    assert "$90.00" in html and "$30.00" in html and "$1.00" in html  # C-3: 3 × 0.3333
    assert "Line 4: no quantity" in html


def test_uploading_a_csv_file(world: World) -> None:
    buyer = sign_in(world)
    upload = SimpleUploadedFile("order.csv", b"sku,quantity\nA-1,100\n", content_type="text/csv")
    html = csrf_post(
        buyer.client, "/quick-order/", {"action": "upload", "file": upload}
    ).content.decode()
    assert "$800.00" in html  # the 100+ tier


def test_add_all_valid_rows_adds_those_and_keeps_the_others(world: World) -> None:
    buyer = sign_in(world)
    r = csrf_post(
        buyer.client,
        "/quick-order/",
        {
            "action": "add",
            "sku": ["A-1", "B-2", "C-3", "C-3", "NOPE"],
            "quantity": ["10", "7", "3", "4", "1"],
        },
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "1 row added to the cart." in html
    cart = buying.cart(world.tenant.pk, world.company.pk, buyer.member.pk)
    assert [(line.check.sku, line.check.quantity) for line in cart.lines] == [("A-1", 10)]
    # The refused rows stay on the page with their reasons, the added one is gone from it.
    assert 'value="B-2"' in html and 'value="NOPE"' in html and 'value="A-1"' not in html
    assert "This SKU is on more than one row" in html


def test_when_every_row_is_added_the_cart_opens(world: World) -> None:
    buyer = sign_in(world)
    r = csrf_post(
        buyer.client,
        "/quick-order/",
        {"action": "add", "sku": ["A-1", "B-2"], "quantity": ["10", "12"]},
    )
    assert r.status_code == 302 and r["Location"] == "/cart/"
    cart = buying.cart(world.tenant.pk, world.company.pk, buyer.member.pk)
    assert cart.check is not None and cart.check.subtotal == Decimal("120.00")


def test_checking_200_pasted_rows_takes_the_same_queries_as_one(world: World) -> None:
    more_skus(world, 200)
    buyer = sign_in(world)
    buyer.client.get("/quick-order/")
    one = "X-0\t20"
    many = "\n".join(f"X-{i}\t{20 + i}" for i in range(200))
    with CaptureQueriesContext(connection) as few:
        r = csrf_post(buyer.client, "/quick-order/", {"action": "paste", "rows_text": one})
    assert "$90.00" in r.content.decode()
    with CaptureQueriesContext(connection) as lots:
        r = csrf_post(buyer.client, "/quick-order/", {"action": "paste", "rows_text": many})
    html = r.content.decode()
    assert html.count('class="problems"') == 0  # short stock is only a warning
    assert html.count('class="problems problems--warning"') == 200
    assert 'data-testid="total-199">$985.50<' in html  # X-199 × 219 at 4.50
    assert len(lots) == len(few)


def test_codes_are_taken_as_people_paste_them(world: World) -> None:
    """Any case, spaces around, the label of a product card in either language and
    full-width characters: each line reads as the SKU it shows, spelled as listed."""
    buyer = sign_in(world)
    pasted = "  a-1 \t10\nSKU Ｂ－２\t１２\n貨號：c-3\t3"
    html = csrf_post(
        buyer.client, "/quick-order/", {"action": "paste", "rows_text": pasted}
    ).content.decode()
    assert [m for m in re.findall(r'name="sku" value="([^"]*)"', html) if m] == [
        "A-1",
        "B-2",
        "C-3",
    ]
    assert (
        "$90.00" in html and "$30.00" in html and "$1.00" in html
    )  # A-1 × 10 at 9.00, C-3 × 3 at 0.3333
    assert "No such SKU" not in html


def test_after_a_bad_line_the_paste_is_kept_and_the_good_rows_listed(world: World) -> None:
    buyer = sign_in(world)
    pasted = "a-1\t10\nwhat?\nB-2 twelve\nNOPE\t2"
    html = csrf_post(
        buyer.client, "/quick-order/", {"action": "paste", "rows_text": pasted}
    ).content.decode()
    # The text stays in the box to be mended, the lines it could not read are named there.
    assert ">\na-1\t10\nwhat?\nB-2 twelve\nNOPE\t2</textarea>" in html
    assert "Line 2: no quantity" in html and "Line 3: no quantity" in html
    assert "2 lines could not be read" in html
    # The rows it could read are in the table: the good one priced, the unknown one marked.
    assert 'data-testid="total-0">$90.00<' in html
    assert re.search(r'id="qo-item-1".*?No such SKU in your catalogue\.', html, re.S)


def test_a_lower_case_row_is_added_to_the_cart_as_listed(world: World) -> None:
    buyer = sign_in(world)
    r = csrf_post(
        buyer.client,
        "/quick-order/",
        {"action": "add", "sku": [" a-1 ", "ｂ－２"], "quantity": ["10", "１２"]},
    )
    assert r.status_code == 302
    cart = buying.cart(world.tenant.pk, world.company.pk, buyer.member.pk)
    assert [(line.check.sku, line.check.quantity) for line in cart.lines] == [
        ("A-1", 10),
        ("B-2", 12),
    ]


def test_a_code_spelled_as_listed_wins_and_another_sellers_codes_are_not_matched(
    world: World,
) -> None:
    from dinghuo.catalog import queries as catalog
    from dinghuo.catalog.models import Sku
    from dinghuo.core.models import Seller

    sku = world.skus["A-1"]
    Sku.objects.create(tenant=world.tenant, seller=world.seller, product=sku.product, code="a-1")
    other = Seller.objects.create(tenant=world.tenant, slug="other", name="Other")
    Sku.objects.create(tenant=world.tenant, seller=other, product=sku.product, code="q-9")
    listed = catalog.codes_as_listed(
        world.tenant.pk, world.seller.pk, ["a-1", "A-1", "b-2", "Q-9", "nope"]
    )
    assert listed == {"b-2": "B-2"}  # a-1 and A-1 are both listed: each as written
