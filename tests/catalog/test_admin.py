import pytest
from django.contrib.auth.models import User
from django.test import Client


@pytest.fixture
def staff(db):
    client = Client()
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw-123456"))
    return client


@pytest.mark.parametrize(
    "page",
    [
        "catalog/category",
        "catalog/product",
        "catalog/sku",
        "pricing/pricelist",
        "pricing/pricetier",
    ],
)
def test_admin_lists_and_searches(world, staff, page):
    listed = staff.get(f"/admin/{page}/")
    searched = staff.get(f"/admin/{page}/", {"q": "A-1"})

    assert (listed.status_code, searched.status_code) == (200, 200)


def test_admin_product_page_shows_its_skus_and_translations(world, staff):
    product = world.skus["B-2"].product

    r = staff.get(f"/admin/catalog/product/{product.pk}/change/")

    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="name_zh_hant"' in html
    assert 'value="B-2"' in html


def test_admin_sku_added_inline_belongs_to_the_products_tenant_and_seller(world, staff):
    product = world.skus["A-1"].product
    page = staff.get(f"/admin/catalog/product/{product.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "category": product.category_id,
            "seller": product.seller_id,
            "tenant": product.tenant_id,
            "skus-TOTAL_FORMS": "2",
            "skus-INITIAL_FORMS": "1",
            "skus-0-id": world.skus["A-1"].pk,
            "skus-0-product": product.pk,
            "skus-0-code": "A-1",
            "skus-0-unit": "pc",
            "skus-0-min_order_quantity": "1",
            "skus-0-pack_size": "1",
            "skus-0-is_active": "on",
            "skus-1-product": product.pk,
            "skus-1-code": "A-1-NEW",
            "skus-1-name_en": "New",
            "skus-1-unit": "box",
            "skus-1-min_order_quantity": "1",
            "skus-1-pack_size": "1",
            "skus-1-is_active": "on",
        }
    )

    r = staff.post(f"/admin/catalog/product/{product.pk}/change/", data)

    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    new = product.skus.get(code="A-1-NEW")
    assert (new.tenant_id, new.seller_id, new.unit) == (world.tenant.pk, world.seller.pk, "box")
