import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dinghuo.inventory.models import StockLevel, StockMovement


@pytest.fixture
def staff(db):
    user = get_user_model().objects.create_superuser("root", "root@example.test", "x" * 16)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["warehouse", "stocklevel", "reservation", "stockmovement"])
def test_stock_pages_list(world, staff, model):
    r = staff.get(f"/admin/inventory/{model}/")

    assert r.status_code == 200


def test_stock_changes_only_through_the_stock_services(world, staff):
    movement = StockMovement.objects.filter(tenant=world.tenant).first()
    level = StockLevel.objects.filter(tenant=world.tenant).first()

    assert staff.get("/admin/inventory/stockmovement/add/").status_code == 403
    assert staff.get("/admin/inventory/stocklevel/add/").status_code == 403
    # A read-only view: the page answers, but posting a change is refused.
    assert staff.get(f"/admin/inventory/stockmovement/{movement.pk}/change/").status_code == 200
    r = staff.post(f"/admin/inventory/stocklevel/{level.pk}/change/", {"on_hand": 5})
    assert r.status_code == 403
    r = staff.post(f"/admin/inventory/stockmovement/{movement.pk}/delete/", {"post": "yes"})
    assert r.status_code == 403
    level.refresh_from_db()
    assert level.on_hand == 100
    assert StockMovement.objects.filter(pk=movement.pk).exists()
