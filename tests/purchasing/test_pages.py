"""The purchasing pages: suppliers, the PO list and page with its actions, the receive form
(quantities, no costs, for the warehouse) and the suggestions page that drafts POs."""

from django.test import Client

from dinghuo.inventory.models import StockLevel
from dinghuo.purchasing import services
from dinghuo.purchasing.models import PurchaseOrder, Supplier
from tests.backoffice.staffing import make_staff
from tests.purchasing.support import a_sent_po


def _client(world, role: str = "owner") -> Client:
    client = Client()
    client.force_login(make_staff(world, f"{role}@seller.test", role=role).user)
    return client


def test_a_supplier_is_created_from_its_page_once(world):
    client = _client(world)
    page = client.get("/staff/purchasing/suppliers/")
    assert page.status_code == 200
    form = {
        "token": "t1",
        "code": "ACME",
        "name": "Acme Parts",
        "currency": "usd",
        "contact_email": "po@acme.example",
    }
    assert client.post("/staff/purchasing/suppliers/", form).status_code == 302
    assert client.post("/staff/purchasing/suppliers/", form).status_code == 302  # same token
    assert Supplier.objects.filter(code="ACME", currency="USD").count() == 1
    bad = client.post(
        "/staff/purchasing/suppliers/",
        {**form, "token": "t2", "code": "B", "contact_email": "nope"},
    )
    assert bad.status_code == 200 and "Enter an email address." in bad.content.decode()
    assert "Acme Parts" in client.get("/staff/purchasing/suppliers/").content.decode()


def test_the_po_page_shows_lines_and_the_warehouse_receives_without_costs(world):
    po_id = a_sent_po(world)
    owner = _client(world)
    page = owner.get(f"/staff/purchasing/orders/{po_id}/").content.decode()
    assert "PO-" in page and "$2.00" in page
    dock = _client(world, "warehouse")
    assert dock.get(f"/staff/purchasing/orders/{po_id}/").status_code == 403
    form = dock.get(f"/staff/purchasing/orders/{po_id}/receive/")
    assert form.status_code == 200 and "$2.00" not in form.content.decode()
    assert "Item A-1" in form.content.decode()  # a clerk reads names, not only codes
    before = StockLevel.objects.get(warehouse=world.warehouses[0], sku=world.skus["A-1"]).on_hand
    too_many = dock.post(
        f"/staff/purchasing/orders/{po_id}/receive/", {"token": "r0", "line_1": "12"}
    )
    assert too_many.status_code == 200 and "at most 11 more units" in too_many.content.decode()
    done = dock.post(
        f"/staff/purchasing/orders/{po_id}/receive/",
        {"token": "r1", "line_1": "4", "reference": "DN-1"},
    )
    assert done.status_code == 302
    after = StockLevel.objects.get(warehouse=world.warehouses[0], sku=world.skus["A-1"]).on_hand
    assert after == before + 4
    assert PurchaseOrder.objects.get(pk=po_id).status == "partially_received"


def test_the_po_page_in_chinese(world):
    po_id = a_sent_po(world)
    client = _client(world)
    client.cookies["django_language"] = "zh-hant"
    page = client.get(f"/staff/purchasing/orders/{po_id}/").content.decode()
    assert "尚待到貨" in page and "供應商：" in page


def test_ticked_suggestions_become_a_draft_po(world):
    supplier = services.create_supplier(
        tenant_id=world.tenant.pk, code="S", name="S", currency="USD"
    )
    services.create_supplier_item(
        tenant_id=world.tenant.pk,
        supplier_id=supplier.pk,
        sku_id=world.skus["A-1"].pk,
        cost_tiers=[{"min_quantity": 1, "unit_cost": "3.00"}],
        pack_size=10,
    )
    services.set_reorder_rule(
        tenant_id=world.tenant.pk,
        sku_id=world.skus["A-1"].pk,
        warehouse_id=world.warehouses[0].pk,
        reorder_point=150,
        reorder_quantity=5,
    )
    client = _client(world)
    page = client.get("/staff/purchasing/reorder/").content.decode()
    assert 'data-testid="suggestion-A-1"' in page
    pick = f"{world.skus['A-1'].pk}-{world.warehouses[0].pk}"
    r = client.post("/staff/purchasing/reorder/", {"token": "s1", "pick": [pick]})
    assert r.status_code == 302
    [po] = PurchaseOrder.objects.all()
    assert po.status == "draft" and [line.quantity for line in po.lines.all()] == [50]
    client.post(f"/staff/purchasing/orders/{po.pk}/submit/")
    assert PurchaseOrder.objects.get(pk=po.pk).status == "approved"


def test_the_po_pdf_for_the_supplier(world):
    po_id = a_sent_po(world)
    page = _client(world).get(f"/staff/purchasing/orders/{po_id}/pdf/")
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    assert page.content.startswith(b"%PDF")
    api = world.client().get(f"/purchase-orders/{po_id}/pdf", language="zh-hant")
    assert api.status_code == 200 and api.content.startswith(b"%PDF")


def test_the_warehouse_finds_what_to_receive_from_its_menu(world):
    po_id = a_sent_po(world)
    dock = _client(world, "warehouse")
    home = dock.get("/staff/").content.decode()
    assert 'href="/staff/purchasing/receiving/"' in home
    listed = dock.get("/staff/purchasing/receiving/").content.decode()
    assert f'href="/staff/purchasing/orders/{po_id}/receive/"' in listed and "$" not in listed
