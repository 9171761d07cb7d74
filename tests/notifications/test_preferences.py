"""Each person chooses their mails: the preferences pages of the portal and the back office,
the defaults, the unsubscribe link of each mail (signed, no sign-in), bad input refused."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dinghuo.core.errors import ValidationFailed
from dinghuo.notifications import services, unsubscribe
from dinghuo.notifications.kinds import CHOSEN_BY, DEFAULT_ON, Audience, Kind, wants
from dinghuo.notifications.models import Mail, MailPreference
from tests.builders import add_buyer
from tests.notifications.support import add_staff, buyer_order, work


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_defaults_are_every_buyer_mail_and_for_staff_only_approvals():
    assert DEFAULT_ON[Audience.BUYER] == set(CHOSEN_BY[Audience.BUYER])
    assert len(CHOSEN_BY[Audience.BUYER]) == 8
    assert DEFAULT_ON[Audience.STAFF] == {Kind.APPROVAL_NEEDED, Kind.QUOTE_COUNTERED}
    assert not wants(Audience.STAFF, Kind.ORDER_PLACED, {})
    assert wants(Audience.STAFF, Kind.ORDER_PLACED, {"order_placed": True})
    assert not wants(Audience.STAFF, Kind.ORDER_SHIPPED, {"order_shipped": True})  # not offered
    assert wants(Audience.BUYER, Kind.INVITATION, {"invitation": False})  # always sent
    assert wants(Audience.BUYER, Kind.PASSWORD_RESET, {})


def test_a_buyer_chooses_language_and_kinds_on_the_portal_page(world, inbox):
    amy, api = add_buyer(world, "amy@buyer.example")
    page = _signed_in(amy.user)
    shown = page.get("/account/mail/")
    assert shown.status_code == 200
    body = shown.content.decode()
    assert 'data-testid="mail-order_shipped" checked' in body
    assert 'data-testid="mail-order_placed" checked' in body
    sent = {"language": "zh-hant", **{k.value: "on" for k in CHOSEN_BY[Audience.BUYER]}}
    del sent["order_placed"]
    answer = page.post("/account/mail/", sent)
    assert answer.status_code == 302
    saved = MailPreference.objects.get(user=amy.user)
    assert saved.language == "zh-hant"
    assert saved.choices["order_placed"] is False
    assert saved.choices["order_shipped"] is True
    again = page.get("/account/mail/").content.decode()
    assert 'data-testid="mail-order_placed" checked' not in again

    order = buyer_order(api, world, ("A-1", 5))
    world.client().post(f"/orders/{order['id']}/confirm")
    work()
    [confirmed] = inbox.to("amy@buyer.example")
    assert confirmed["Subject"].endswith("已確認")


def test_staff_choose_on_the_back_office_page_among_the_staff_mails(world):
    staff = add_staff(world, "keen@acme.test")
    page = _signed_in(staff)
    body = page.get("/staff/account/mail/").content.decode()
    assert 'data-testid="mail-order_placed"' in body
    assert 'data-testid="mail-approval_needed" checked' in body
    assert 'data-testid="mail-order_shipped"' not in body
    assert page.post("/staff/account/mail/", {"order_placed": "on"}).status_code == 302
    saved = MailPreference.objects.get(user=staff)
    assert saved.choices == {
        "order_placed": True,
        "approval_needed": False,
        "quote_countered": False,
    }
    assert saved.language == ""


def test_a_language_not_offered_is_a_form_error_and_changes_nothing(world):
    amy, _ = add_buyer(world, "amy@buyer.example")
    answer = _signed_in(amy.user).post("/account/mail/", {"language": "fr"})
    assert answer.status_code == 200
    assert 'data-testid="error-language"' in answer.content.decode()
    assert MailPreference.objects.count() == 0


def test_the_service_refuses_a_kind_not_offered_and_keeps_nothing(world):
    staff = add_staff(world, "keen@acme.test")
    with pytest.raises(ValidationFailed) as refused:
        services.save_preferences(
            tenant_id=world.tenant.pk,
            user_id=staff.pk,
            audience=Audience.STAFF,
            language="",
            choices={"order_shipped": True, "order_placed": True},
        )
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("order_shipped", "invalid_choice")
    ]
    assert MailPreference.objects.count() == 0


def test_the_unsubscribe_link_asks_then_stops_that_kind_only(world, inbox):
    amy, api = add_buyer(world, "amy@buyer.example")
    buyer_order(api, world, ("A-1", 5), key="one")
    work()
    link = Mail.objects.get().unsubscribe_link or ""
    token = unsubscribe.token(world.tenant.pk, amy.user_id, Kind.ORDER_PLACED)
    path = f"/mail/unsubscribe/{token}/"
    visitor = Client()
    asked = visitor.get(path)
    assert asked.status_code == 200
    assert 'data-testid="unsubscribe-confirm"' in asked.content.decode()
    assert MailPreference.objects.count() == 0  # opening the link (a mail scanner) changes nothing
    done = visitor.post(path)
    assert done.status_code == 200
    assert 'data-testid="unsubscribe-done"' in done.content.decode()
    assert MailPreference.objects.get(user=amy.user).choices == {"order_placed": False}
    assert link == ""  # no DINGHUO_PORTAL_URL: no link to a wrong host

    order = buyer_order(api, world, ("A-1", 5), key="two")
    world.client().post(f"/orders/{order['id']}/confirm")
    work()
    assert [m["Subject"].split()[-1] for m in inbox.to("amy@buyer.example")] == [
        "placed",
        "confirmed",
    ]


@pytest.mark.parametrize("token", ["forged", "WzEsMSwib3JkZXJfcGxhY2VkIl0:1xaEUz:bad"])
def test_a_forged_unsubscribe_token_is_refused_and_changes_nothing(world, token):
    answer = Client().post(f"/mail/unsubscribe/{token}/")
    assert answer.status_code == 404
    assert 'data-testid="unsubscribe-invalid"' in answer.content.decode()
    assert MailPreference.objects.count() == 0


def test_an_essential_mail_cannot_be_unsubscribed(world):
    amy, _ = add_buyer(world, "amy@buyer.example")
    token = unsubscribe.token(world.tenant.pk, amy.user_id, Kind.PASSWORD_RESET)
    assert Client().post(f"/mail/unsubscribe/{token}/").status_code == 404
    assert MailPreference.objects.count() == 0
