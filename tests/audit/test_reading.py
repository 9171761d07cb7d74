"""The audit log is read by integrators (`GET /api/v1/audit`) and by staff (the Audit log
page), each seeing only their tenant's entries, and the database refuses to change it."""

import json

import pytest
from django.db import IntegrityError, connection, transaction

from dinghuo.audit.models import AuditEntry
from dinghuo.core import actors
from dinghuo.pricing import services as pricing
from tests.audit.support import prefix_of
from tests.backoffice.staffing import staff_client


def _rename(world, name, actor=None):
    with actors.acting_as(actor or actors.SYSTEM):
        pricing.update_price_list(
            tenant_id=world.tenant.pk, price_list_id=world.price_list.pk, name=name
        )


def test_the_api_pages_oldest_first_with_a_cursor_and_filters(world):
    for name in ("One", "Two", "Three"):
        _rename(world, name)
    world.client().send(
        "PATCH", f"/products/{world.skus['A-1'].product.pk}", '{"name": {"en": "Saw"}}'
    )
    api = world.client()

    first = api.get("/audit", limit=2, object_type="pricing.pricelist").json()
    rest = api.get(
        "/audit", limit=2, object_type="pricing.pricelist", after=first["next_cursor"]
    ).json()
    by_key = api.get("/audit", actor_key=prefix_of(world.key)).json()

    assert [i["after"]["name"] for i in first["items"]] == ["One", "Two"]
    assert [i["after"]["name"] for i in rest["items"]] == ["Three"] and rest["next_cursor"] is None
    assert [
        (i["object_type"], i["actor"]["kind"], i["actor"]["name"]) for i in by_key["items"]
    ] == [("catalog.product", "api_key", "test")]
    assert api.get("/audit", q="Three").json()["items"][0]["before"] == {"name": "Two"}


def test_another_tenants_key_reads_none_of_the_entries(world, other_world):
    _rename(world, "Secret")

    answer = other_world.client().get("/audit", limit=200).json()
    own = AuditEntry.objects.filter(tenant=other_world.tenant)

    assert sorted(i["id"] for i in answer["items"]) == sorted(own.values_list("pk", flat=True))
    assert "Secret" not in json.dumps(answer)


def test_a_cursor_the_api_never_gave_is_refused(world):
    r = world.client().get("/audit", after="x")

    assert (r.status_code, r.json()["code"]) == (422, "invalid_cursor")


def test_the_database_refuses_to_change_an_entry(world):
    _rename(world, "Kept")
    entry = AuditEntry.objects.get(object_type="pricing.pricelist", after__name="Kept")

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(after={"name": "Forged"})

    entry.refresh_from_db()
    assert entry.after == {"name": "Kept"}


@pytest.mark.postgres
def test_on_postgresql_the_database_refuses_to_remove_an_entry_too(world):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only test: run with DATABASE_URL=postgres://… (make test does)")
    _rename(world, "Kept")
    recorded = AuditEntry.objects.count()

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.count() == recorded > 0


def test_staff_search_the_log_by_person_record_and_words(world):
    staff = staff_client(world)
    _rename(
        world,
        "By Sam",
        actors.Actor("user", user_id=staff.member.user_id, via="page", address="192.0.2.4"),
    )
    _rename(world, "By the system")

    by_sam = staff.client.get("/staff/audit/", {"person": "Sam"})
    by_words = staff.client.get("/staff/audit/", {"what": "pricing.pricelist", "words": "system"})
    nothing = staff.client.get("/staff/audit/", {"what": "catalog.product"})

    assert by_sam.status_code == 200
    page = by_sam.content.decode()
    assert "Sam Staff" in page and "192.0.2.4" in page and "By Sam" in page
    assert "By the system" not in page
    assert "By the system" in by_words.content.decode()
    assert 'data-testid="no-audit-entries"' in nothing.content.decode()
    assert "pricing.pricelist" not in page.split("<table", 1)[1]  # the record is named in words


def test_the_page_speaks_chinese(world):
    staff = staff_client(world)
    _rename(world, "Renamed")

    page = staff.client.get("/staff/audit/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()

    assert "稽核紀錄" in page and "價目表" in page
