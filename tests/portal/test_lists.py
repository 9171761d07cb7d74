"""Saved lists: made from the cart or from rows, priced today, changed by their owner or an
admin, added to the cart with the repricing report; another company's list is not found."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.buying import queries as buying_queries
from dinghuo.buying import services as buying
from dinghuo.buying.models import RequisitionList
from dinghuo.catalog.models import Sku
from tests.builders import World
from tests.portal.ordering import SignedIn, csrf_post, more_skus, second_company, sign_in


def saved(world: World, buyer: SignedIn, name: str, *lines: tuple[str, int]) -> RequisitionList:
    return buying.create_requisition_list(
        tenant_id=world.tenant.pk,
        company_id=buyer.member.company_id,
        owner_id=buyer.member.pk,
        name=name,
        lines=[buying.ListLine(sku, quantity) for sku, quantity in lines],
    )


def list_lines(found: RequisitionList) -> list[tuple[str, int]]:
    return [(line.sku.code, line.quantity) for line in found.lines.order_by("id")]


def test_a_list_is_made_from_pasted_rows_or_from_the_cart(world: World) -> None:
    buyer = sign_in(world)
    r = csrf_post(
        buyer.client,
        "/lists/",
        {"name": "Weekly", "source": "rows", "rows_text": "A-1\t10\nC-3, 3"},
    )
    found = RequisitionList.objects.get(name="Weekly")
    assert r.status_code == 302 and r["Location"] == f"/lists/{found.pk}/"
    assert list_lines(found) == [("A-1", 10), ("C-3", 3)]
    buyer.add(world, "B-2", 12)
    csrf_post(buyer.client, "/lists/", {"name": "From cart", "source": "cart"})
    assert list_lines(RequisitionList.objects.get(name="From cart")) == [("B-2", 12)]
    csrf_post(buyer.client, "/lists/", {"name": "Empty", "source": "rows"})
    assert list_lines(RequisitionList.objects.get(name="Empty")) == []
    html = buyer.client.get("/lists/").content.decode()
    assert "Weekly" in html and "From cart" in html and "Empty" in html


def test_a_new_list_shows_every_refused_row_next_to_the_rows(world: World) -> None:
    buyer = sign_in(world)
    r = csrf_post(
        buyer.client, "/lists/", {"name": "Bad", "source": "rows", "rows_text": "A-1 2\nZZ-9 4"}
    )
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="error-rows_text"' in html
    assert "Row 2 (ZZ-9): No such SKU in your catalogue." in html
    r = csrf_post(buyer.client, "/lists/", {"name": "", "source": "rows"})
    assert 'data-testid="error-name"' in r.content.decode()
    r = csrf_post(buyer.client, "/lists/", {"name": "From cart", "source": "cart"})
    html = r.content.decode()
    assert 'data-testid="error-source"' in html and "The cart is empty." in html
    assert not RequisitionList.objects.exists()


def test_a_list_page_prices_lines_today_and_says_why_one_cannot_be_ordered(world: World) -> None:
    buyer = sign_in(world)
    found = saved(world, buyer, "Weekly", ("A-1", 10), ("B-2", 12))
    Sku.objects.filter(pk=world.skus["B-2"].pk).update(min_order_quantity=24)
    html = buyer.client.get(f"/lists/{found.pk}/").content.decode()
    assert 'data-testid="list-name">Weekly<' in html
    assert "$90.00" in html and "Made by ann" in html
    assert "Order at least 24." in html


def test_lines_are_changed_removed_and_added_in_one_save(world: World) -> None:
    buyer = sign_in(world)
    found = saved(world, buyer, "Weekly", ("A-1", 10), ("C-3", 3))
    r = csrf_post(
        buyer.client,
        f"/lists/{found.pk}/",
        {"action": "lines", "sku": ["A-1", "C-3"], "quantity": ["20", "3"], "remove": ["C-3"],
         "rows_text": "B-2 6"},
    )  # fmt: skip
    assert r.status_code == 302
    assert list_lines(found) == [("A-1", 20), ("B-2", 6)]
    r = csrf_post(
        buyer.client,
        f"/lists/{found.pk}/",
        {"action": "lines", "sku": ["A-1", "B-2"], "quantity": ["many", "6"]},
    )
    html = r.content.decode()
    assert 'data-testid="error-A-1"' in html and "Enter a whole number." in html
    r = csrf_post(
        buyer.client,
        f"/lists/{found.pk}/",
        {"action": "lines", "sku": ["A-1", "B-2"], "quantity": ["0", "6"]},
    )
    assert "Order at least one unit." in r.content.decode()
    assert list_lines(found) == [("A-1", 20), ("B-2", 6)]  # refused: nothing changed
    r = csrf_post(buyer.client, f"/lists/{found.pk}/", {"action": "rename", "name": "Monthly"})
    found.refresh_from_db()
    assert r.status_code == 302 and found.name == "Monthly"


def test_only_the_owner_or_an_admin_changes_or_deletes_a_list(world: World) -> None:
    owner = sign_in(world)
    found = saved(world, owner, "Weekly", ("A-1", 10))
    colleague = sign_in(world, "cat@buyer.test")
    html = colleague.client.get(f"/lists/{found.pk}/").content.decode()
    assert "Weekly" in html  # every user of the company sees it
    r = csrf_post(colleague.client, f"/lists/{found.pk}/", {"action": "rename", "name": "Mine"})
    assert "Only the list&#x27;s owner or a company admin may change it." in r.content.decode()
    r = csrf_post(colleague.client, f"/lists/{found.pk}/delete/")
    assert r.status_code == 302
    assert RequisitionList.objects.filter(pk=found.pk, name="Weekly").exists()
    admin = sign_in(world, "ada@buyer.test", "admin")
    r = csrf_post(admin.client, f"/lists/{found.pk}/delete/")
    assert r.status_code == 302 and r["Location"] == "/lists/"
    assert not RequisitionList.objects.filter(pk=found.pk).exists()


def test_adding_a_list_to_the_cart_reports_each_line(world: World) -> None:
    buyer = sign_in(world)
    found = saved(world, buyer, "Weekly", ("A-1", 10), ("B-2", 12))
    Sku.objects.filter(pk=world.skus["B-2"].pk).update(is_active=False)
    r = csrf_post(buyer.client, f"/lists/{found.pk}/cart/")
    assert r.status_code == 302 and r["Location"] == "/cart/"
    html = buyer.client.get("/cart/").content.decode()
    assert "1 of 2 lines were added to your cart at today&#x27;s prices." in html
    assert 'data-testid="repricing"' in html and "Not added" in html
    assert "This SKU can no longer be ordered." in html
    cart = buying_queries.cart(world.tenant.pk, world.company.pk, buyer.member.pk)
    assert [(line.check.sku, line.check.quantity) for line in cart.lines] == [("A-1", 10)]


def test_another_companys_list_is_not_found(world: World, other_world: World) -> None:
    buyer = sign_in(world)
    neighbour = sign_in(world, "bob@other.test", company=second_company(world))
    theirs = saved(world, neighbour, "Theirs", ("A-1", 1))
    far = sign_in(other_world, "eve@globex.test")
    far_list = saved(other_world, far, "Far", ("A-1", 1))
    for found in (theirs, far_list):
        assert buyer.client.get(f"/lists/{found.pk}/").status_code == 404
        for suffix, data in [("", {"action": "rename", "name": "x"}), ("delete/", {}),
                             ("cart/", {})]:  # fmt: skip
            assert csrf_post(buyer.client, f"/lists/{found.pk}/{suffix}", data).status_code == 404
        assert RequisitionList.objects.filter(pk=found.pk).exclude(name="x").exists()
    assert "Theirs" not in buyer.client.get("/lists/").content.decode()


def test_list_pages_take_the_same_number_of_queries_however_long(world: World) -> None:
    buyer = sign_in(world)
    more_skus(world, 30)
    first = saved(world, buyer, "L0", ("A-1", 1))
    buyer.client.get("/lists/")
    with CaptureQueriesContext(connection) as one_list:
        buyer.client.get("/lists/")
    with CaptureQueriesContext(connection) as one_line:
        buyer.client.get(f"/lists/{first.pk}/")
    for i in range(1, 12):
        saved(world, buyer, f"L{i}", ("A-1", 1))
    big = saved(world, buyer, "Big", *[(f"X-{i}", 2) for i in range(30)])
    with CaptureQueriesContext(connection) as many_lists:
        html = buyer.client.get("/lists/").content.decode()
    assert html.count('data-testid="list-') == 13
    assert len(many_lists) == len(one_list)
    with CaptureQueriesContext(connection) as many_lines:
        html = buyer.client.get(f"/lists/{big.pk}/").content.decode()
    assert html.count('data-testid="list-line-') == 30
    assert len(many_lines) == len(one_line)
