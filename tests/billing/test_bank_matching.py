"""The rule that matches a bank credit to the open invoices it pays (`billing.bank.matching`):
examples of each step, and properties for any book of invoices and any credit: a match never
applies more than the credit nor more than an invoice owes, stays within one company and the
credit's currency; an invoice number is found however a bank mangles it; the amount step
matches exactly when one invoice of the one identified company is open for the amount."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dinghuo.billing.bank.matching import (
    AMOUNT,
    REFERENCE,
    Book,
    Credit,
    Match,
    OpenInvoice,
    account_key,
    invoice_key,
    name_key,
    named_keys,
)

D = Decimal
DAY = date(2026, 3, 1)
COMPANIES = [(1, "Buyer One Ltd"), (2, "Globex Trading Co"), (3, "Initech"), (4, "Initech Inc.")]


def invoice(id: int, company: int, amount: str, *, due: int = 0, cur: str = "USD") -> OpenInvoice:
    return OpenInvoice(id, f"INV-{id:06d}", company, cur, DAY + timedelta(days=due), D(amount))


def credit(amount: str, reference: str = "", name: str = "", account: str = "") -> Credit:
    return Credit(D(amount), "USD", reference, name, account)


# --- examples ---------------------------------------------------------------------------------


def test_keys_of_numbers_names_and_accounts():
    assert invoice_key("INV-000123") == ("INV", 123)
    assert invoice_key("CN-7") == ("CN", 7)
    assert invoice_key("000123") is None  # no letters: no key
    assert named_keys("Payment inv000123, INV 124 & Inv-125 / XINV126 / 127 / INV-000123") == [
        ("INV", 123),
        ("INV", 124),
        ("INV", 125),
        ("XINV", 126),  # a word of its own: no INV number
    ]
    assert named_keys("ＩＮＶ－０００１２３") == [("INV", 123)]  # full-width, as typed in Chinese
    assert name_key("BUYER ONE LIMITED") == name_key("Buyer One Ltd.") == "buyer one"
    assert name_key("Société Générale S.A.") == "societe generale"
    assert name_key("深圳華強有限公司") == name_key("深圳華強") == "深圳華強"
    assert name_key("Ltd") == ""
    assert account_key("gb94 barc-1020 1530 093459") == "GB94BARC10201530093459"


def test_a_named_invoice_is_paid_and_the_rest_is_unapplied_credit():
    book = Book([invoice(1, 1, "10.00"), invoice(2, 1, "20.00")], COMPANIES)
    assert book.match(credit("25.00", "for INV000002 thanks")) == Match(
        1, ((2, D("20.00")),), REFERENCE
    )


def test_named_invoices_are_paid_oldest_due_first_as_far_as_the_money_goes():
    book = Book([invoice(1, 1, "10.00", due=5), invoice(2, 1, "20.00", due=1)], COMPANIES)
    assert book.match(credit("25.00", "INV-1 INV-2")) == Match(
        1, ((2, D("20.00")), (1, D("5.00"))), REFERENCE
    )


def test_named_invoices_of_two_companies_are_not_matched():
    book = Book([invoice(1, 1, "10.00"), invoice(2, 2, "20.00")], COMPANIES)
    assert book.match(credit("30.00", "INV-1 INV-2", "Buyer One")) is None


def test_a_reference_to_a_paid_or_unknown_invoice_falls_back_to_the_amount():
    book = Book([invoice(2, 1, "20.00")], COMPANIES)
    assert book.match(credit("20.00", "INV-000001", "Buyer One")) == Match(
        1, ((2, D("20.00")),), AMOUNT
    )


def test_the_payer_and_the_exact_amount_single_out_an_invoice():
    book = Book([invoice(1, 1, "10.00"), invoice(2, 1, "20.00"), invoice(3, 2, "20.00")], COMPANIES)
    assert book.match(credit("20.00", "March", "BUYER ONE LIMITED")) == Match(
        1, ((2, D("20.00")),), AMOUNT
    )
    # No exact amount; two invoices of the amount; no payer; a payer two companies share.
    assert book.match(credit("15.00", "March", "Buyer One")) is None
    twice = Book([invoice(1, 1, "20.00"), invoice(2, 1, "20.00")], COMPANIES)
    assert twice.match(credit("20.00", "", "Buyer One")) is None
    assert book.match(credit("20.00", "March")) is None
    shared = Book([invoice(1, 3, "20.00")], [(3, "Initech"), (4, "Initech Inc.")])
    assert shared.match(credit("20.00", "", "INITECH")) is None


def test_an_account_an_earlier_credit_came_from_identifies_its_company():
    book = Book([invoice(1, 2, "20.00")], COMPANIES, [("GB29 NWBK 6016 1331 9268 19", 2)])
    found = credit("20.00", "", "G. Trading", "GB29NWBK60161331926819")
    assert book.match(found) == Match(2, ((1, D("20.00")),), AMOUNT)
    # Name and account naming two different companies identify none.
    assert book.payer(credit("20.00", "", "Buyer One", "GB29NWBK60161331926819")) is None
    book.learn("GB29NWBK60161331926819", 1)  # the account is now shared: it names none
    assert book.payer(found) is None


def test_money_out_and_other_currencies_are_not_matched():
    book = Book([invoice(1, 1, "10.00"), invoice(2, 1, "10.00", cur="HKD")], COMPANIES)
    assert book.match(credit("-10.00", "INV-1", "Buyer One")) is None
    assert book.match(credit("0", "INV-1", "Buyer One")) is None
    hkd = Credit(D("10.00"), "HKD", "INV-1", "Buyer One")
    assert book.match(hkd) == Match(1, ((2, D("10.00")),), AMOUNT)  # INV-1 is in USD


def test_applying_a_match_leaves_what_is_still_open_for_the_next_credit():
    book = Book([invoice(1, 1, "10.00"), invoice(2, 1, "20.00")], COMPANIES)
    first = book.match(credit("6.00", "INV-1"))
    assert first == Match(1, ((1, D("6.00")),), REFERENCE)
    book.apply(first)
    assert book.match(credit("4.00", "", "Buyer One")) == Match(1, ((1, D("4.00")),), AMOUNT)
    book.apply(Match(1, ((1, D("4.00")),), AMOUNT))
    assert book.match(credit("4.00", "INV-1", "nobody")) is None  # paid now


# --- properties -------------------------------------------------------------------------------

amounts = st.decimals(min_value=D("0.01"), max_value=D("500.00"), places=2)
currencies = st.sampled_from(["USD", "HKD"])


@st.composite
def books(draw: st.DrawFn) -> tuple[list[OpenInvoice], list[tuple[int, str]]]:
    names = draw(st.lists(st.sampled_from(["Buyer One", "Globex", "Initech", "Acme"]), min_size=1))
    companies = list(enumerate(names, 1))
    count = draw(st.integers(min_value=0, max_value=12))
    invoices = [
        OpenInvoice(
            id,
            f"INV-{id:06d}",
            draw(st.integers(min_value=1, max_value=len(companies))),
            draw(currencies),
            DAY + timedelta(days=draw(st.integers(min_value=0, max_value=60))),
            draw(amounts),
        )
        for id in range(1, count + 1)
    ]
    return invoices, companies


@st.composite
def credits(draw: st.DrawFn) -> Credit:
    words = st.sampled_from(
        ["INV-000001", "inv2", "INV 3", "Inv-0004", "INV5", "INV-6", "thanks", "PO 77", "7"]
    )
    return Credit(
        draw(st.one_of(amounts, st.sampled_from([D("-5.00"), D(0)]))),
        draw(currencies),
        " ".join(draw(st.lists(words, max_size=3))),
        draw(st.sampled_from(["", "Buyer One Ltd", "GLOBEX", "Initech", "Nobody"])),
        draw(st.sampled_from(["", "GB94BARC10201530093459"])),
    )


@given(books(), credits())
def test_a_match_stays_within_the_credit_one_company_and_what_is_open(book_data, money_in):
    invoices, companies = book_data
    book = Book(invoices, companies)
    found = book.match(money_in)
    if found is None:
        return
    by_id = {i.id: i for i in invoices}
    paid = [by_id[invoice_id] for invoice_id, _amount in found.allocations]
    assert money_in.amount > 0
    assert found.allocations, "a match pays something"
    assert {i.company_id for i in paid} == {found.company_id}
    assert {i.currency for i in paid} == {money_in.currency}
    assert len({i.id for i in paid}) == len(paid)
    assert all(0 < amount <= by_id[i].open_amount for i, amount in found.allocations)
    assert sum(amount for _i, amount in found.allocations) <= money_in.amount
    if found.by == AMOUNT:
        assert found.allocations == ((paid[0].id, money_in.amount),)
        assert paid[0].open_amount == money_in.amount


@given(books(), st.lists(credits(), max_size=8))
def test_applying_matches_never_pays_an_invoice_more_than_it_owed(book_data, many):
    invoices, companies = book_data
    book = Book(invoices, companies)
    paid: dict[int, Decimal] = {}
    for money_in in many:
        found = book.match(money_in)
        if found is not None:
            book.apply(found)
            for invoice_id, amount in found.allocations:
                paid[invoice_id] = paid.get(invoice_id, D(0)) + amount
    owed = {i.id: i.open_amount for i in invoices}
    assert all(amount <= owed[invoice_id] for invoice_id, amount in paid.items())


@st.composite
def mangled(draw: st.DrawFn, number: int) -> str:
    """The number INV-<number> as a bank might pass it on."""
    prefix = draw(st.sampled_from(["INV", "inv", "Inv", "ＩＮＶ"]))
    separator = draw(st.sampled_from(["-", "", " ", "/", ".", "#", "_", ": "]))
    digits = str(number).zfill(draw(st.integers(min_value=0, max_value=8)))
    return f"{prefix}{separator}{digits}"


@given(st.data(), st.integers(min_value=1, max_value=999_999), amounts)
def test_an_invoice_number_is_found_however_it_is_mangled(data, number, amount):
    text = data.draw(mangled(number))
    before = data.draw(st.sampled_from(["", "Payment ", "ref:", "PO 5 ", "Invoice "]))
    after = data.draw(st.sampled_from(["", " thanks", ",", "/ 2026"]))
    book = Book([OpenInvoice(1, f"INV-{number:06d}", 7, "USD", DAY, amount)], [(7, "Acme")])
    found = book.match(Credit(amount, "USD", f"{before}{text}{after}"))
    assert found == Match(7, ((1, amount),), REFERENCE)


@given(books(), amounts, st.sampled_from(["Buyer One", "Globex", "Initech", "Acme", "Nobody"]))
def test_the_amount_step_matches_exactly_one_invoice_of_the_one_identified_company(
    book_data, amount, payer
):
    invoices, companies = book_data
    book = Book(invoices, companies)
    found = book.match(Credit(amount, "USD", "no number here", payer))
    named = [c for c, name in companies if name_key(name) == name_key(payer)]
    if len(named) != 1:
        assert found is None
        return
    exact = [
        i for i in invoices if i.company_id == named[0] and i.currency == "USD"
        and i.open_amount == amount
    ]  # fmt: skip
    if len(exact) == 1:
        assert found == Match(named[0], ((exact[0].id, amount),), AMOUNT)
    else:
        assert found is None
