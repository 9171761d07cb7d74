"""The pure parts: GS1 check digits, the EDIFACT envelope read and written with pydifact, the
order response's words."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dinghuo.core import gs1
from dinghuo.edi import answers
from dinghuo.edi.orders_in import read_orders
from dinghuo.edi.syntax import Refused, read_interchange, segment, segment_lines, write_interchange
from tests.edi.support import fixture


@pytest.mark.parametrize(
    ("key", "gln", "gtin"),
    [
        ("5412345000013", True, True),
        ("5412345000014", False, False),
        ("4006381333931", True, True),
        ("96385074", False, True),  # GTIN-8
        ("012345678905", False, True),  # GTIN-12 (UPC-A)
        ("10012345678902", False, True),  # GTIN-14
        ("541234500001x", False, False),
        ("５４１２３４５００００１３", False, False),  # full-width digits are not digits here
    ],
)
def test_check_digits(key, gln, gtin):
    assert (gs1.is_gln(key), gs1.is_gtin(key)) == (gln, gtin)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(0, 9))
def test_exactly_one_check_digit_fits(body, digit):
    assert gs1.is_gln(body + str(digit)) == (digit == gs1.check_digit(body))


def test_sscc():
    assert gs1.is_sscc("340123450000000000"[:-1] + str(gs1.check_digit("34012345000000000")))
    assert not gs1.is_sscc("34012345000000000")


def test_the_basic_order_reads_as_written():
    interchange = read_interchange(fixture("orders_basic.edi"))
    assert (interchange.sender, interchange.recipient, interchange.ref, interchange.test) == (
        "5412345000013", "4012345000009", "ORD0001", False,
    )  # fmt: skip
    doc = read_orders(interchange.messages[0])
    assert doc.problems == []
    assert (doc.po_number, str(doc.delivery_date), str(doc.document_date)) == (
        "PO-4711", "2030-12-15", "2026-12-06",
    )  # fmt: skip
    assert doc.parties == {"BY": "5412345000013", "SU": "4012345000009", "DP": "5412345000020"}
    assert [(x.number, x.gtin, x.seller_article, x.quantity, str(x.price)) for x in doc.lines] == [
        ("1", "4006381333931", "A-1", 12, "9"),
        ("2", "4006381333948", "", 12, "2.5"),
        ("3", "", "C-3", 30, "None"),
    ]


def test_the_release_character_keeps_separators_in_text():
    # "Deliver to rear dock?: ring twice" carries an escaped ':' in free text
    interchange = read_interchange(fixture("orders_basic.edi"))
    [ftx] = [s for s in interchange.messages[0].segments if s.tag == "FTX"]
    assert ftx.elements[3] == "Deliver to rear dock: ring twice"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (("UNT+25+1'", "UNT+26+1'"), "edi_segment_count"),
        (("UNT+25+1'", "UNT+25+2'"), "edi_control_reference"),
        (("UNZ+1+ORD0001'", "UNZ+2+ORD0001'"), "edi_message_count"),
        (("UNZ+1+ORD0001'", "UNZ+1+ORD0002'"), "edi_control_reference"),
        (("UNT+25+1'\n", ""), "edi_unreadable"),
        (("UNB+", "UNX+"), "edi_unreadable"),
    ],
)
def test_broken_envelopes_are_refused_with_their_code(change, code):
    with pytest.raises(Refused) as refused:
        read_interchange(fixture("orders_basic.edi").replace(*change))
    assert refused.value.code == code


def test_a_written_interchange_reads_back_with_its_counts_and_escapes():
    body = [
        segment("BGM", "231", "SO-1", "29"),
        *answers.text_segments("AAO", "Price 10? ok: 'yes' + more"),
    ]
    text = write_interchange(
        sender="4012345000009",
        recipient="5412345000013",
        ref="7",
        prepared_at=datetime(2026, 12, 6, 9, 30, tzinfo=UTC),
        test=True,
        messages=[("1", answers.ORDRSP, body), ("2", answers.ORDRSP, body)],
    )
    assert text.startswith(
        "UNA:+.? 'UNB+UNOC:3+4012345000009:14+5412345000013:14+261206:0930+7++++++1'"
    )
    read = read_interchange(text)
    assert (read.test, [m.ref for m in read.messages]) == (True, ["1", "2"])
    ftx = read.messages[0].segments[1]
    assert ftx.elements[3] == "Price 10? ok: 'yes' + more"
    assert segment_lines(text)[-1] == "UNZ+2+7'"


def test_long_reasons_are_split_into_70_character_pieces():
    [ftx] = answers.text_segments("AAO", "word " * 40)
    pieces = ftx.elements[3]
    assert all(len(p) <= 70 for p in pieces) and len(pieces) == 3
