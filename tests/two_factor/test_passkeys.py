"""Passkeys: added on one's two-step page (the browser's answer checked by django-otp-webauthn
against a challenge used once), used as the second step after the password, removed with the
password; each addition and removal recorded in the audit log of the person's seller. The
browser's part is played by a software authenticator written from the specification
(tests/two_factor/authenticator.py)."""

import json
from typing import Any

import pytest
from django.test import Client
from django_otp_webauthn.models import WebAuthnCredential

from dinghuo.audit.models import AuditEntry
from dinghuo.two_factor import queries, services
from dinghuo.two_factor.models import Requirement
from tests.backoffice.staffing import PASSWORD, csrf_post, make_staff, staff_client
from tests.two_factor.authenticator import Passkey
from tests.two_factor.support import enrol, totp

PAGE = "/staff/account/two-step/"
CODE_PAGE = "/staff/signin/code/"
NEW_OPTIONS, ADD = "/two-step/passkeys/new/options/", "/two-step/passkeys/new/"
SIGN_IN_OPTIONS, SIGN_IN = "/two-step/passkey/options/", "/two-step/passkey/"
KIND = "django_otp_webauthn.webauthncredential"


def post_json(client: Client, path: str, body: Any = None) -> Any:
    if "csrftoken" not in client.cookies:
        client.get("/staff/signin/")
    return client.post(
        path,
        json.dumps(body or {}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )


def add_passkey(client: Client, passkey: Passkey, name: str = "Work laptop") -> Any:
    """Add `passkey` as the two-step page's script does: options, then the browser's answer."""
    options = post_json(client, NEW_OPTIONS)
    assert options.status_code == 200, options.content
    return post_json(client, ADD, {"name": name, "credential": passkey.made(options.json())})


def password(client: Client, email: str = "sam@seller.test") -> Any:
    return csrf_post(client, "/staff/signin/", {"email": email, "password": PASSWORD})


def use_passkey(client: Client, passkey: Passkey) -> Any:
    options = post_json(client, SIGN_IN_OPTIONS)
    assert options.status_code == 200, options.content
    return post_json(client, SIGN_IN, {"credential": passkey.used(options.json())})


@pytest.fixture
def sam(world):
    """Sam, staff, signed in, with one passkey ("Work laptop")."""
    staff = staff_client(world)
    passkey = Passkey()
    assert add_passkey(staff.client, passkey).status_code == 200
    return staff, passkey


def test_a_first_passkey_turns_two_step_sign_in_on_with_recovery_codes(world):
    staff = staff_client(world)
    user_id = staff.member.user.pk
    assert not queries.is_enrolled(user_id)

    added = add_passkey(staff.client, Passkey(), name="  Work laptop ")
    assert added.status_code == 200 and added.json()["message"] == "Passkey added."
    assert queries.is_enrolled(user_id) and queries.standing(user_id).enrolled
    page = staff.client.get(PAGE).content.decode()
    assert 'data-testid="passkey-name">Work laptop<' in page
    assert page.count('data-testid="recovery-code"') == 10
    # The session that added it counts as having passed the second step.
    assert staff.client.get("/staff/orders/").status_code == 200

    entry = AuditEntry.objects.get(object_type=KIND)
    assert entry.tenant_id == world.tenant.pk and entry.action == "created"
    assert entry.subject_user_id == user_id and entry.object_label.startswith("Work laptop")
    assert entry.after["name"] == "Work laptop" and entry.after["public_key"] is None


def test_a_second_passkey_brings_no_new_recovery_codes(world, sam):
    staff, _ = sam
    csrf_post(staff.client, PAGE, {"action": "kept"})
    assert add_passkey(staff.client, Passkey(), name="Phone").status_code == 200
    page = staff.client.get(PAGE).content.decode()
    assert page.count('data-testid="passkey"') == 2
    assert 'data-testid="recovery-code"' not in page
    assert 'data-testid="passkey-codes-left">10<' in page


def test_answers_that_do_not_verify_keep_nothing(world):
    staff = staff_client(world)
    client = staff.client
    passkey = Passkey()
    options = post_json(client, NEW_OPTIONS).json()
    other_challenge = dict(options, challenge=options["challenge"][::-1])
    wrong_origin = Passkey(origin="https://elsewhere.example").made(options)
    wrong_site = Passkey(rp_id="elsewhere.example").made(options)
    for answer in (passkey.made(other_challenge), wrong_origin, wrong_site, {"id": "x"}, "junk"):
        post_json(client, NEW_OPTIONS)  # a fresh challenge each time
        refused = post_json(client, ADD, {"name": "Laptop", "credential": answer})
        assert refused.status_code == 422
        assert refused.json()["detail"] == "The passkey could not be added. Try again."
    # A challenge serves once: the right answer to a spent one is refused too.
    options = post_json(client, NEW_OPTIONS).json()
    kept = post_json(client, ADD, {"name": "Laptop", "credential": passkey.made(options)})
    assert kept.status_code == 200
    again = Passkey()
    assert (
        post_json(client, ADD, {"name": "Again", "credential": again.made(options)}).status_code
        == 422
    )
    # No name, no passkey.
    options = post_json(client, NEW_OPTIONS).json()
    nameless = post_json(client, ADD, {"name": " ", "credential": Passkey().made(options)})
    assert nameless.status_code == 422 and nameless.json()["detail"] == "Give the passkey a name."
    assert list(WebAuthnCredential.objects.values_list("name", flat=True)) == ["Laptop"]
    assert AuditEntry.objects.filter(object_type=KIND).count() == 1


def test_adding_a_passkey_needs_a_signed_in_person(world):
    client = Client(enforce_csrf_checks=True)
    assert post_json(client, NEW_OPTIONS).status_code == 403
    assert post_json(client, ADD, {"name": "x", "credential": {}}).status_code == 403
    assert not WebAuthnCredential.objects.exists()


def test_after_the_password_a_passkey_signs_staff_in(world, sam):
    _, passkey = sam
    client = Client(enforce_csrf_checks=True)
    assert password(client)["Location"] == CODE_PAGE
    assert client.get("/staff/orders/").status_code == 302  # not signed in yet
    page = client.get(CODE_PAGE).content.decode()
    assert 'data-testid="use-passkey"' in page and 'data-testid="code-submit"' in page

    options = post_json(client, SIGN_IN_OPTIONS).json()
    # Only the person's own passkeys are offered, to a session that passed their password.
    assert [c["id"] for c in options["allowCredentials"]] == [
        passkey.made(options)["id"]  # the same id, base64url
    ]
    signed = post_json(client, SIGN_IN, {"credential": passkey.used(options)})
    assert signed.status_code == 200 and signed.json() == {"next": "/staff/"}
    assert client.get("/staff/orders/").status_code == 200
    used = WebAuthnCredential.objects.get()
    assert used.last_used_at is not None and used.sign_count == 1


def test_another_persons_passkey_a_removed_one_and_a_replay_are_refused(world, sam):
    staff, passkey = sam
    other = staff_client(world, "olga@seller.test")
    olgas = Passkey()
    assert add_passkey(other.client, olgas).status_code == 200

    client = Client(enforce_csrf_checks=True)
    password(client)
    refused = use_passkey(client, olgas)
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("This passkey was not accepted.")
    assert client.get("/staff/orders/").status_code == 302

    # A replayed answer (its challenge already spent) is refused.
    options = post_json(client, SIGN_IN_OPTIONS).json()
    answer = passkey.used(options)
    assert post_json(client, SIGN_IN, {"credential": answer}).status_code == 200
    client = Client(enforce_csrf_checks=True)
    password(client)
    post_json(client, SIGN_IN_OPTIONS)
    assert post_json(client, SIGN_IN, {"credential": answer}).status_code == 422

    # Removed, Sam's passkey no longer signs him in (Olga's own still works for her).
    key = WebAuthnCredential.objects.get(user=staff.member.user)
    csrf_post(
        staff.client,
        PAGE,
        {"action": "remove-passkey", "passkey": key.pk, "password": PASSWORD},
    )
    enrol(staff.client, PAGE)  # an app, so that Sam still has a second step
    client = Client(enforce_csrf_checks=True)
    password(client)
    assert use_passkey(client, passkey).status_code == 422


def test_a_passkey_needs_the_password_first_and_failures_count(world, sam, settings):
    _, passkey = sam
    settings.SIGN_IN_FAILURES_PER_EMAIL = 2
    client = Client(enforce_csrf_checks=True)
    assert post_json(client, SIGN_IN_OPTIONS).status_code == 403
    assert post_json(client, SIGN_IN, {"credential": {}}).status_code == 403

    password(client)
    stranger = Passkey()
    assert use_passkey(client, stranger).status_code == 422
    assert use_passkey(client, stranger).status_code == 422
    locked = use_passkey(client, passkey)
    assert locked.status_code == 429
    assert locked.json()["detail"].startswith("Too many failed attempts.")
    assert client.get("/staff/orders/").status_code == 302


def test_removing_a_passkey_asks_for_the_password(world, sam):
    staff, _ = sam
    key = WebAuthnCredential.objects.get()
    wrong = csrf_post(
        staff.client, PAGE, {"action": "remove-passkey", "passkey": key.pk, "password": "nope"}
    )
    assert wrong.status_code == 422 and "This is not your password." in wrong.content.decode()
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()

    done = csrf_post(
        staff.client, PAGE, {"action": "remove-passkey", "passkey": key.pk, "password": PASSWORD}
    )
    assert done.status_code == 302
    assert not WebAuthnCredential.objects.exists()
    # The last second step gone, so are the recovery codes that stood in for it.
    assert not queries.is_enrolled(staff.member.user.pk)
    assert not queries.has_recovery_codes(staff.member.user.pk)
    removed = AuditEntry.objects.get(object_type=KIND, action="deleted")
    assert removed.object_id == str(key.pk) and removed.before["name"] == "Work laptop"


def test_another_persons_passkey_is_not_found(world, sam):
    _, _ = sam
    other = staff_client(world, "olga@seller.test")
    key = WebAuthnCredential.objects.get()
    for passkey in (key.pk, "abc", ""):
        answer = csrf_post(
            other.client,
            PAGE,
            {"action": "remove-passkey", "passkey": passkey, "password": PASSWORD},
        )
        assert answer.status_code == 404
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()


def test_a_passkey_satisfies_the_tenants_rule_and_the_last_one_stays(world):
    services.set_requirement(tenant_id=world.tenant.pk, requires=Requirement.STAFF)
    make_staff(world)
    client = Client(enforce_csrf_checks=True)
    password(client)
    assert client.get("/staff/orders/")["Location"] == PAGE
    # Adding a passkey is one of the things they may do while setting up.
    assert add_passkey(client, Passkey()).status_code == 200
    assert client.get("/staff/orders/").status_code == 200

    key = WebAuthnCredential.objects.get()
    kept = csrf_post(
        client, PAGE, {"action": "remove-passkey", "passkey": key.pk, "password": PASSWORD}
    )
    assert kept.status_code == 422
    assert "add another passkey or an authenticator app" in kept.content.decode()
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()
    # With an authenticator app as well, the passkey may go.
    enrol(client, PAGE)
    gone = csrf_post(
        client, PAGE, {"action": "remove-passkey", "passkey": key.pk, "password": PASSWORD}
    )
    assert gone.status_code == 302 and not WebAuthnCredential.objects.exists()


def test_a_person_with_an_app_and_a_passkey_may_use_either(world):
    staff = staff_client(world)
    secret, codes = enrol(staff.client, PAGE)
    passkey = Passkey()
    assert add_passkey(staff.client, passkey).status_code == 200

    by_code = Client(enforce_csrf_checks=True)
    password(by_code)
    page = by_code.get(CODE_PAGE).content.decode()
    assert 'data-testid="use-passkey"' in page and 'data-testid="code-submit"' in page
    assert (
        csrf_post(by_code, CODE_PAGE, {"code": totp(secret, steps_ahead=1)})["Location"]
        == "/staff/"
    )

    by_passkey = Client(enforce_csrf_checks=True)
    password(by_passkey)
    assert use_passkey(by_passkey, passkey).status_code == 200
    assert by_passkey.get("/staff/orders/").status_code == 200

    # Removing the app keeps the passkey and the recovery codes, even under the tenant's rule.
    services.set_requirement(tenant_id=world.tenant.pk, requires=Requirement.STAFF)
    off = csrf_post(staff.client, PAGE, {"action": "off", "code": codes[0]})
    assert off.status_code == 302
    user_id = staff.member.user.pk
    assert not queries.has_app(user_id) and queries.has_passkeys(user_id)
    assert queries.has_recovery_codes(user_id)


def test_a_session_without_the_second_step_cannot_add_a_passkey(world, sam):
    staff, _ = sam
    client = Client()
    client.force_login(staff.member.user)  # a password alone, no second step
    answer = client.post(NEW_OPTIONS, "{}", content_type="application/json")
    assert answer.status_code == 302 and answer["Location"].startswith("/signin/")
    assert "_auth_user_id" not in client.session
    assert WebAuthnCredential.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"credential": []}',
        b'{"name": 5, "credential": {"id": 1, "response": "x"}}',
        b'{"name": "x", "credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key", '
        b'"response": {"clientDataJSON": "%%%", "attestationObject": "", "signature": ""}}}',
        ('{"name": "' + "n" * 5000 + '", "credential": null}').encode(),
    ],
)
def test_hostile_bodies_are_refused_and_change_nothing(world, sam, body):
    staff, _ = sam
    token = staff.client.cookies["csrftoken"].value
    for client, options, target in (
        (staff.client, NEW_OPTIONS, ADD),
        (Client(enforce_csrf_checks=True), SIGN_IN_OPTIONS, SIGN_IN),
    ):
        if target == SIGN_IN:
            password(client)
            token = client.cookies["csrftoken"].value
        post_json(client, options)
        answer = client.post(target, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
        assert answer.status_code == 422, (target, answer.content)
    assert WebAuthnCredential.objects.count() == 1


def test_the_portal_and_the_admin_take_a_passkey_too(world):
    from django.contrib.auth.models import User

    from tests.builders import add_buyer

    member, _ = add_buyer(world, "ann@buyer.test")
    member.user.set_password(PASSWORD)
    member.user.save()
    buyer = Client(enforce_csrf_checks=True)
    buyer.force_login(member.user)
    passkey = Passkey()
    assert add_passkey(buyer, passkey, name="Phone").status_code == 200
    client = Client(enforce_csrf_checks=True)
    signed = csrf_post(client, "/signin/", {"email": "ann@buyer.test", "password": PASSWORD})
    assert signed["Location"] == "/signin/code/"
    assert 'data-testid="use-passkey"' in client.get("/signin/code/").content.decode()
    assert use_passkey(client, passkey).status_code == 200
    assert client.get("/orders/").status_code == 200

    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    operator = Client(enforce_csrf_checks=True)
    operator.force_login(root)
    operators_key = Passkey()
    assert add_passkey(operator, operators_key, name="Key").status_code == 200
    admin = Client(enforce_csrf_checks=True)
    asked = csrf_post(
        admin,
        "/admin/login/",
        {"email": "root@example.com", "password": PASSWORD, "next": "/admin/"},
    )
    assert asked["Location"] == "/admin/login/code/"
    assert use_passkey(admin, operators_key).json() == {"next": "/admin/"}
    assert admin.get("/admin/").status_code == 200
