"""Payment reminders, received by a real SMTP server (aiosmtpd on 127.0.0.1): the latest step
due is sent once to the company's admins (else all its users), each in their language (the
one they chose on the pages), nothing for paid invoices or on a second run, and a send that
fails is not taken for sent."""

from datetime import date
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.sessions.models import Session
from django.test import Client

from dinghuo.billing import jobs, services
from dinghuo.billing.models import Invoice, Reminder
from dinghuo.billing.services import reminders
from dinghuo.core import clock
from dinghuo.customers.models import CompanyUser
from dinghuo.integrations.models import Event
from tests.billing.support import at, invoices_of, pay, shipped_order
from tests.builders import World, add_buyer
from tests.mailbox import Inbox, free_port, smtp_settings
from tests.portal.ordering import second_company

JAN5 = date(2026, 1, 5)  # invoices issued on 5 Jan are due on 4 Feb (net 30)
DUE = date(2026, 2, 4)


@pytest.fixture
def schedule(world: World) -> World:
    """Reminders 3 days before the due date, and 7 and 21 days after; one invoice of 10.00
    issued on 5 Jan (due 4 Feb); the company's admin Mei reads Traditional Chinese (chosen on
    the pages), its admin Bob nothing (the default, English), its buyer Ann is not written to."""
    services.set_billing_policy(
        tenant_id=world.tenant.pk,
        seller_id=world.seller.pk,
        legal_name="Acme Wholesale Limited",
        payment_instructions="HSBC 123-456789-001",
        reminder_days=[21, -3, 7],
    )
    with clock.as_of(at(JAN5)):
        shipped_order(world, ("A-1", 1))
    mei, _ = add_buyer(world, "mei@buyer.test", "admin")
    add_buyer(world, "bob@buyer.test", "admin")
    add_buyer(world, "ann@buyer.test", "buyer")
    _choose_language(mei, "zh-hant")
    return world


def _choose_language(member: CompanyUser, language: str) -> None:
    """The person signs in and picks a language with the layout's switch."""
    client = Client()
    client.force_login(member.user)
    response = client.post("/i18n/language/", {"language": language, "next": "/"})
    assert response.status_code == 302


def _run(world: World, today: date, callbacks: Any) -> reminders.ReminderRun:
    with callbacks(execute=True):
        return reminders.send_due_reminders(tenant_id=world.tenant.pk, today=today)


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _html(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def _steps(invoice: Invoice) -> list[int]:
    return sorted(Reminder.objects.filter(invoice=invoice).values_list("days_from_due", flat=True))


def test_the_step_before_the_due_date_goes_to_the_admins_in_their_languages(
    schedule: World, inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    assert _run(schedule, date(2026, 1, 31), django_capture_on_commit_callbacks).claimed == 0
    run = _run(schedule, date(2026, 2, 1), django_capture_on_commit_callbacks)
    assert (run.claimed, run.sent, run.failed) == (1, 1, 0)
    invoice = invoices_of(schedule)[0]
    assert sorted(rcpt[0] for rcpt, _m in inbox.received) == ["bob@buyer.test", "mei@buyer.test"]
    assert inbox.to("ann@buyer.test") == []  # a buyer, and the company has admins
    (english,) = inbox.to("bob@buyer.test")
    assert english["Subject"] == f"Payment reminder: invoice {invoice.number}"
    assert "Acme Wholesale Limited" in english["From"]
    assert "billing@acme.test" in english["From"]
    assert english["Auto-Submitted"] == "auto-generated"
    text = _body(english)
    assert "Dear bob," in text
    assert (
        f"Invoice {invoice.number} to Buyer One, issued on Jan 5, 2026, is due on Feb 4, 2026, in 3 days."
        in " ".join(text.split())
    )
    assert "Amount due: $10.00" in text
    assert "HSBC 123-456789-001" in text
    assert "$10.00" in _html(english)
    (chinese,) = inbox.to("mei@buyer.test")
    assert chinese["Subject"] == f"付款提示：發票 {invoice.number}"
    body = _body(chinese)
    assert "mei 您好：" in body
    assert "2026年2月4日 到期" in body
    assert "尚欠金額" in body
    assert "Dear" not in body and "Amount due" not in body
    assert chinese["Content-Language"] == "zh-hant"
    reminder = Reminder.objects.get(invoice=invoice)
    assert reminder.days_from_due == -3
    assert reminder.sent_to == "mei@buyer.test, bob@buyer.test"
    event = Event.objects.get(type="invoice.reminder_sent")
    assert event.aggregate_id == invoice.pk
    assert event.payload["days_from_due"] == -3
    assert event.payload["recipients"] == 2
    assert event.payload["languages"] == ["en", "zh-hant"]


def test_a_second_run_sends_nothing_and_later_steps_go_out_on_their_day(
    schedule: World, inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    invoice = invoices_of(schedule)[0]
    _run(schedule, date(2026, 2, 1), django_capture_on_commit_callbacks)
    assert len(inbox.received) == 2
    again = _run(schedule, date(2026, 2, 1), django_capture_on_commit_callbacks)
    assert (again.claimed, again.sent) == (0, 0)
    assert _run(schedule, date(2026, 2, 10), django_capture_on_commit_callbacks).claimed == 0
    assert len(inbox.received) == 2
    late = _run(schedule, date(2026, 2, 11), django_capture_on_commit_callbacks)
    assert late.sent == 1
    assert _steps(invoice) == [-3, 7]
    (overdue, _first) = inbox.to("bob@buyer.test")[::-1]
    assert overdue["Subject"] == f"Overdue: invoice {invoice.number}"
    assert "it is 7 days overdue" in " ".join(_body(overdue).split())
    (chinese, _before) = inbox.to("mei@buyer.test")[::-1]
    assert chinese["Subject"] == f"逾期未付：發票 {invoice.number}"
    assert "現已逾期 7 天" in _body(chinese)
    assert _run(schedule, date(2026, 2, 12), django_capture_on_commit_callbacks).claimed == 0
    assert len(inbox.received) == 4


def test_after_a_pause_only_the_latest_step_due_is_sent(
    schedule: World, inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    run = _run(schedule, date(2026, 4, 30), django_capture_on_commit_callbacks)
    assert run.sent == 1
    assert _steps(invoices_of(schedule)[0]) == [21]
    assert len(inbox.received) == 2  # one mail to each admin, not one per missed step
    (mail,) = inbox.to("bob@buyer.test")
    assert "it is 85 days overdue" in " ".join(_body(mail).split())  # today's truth


def test_nothing_is_sent_for_a_paid_invoice(
    schedule: World, inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with clock.as_of(at(date(2026, 1, 20))):
        pay(schedule, "10.00", received_on=date(2026, 1, 20))
    for day in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 6, 1)):
        assert _run(schedule, day, django_capture_on_commit_callbacks).claimed == 0
    assert inbox.received == []
    assert not Reminder.objects.exists()
    assert not Event.objects.filter(type="invoice.reminder_sent").exists()


def test_a_company_without_admins_is_written_to_all_its_users(
    schedule: World, inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    other = second_company(schedule, "C002")
    schedule.company = other
    schedule.ship_to = other.locations.get()
    with clock.as_of(at(JAN5)):
        shipped_order(schedule, ("A-1", 2))
    add_buyer(schedule, "zoe@second.test", "buyer", company=other)
    add_buyer(schedule, "yan@second.test", "approver", company=other)
    nobody = second_company(schedule, "C003")  # its invoice has no one to go to
    schedule.company, schedule.ship_to = nobody, nobody.locations.get()
    with clock.as_of(at(JAN5)):
        shipped_order(schedule, ("A-1", 3))
    run = _run(schedule, date(2026, 2, 1), django_capture_on_commit_callbacks)
    assert (run.sent, run.no_recipient) == (2, 1)
    assert len(inbox.to("zoe@second.test")) == 1
    assert len(inbox.to("yan@second.test")) == 1
    (mail,) = inbox.to("zoe@second.test")
    assert "Buyer C002" in _body(mail)
    assert _run(schedule, date(2026, 2, 1), django_capture_on_commit_callbacks).no_recipient == 1


def test_a_failed_send_is_not_taken_for_sent(
    schedule: World, django_capture_on_commit_callbacks: Any
) -> None:
    closed = free_port()  # nothing listens there
    with smtp_settings(closed):
        run = _run(schedule, date(2026, 2, 1), django_capture_on_commit_callbacks)
    assert (run.claimed, run.sent, run.failed) == (1, 0, 1)
    assert not Reminder.objects.exists()
    assert not Event.objects.filter(type="invoice.reminder_sent").exists()
    # The server is back: the next run sends the step.
    found = Inbox()
    port = free_port()
    server = Controller(found, hostname="127.0.0.1", port=port)
    server.start()
    try:
        with smtp_settings(port):
            run = _run(schedule, date(2026, 2, 2), django_capture_on_commit_callbacks)
    finally:
        server.stop()
    assert run.sent == 1
    assert len(found.received) == 2
    assert _steps(invoices_of(schedule)[0]) == [-3]


def test_a_person_without_a_chosen_language_gets_the_default(schedule: World) -> None:
    people = reminders.recipients(schedule.tenant.pk, {schedule.company.pk})
    assert {p.email: p.language for p in people[schedule.company.pk]} == {
        "mei@buyer.test": "zh-hant",
        "bob@buyer.test": "en",
    }
    Session.objects.all().delete()  # signed out everywhere: the choice is gone with it
    people = reminders.recipients(schedule.tenant.pk, {schedule.company.pk})
    assert {p.language for p in people[schedule.company.pk]} == {"en"}


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 1, 31), None),
        (date(2026, 2, 1), -3),
        (date(2026, 2, 10), -3),
        (date(2026, 2, 11), 7),
        (date(2026, 2, 24), 7),
        (date(2026, 2, 25), 21),
        (date(2027, 1, 1), 21),
    ],
)
def test_the_latest_step_due(today: date, expected: int | None) -> None:
    assert reminders.due_step([-3, 7, 21], DUE, today) == expected


@pytest.mark.django_db(transaction=True)  # real commits: the mails go out on them
def test_the_housekeeping_job_sends_each_tenants_reminders(schedule: World, inbox: Inbox) -> None:
    with clock.as_of(at(date(2026, 2, 1), hour=0)):
        assert jobs.send_payment_reminders() == 1
    assert len(inbox.received) == 2
    with clock.as_of(at(date(2026, 2, 1), hour=23)):
        assert jobs.send_payment_reminders() == 0  # the next rounds of the day find nothing
    assert len(inbox.received) == 2
    with clock.as_of(at(date(2026, 2, 11))):
        assert jobs.send_payment_reminders() == 1
    assert len(inbox.received) == 4
