"""Mails about orders, received by a real SMTP server: who gets which, in whose language,
saying what (order number, amount as people write it, links, tracking), and preferences."""

from dinghuo.notifications import services
from dinghuo.notifications.kinds import Audience
from dinghuo.notifications.models import Mail
from dinghuo.orders.models import Order
from tests.builders import add_buyer
from tests.notifications.support import PORTAL, add_staff, buyer_order, work
from tests.orders.support import add_rule, set_policy


def _text(message):
    return message.get_body(("plain",)).get_content()


def _html(message):
    return message.get_body(("html",)).get_content()


def _prefer(world, user_id, language="", audience=Audience.BUYER, **choices):
    services.save_preferences(
        tenant_id=world.tenant.pk,
        user_id=user_id,
        audience=audience,
        language=language,
        choices=choices,
    )


def test_a_chinese_buyer_gets_order_placed_in_traditional_chinese(world, inbox, settings):
    settings.DINGHUO_PORTAL_URL = PORTAL
    amy, client = add_buyer(world, "amy@buyer.example")
    _prefer(world, amy.user_id, "zh-hant")
    order = buyer_order(client, world, ("A-1", 5))  # 5 × 10.00
    assert Mail.objects.count() == 0  # placing writes no mail: the worker reads its events

    work()

    [message] = inbox.to("amy@buyer.example")
    number = Order.objects.get(pk=order["id"]).number
    assert message["Subject"] == f"訂單 {number} 已下單"
    assert message["From"] == "Acme Wholesale <billing@acme.test>"
    assert message["Content-Language"] == "zh-hant"
    text = _text(message)
    assert "amy 您好：" in text
    assert "感謝您的訂購，我們已收到您的訂單。" in text
    assert f"訂單編號：{number}" in text
    assert "總計：US$50.00" in text
    assert f"查看訂單：{PORTAL}/orders/{order['id']}/" in text
    html = _html(message)
    assert '<html lang="zh-hant">' in html
    assert f"<strong>{number}</strong>" in html
    assert "<strong>US$50.00</strong>" in html
    assert f'href="{PORTAL}/orders/{order["id"]}/"' in html
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith(f"<{PORTAL}/mail/unsubscribe/")
    assert unsubscribe[1:-1] in text and unsubscribe[1:-1] in html


def test_an_english_buyer_follows_the_order_to_delivery_with_a_tracking_link(
    world, inbox, settings
):
    settings.DINGHUO_PORTAL_URL = PORTAL
    _, client = add_buyer(world, "amy@buyer.example")
    order = buyer_order(client, world, ("A-1", 5))
    staff = world.client()
    assert staff.post(f"/orders/{order['id']}/confirm").status_code == 200
    ship = {"carrier": "SF Express", "tracking_number": "SF1234567890123"}
    assert staff.post(f"/orders/{order['id']}/shipments", ship).status_code == 201
    assert staff.post(f"/orders/{order['id']}/deliver").status_code == 200

    work()

    number = Order.objects.get(pk=order["id"]).number
    subjects = [m["Subject"] for m in inbox.to("amy@buyer.example")]
    assert subjects == [
        f"Order {number} placed",
        f"Order {number} confirmed",
        f"Order {number} shipped",
        f"Order {number} delivered",
    ]
    shipped = inbox.to("amy@buyer.example")[2]
    link = "https://www.sf-express.com/we/ow/chn/en/waybill/waybill-detail/SF1234567890123"
    assert "Carrier: SF Express" in _text(shipped)
    assert "Tracking number: SF1234567890123" in _text(shipped)
    assert f"Follow your parcel: {link}" in _text(shipped)
    assert f'<a href="{link}">SF1234567890123</a>' in _html(shipped)
    assert "Total: $50.00" in _text(shipped)
    assert Mail.objects.filter(state="sent").count() == 4


def test_an_order_confirmed_at_once_gets_one_mail_not_two(world, inbox):
    set_policy(world, auto_confirm=True)
    _, client = add_buyer(world, "amy@buyer.example")
    order = buyer_order(client, world, ("A-1", 5))
    assert order["status"] == "confirmed"
    work()
    assert [m["Subject"] for m in inbox.to("amy@buyer.example")] == [
        f"Order {Order.objects.get(pk=order['id']).number} placed"
    ]


def test_approvers_are_asked_and_the_buyer_hears_the_rejection_with_its_reason(
    world, inbox, settings
):
    settings.DINGHUO_PORTAL_URL = PORTAL
    _, amy = add_buyer(world, "amy@buyer.example", spending_limit="50")
    bob, bob_api = add_buyer(world, "bob@buyer.example", role="approver")
    _prefer(world, bob.user_id, "zh-hans")
    add_buyer(world, "cat@buyer.example")  # a buyer: not asked
    order = buyer_order(amy, world, ("A-1", 6))  # 60.00, over her limit
    assert order["status"] == "awaiting_approval"
    work()
    number = Order.objects.get(pk=order["id"]).number
    [ask] = inbox.to("bob@buyer.example")
    assert ask["Subject"] == f"订单 {number} 需要您审批"
    assert "Buyer One 的订单正等待您审批。" in _text(ask)
    assert f"打开审批：{PORTAL}/approvals/" in _text(ask)
    assert "总计：US$60.00" in _text(ask)
    assert inbox.to("cat@buyer.example") == []

    r = bob_api.post(
        f"/my/orders/{order['id']}/reject", {"comment": "Not in this quarter's budget"}
    )
    assert r.status_code == 200, r.json()
    work()
    rejected = inbox.to("amy@buyer.example")[-1]
    assert rejected["Subject"] == f"Order {number} rejected"
    assert "Your order has been rejected." in _text(rejected)
    assert "Reason: Not in this quarter's budget" in _text(rejected)
    assert "Not in this quarter&#x27;s budget" in _html(rejected)


def test_seller_staff_approve_and_only_staff_who_asked_get_order_placed(world, inbox, settings):
    settings.DINGHUO_PORTAL_URL = PORTAL
    add_rule(world, "Big orders: our sales desk", approver="seller", min_amount=50)
    quiet = add_staff(world, "quiet@acme.test")
    keen = add_staff(world, "keen@acme.test")
    _prefer(world, keen.pk, audience=Audience.STAFF, order_placed=True)
    _, amy = add_buyer(world, "amy@buyer.example")
    order = buyer_order(amy, world, ("A-1", 6))
    work()
    number = Order.objects.get(pk=order["id"]).number
    staff_link = f"{PORTAL}/staff/orders/{order['id']}/"
    assert [m["Subject"] for m in inbox.to("quiet@acme.test")] == [
        f"Order {number} needs your approval"
    ]
    assert [m["Subject"] for m in inbox.to("keen@acme.test")] == [
        f"Order {number} placed",
        f"Order {number} needs your approval",
    ]
    placed = inbox.to("keen@acme.test")[0]
    assert "Buyer One placed an order." in _text(placed)
    assert f"See the order: {staff_link}" in _text(placed)
    assert quiet.pk != keen.pk


def test_a_kind_turned_off_is_not_mailed_and_the_others_still_are(world, inbox):
    amy, client = add_buyer(world, "amy@buyer.example")
    _prefer(world, amy.user_id, order_placed=False)
    order = buyer_order(client, world, ("A-1", 5))
    world.client().post(f"/orders/{order['id']}/confirm")
    work()
    number = Order.objects.get(pk=order["id"]).number
    assert [m["Subject"] for m in inbox.to("amy@buyer.example")] == [f"Order {number} confirmed"]
    assert Mail.objects.filter(kind="order_placed").count() == 0


def test_an_order_nobody_placed_in_the_portal_goes_to_the_company_admins(world, inbox):
    add_buyer(world, "ada@buyer.example", role="admin")
    add_buyer(world, "ben@buyer.example")
    r = world.client().place(world.order_body(("A-1", 5)))
    assert r.status_code == 201
    work()
    assert len(inbox.to("ada@buyer.example")) == 1
    assert inbox.to("ben@buyer.example") == []


def test_events_are_mailed_once_however_many_rounds(world, inbox):
    _, client = add_buyer(world, "amy@buyer.example")
    buyer_order(client, world, ("A-1", 5))
    work()
    work()
    assert len(inbox.received) == 1
    assert Mail.objects.count() == 1
