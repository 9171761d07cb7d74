"""The Django admin is for the operators of a deployment: active superusers enter it; a
tenant's staff (even made `is_staff` with every permission) and buyers do not, and a refused
change leaves the row as it was."""

from django.contrib.auth.models import Permission, User
from django.test import Client

from dinghuo.catalog.models import Product
from tests.backoffice.staffing import make_staff


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_superuser_enters_the_admin(world):
    root = User.objects.create_superuser("root", "root@operator.test", "pw-123456")
    assert _signed_in(root).get("/admin/").status_code == 200
    assert _signed_in(root).get("/admin/catalog/product/").status_code == 200


def test_tenant_staff_with_every_permission_cannot_enter_or_change(world):
    member = make_staff(world)
    member.user.is_staff = True
    member.user.save()
    member.user.user_permissions.set(Permission.objects.all())
    client = _signed_in(member.user)
    product = Product.objects.get(tenant=world.tenant, code="P-A-1")
    before = Product.objects.filter(pk=product.pk).values().get()

    index = client.get("/admin/")
    change = client.post(
        f"/admin/catalog/product/{product.pk}/change/", {"code": "HACKED", "name_en": "Hacked"}
    )

    assert index.status_code == 302 and index["Location"].startswith("/admin/login/")
    assert change.status_code == 302 and change["Location"].startswith("/admin/login/")
    assert Product.objects.filter(pk=product.pk).values().get() == before
    # The sign-in page shows its form again rather than letting them through.
    login = client.get("/admin/login/")
    assert login.status_code == 200 and 'name="password"' in login.content.decode()


def test_an_inactive_superuser_is_refused(world):
    root = User.objects.create_superuser("root", "root@operator.test", "pw-123456")
    client = _signed_in(root)
    root.is_active = False
    root.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
