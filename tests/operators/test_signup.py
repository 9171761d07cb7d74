"""Sellers signing up on their own: off by default (404); on, a verification mail is sent by
the worker to a real SMTP server, and its link creates the seller once."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from dinghuo.backoffice.models import StaffMember
from dinghuo.core.models import Tenant
from tests.mailbox import Inbox
from tests.operators.support import create_by_command

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Tsuen Wan Paper",
    "slug": "tsuen-wan",
    "currency": "HKD",
    "languages": ["zh-hant", "en"],
    "time_zone": "Asia/Hong_Kong",
    "owner_email": "mei@tsuenwan.test",
}
LINK = re.compile(r"http://testserver/operator/signup/[^/\s]+/")


def test_sign_up_is_off_unless_the_operator_turns_it_on() -> None:
    assert Client().get("/operator/signup/").status_code == 404
    assert Client().post("/operator/signup/", FORM).status_code == 404
    assert Client().get("/operator/signup/anything/").status_code == 404


@override_settings(DINGHUO_SELF_SIGNUP=True)
def test_the_mailed_link_creates_the_seller_once(inbox: Inbox) -> None:
    sent = Client().post("/operator/signup/", FORM)
    assert sent.status_code == 200 and b'data-testid="signup-sent"' in sent.content
    assert not Tenant.objects.filter(slug="tsuen-wan").exists()

    call_command("worker", "--once", stdout=io.StringIO())

    [mail] = inbox.to("mei@tsuenwan.test")
    assert mail["Subject"] == "Confirm your seller account: Tsuen Wan Paper"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    link = LINK.search(text).group(0)
    assert link in html
    browser = Client()
    assert browser.get(link).status_code == 200
    assert not Tenant.objects.filter(slug="tsuen-wan").exists()  # opening creates nothing

    created = browser.post(link)
    assert created.status_code == 302 and "/operator/welcome/" in created["Location"]
    tenant = Tenant.objects.get(slug="tsuen-wan")
    assert tenant.languages == "zh-hant,en"
    assert StaffMember.objects.get(tenant=tenant).user.email == "mei@tsuenwan.test"

    again = browser.post(link)
    assert again.status_code == 409
    assert b"This link was used already" in again.content
    assert Tenant.objects.filter(slug="tsuen-wan").count() == 1
    assert StaffMember.objects.filter(tenant=tenant).count() == 1


@override_settings(DINGHUO_SELF_SIGNUP=True)
def test_a_forged_link_creates_nothing() -> None:
    answer = Client().post("/operator/signup/forged-token/")
    assert answer.status_code == 400
    assert b"This link is not valid or has expired" in answer.content
    assert Tenant.objects.count() == 0


@override_settings(DINGHUO_SELF_SIGNUP=True, DINGHUO_SIGNUPS_PER_HOUR=2)
def test_sign_ups_from_one_address_are_limited(inbox: Inbox) -> None:
    client = Client()
    for n in range(2):
        answer = client.post("/operator/signup/", FORM | {"slug": f"paper-{n}"})
        assert answer.status_code == 200

    refused = client.post("/operator/signup/", FORM | {"slug": "paper-3"})

    assert refused.status_code == 429
    assert b"Too many sign-ups from here" in refused.content
    call_command("worker", "--once", stdout=io.StringIO())
    assert len(inbox.to("mei@tsuenwan.test")) == 2


@override_settings(DINGHUO_SELF_SIGNUP=True)
def test_a_taken_short_name_is_said_on_the_form_and_nothing_is_mailed(inbox: Inbox) -> None:
    create_by_command(slug="tsuen-wan", owner="someone@else.test")

    answer = Client().post("/operator/signup/", FORM)

    assert answer.status_code == 422
    assert b"This short name is taken; choose another." in answer.content
    call_command("worker", "--once", stdout=io.StringIO())
    assert inbox.received == []
