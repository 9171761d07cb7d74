"""A refusal the portal used to leave in the service's English is said in the page's language
(`core.refusals`), addressed to the buyer's company."""

from decimal import Decimal

from dinghuo.buying import services as buying
from dinghuo.buying.models import Quote
from dinghuo.core import clock
from dinghuo.customers.models import Company
from dinghuo.orders.models import Order
from dinghuo.pricing.models import PriceList
from tests.builders import World
from tests.portal.ordering import csrf_post, sign_in


def _answered_quote(world: World, member_id: int) -> Quote:
    quote = buying.request_quote(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        lines=[buying.QuoteLineRequest("A-1", 100)],
        requested_by_id=member_id,
    )
    return buying.answer_quote(
        tenant_id=world.tenant.pk,
        quote_id=quote.pk,
        lines=[buying.QuotedLine(1, Decimal("7.50"))],
        expires_at=clock.now().replace(year=clock.now().year + 1),
    )


def test_accepting_a_quote_after_the_company_changed_currency_is_refused_in_chinese(
    world: World,
) -> None:
    buyer = sign_in(world)
    quote = _answered_quote(world, buyer.member.pk)
    # The seller moves the company to a list in another currency while the answer is open.
    hkd = PriceList.objects.create(
        tenant=world.tenant, seller=world.seller, code="hkd", name="HKD", currency="HKD"
    )
    Company.objects.filter(pk=world.company.pk).update(price_list=hkd)
    buyer.client.cookies["django_language"] = "zh-hant"
    r = csrf_post(buyer.client, f"/quotes/{quote.pk}/accept/", {"ship_to": str(world.ship_to.pk)})
    assert r.status_code == 302 and r["Location"] == f"/quotes/{quote.pk}/"
    html = buyer.client.get(r["Location"]).content.decode()
    assert "貴公司現以 HKD 採購；請重新詢價。" in html
    assert "buys in" not in html
    assert not Order.objects.exists()
    assert Quote.objects.get(pk=quote.pk).status == "answered"

    buyer.client.cookies["django_language"] = "zh-hans"
    csrf_post(buyer.client, f"/quotes/{quote.pk}/accept/", {"ship_to": str(world.ship_to.pk)})
    html = buyer.client.get(f"/quotes/{quote.pk}/").content.decode()
    assert "贵公司现以 HKD 采购；请重新询价。" in html
