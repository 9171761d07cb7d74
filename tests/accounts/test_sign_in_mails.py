"""Sign-in mails go through the notifications outbox: a mail server that is down at first
delays an invitation, a later round sends it; a password reset wears the brand of the
seller asked from, or none when that is not known."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.test import Client

from dinghuo.accounts.models import Invitation
from dinghuo.accounts.rules import CHOSEN_TENANT
from dinghuo.core import clock
from dinghuo.customers.models import CompanyUser
from dinghuo.notifications.models import Mail
from tests.accounts.support import PASSWORD, link_in, only_mail_to, post, run_worker, text_of
from tests.builders import add_buyer
from tests.mailbox import free_port, smtp_settings


def test_an_invitation_arrives_after_a_retry_when_the_mail_server_was_down(world, inbox):
    r = world.client().post(
        f"/companies/{world.company.pk}/users", {"email": "mei@buyer.test", "name": "Mei"}
    )
    assert r.status_code == 201
    with smtp_settings(free_port()):  # nobody listens there
        run_worker()
    mail = Mail.objects.get(kind="invitation")
    assert (mail.state, mail.attempts, mail.tenant_id) == ("waiting", 1, world.tenant.pk)
    assert "ConnectionRefusedError" in mail.last_error
    invitation = Invitation.objects.get()
    minted = invitation.token_hash
    assert minted and invitation.mail_wanted_at is None
    run_worker()  # not due yet: nothing is tried, no new link is made
    assert inbox.received == []

    with clock.as_of(mail.next_attempt_at + timedelta(seconds=1)):
        run_worker()

    message = only_mail_to(inbox, "mei@buyer.test")
    assert message["Subject"] == "You are invited to order from Acme Wholesale"
    assert message["From"] == "Acme Wholesale <billing@acme.test>"
    assert Invitation.objects.get().token_hash == minted  # the link of the mail sent
    assert Client().get(link_in(message)).status_code == 200
    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == ("sent", 2)


def _mei_of_two_sellers(world, other_world) -> User:
    member, _ = add_buyer(world, "mei@buyer.test")
    member.user.set_password(PASSWORD)
    member.user.save()
    CompanyUser.objects.create(
        tenant=other_world.tenant, company=other_world.company, user=member.user
    )
    return member.user


def _forgot(client: Client, email: str = "mei@buyer.test") -> None:
    r = post(client, "/account/forgot/portal/", {"email": email})
    assert r.status_code == 302


def test_a_reset_for_a_person_of_two_sellers_names_no_seller(world, other_world, inbox):
    _mei_of_two_sellers(world, other_world)

    _forgot(Client(enforce_csrf_checks=True))
    run_worker()

    message = only_mail_to(inbox, "mei@buyer.test")
    assert message["Subject"] == "Set a new password for your account"
    assert message["From"] == "billing@acme.test"
    text = text_of(message)
    assert "Acme" not in text and "Globex" not in text
    assert Mail.objects.get().tenant_id is None
    assert link_in(message).startswith("/account/reset/portal/")


def test_a_reset_asked_where_a_seller_was_chosen_wears_its_brand(world, other_world, inbox):
    mei = _mei_of_two_sellers(world, other_world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(mei)
    session = client.session
    session[CHOSEN_TENANT] = other_world.tenant.pk
    session.save()

    _forgot(client)
    run_worker()

    message = only_mail_to(inbox, "mei@buyer.test")
    assert message["Subject"] == "Set a new password for Globex Wholesale"
    assert message["From"] == "Globex Wholesale <billing@acme.test>"
    assert Mail.objects.get().tenant_id == other_world.tenant.pk


def test_a_reset_for_a_seller_that_switched_her_off_wears_the_other_brand(
    world, other_world, inbox
):
    mei = _mei_of_two_sellers(world, other_world)
    CompanyUser.objects.filter(tenant=world.tenant, user=mei).update(is_active=False)

    _forgot(Client(enforce_csrf_checks=True))
    run_worker()

    assert only_mail_to(inbox, "mei@buyer.test")["Subject"] == (
        "Set a new password for Globex Wholesale"
    )


def test_no_reset_mail_for_an_account_with_no_seller(db, inbox):
    User.objects.create_user(username="lone@x.test", email="lone@x.test", password=PASSWORD)

    _forgot(Client(enforce_csrf_checks=True), "lone@x.test")
    run_worker()

    assert inbox.received == [] and not Mail.objects.exists()


def test_a_staff_invitation_mail_is_in_the_inviters_language(world, inbox):
    from dinghuo.accounts import services

    person = services.person_with_email("lin@seller.test", "Lin")
    services.invite(
        tenant_id=world.tenant.pk,
        user_id=person.pk,
        door=Invitation.Door.BACKOFFICE,
        invited_by="Sam",
        language="zh-hant",
    )
    run_worker()

    message = only_mail_to(inbox, "lin@seller.test")
    assert message["Content-Language"] == "zh-hant"
    text = text_of(message)
    assert "Sam" in text and "Acme Wholesale" in text
    assert "/account/invitation/acme/" in link_in(message)
