"""Bank statements read from the files banks send (`billing.bank`): CAMT.053 (.02 and .08)
and MT940 samples written by hand after the standards, each read to the exact entries; every
kind of damaged file refused with `malformed_statement`, never half read; and no input at
all, cut short anywhere or random, makes a parser fail any other way."""

import contextlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinghuo.billing import bank
from dinghuo.billing.bank import camt053, mt940
from dinghuo.billing.bank.statement import Entry, MalformedStatement

D = Decimal
SAMPLES = Path(__file__).parent / "statements"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def refused(content: bytes, format: str | None = None) -> str:
    """The detail of the refusal of `content` (the test fails if it is read)."""
    with pytest.raises(MalformedStatement) as caught:
        bank.parse(content, format)
    assert caught.value.code == "malformed_statement"
    assert caught.value.status == 422
    assert [e.code for e in caught.value.errors] == ["malformed_statement"]
    return caught.value.detail


def test_camt053_001_02_is_read_entry_by_entry():
    statement = bank.parse(sample("camt053_001_02.xml"))
    assert (statement.format, statement.statement_id, statement.account, statement.currency) == (
        "camt053",
        "STMT-2026-03-05",
        "GB33BUKB20201555555555",
        "USD",
    )
    assert (statement.opening_balance, statement.closing_balance) == (D("1000.00"), D("1062.50"))
    day = date(2026, 3, 5)
    assert statement.entries == (
        Entry(
            day,
            D("10.00"),
            "USD",
            "Invoice inv000001 thank you",  # the end-to-end id NOTPROVIDED is left out
            "BUYER ONE LIMITED",
            "GB94BARC10201530093459",
            "HSBC260305000001",
        ),
        Entry(
            day,
            D("20.00"),
            "USD",
            "March goods PO 7781",
            "Buyer One Ltd.",
            "004-123456-001",
            "HSBC260305000002",
        ),
        # Money out: the other party is the creditor (none here); the bank's own text.
        Entry(day, D("-12.50"), "USD", "Account maintenance fee", "", "", "HSBC260305000003"),
        # A batch of two transfers, each with its own amount, is two entries.
        Entry(day, D("30.00"), "USD", "INV-3 E2E-1", "Globex Trading Co", "", "HSBC260305000004-1"),
        Entry(day, D("15.00"), "USD", "thanks", "Somebody Unknown", "", "HSBC260305000004-2"),
        # The pending entry (Sts PDNG) is not booked: not a line.
    )


def test_camt053_001_08_reads_status_codes_parties_and_a_previous_closing_balance():
    statement = bank.parse(sample("camt053_001_08.xml"))
    assert (statement.statement_id, statement.account) == ("DBS-STMT-0306", "0721234567")
    # PRCD (the previous day's closing) opens it; DBIT balances are below zero.
    assert (statement.opening_balance, statement.closing_balance) == (D("-500.00"), D("-440.00"))
    assert statement.entries == (
        Entry(
            date(2026, 3, 6),  # from BookgDt/DtTm
            D("60.00"),
            "USD",
            "Settlement of invoices INV 2 INV 3",
            "Buyer One",  # Dbtr/Pty/Nm from .08 on
            "GB94BARC10201530093459",
            "DBS0306000017",
        ),
        # Sts/Cd INFO: information only, not booked.
    )


def test_mt940_pages_read_with_both_layouts_of_86():
    statement = bank.parse(sample("mt940.sta"))
    assert (statement.format, statement.statement_id, statement.account) == (
        "mt940",
        "STMT260305",
        "HSBCHKHH/004123456001",
    )
    assert (statement.currency, statement.opening_balance, statement.closing_balance) == (
        "USD",
        D("1000.00"),
        D("1057.50"),
    )
    march_5, march_6 = date(2026, 3, 5), date(2026, 3, 6)
    assert statement.entries == (
        # SWIFT slash codes: /ORDP/ the payer, /IBAN/ its account, /REMI/ the text; the :61:
        # customer reference first.
        Entry(
            march_5,
            D("10.00"),
            "USD",
            "INV-000001 Payment of invoice",
            "BUYER ONE LIMITED",
            "GB94BARC10201530093459",
            "HK26030500001",
        ),
        # German sub-fields: ?20.. SVWZ+ the purpose (EREF+NOTPROVIDED left out), ?31, ?32.
        Entry(
            march_5,
            D("20.00"),
            "USD",
            "March goods",
            "Buyer One Ltd",
            "GB94BARC10201530093459",
            "HK26030500002",
        ),
        Entry(march_5, D("-12.50"), "USD", "Account maintenance fee", "", "", "HK26030500003"),
        # /CNTP/ account/BIC/name/city.
        Entry(
            march_6,
            D("45.00"),
            "USD",
            "INV 3 inv 3",
            "Globex Trading Co",
            "GB29NWBK60161331926819",
            "HK26030600001",
        ),
        # RC, a reversal of a credit, is money out.
        Entry(march_6, D("-5.00"), "USD", "Reversal of a credit", "", "", "HK26030600002"),
    )


def test_the_format_is_read_from_the_file_and_can_be_named():
    assert bank.detect(sample("camt053_001_02.xml")) == "camt053"
    assert bank.detect(sample("mt940.sta")) == "mt940"
    assert bank.detect(b"\xef\xbb\xbf\r\n:20:X") == "mt940"
    assert bank.parse(sample("mt940.sta"), "mt940") == bank.parse(sample("mt940.sta"))
    assert "not well-formed XML" in refused(sample("mt940.sta"), "camt053")


# --- damaged files -------------------------------------------------------------------------


def _camt(old: str, new: str, name: str = "camt053_001_02.xml") -> bytes:
    text = sample(name).decode()
    assert old in text
    return text.replace(old, new, 1).encode()


def _mt940(old: str, new: str) -> bytes:
    text = sample("mt940.sta").decode()
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "neither a CAMT.053"),
        (b"hello, world", "neither a CAMT.053"),
        (b"%PDF-1.7\n", "neither a CAMT.053"),
        (b"<Document><BkToCstmrStmt/>", "not well-formed XML"),
        (b"<?xml version='1.0'?><Document/>", "not an ISO 20022 camt.053"),
        (
            _camt("camt.053.001.02", "camt.052.001.02"),  # an account report, not a statement
            "not an ISO 20022 camt.053",
        ),
        (_camt("camt.053.001.02", "camt.053.001.01"), "not an ISO 20022 camt.053"),
        (_camt("<Cd>OPBD</Cd>", "<Cd>ITBD</Cd>"), "opening (OPBD) or closing (CLBD)"),
        (_camt("<Cd>CLBD</Cd>", "<Cd>CLAV</Cd>"), "opening (OPBD) or closing (CLBD)"),
        (_camt('<Amt Ccy="USD">10.00</Amt>', '<Amt Ccy="USD">ten</Amt>'), "not an amount"),
        (_camt('<Amt Ccy="USD">10.00</Amt>', '<Amt Ccy="USD">1,000.00</Amt>'), "not an amount"),
        (_camt('<Amt Ccy="USD">10.00</Amt>', '<Amt Ccy="USD">10.001</Amt>'), "not an amount"),
        (_camt('<Amt Ccy="USD">10.00</Amt>', '<Amt Ccy="EUR">10.00</Amt>'), "not in USD"),
        (_camt("<Ccy>USD</Ccy>", "<Ccy>XYZ</Ccy>"), "not a currency code"),
        (
            _camt("<CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts>", "<CdtDbtInd>C</CdtDbtInd><Sts>"),
            "neither CRDT nor DBIT",
        ),
        (_camt("<BookgDt><Dt>2026-03-05</Dt>", "<BookgDt><Dt>5.3.2026</Dt>"), "booking date"),
        (_camt("<Id>STMT-2026-03-05</Id>", ""), "has no Id"),
        (_camt("<IBAN>GB33BUKB20201555555555</IBAN>", ""), "names no account"),
        (_camt('<Amt Ccy="USD">1062.50</Amt>', '<Amt Ccy="USD">1062.49</Amt>'), "cut short"),
        (_camt("<Stmt>", "<Stmx>").replace(b"</Stmt>", b"</Stmx>"), "no statement"),
        (_mt940(":60F:C260304USD1000,00\n", ""), "opening (:60F:) or closing"),
        (_mt940(":62F:C260305USD1017,50\n", ""), "opening (:60F:) or closing"),
        (_mt940(":25:HSBCHKHH/004123456001\n", ""), "account (:25:)"),
        # The library reads "1" and a reference "O,00…": the balances catch it.
        (_mt940("C10,00NTRF", "C1O,00NTRF"), "cut short"),
        (_mt940("C10,00NTRF", "C1,000,00NTRF"), "cannot be read"),
        (_mt940(":60F:C260304USD1000,00", ":60F:C260304USDabc"), "cannot be read"),
        (_mt940(":60F:C260304USD1000,00", ":60F:C260304XYZ1000,00"), "not a currency code"),
        (_mt940("2603050305C10,00", "2613050305C10,00"), "cannot be read"),  # month 13
        (_mt940("C260305USD1017,50", "C260305EUR1017,50"), "not in USD"),
        (_mt940("C20,00NTRF", "C21,00NTRF"), "cut short"),  # does not add up
        (
            _mt940(":60F:C260305USD1017,50", ":60F:C260305USD1017,00").replace(
                b":62F:C260306USD1057,50", b":62F:C260306USD1057,00"
            ),
            "not at the closing",
        ),
        (_mt940(":25:HSBCHKHH/004123456001\n:28C:00043", ":25:OTHER/1\n:28C:00043"), "one"),
        (b"<?xml version='1.0'?>\x00", "NUL"),
        # An encoding Python does not know (found by the byte-changing fuzz below).
        (_camt('encoding="UTF-8"', 'encoding="ATF-8"'), "not well-formed XML"),
        (b":20:X\x00", "NUL"),
    ],
)
def test_a_damaged_file_is_refused_with_a_clear_reason(content, says):
    assert says in refused(content)


def test_a_truncated_mt940_is_refused_wherever_a_statement_is_cut():
    """Anywhere from a statement's :20: to its closing balance. (Cut between two statements,
    the file is one whole statement: nothing tells it from a file of one.)"""
    whole = sample("mt940.sta")
    second = whole.index(b":20:STMT260306")
    pages = [(0, whole.index(b":62F:C260305")), (second + 3, whole.index(b":62F:C260306"))]
    for start, closing in pages:
        for end in range(start + 1, closing):
            refused(whole[:end])


def test_a_truncated_camt053_is_refused_wherever_it_is_cut():
    whole = sample("camt053_001_08.xml")
    for end in range(0, len(whole) - len(b"</Document>\n"), 7):
        refused(whole[:end])


def test_xml_with_a_dtd_or_entities_is_refused_without_expanding_them():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol2;</Document>'
    )
    assert "not well-formed XML" in refused(laughs)
    external = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>'
    )
    assert "not well-formed XML" in refused(external)


def test_long_texts_are_cut_to_what_a_line_holds():
    long_name = "N" * 500
    content = _camt("BUYER ONE LIMITED", long_name).replace(
        b"Invoice inv000001 thank you", b"R" * 900
    )
    entry = bank.parse(content).entries[0]
    assert (len(entry.payer_name), len(entry.reference)) == (200, 500)


def test_an_mt940_in_latin_1_is_read():
    content = _mt940("Globex Trading Co", "Société Générale").decode().encode("latin-1")
    assert bank.parse(content).entries[3].payer_name == "Société Générale"


# --- no input makes a parser fail otherwise ----------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _read_or_refused(content: bytes, format: str | None = None) -> None:
    with contextlib.suppress(MalformedStatement):
        bank.parse(content, format)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_are_read_or_refused(content):
    _read_or_refused(content)
    _read_or_refused(content, camt053.FORMAT)
    _read_or_refused(content, mt940.FORMAT)


_MT940_PIECES = st.sampled_from(
    [
        *(":20:", ":25:", ":28C:", ":60F:", ":60M:", ":61:", ":86:", ":62F:", ":62M:", ":64:"),
        *("\n", "C", "D", "RC", "USD", "1000,00", ",", "2603050305", "260305", "NTRF", "//"),
        *("?20", "?32", "/REMI/", "/NAME/", "/CNTP/", "-}", "{4:", "INV-000001", " "),
    ]
)


@FUZZ
@given(st.lists(_MT940_PIECES, max_size=60))
def test_mt940_lookalikes_are_read_or_refused(pieces):
    _read_or_refused("".join(pieces).encode(), mt940.FORMAT)


@FUZZ
@given(st.integers(min_value=0), st.binary(min_size=1, max_size=20))
def test_a_sample_with_bytes_changed_is_read_or_refused(at, noise):
    for name in ("camt053_001_02.xml", "mt940.sta"):
        content = sample(name)
        at_ = at % len(content)
        _read_or_refused(content[:at_] + noise + content[at_ + len(noise) :])
