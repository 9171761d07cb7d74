"""Erasing a person: none of their values is left in any text or JSON column of any table,
they cannot sign in, and orders and stock keep their amounts and invariants."""

import io
import json
import zipfile

from django.apps import apps
from django.contrib.auth.models import User
from django.db import models
from django.test import Client
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from dinghuo.audit.models import AuditEntry
from dinghuo.core import actors
from dinghuo.customers import services as customers
from dinghuo.orders.models import Order
from dinghuo.privacy import exporting
from dinghuo.privacy.services import ERASED_NAME, erase_person
from tests.builders import ApiClient, add_buyer
from tests.invariants import assert_stock_consistent

FIRST, LAST = "Quillon", "Zebrasky"
EMAIL = "quillon.zebrasky@buyer.test"
PASSWORD = "a password for tests only"


def _person(world):
    member = customers.create_company_user(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        email=EMAIL,
        name=FIRST,
        role="admin",
    )
    user = member.user
    user.last_name = LAST
    user.set_password(PASSWORD)
    user.save()
    customers.update_company_user(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        company_user_id=member.pk,
        name=f"{FIRST}",
        spending_limit=None,
    )
    return member


def _with_history(world):
    """The person with an order placed with their key, events and audit entries by and
    about them."""
    member = _person(world)
    key = customers.issue_buyer_api_key(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        company_user_id=member.pk,
        name=f"{FIRST}'s key",
        scopes={"read", "write"},
    )
    placed = ApiClient(key.secret).post(
        "/my/orders",
        {"ship_to_id": world.ship_to.pk, "lines": [{"sku": "A-1", "quantity": 3}]},
        key="order-1",
    )
    assert placed.status_code == 201, placed.content
    with actors.acting_as(actors.Actor("user", user_id=member.user_id, via="page")):
        customers.update_location(
            tenant_id=world.tenant.pk,
            company_id=world.company.pk,
            location_id=world.ship_to.pk,
            name=f"Dock of {FIRST} {LAST}",
        )
    return member, key


def _columns():
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                yield model, field


def _places_holding(value: str) -> list[str]:
    escaped = json.dumps(value)[1:-1]
    found = []
    for model, field in _columns():
        rows = model._base_manager.filter(**{f"{field.attname}__icontains": value})
        if isinstance(field, models.JSONField):
            rows = rows | model._base_manager.filter(**{f"{field.attname}__icontains": escaped})
        if rows.exists():
            found.append(f"{model._meta.db_table}.{field.column}")
    return found


def test_after_erasure_no_column_of_any_table_holds_their_values(world):
    member, _key = _with_history(world)
    other, _ = add_buyer(world, "ada.other@buyer.test")
    order = Order.objects.get(placed_by=member)
    total, lines = order.total, list(order.lines.values_list("quantity", "line_total"))
    assert _places_holding(EMAIL) and _places_holding(LAST)  # the search finds them before
    assert AuditEntry.objects.filter(actor_user_id=member.user_id).exists()

    erase_person(user_id=member.user_id)

    for value in (FIRST, LAST, EMAIL, f"{FIRST} {LAST}", "quillon.zebrasky"):
        assert _places_holding(value) == [], value
    order.refresh_from_db()
    assert order.total == total
    assert list(order.lines.values_list("quantity", "line_total")) == lines
    assert_stock_consistent(world.tenant.pk)
    other.user.refresh_from_db()
    assert (other.user.email, other.user.first_name) == ("ada.other@buyer.test", "ada.other")


def test_after_erasure_they_cannot_sign_in_nor_use_their_keys(world):
    member, key = _with_history(world)
    browser = Client()
    assert browser.login(username=EMAIL, password=PASSWORD)

    erase_person(user_id=member.user_id)

    user = User.objects.get(pk=member.user_id)
    assert (user.first_name, user.last_name, user.is_active) == (ERASED_NAME, ERASED_NAME, False)
    assert not user.has_usable_password()
    assert not Client().login(username=EMAIL, password=PASSWORD)
    assert ApiClient(key.secret).get("/my/orders").status_code == 401
    assert browser.get("/").status_code in (302, 403)


def test_an_erasure_takes_away_their_second_steps_too(world):
    member, _ = _with_history(world)
    user = member.user
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    stranger, _ = add_buyer(world, "someone.else@buyer.test")
    TOTPDevice.objects.create(user=stranger.user, name="their phone", confirmed=True)

    erase_person(user_id=member.user_id)

    assert list(devices_for_user(user, confirmed=None)) == []
    assert [d.name for d in devices_for_user(stranger.user, confirmed=None)] == ["their phone"]


def test_the_audit_log_stays_closed_to_changes_after_an_erasure(world):
    from django.db import IntegrityError, transaction

    member, _ = _with_history(world)
    erase_person(user_id=member.user_id)

    entry = AuditEntry.objects.filter(subject_user_id=member.user_id).first()
    try:
        with transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(object_label="tampered")
    except IntegrityError:
        pass
    else:
        raise AssertionError("an audit entry was changed outside an erasure")
    entry.refresh_from_db()
    assert entry.object_label != "tampered"


def test_the_export_holds_their_profile_orders_audit_and_events(world):
    member, _ = _with_history(world)

    archive = zipfile.ZipFile(io.BytesIO(exporting.export_person(user_id=member.user_id)))

    assert sorted(archive.namelist()) == [
        "audit.json",
        "events.json",
        "memberships.json",
        "orders.json",
        "profile.json",
    ]
    profile = json.loads(archive.read("profile.json"))
    assert (profile["email"], profile["last_name"]) == (EMAIL, LAST)
    assert "password" not in profile
    orders = json.loads(archive.read("orders.json"))
    assert [o["id"] for o in orders] == [Order.objects.get(placed_by=member).pk]
    memberships = json.loads(archive.read("memberships.json"))
    assert [m["company__code"] for m in memberships["companies"]] == ["C001"]
    audit = json.loads(archive.read("audit.json"))
    assert {a["object_type"] for a in audit} >= {
        "auth.user",
        "customers.companyuser",
        "customers.location",
    }
    events = json.loads(archive.read("events.json"))
    assert "company_user.created" in {e["type"] for e in events}
