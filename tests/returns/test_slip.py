"""The return slip: no slip before approval (409 `return_not_approved`), then a PDF with the
RMA number, the order, the company, the lines and where to send the goods (the seller's
address when it has one, else its name), in the reader's language; English never loads
the Chinese font; another company's buyer finds nothing."""

import io

import pypdf
import pytest

from dinghuo.billing import services as billing
from dinghuo.core import pdf
from dinghuo.customers.models import Company
from tests.builders import World, add_buyer
from tests.returns.support import ask, delivered_order, set_policy

needs_chinese_font = pytest.mark.skipif(
    pdf.cjk_font() is None, reason="no font that can write Chinese on this machine"
)


def _text(document: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(document))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _requested(world: World) -> tuple[int, int]:
    """A delivered order of 5 A-1 and 3 C-3 and a request for 2 and 1 waiting for a clerk."""
    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 3))
    r = ask(world, order_id, (1, 2, "damaged"), (2, 1, "not_needed"))
    assert r.status_code == 201 and r.json()["status"] == "requested", r.json()
    return order_id, r.json()["id"]


def test_no_slip_before_approval_then_a_pdf_to_put_in_the_parcel(world: World) -> None:
    order_id, return_id = _requested(world)
    _, buyer = add_buyer(world, "bea@buyer.example")
    for client, path in (
        (world.client(), f"/returns/{return_id}/slip.pdf"),
        (buyer, f"/my/returns/{return_id}/slip.pdf"),
    ):
        refused = client.get(path)
        assert refused.status_code == 409
        assert refused.json()["code"] == "return_not_approved"

    assert world.client().post(f"/returns/{return_id}/approve", {}).status_code == 200
    r = buyer.get(f"/my/returns/{return_id}/slip.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == 'inline; filename="RMA-000001.pdf"'
    text = _text(r.content)
    order_number = world.client().get(f"/orders/{order_id}").json()["number"]
    for expected in (
        "Return slip RMA-000001",
        f"Order {order_number}",
        "Company Buyer One (C001)",
        "Send the goods to Acme Wholesale",  # the seller's name: no address known
        "A-1",
        "C-3",
        "Arrived damaged",
        "No longer needed",
        "Put this slip in the parcel with the goods and write the RMA number RMA-000001",
    ):
        assert expected in text, expected
    assert "SKU Item Quantity Reason" in text
    assert b"/FontFile2" not in r.content  # English: the built-in Latin font only
    staff = world.client().get(f"/returns/{return_id}/slip.pdf")
    assert staff.status_code == 200 and _text(staff.content) == text


def test_the_slip_sends_the_goods_to_the_sellers_address(world: World) -> None:
    billing.set_billing_policy(
        tenant_id=world.tenant.pk,
        seller_id=world.seller.pk,
        legal_name="Acme Wholesale Limited",
        address="Unit 5, 12/F, Harbour Centre\n25 Harbour Road\nWan Chai, Hong Kong",
    )
    _, return_id = _requested(world)
    world.client().post(f"/returns/{return_id}/approve", {})
    text = _text(world.client().get(f"/returns/{return_id}/slip.pdf").content)
    assert (
        "Send the goods to Acme Wholesale Limited Unit 5, 12/F, Harbour Centre 25 Harbour Road "
        "Wan Chai, Hong Kong"
    ) in text


def test_a_rejected_return_has_no_slip(world: World) -> None:
    _, return_id = _requested(world)
    world.client().post(f"/returns/{return_id}/reject", {"comment": "Worn"})
    r = world.client().get(f"/returns/{return_id}/slip.pdf")
    assert r.status_code == 409 and r.json()["code"] == "return_not_approved"


@needs_chinese_font
def test_the_slip_in_traditional_chinese(world: World) -> None:
    _, return_id = _requested(world)
    world.client().post(f"/returns/{return_id}/approve", {})
    r = world.client().get(f"/returns/{return_id}/slip.pdf", language="zh-hant")
    text = _text(r.content)
    for expected in ("退貨單", "退貨授權編號 RMA-000001", "到貨時已損壞", "A-1"):
        assert expected in text, expected
    assert "Return slip" not in text and "Send the goods to" not in text


def test_without_a_chinese_font_the_slip_is_written_in_english(
    world: World, settings, monkeypatch
) -> None:
    settings.PDF_CJK_FONT = "/nonexistent"
    monkeypatch.setattr(pdf, "CJK_FONT_CANDIDATES", ())
    _, return_id = _requested(world)
    world.client().post(f"/returns/{return_id}/approve", {})
    r = world.client().get(f"/returns/{return_id}/slip.pdf", language="zh-hant")
    assert r.status_code == 200 and b"/FontFile2" not in r.content
    assert "Return slip RMA-000001" in _text(r.content)


def test_another_companys_buyer_finds_no_slip(world: World) -> None:
    _, return_id = _requested(world)
    world.client().post(f"/returns/{return_id}/approve", {})
    neighbour = Company.objects.create(
        tenant=world.tenant, code="C999", name="Neighbour", price_list=world.price_list
    )
    _, nina = add_buyer(world, "nina@neighbour.example", company=neighbour)
    assert nina.get(f"/my/returns/{return_id}/slip.pdf").status_code == 404
