"""The buyer's return pages: the "Return goods" link on a delivered order, the request form
(what can still go back per line, a quantity and a reason), refusals next to the quantity,
the return's page and the company's returns list, in the buyer's language; never another
company's order or return."""

import re

import pytest

from dinghuo.returns.models import ReturnLine, ReturnRequest
from tests.builders import World
from tests.portal.ordering import csrf_post, second_company, sign_in
from tests.returns.support import delivered_order, set_policy

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _ask(client, order_id: int, **fields: str):
    return csrf_post(client, f"/orders/{order_id}/return/", fields)


def test_a_buyer_asks_back_2_of_5_and_sees_the_request(world: World) -> None:
    set_policy(world, auto_approve_limit=None)  # a clerk decides
    order_id = delivered_order(world, ("A-1", 5))
    buyer = sign_in(world)
    order_page = buyer.client.get(f"/orders/{order_id}/").content.decode()
    assert f'href="/orders/{order_id}/return/"' in order_page

    form = buyer.client.get(f"/orders/{order_id}/return/").content.decode()
    assert 'data-testid="left-1">5<' in form
    assert "Arrived damaged" in form and "No longer needed" in form

    r = _ask(buyer.client, order_id, quantity_1="2", reason_1="not_needed", note="Too many")
    made = ReturnRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/returns/{made.pk}/"
    assert [(line.quantity, line.reason) for line in ReturnLine.objects.all()] == [
        (2, "not_needed")
    ]
    assert made.requested_by_id == buyer.member.pk and made.note == "Too many"
    page = _text(buyer.client.get(r["Location"]).content.decode())
    assert "Your return request is sent." in page
    assert "Requested" in page and "The seller will look at your request" in page
    assert "A-1" in page and "No longer needed" in page
    # Asked back, those 2 are no longer offered: 3 can still go back.
    again = buyer.client.get(f"/orders/{order_id}/return/").content.decode()
    assert 'data-testid="left-1">3<' in again
    listed = buyer.client.get("/returns/").content.decode()
    assert f'data-testid="return-{made.pk}"' in listed


def test_more_than_delivered_is_refused_next_to_the_quantity(world: World) -> None:
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 2))
    buyer = sign_in(world)
    r = _ask(buyer.client, order_id, quantity_2="3", reason_2="damaged")
    assert r.status_code == 200
    html = r.content.decode()
    error = re.search(r'data-testid="error-quantity_2">([^<]+)<', html)
    assert error and error.group(1) == "At most 2 units of this line can be returned."
    assert 'data-testid="error-quantity_1"' not in html
    assert not ReturnRequest.objects.exists()
    # 2 of 2 is accepted (approved at once under the seller's limit).
    r = _ask(buyer.client, order_id, quantity_2="2", reason_2="damaged")
    assert r.status_code == 302
    assert ReturnRequest.objects.get().status == "approved"


def test_a_line_without_a_reason_and_an_empty_request_are_refused(world: World) -> None:
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5))
    buyer = sign_in(world)
    html = _ask(buyer.client, order_id, quantity_1="1").content.decode()
    assert 'data-testid="error-reason_1">Choose one of the reasons.<' in html
    html = _ask(buyer.client, order_id, quantity_1="0").content.decode()
    assert "Enter the units to return on at least one line." in html
    assert not ReturnRequest.objects.exists()


def test_an_order_not_delivered_has_no_return_link_and_no_form(world: World) -> None:
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 2))
    assert "/return/" not in buyer.client.get(f"/orders/{order.pk}/").content.decode()
    html = buyer.client.get(f"/orders/{order.pk}/return/").content.decode()
    assert "Only goods of a delivered order can be returned." in html
    assert 'data-testid="return-request"' not in html


def test_another_companys_order_and_return_are_not_found(world: World) -> None:
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5))
    ours = sign_in(world)
    assert _ask(ours.client, order_id, quantity_1="1", reason_1="damaged").status_code == 302
    made = ReturnRequest.objects.get()
    other = sign_in(world, "otto@other.test", company=second_company(world))
    assert other.client.get(f"/orders/{order_id}/return/").status_code == 404
    r = _ask(other.client, order_id, quantity_1="1", reason_1="damaged")
    assert r.status_code == 404
    assert other.client.get(f"/returns/{made.pk}/").status_code == 404
    assert f"return-{made.pk}" not in other.client.get("/returns/").content.decode()
    assert ReturnRequest.objects.count() == 1


def test_the_request_page_speaks_chinese(world: World) -> None:
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5))
    buyer = sign_in(world)
    buyer.client.cookies["django_language"] = "zh-hant"
    html = buyer.client.get(f"/orders/{order_id}/return/").content.decode()
    assert "退貨" in html and "到貨時已損壞" in html
    assert "Arrived damaged" not in html and "Return goods" not in html
    refused = _ask(buyer.client, order_id, quantity_1="6", reason_1="damaged").content.decode()
    assert "此行最多可退 5 件。" in refused
    buyer.client.cookies["django_language"] = "zh-hans"
    html = buyer.client.get(f"/orders/{order_id}/return/").content.decode()
    assert "退货" in html and "Return goods" not in html


def test_the_link_is_offered_up_to_the_last_day_of_the_window_only(world: World) -> None:
    from dinghuo.core.clock import as_of
    from tests.returns.support import days_after_today

    set_policy(world, window_days=14)
    order_id = delivered_order(world, ("A-1", 5))
    buyer = sign_in(world)
    with as_of(days_after_today(14)):
        page = buyer.client.get(f"/orders/{order_id}/").content.decode()
    assert 'data-testid="return-goods"' in page
    with as_of(days_after_today(15)):
        page = buyer.client.get(f"/orders/{order_id}/").content.decode()
    assert 'data-testid="return-goods"' not in page


def test_an_approved_return_offers_its_slip_to_print(world: World) -> None:
    from dinghuo.returns import services

    set_policy(world, auto_approve_limit=None)  # a clerk decides
    order_id = delivered_order(world, ("A-1", 5))
    buyer = sign_in(world)
    assert _ask(buyer.client, order_id, quantity_1="2", reason_1="damaged").status_code == 302
    made = ReturnRequest.objects.get()
    page = buyer.client.get(f"/returns/{made.pk}/").content.decode()
    assert 'data-testid="return-slip"' not in page
    # Before approval there is no slip: the return's page says so.
    r = buyer.client.get(f"/returns/{made.pk}/slip/", follow=True)
    assert "The return slip can be printed once the return is approved." in _text(
        r.content.decode()
    )

    services.approve_return(tenant_id=world.tenant.pk, return_id=made.pk)
    buyer.client.cookies["django_language"] = "zh-hant"
    page = buyer.client.get(f"/returns/{made.pk}/").content.decode()
    link = re.search(r'<a class="button" href="([^"]+)" data-testid="return-slip">([^<]+)<', page)
    assert link and link.groups() == (f"/returns/{made.pk}/slip/", "列印退貨單")
    r = buyer.client.get(link.group(1))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == 'inline; filename="RMA-000001.pdf"'
    other = sign_in(world, "otto@other.test", company=second_company(world))
    assert other.client.get(f"/returns/{made.pk}/slip/").status_code == 404


def _jpeg(size: tuple[int, int] = (600, 400)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def test_photos_sent_with_the_request_are_shown_to_the_buyer_and_staff(
    world: World, settings, tmp_path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.backoffice.staffing import staff_client

    settings.MEDIA_ROOT = tmp_path
    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, ("A-1", 5))
    buyer = sign_in(world)
    form = buyer.client.get(f"/orders/{order_id}/return/").content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="photos" multiple' in form
    sent = [SimpleUploadedFile("dent.jpg", _jpeg()), SimpleUploadedFile("box.jpg", _jpeg())]
    r = _ask(buyer.client, order_id, quantity_1="1", reason_1="damaged", photos=sent)
    assert r.status_code == 302
    made = ReturnRequest.objects.get()
    page = buyer.client.get(r["Location"]).content.decode()
    thumbs = re.findall(r'<img src="(/returns/\d+/photos/\d+/thumbnail/)"', page)
    assert len(thumbs) == 2
    thumb = buyer.client.get(thumbs[0])
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert b"".join(thumb.streaming_content)[:3] == b"\xff\xd8\xff"
    full = re.search(r'href="(/returns/\d+/photos/\d+/)" data-testid="photo-1"', page)
    assert full and b"".join(buyer.client.get(full.group(1)).streaming_content) == _jpeg()

    staff = staff_client(world)
    desk = staff.client.get(f"/staff/returns/{made.pk}/").content.decode()
    staff_thumbs = re.findall(r'<img src="(/staff/returns/\d+/photos/\d+/thumbnail/)"', desk)
    assert [t.removeprefix("/staff") for t in staff_thumbs] == thumbs
    assert staff.client.get(staff_thumbs[1]).status_code == 200
    other = sign_in(world, "otto@other.test", company=second_company(world))
    assert other.client.get(thumbs[0]).status_code == 404
    assert other.client.get(full.group(1)).status_code == 404


def test_a_file_that_is_not_a_photo_is_refused_next_to_the_photos(
    world: World, settings, tmp_path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5))
    buyer = sign_in(world)
    sent = [SimpleUploadedFile("list.jpg", b"name,quantity\nA-1,2\n")]
    r = _ask(buyer.client, order_id, quantity_1="1", reason_1="damaged", photos=sent)
    assert r.status_code == 200
    error = re.search(r'data-testid="error-photos">([^<]+)<', r.content.decode())
    assert error and error.group(1) == "This file is not a photo: send a JPEG, PNG or WebP image."
    many = [SimpleUploadedFile(f"{i}.jpg", _jpeg((20, 20))) for i in range(6)]
    buyer.client.cookies["django_language"] = "zh-hant"
    r = _ask(buyer.client, order_id, quantity_1="1", reason_1="damaged", photos=many)
    error = re.search(r'data-testid="error-photos">([^<]+)<', r.content.decode())
    assert error and error.group(1) == "每宗退貨最多 5 張照片；還可附上 5 張。"
    assert not ReturnRequest.objects.exists() and not any(tmp_path.rglob("*.*"))


def test_a_buyer_asks_for_an_exchange_and_follows_the_replacement_order(world: World) -> None:
    from dinghuo.orders.models import Order
    from dinghuo.returns import services

    set_policy(world, auto_approve_limit=None)  # a clerk decides
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 3))
    buyer = sign_in(world)
    form = buyer.client.get(f"/orders/{order_id}/return/").content.decode()
    assert 'name="outcome" value="exchange"' in form and "the two net out" in form
    r = _ask(
        buyer.client,
        order_id,
        quantity_1="2",
        reason_1="defective",
        outcome="exchange",
        replacements="C-3 4\nNOPE 1",
    )
    assert r.status_code == 200
    error = re.search(r'data-testid="error-replacements">([^<]+)<', r.content.decode())
    assert error and error.group(1) == "NOPE: No such SKU in your catalogue."
    assert not ReturnRequest.objects.exists()

    r = _ask(buyer.client, order_id, quantity_1="2", reason_1="defective", outcome="exchange")
    assert r.status_code == 302
    made = ReturnRequest.objects.get()
    page = _text(buyer.client.get(r["Location"]).content.decode())
    assert "2 × Item A-1 A-1" in page
    assert "ordered and reserved for you when the seller approves the return" in page
    assert "the two net out on your statement" in page

    services.approve_return(tenant_id=world.tenant.pk, return_id=made.pk)
    exchange = Order.objects.get(channel="exchange")
    html = buyer.client.get(f"/returns/{made.pk}/").content.decode()
    link = re.search(r'href="([^"]+)" data-testid="exchange-order">([^<]+)<', html)
    assert link and link.groups() == (f"/orders/{exchange.pk}/", exchange.number)
    assert "It ships once your returned goods arrive." in _text(html)
    assert buyer.client.get(link.group(1)).status_code == 200
    buyer.client.cookies["django_language"] = "zh-hant"
    html = _text(buyer.client.get(f"/returns/{made.pk}/").content.decode())
    assert "換貨訂單" in html and "你的退貨送達後即會出貨。" in html
