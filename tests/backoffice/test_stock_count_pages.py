"""The stock count pages: start a count, count blind on a phone, review and post."""

from dinghuo.inventory.models import StockLevel
from dinghuo.stocktaking.models import StockCount
from tests.backoffice.staffing import csrf_post, staff_client, texts


def _on_hand(world, sku):
    return StockLevel.objects.get(sku=world.skus[sku], warehouse__code="main").on_hand


def test_a_counter_counts_blind_and_a_manager_posts(world):
    counter = staff_client(world, "wes@seller.test", role="warehouse").client
    started = csrf_post(counter, "/staff/stock-counts/start/", {"warehouse": "main"})
    count = StockCount.objects.get()
    assert started["Location"] == f"/staff/stock-counts/{count.pk}/"
    page = counter.get(f"/staff/stock-counts/{count.pk}/?sku=A-1")
    assert page.status_code == 200
    assert 'data-testid="line-A-1"' in texts(page) and 'data-testid="line-B-2"' not in texts(page)
    assert ">100<" not in texts(page)  # blind: the 100 on hand is nowhere
    saved = csrf_post(
        counter, f"/staff/stock-counts/{count.pk}/count/", {"sku": "A-1", "counted": 96}
    )
    assert saved.status_code == 302
    negative = csrf_post(
        counter, f"/staff/stock-counts/{count.pk}/count/", {"sku": "B-2", "counted": -1}
    )
    assert negative.status_code == 302
    assert "not counted" in texts(counter.get(f"/staff/stock-counts/{count.pk}/?sku=B-2"))
    csrf_post(counter, f"/staff/stock-counts/{count.pk}/submit/")
    assert counter.get(f"/staff/stock-counts/{count.pk}/review/").status_code == 403
    assert csrf_post(counter, f"/staff/stock-counts/{count.pk}/post/").status_code == 403

    manager = staff_client(world, "mia@seller.test", role="manager").client
    review = manager.get(f"/staff/stock-counts/{count.pk}/review/?only=1")
    assert 'data-testid="variance-A-1">-4<' in texts(review)
    assert 'data-testid="line-B-2"' not in texts(review)
    csrf_post(manager, f"/staff/stock-counts/{count.pk}/post/")
    assert _on_hand(world, "A-1") == 96
    assert StockCount.objects.get().status == "posted"


def test_the_counts_list_is_in_the_menu(world):
    staff = staff_client(world, role="owner").client
    page = staff.get("/staff/stock-counts/")
    assert page.status_code == 200
    assert 'href="/staff/stock-counts/"' in texts(page)
    assert 'data-testid="start-count"' in texts(page)


def test_an_unknown_sku_is_said_and_changes_nothing(world):
    staff = staff_client(world, role="owner").client
    csrf_post(staff, "/staff/stock-counts/start/", {"warehouse": "main"})
    count = StockCount.objects.get()
    answer = csrf_post(
        staff, f"/staff/stock-counts/{count.pk}/count/", {"sku": "NOPE", "counted": 1}, follow=True
    )
    assert "No such SKU" in texts(answer)
    assert StockCount.objects.get().status == "open"
