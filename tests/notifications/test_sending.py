"""Sending: a mail server that is down loses nothing (retried later, with backoff, given up
after 8 tries, stated); invitations and resets plug in through queue_mail."""

from datetime import timedelta

import pytest

from dinghuo.core import clock
from dinghuo.notifications import retry, services
from dinghuo.notifications.composing import Recipient
from dinghuo.notifications.kinds import Kind
from dinghuo.notifications.models import Mail
from tests.builders import add_buyer
from tests.mailbox import free_port, smtp_settings
from tests.notifications.support import PORTAL, buyer_order, work


def test_a_dead_mail_server_delays_the_mail_and_a_later_round_sends_it(world, inbox):
    _, client = add_buyer(world, "amy@buyer.example")
    buyer_order(client, world, ("A-1", 5))
    with smtp_settings(free_port()):  # nobody listens there
        work()
    mail = Mail.objects.get()
    assert (mail.state, mail.attempts) == ("waiting", 1)
    assert "ConnectionRefusedError" in mail.last_error
    assert mail.next_attempt_at > clock.now() + timedelta(seconds=50)
    work()  # not due yet: nothing is tried
    assert inbox.received == []
    with clock.as_of(mail.next_attempt_at + timedelta(seconds=1)):
        work()
    assert len(inbox.to("amy@buyer.example")) == 1
    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.last_error) == ("sent", 2, "")


def test_a_mail_is_given_up_after_eight_failed_tries(world):
    _, client = add_buyer(world, "amy@buyer.example")
    buyer_order(client, world, ("A-1", 5))
    moment = clock.now()
    with smtp_settings(free_port()):
        for tries in range(1, retry.MAX_ATTEMPTS + 1):
            with clock.as_of(moment):
                work()
            mail = Mail.objects.get()
            assert mail.attempts == tries
            moment = mail.next_attempt_at + timedelta(seconds=1)
    assert mail.state == "failed"
    with clock.as_of(moment + timedelta(days=1)):
        assert work() == 0


def test_the_backoff_doubles_from_a_minute_to_an_hour():
    assert [retry.delay(n) for n in range(1, 9)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60)
    ]
    assert [retry.gives_up(n) for n in (7, 8)] == [False, True]
    with pytest.raises(ValueError):
        retry.delay(0)


def test_an_invitation_is_queued_composed_and_sent_without_an_unsubscribe_link(
    world, inbox, settings
):
    settings.DINGHUO_PORTAL_URL = PORTAL
    amy, _ = add_buyer(world, "amy@buyer.example")
    services.save_preferences(
        tenant_id=world.tenant.pk,
        user_id=amy.user_id,
        audience="buyer",
        language="zh-hans",
        choices={"order_placed": False},
    )
    link = f"{PORTAL}/invitations/abc123/"
    mail_id = services.queue_mail(
        tenant_id=world.tenant.pk,
        kind=Kind.INVITATION,
        recipient=Recipient("amy@buyer.example", "Amy", "zh-hans", amy.user_id),
        context={"link": link, "inviter": "Ada"},
    )
    assert mail_id > 0
    work()
    [message] = inbox.to("amy@buyer.example")
    assert message["Subject"] == "您受邀向 Acme Wholesale 订货"
    text = message.get_body(("plain",)).get_content()
    assert "Ada 邀请您向 Acme Wholesale 订货。" in text
    assert f"设置您的密码：{link}" in text
    assert message["List-Unsubscribe"] is None
    assert "unsubscribe" not in text


def test_queue_mail_respects_a_person_who_turned_a_kind_off(world, inbox):
    amy, _ = add_buyer(world, "amy@buyer.example")
    services.unsubscribe(tenant_id=world.tenant.pk, user_id=amy.user_id, kind=Kind.ORDER_PLACED)
    queued = services.queue_mail(
        tenant_id=world.tenant.pk,
        kind=Kind.ORDER_PLACED,
        recipient=Recipient("amy@buyer.example", "Amy", "en", amy.user_id),
        context={"number": "SO-1", "company": "C", "total": 1, "currency": "USD"},
    )
    assert queued == 0
    assert Mail.objects.count() == 0
