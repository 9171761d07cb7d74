"""The quote's answer reaches the buyer who asked; carriers' tracking pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dinghuo.notifications.tracking import tracking_link
from tests.builders import add_buyer
from tests.notifications.support import PORTAL, work


def _ask(api, world):
    body = {"lines": [{"sku": "A-1", "quantity": 50}], "ship_to_id": world.ship_to.pk}
    r = api.post("/my/quotes", body, key="rfq")
    assert r.status_code == 201, r.content
    return r.json()


def test_the_buyer_hears_the_quote_answer_and_a_refusal_with_its_reason(world, inbox, settings):
    settings.DINGHUO_PORTAL_URL = PORTAL
    _, api = add_buyer(world, "amy@buyer.example")
    asked = _ask(api, world)
    expires = timezone.now() + timedelta(days=7)
    body = {"lines": [{"line_number": 1, "unit_price": "7.50"}], "expires_at": expires.isoformat()}
    assert world.client().post(f"/quotes/{asked['id']}/answer", body).status_code == 200
    work()
    [answer] = inbox.to("amy@buyer.example")
    number = asked["number"]
    assert answer["Subject"] == f"Your quote {number} has an answer"
    text = answer.get_body(("plain",)).get_content()
    assert f"Your quote {number} has our prices." in text
    assert f"See the quote: {PORTAL}/quotes/{asked['id']}/" in text

    second = api.post(
        "/my/quotes",
        {"lines": [{"sku": "A-1", "quantity": 5}], "ship_to_id": world.ship_to.pk},
        key="rfq2",
    ).json()
    refused = world.client().post(f"/quotes/{second['id']}/reject", {"reason": "Discontinued soon"})
    assert refused.status_code == 200
    work()
    last = inbox.to("amy@buyer.example")[-1]
    text = last.get_body(("plain",)).get_content()
    assert f"We cannot quote your request {second['number']}." in text
    assert "Reason: Discontinued soon" in text


@pytest.mark.parametrize(
    ("carrier", "number", "link"),
    [
        ("SF Express", "SF1", "https://www.sf-express.com/we/ow/chn/en/waybill/waybill-detail/SF1"),
        (
            "  dhl   EXPRESS ",
            "12 34",
            "https://www.dhl.com/global-en/home/tracking.html?tracking-id=12%2034",
        ),
        ("FedEx", "7", "https://www.fedex.com/fedextrack/?trknbr=7"),
        ("Pigeon Post", "7", ""),
        ("FedEx", "  ", ""),
    ],
)
def test_tracking_links_of_known_carriers(carrier, number, link):
    assert tracking_link(carrier, number) == link


def test_a_counter_offer_reaches_the_sellers_staff_with_the_buyers_note(world, inbox, settings):
    from tests.notifications.support import add_staff

    settings.DINGHUO_PORTAL_URL = PORTAL
    add_staff(world, "sam@seller.example")
    _, api = add_buyer(world, "amy@buyer.example")
    asked = _ask(api, world)
    expires = timezone.now() + timedelta(days=7)
    body = {"lines": [{"line_number": 1, "unit_price": "7.50"}], "expires_at": expires.isoformat()}
    assert world.client().post(f"/quotes/{asked['id']}/answer", body).status_code == 200
    countered = api.post(
        f"/my/quotes/{asked['id']}/counter",
        {"lines": [{"line_number": 1, "quantity": 100, "unit_price": "7.00"}], "note": "Double?"},
    )
    assert countered.status_code == 200, countered.content
    work()
    [mail] = inbox.to("sam@seller.example")
    number = asked["number"]
    assert mail["Subject"] == f"{world.company.name} countered quote {number}"
    text = mail.get_body(("plain",)).get_content()
    assert "with a counter-offer; it waits for your answer." in text
    assert "The buyer's note: Double?" in text
    assert f"/staff/quotes/{asked['id']}/" in text
