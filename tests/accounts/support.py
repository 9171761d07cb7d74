"""Helpers for the sign-in tests: run the queued mails through the worker, find a link in a
received mail, post as a browser does."""

import re
from email.message import EmailMessage
from typing import Any

from django.core.management import call_command
from django.test import Client

from tests.mailbox import Inbox

PASSWORD = "a-Long-and-Rare-passphrase-42"


def run_worker() -> None:
    """One round of `dinghuo worker`: the queued mails are sent."""
    call_command("worker", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage) -> str:
    """The path of the one link of a mail's text (the host is the site's)."""
    [link] = re.findall(r"https?://\S+", text_of(message))
    return "/" + link.split("/", 3)[3]


def only_mail_to(inbox: Inbox, address: str) -> EmailMessage:
    [message] = inbox.to(address)
    return message


def post(client: Client, path: str, data: Any = None, **kw: Any) -> Any:
    """POST as a browser does: first GET the page for the CSRF cookie, then send the token."""
    if "csrftoken" not in client.cookies:
        client.get("/signin/")
    token = client.cookies["csrftoken"].value
    return client.post(path, data or {}, HTTP_X_CSRFTOKEN=token, **kw)
