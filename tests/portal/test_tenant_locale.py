"""A tenant's languages and time zone are used: its pages tell time in its time zone, and the
language switch offers only its languages (another one asked for falls back to its first)."""

import re
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

from dinghuo.core.models import Tenant
from dinghuo.core.tenant_locale import page_language
from dinghuo.orders.models import Order
from tests.backoffice.staffing import staff_client
from tests.orders.support import place
from tests.portal.ordering import sign_in

LATE_EVENING_UTC = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)


def _placed_late(world) -> int:
    order_id = place(world, ("A-1", 1))
    Order.objects.filter(pk=order_id).update(placed_at=LATE_EVENING_UTC)
    return order_id


def _set(world, **fields) -> None:
    Tenant.objects.filter(pk=world.tenant.pk).update(**fields)


def _offered(html: str) -> list[str]:
    switch = html[html.index('data-testid="language"') :].split("</select>")[0]
    return re.findall(r'<option value="([a-z-]+)"', switch)


def test_an_order_placed_late_in_utc_shows_the_next_day_in_hong_kong(world):
    order_id = _placed_late(world)
    _set(world, time_zone="Asia/Hong_Kong")
    staff = staff_client(world).client
    buyer = sign_in(world).client

    for page in (staff.get(f"/staff/orders/{order_id}/"), buyer.get(f"/orders/{order_id}/")):
        html = page.content.decode()
        assert page.status_code == 200
        assert "Mar 5, 2026, 7:30\u202fAM" in html
        assert "Mar 4, 2026" not in html


def test_the_same_order_shows_its_utc_day_for_a_tenant_in_utc(world):
    order_id = _placed_late(world)
    _set(world, time_zone="UTC")
    html = staff_client(world).client.get(f"/staff/orders/{order_id}/").content.decode()
    assert "Mar 4, 2026, 11:30\u202fPM" in html
    # The page's time zone was the tenant's for the page only.
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


def test_the_language_switch_offers_only_the_tenants_languages(world):
    _set(world, languages="zh-hant,en")
    staff = staff_client(world).client
    buyer = sign_in(world).client

    for client, path in ((staff, "/staff/"), (buyer, "/catalogue/")):
        assert _offered(client.get(path).content.decode()) == ["en", "zh-hant"], path
    # Pages without a tenant (signing in) offer every language.
    assert "zh-hans" in _offered(buyer.get("/signin/").content.decode())


def test_a_language_the_tenant_does_not_offer_falls_back_to_its_first(world):
    _set(world, languages="zh-hant,en")
    buyer = sign_in(world).client
    buyer.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = buyer.get("/catalogue/").content.decode()

    assert '<html lang="zh-hant">' in page
    buyer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<html lang="en">' in buyer.get("/catalogue/").content.decode()


def test_page_language_keeps_an_offered_choice_and_falls_back_to_the_first():
    assert page_language("en", ["zh-hant", "en"]) == "en"
    assert page_language("zh-hans", ["zh-hant", "en"]) == "zh-hant"
    assert page_language("zh-hans", []) == "zh-hans"
    assert page_language("zh-hans", ["xx"]) == "zh-hans"  # nothing known offered: as asked


def test_a_mail_tells_time_in_the_tenants_time_zone(world):
    from dinghuo.notifications.branding import brand_for
    from dinghuo.notifications.composing import Recipient, compose
    from dinghuo.notifications.kinds import Kind

    _set(world, time_zone="Asia/Hong_Kong")
    mail = compose(
        Kind.QUOTE_ANSWERED,
        Recipient("ann@buyer.test", "Ann", "en"),
        {"number": "Q-0000001", "expires_at": LATE_EVENING_UTC, "rejected": False},
        tenant_id=world.tenant.pk,
        brand=brand_for(world.tenant.pk),
    )

    assert "Accept it before Mar 5, 2026, 7:30\u202fAM." in mail.text
