"""Reasons the code puts into words (a credit hold, the spending limit) are said in the
page's language, while the API and the order's own record keep them in English."""

from dinghuo.orders.models import OrderApproval
from tests.backoffice.staffing import place, staff_client, texts
from tests.builders import World
from tests.orders.support import set_credit
from tests.portal.ordering import sign_in


def _hold_reason(page: str) -> str:
    start = page.index('data-testid="hold-reason"')
    return page[start : page.index("</p>", start)]


def test_the_credit_hold_reason_follows_the_page_language(world: World) -> None:
    set_credit(world, "10.00")
    staff = staff_client(world)
    order = place(world, ("A-1", 5))
    assert order.hold_reason.startswith("Credit: the order (")  # the record stays English
    english = _hold_reason(texts(staff.client.get(f"/staff/orders/{order.pk}/")))
    assert "would take exposure from $0.00 over the credit limit of $10.00" in english
    for language, words in (("zh-hant", "超過信貸額度"), ("zh-hans", "超过信用额度")):
        page = texts(staff.client.get(f"/staff/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE=language))
        said = _hold_reason(page)
        assert words in said and "exposure" not in said, (language, said)


def test_the_spending_limit_reason_follows_the_approvers_language(world: World) -> None:
    buyer = sign_in(world, "ann@buyer.test", spending_limit="50")
    order = buyer.place(world, ("A-1", 10))
    [step] = OrderApproval.objects.filter(order=order)
    assert step.reasons[0]["text"] == "90.00 USD is over the buyer's spending limit of 50.00 USD"
    api = world.client().get(f"/orders/{order.pk}").json()
    assert api["approvals"][0]["reasons"] == [
        "90.00 USD is over the buyer's spending limit of 50.00 USD"
    ]
    approver = sign_in(world, "amy@buyer.test", "approver")
    html = approver.client.get("/approvals/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "US$90.00 超過下單人的消費限額 US$50.00" in html
    assert "spending limit" not in html
