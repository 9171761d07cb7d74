"""A company admin invites a buyer: the mail (text and HTML, a link good once for 7 days, of
one tenant), choosing a password, being signed in; and every bad link refused."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dinghuo.accounts.models import Invitation
from dinghuo.accounts.rules import INVITATION_LIFETIME
from dinghuo.audit.models import AuditEntry
from dinghuo.customers.models import CompanyUser
from dinghuo.customers.services import create_company_user
from dinghuo.notifications.models import Mail
from tests.accounts.support import (
    PASSWORD,
    html_of,
    link_in,
    only_mail_to,
    post,
    run_worker,
    text_of,
)
from tests.builders import World
from tests.portal.ordering import sign_in


def invite(world: World, capture, email: str = "mei@buyer.test", name: str = "Chan Mei"):
    admin = sign_in(world, "ada@buyer.test", "admin")
    with capture(execute=True):
        r = post(admin.client, "/company/users/", {"email": email, "name": name, "role": "buyer"})
    assert r.status_code == 302, r.content
    return admin


def state() -> list[tuple]:
    """What accepting or refusing a link may change."""
    invitations = list(
        Invitation.objects.order_by("pk").values_list("token_hash", "accepted_at", "revoked_at")
    )
    passwords = list(User.objects.order_by("pk").values_list("password", flat=True))
    return [tuple(invitations), tuple(passwords)]


def test_the_invited_buyer_chooses_a_password_and_is_signed_in(
    world, inbox, django_capture_on_commit_callbacks
):
    invite(world, django_capture_on_commit_callbacks)
    assert inbox.to("mei@buyer.test") == []  # sent by the worker, not by the request

    run_worker()

    mail = only_mail_to(inbox, "mei@buyer.test")
    assert mail["Subject"] == "You are invited to order from Acme Wholesale"
    assert mail["To"] == "Chan Mei <mei@buyer.test>"
    text = text_of(mail)
    assert "ada invites you to order from Acme Wholesale." in text
    assert "Open the link to set your password. It works once, until " in text
    assert "Set your password: http://127.0.0.1:8000/account/invitation/acme/" in text
    link = link_in(mail)
    assert link.startswith("/account/invitation/acme/")
    assert f'href="http://127.0.0.1:8000{link}"' in html_of(mail)

    client = Client(enforce_csrf_checks=True)
    page = client.get(link)
    assert page.status_code == 200
    assert "Choose your password to accept the invitation." in page.content.decode()
    r = post(client, link, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/catalogue/").status_code == 200
    person = User.objects.get(email="mei@buyer.test")
    assert person.check_password(PASSWORD)
    invitation = Invitation.objects.get(user=person)
    assert invitation.accepted_at is not None and invitation.token_hash == ""
    # Signed out, the new password signs in at the portal's door.
    fresh = Client()
    r = fresh.post("/signin/", {"email": "MEI@buyer.test", "password": PASSWORD})
    assert r.status_code == 302


def test_only_the_hash_of_the_token_is_kept_and_nothing_queues_it(
    world, inbox, django_capture_on_commit_callbacks
):
    invite(world, django_capture_on_commit_callbacks)
    # The request only asks for the mail: no task, no token, no mail yet.
    assert not DBTaskResult.objects.exists() and not Mail.objects.exists()
    asked = Invitation.objects.get()
    assert asked.mail_wanted_at is not None and asked.token_hash == ""
    run_worker()
    token = link_in(only_mail_to(inbox, "mei@buyer.test")).rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert invitation.expires_at == invitation.sent_at + timedelta(days=7)
    assert timedelta(days=7) == INVITATION_LIFETIME
    assert invitation.mail_wanted_at is None  # made once: the next round sends nothing more
    run_worker()
    assert len(inbox.to("mei@buyer.test")) == 1


def test_a_weak_password_is_refused_and_changes_nothing(
    world, inbox, django_capture_on_commit_callbacks
):
    invite(world, django_capture_on_commit_callbacks)
    run_worker()
    link = link_in(only_mail_to(inbox, "mei@buyer.test"))
    before = state()
    client = Client(enforce_csrf_checks=True)

    r = post(client, link, {"new_password1": "1234", "new_password2": "1234"})

    assert r.status_code == 200
    assert "This password is too short." in r.content.decode()
    assert state() == before
    assert client.get("/catalogue/").status_code == 302  # not signed in


def _accepted_link(world, inbox, capture) -> str:
    invite(world, capture)
    run_worker()
    link = link_in(only_mail_to(inbox, "mei@buyer.test"))
    r = post(Client(enforce_csrf_checks=True), link, {"new_password1": PASSWORD,
                                                     "new_password2": PASSWORD})  # fmt: skip
    assert r.status_code == 302
    return link


def test_a_link_works_once(world, inbox, django_capture_on_commit_callbacks):
    link = _accepted_link(world, inbox, django_capture_on_commit_callbacks)
    before = state()
    client = Client(enforce_csrf_checks=True)

    assert client.get(link).status_code == 404
    r = post(client, link, {"new_password1": "x" + PASSWORD, "new_password2": "x" + PASSWORD})

    assert r.status_code == 404
    assert "This link does not work" in r.content.decode()
    assert state() == before


@pytest.mark.parametrize(("left", "works"), [(timedelta(seconds=5), True), (timedelta(0), False)])
def test_a_link_expires(world, inbox, django_capture_on_commit_callbacks, left, works):
    invite(world, django_capture_on_commit_callbacks)
    run_worker()
    link = link_in(only_mail_to(inbox, "mei@buyer.test"))
    Invitation.objects.update(expires_at=timezone.now() + left)

    assert Client().get(link).status_code == (200 if works else 404)


def test_a_link_of_one_tenant_does_not_work_for_another(
    world, other_world, inbox, django_capture_on_commit_callbacks
):
    invite(world, django_capture_on_commit_callbacks)
    run_worker()
    link = link_in(only_mail_to(inbox, "mei@buyer.test"))
    elsewhere = link.replace("/acme/", f"/{other_world.tenant.slug}/")
    before = state()
    client = Client(enforce_csrf_checks=True)

    assert client.get(elsewhere).status_code == 404
    r = post(client, elsewhere, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert r.status_code == 404 and state() == before


@pytest.mark.parametrize("token", ["forged-token", "A" * 43, "x" * 101])
def test_a_forged_token_is_refused(world, inbox, django_capture_on_commit_callbacks, token):
    invite(world, django_capture_on_commit_callbacks)
    run_worker()
    before = state()
    client = Client(enforce_csrf_checks=True)
    path = f"/account/invitation/acme/{token}/"

    r = post(client, path, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert r.status_code == 404 and state() == before


def test_sending_again_ends_the_old_link_and_withdrawing_ends_the_new(
    world, inbox, django_capture_on_commit_callbacks
):
    admin = invite(world, django_capture_on_commit_callbacks)
    run_worker()
    first = link_in(only_mail_to(inbox, "mei@buyer.test"))
    member = CompanyUser.objects.get(user__email="mei@buyer.test")
    html = admin.client.get("/company/").content.decode()
    assert 'data-testid="invited"' in html

    with django_capture_on_commit_callbacks(execute=True):
        r = post(admin.client, f"/company/users/{member.pk}/invitation/resend/")
    assert r.status_code == 302
    run_worker()
    second = link_in(inbox.to("mei@buyer.test")[1])
    assert second != first
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200

    r = post(admin.client, f"/company/users/{member.pk}/invitation/revoke/")
    assert r.status_code == 302
    assert Client().get(second).status_code == 404
    assert Invitation.objects.get().revoked_at is not None
    # Withdrawn already: the page says so, nothing changes.
    before = state()
    r = post(admin.client, f"/company/users/{member.pk}/invitation/revoke/")
    assert r.status_code == 302 and state() == before
    html = admin.client.get("/company/").content.decode()
    assert "This invitation is no longer waiting." in html


def test_another_company_cannot_touch_the_invitation(
    world, inbox, django_capture_on_commit_callbacks
):
    from tests.portal.ordering import second_company

    invite(world, django_capture_on_commit_callbacks)
    member = CompanyUser.objects.get(user__email="mei@buyer.test")
    stranger = sign_in(world, "zed@buyer.test", "admin", company=second_company(world))
    before = state()

    r = post(stranger.client, f"/company/users/{member.pk}/invitation/revoke/")

    assert r.status_code == 404 and state() == before


def test_an_invitation_nobody_signed_says_you_are_invited_without_naming_the_seller_twice(
    world, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # as the seller's system adds her
        create_company_user(
            tenant_id=world.tenant.pk, company_id=world.company.pk, email="mei@buyer.test",
            name="Chan Mei", role="buyer",
        )  # fmt: skip
    run_worker()
    text = text_of(only_mail_to(inbox, "mei@buyer.test"))
    assert "You are invited to order from Acme Wholesale." in text
    assert "invited you" not in text


def test_a_person_nobody_named_says_their_name_with_their_password(
    world, inbox, django_capture_on_commit_callbacks
):
    # As an owner invited by `dinghuo tenant create`: only an e-mail address is known.
    invite(world, django_capture_on_commit_callbacks)
    User.objects.filter(email="mei@buyer.test").update(first_name="")
    run_worker()
    link = link_in(only_mail_to(inbox, "mei@buyer.test"))
    client = Client(enforce_csrf_checks=True)
    assert 'name="name"' in client.get(link).content.decode()

    before = state()
    nameless = post(
        client, link, {"name": "  ", "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert nameless.status_code == 200 and 'data-testid="field-error"' in nameless.content.decode()
    assert state() == before

    r = post(
        client, link, {"name": " Mei Chan ", "new_password1": PASSWORD, "new_password2": PASSWORD}
    )

    assert r.status_code == 302
    person = User.objects.get(email="mei@buyer.test")
    assert (person.first_name, person.check_password(PASSWORD)) == ("Mei Chan", True)
    entry = AuditEntry.objects.filter(object_type="auth.user", object_id=str(person.pk)).last()
    assert entry is not None and entry.after == {"first_name": "Mei Chan"}


def test_a_named_person_is_not_asked_again(world, inbox, django_capture_on_commit_callbacks):
    invite(world, django_capture_on_commit_callbacks)
    run_worker()
    link = link_in(only_mail_to(inbox, "mei@buyer.test"))
    assert 'name="name"' not in Client().get(link).content.decode()
