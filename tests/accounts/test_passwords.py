"""Forgot, reset and change a password: the answer never tells whether an address has an
account; a link works once, for an hour; a new password signs out every other session."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from dinghuo.accounts.models import PasswordResetRequest
from tests.accounts.support import PASSWORD, link_in, only_mail_to, post, run_worker, text_of
from tests.builders import add_buyer

NEW = "another-Long-passphrase-77"


@pytest.fixture
def mei(world):
    member, _ = add_buyer(world, "mei@buyer.test")
    member.user.set_password(PASSWORD)
    member.user.save()
    return member.user


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", html)


def forgot(email: str, capture, door: str = "portal"):
    client = Client(enforce_csrf_checks=True)
    with capture(execute=True):
        r = post(client, f"/account/forgot/{door}/", {"email": email})
    return client, r


def test_the_answer_is_the_same_for_an_unknown_address(
    mei, inbox, django_capture_on_commit_callbacks
):
    known_client, known = forgot("mei@buyer.test", django_capture_on_commit_callbacks)
    unknown_client, unknown = forgot("who@buyer.test", django_capture_on_commit_callbacks)

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == "/signin/"
    said = [_without_tokens(c.get("/signin/").content.decode()) for c in (known_client,
                                                                          unknown_client)]  # fmt: skip
    assert said[0] == said[1]
    assert "If an account has this address, a link to choose a new password" in said[0]
    # The same is asked for both: the request does not look the address up.
    assert PasswordResetRequest.objects.count() == 2
    assert not DBTaskResult.objects.exists()
    run_worker()
    assert len(inbox.to("mei@buyer.test")) == 1
    assert inbox.to("who@buyer.test") == []
    assert len(inbox.received) == 1
    assert not PasswordResetRequest.objects.exists()  # forgotten once mailed (or not)


def test_a_reset_link_sets_a_new_password_once_and_signs_out_everywhere(
    mei, inbox, django_capture_on_commit_callbacks
):
    elsewhere = Client()
    elsewhere.force_login(mei)
    assert elsewhere.get("/catalogue/").status_code == 200
    forgot("MEI@buyer.test", django_capture_on_commit_callbacks)
    run_worker()
    mail = only_mail_to(inbox, "mei@buyer.test")
    assert mail["Subject"] == "Set a new password for Acme Wholesale"
    assert "Open the link to choose one. It works once, until " in text_of(mail)
    assert "Choose a new password: http://127.0.0.1:8000/account/reset/portal/" in text_of(mail)
    link = link_in(mail)
    client = Client(enforce_csrf_checks=True)

    r = post(client, link, {"new_password1": NEW, "new_password2": NEW})

    assert r.status_code == 302 and r["Location"] == "/signin/"
    mei.refresh_from_db()
    assert mei.check_password(NEW)
    assert elsewhere.get("/catalogue/").status_code == 302  # signed out
    again = post(client, link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert again.status_code == 404
    mei.refresh_from_db()
    assert mei.check_password(NEW)


def test_an_expired_reset_link_is_refused(mei, inbox, django_capture_on_commit_callbacks):
    forgot("mei@buyer.test", django_capture_on_commit_callbacks, door="backoffice")
    run_worker()
    link = link_in(only_mail_to(inbox, "mei@buyer.test"))
    assert link.startswith("/account/reset/backoffice/")

    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        r = post(Client(enforce_csrf_checks=True), link, {"new_password1": NEW,
                                                          "new_password2": NEW})  # fmt: skip

    assert r.status_code == 404
    mei.refresh_from_db()
    assert mei.check_password(PASSWORD)


def test_a_forged_reset_link_is_refused(mei):
    r = Client().get("/account/reset/portal/MQ/forged-token/")
    assert r.status_code == 404
    assert Client().get("/account/reset/nowhere/MQ/forged-token/").status_code == 404


def test_changing_the_password_asks_for_the_current_one_and_ends_other_sessions(mei):
    other = Client()
    other.force_login(mei)
    other.get("/catalogue/")
    client = Client(enforce_csrf_checks=True)
    client.force_login(mei)
    client.get("/catalogue/")
    before = User.objects.get(pk=mei.pk).password

    wrong = post(client, "/account/password/", {"old_password": "nope", "new_password1": NEW,
                                                "new_password2": NEW})  # fmt: skip
    assert wrong.status_code == 200
    assert User.objects.get(pk=mei.pk).password == before
    assert other.get("/catalogue/").status_code == 200

    r = post(client, "/account/password/", {"old_password": PASSWORD, "new_password1": NEW,
                                            "new_password2": NEW})  # fmt: skip

    assert r.status_code == 302
    assert client.get("/catalogue/").status_code == 200  # this session stays
    assert other.get("/catalogue/").status_code == 302
    mei.refresh_from_db()
    assert mei.check_password(NEW)
