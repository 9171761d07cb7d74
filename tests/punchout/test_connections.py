"""Setting up procurement connections: the staff API and the back-office page. The shared
secret is shown once and kept only hashed; a new one stops the old at once."""

import re

from django.test import Client

from dinghuo.core.services import hash_secret
from dinghuo.integrations.models import Event
from dinghuo.punchout.models import Connection
from tests.backoffice.staffing import csrf_post, staff_client
from tests.builders import World, add_buyer
from tests.punchout.documents import Suite, connect, post, setup_request, status

BODY = {
    "name": "Coupa of Buyer One",
    "buyer_domain": "NetworkID",
    "buyer_identity": "COUPA-77",
    "supplier_domain": "DUNS",
    "supplier_identity": "SUP-ACME",
}


def test_staff_set_up_a_connection_through_the_api(world: World) -> None:
    member, _ = add_buyer(world, "kim@buyer.example")
    api = world.client()
    body = {**BODY, "company_id": world.company.pk, "company_user_id": member.pk}
    assert api.post("/punchout-connections", body).status_code == 422  # no Idempotency-Key
    created = api.post("/punchout-connections", body, key="c1")
    assert created.status_code == 201, created.json()
    answer = created.json()
    connection = Connection.objects.get()
    assert answer["secret"] and connection.secret_hash == hash_secret(answer["secret"])
    assert answer["secret"] not in str(Connection.objects.values().get())
    assert answer["buyer_domain"] == "networkid" and answer["buyer_identity"] == "COUPA-77"
    assert "secret" not in api.get(f"/punchout-connections/{connection.pk}").json()
    assert Event.objects.filter(type="punchout_connection.created").count() == 1
    # The same identities again in this tenant: a conflict, nothing made.
    again = api.post("/punchout-connections", body, key="c2")
    assert again.status_code == 409 and again.json()["code"] == "punchout_identities_taken"
    assert Connection.objects.count() == 1


def test_the_user_must_be_of_the_company(world: World) -> None:
    from tests.portal.ordering import second_company

    other = second_company(world)
    stranger, _ = add_buyer(world, "x@other.example", company=other)
    body = {**BODY, "company_id": world.company.pk, "company_user_id": stranger.pk}
    refused = world.client().post("/punchout-connections", body, key="c1")
    assert refused.status_code == 422
    assert refused.json()["code"] == "punchout_user_not_of_company"
    assert not Connection.objects.exists()


def test_a_new_secret_stops_the_old_one(world: World) -> None:
    suite = connect(world)
    renewed = world.client().post(
        f"/punchout-connections/{suite.connection.pk}/secret", None, key="r1"
    )
    assert renewed.status_code == 201
    assert status(post(Client(), "/punchout/cxml/setup", setup_request(suite)))[0] == 401
    fresh = Suite(suite.connection, renewed.json()["secret"], suite.buyer)
    assert status(post(Client(), "/punchout/cxml/setup", setup_request(fresh)))[0] == 200


def test_switching_off_by_patch(world: World) -> None:
    suite = connect(world)
    changed = world.client().send(
        "PATCH", f"/punchout-connections/{suite.connection.pk}", '{"is_active": false}'
    )
    assert changed.status_code == 200 and changed.json()["is_active"] is False
    assert status(post(Client(), "/punchout/cxml/setup", setup_request(suite)))[0] == 403


def test_the_back_office_page_sets_up_and_shows_the_secret_once(world: World) -> None:
    member, _ = add_buyer(world, "kim@buyer.example")
    staff = staff_client(world)
    page = staff.client.get("/staff/punchout/").content.decode()
    assert "http://testserver/punchout/cxml/setup" in page
    assert "No connection yet." in page
    answer = csrf_post(
        staff.client,
        "/staff/punchout/connections/",
        {**BODY, "user": str(member.pk), "named_user_allowed": "on"},
    )
    assert answer.status_code == 200
    shown = re.search(r'data-testid="punchout-secret-value">([^<]+)<', answer.content.decode())
    assert shown
    connection = Connection.objects.get()
    assert connection.secret_hash == hash_secret(shown.group(1))
    assert connection.company_id == world.company.pk
    assert shown.group(1) not in staff.client.get("/staff/punchout/").content.decode()
    # The same identities again: the form says why, nothing is made.
    again = csrf_post(
        staff.client, "/staff/punchout/connections/", {**BODY, "user": str(member.pk)}
    )
    assert again.status_code == 422
    assert "Another procurement connection already has these identities." in again.content.decode()
    off = csrf_post(
        staff.client, f"/staff/punchout/connections/{connection.pk}/switch/", {"active": "0"}
    )
    assert off.status_code == 302
    connection.refresh_from_db()
    assert connection.is_active is False


def test_the_back_office_page_in_simplified_chinese(world: World) -> None:
    connect(world)
    staff = staff_client(world)
    staff.client.cookies["django_language"] = "zh-hans"
    page = staff.client.get("/staff/punchout/").content.decode()
    for words in ("采购系统对接", "供采购系统使用的网址", "生成新的共享密钥", "建立连接", "已启用"):
        assert words in page
    for english in ("Set up the connection", "New shared secret", "Switched on"):
        assert english not in page


def test_staff_change_a_connection_on_its_page(world: World) -> None:
    suite = connect(world)
    staff = staff_client(world)
    path = f"/staff/punchout/connections/{suite.connection.pk}/"
    form = staff.client.get(path).content.decode()
    assert 'value="AN01000000001"' in form
    other, _ = add_buyer(world, "lee@buyer.example")
    changed = csrf_post(
        staff.client,
        path,
        {**BODY, "buyer_identity": "AN02", "user": str(other.pk)},
    )
    assert changed.status_code == 302
    suite.connection.refresh_from_db()
    assert (suite.connection.buyer_identity, suite.connection.user_id) == ("AN02", other.pk)
    assert suite.connection.named_user_allowed is False  # the box was left unticked
    assert Event.objects.filter(type="punchout_connection.changed").count() == 1
    # A user of another company: refused next to the field, nothing changed.
    from tests.portal.ordering import second_company

    stranger, _ = add_buyer(world, "x@other.example", company=second_company(world))
    refused = csrf_post(staff.client, path, {**BODY, "user": str(stranger.pk)})
    assert refused.status_code == 422
    assert "The portal user must be a user of the connection" in refused.content.decode()
    suite.connection.refresh_from_db()
    assert suite.connection.user_id == other.pk
