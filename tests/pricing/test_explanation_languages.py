"""The price explanation in the reader's language: the buyer's product page and the back
office's price answer say the pricing rule's steps in English, Traditional or Simplified
Chinese as the reader chose; the API says them in English whoever asks."""

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from dinghuo.pricing.models import ContractPrice, PriceListAssignment
from tests.backoffice.staffing import csrf_post as staff_post
from tests.backoffice.staffing import staff_client
from tests.builders import World
from tests.portal.ordering import csrf_post as buyer_post
from tests.portal.ordering import sign_in
from tests.pricing.support import group, price_list

# Words of the English templates that a page in Chinese must not show.
ENGLISH = ("chosen", "skipped", "Contract", "Price list", "priority", "assigned", "units")

STEPS = {
    "zh-hant": [
        "合約 #{contract} 'K-7'：5 件起單價 7.50 USD，採用此價。",
        "價目表 euro（優先級 9，指定給該公司）：不予考慮，以 EUR 計價，而非該公司的 USD。",
        "價目表 old（優先級 5，指定給客戶群組 dealers）：不予考慮，已停用。",
        "價目表 std（基本價目表）：無需使用，排在前面的來源已有 12 件的價格。",
        "單價：7.50 USD。",
    ],
    "zh-hans": [
        "合同 #{contract} 'K-7'：5 件起单价 7.50 USD，采用此价。",
        "价目表 euro（优先级 9，指定给该公司）：不予考虑，以 EUR 计价，而非该公司的 USD。",
        "价目表 old（优先级 5，指定给客户群组 dealers）：不予考虑，已停用。",
        "价目表 std（基本价目表）：无需使用，排在前面的来源已有 12 件的价格。",
        "单价：7.50 USD。",
    ],
}


def _contract_and_skipped_lists(world: World) -> int:
    """A contract price for A-1 from 5 units, a list in another currency assigned to the
    company and an inactive one assigned to its group: both skipped. The contract's id."""
    created = world.client().post(
        f"/companies/{world.company.pk}/contract-prices",
        {
            "sku_id": world.skus["A-1"].pk,
            "valid_from": "2020-01-01",
            "valid_until": None,
            "reference": "K-7",
            "tiers": [{"min_quantity": 5, "unit_price": "7.50"}],
        },
    )
    assert created.status_code == 201, created.content
    euro = price_list(world, "euro", {"A-1": [(1, "6.00")]}, currency="EUR")
    PriceListAssignment.objects.create(
        tenant=world.tenant, price_list=euro, company=world.company, priority=9
    )
    old = price_list(world, "old", {"A-1": [(1, "5.00")]}, is_active=False)
    PriceListAssignment.objects.create(
        tenant=world.tenant,
        price_list=old,
        customer_group=group(world, "dealers", world.company),
        priority=5,
    )
    return ContractPrice.objects.get(company=world.company, reference="K-7").pk


def _steps(page: str) -> list[str]:
    listed = page[page.index('data-testid="price-steps"') :]
    listed = listed[: listed.index("</ol>")]
    return [html.unescape(step) for step in re.findall(r"<li>(.*?)</li>", listed, re.S)]


def _english_steps(world: World) -> list[str]:
    r = world.client().get(
        f"/companies/{world.company.pk}/price-explanation", sku="A-1", quantity=12
    )
    assert r.status_code == 200, r.content
    return r.json()["steps"]


def _choose_language(client: Client, language: str, post: Callable[..., Any]) -> None:
    """As the language switch of the pages does: the cookie and the session."""
    response = post(client, "/i18n/language/", {"language": language, "next": "/signin/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == language


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
def test_the_product_page_says_the_steps_in_the_readers_chinese(
    world: World, language: str
) -> None:
    contract = _contract_and_skipped_lists(world)
    buyer = sign_in(world)
    _choose_language(buyer.client, language, buyer_post)

    page = buyer.client.get(f"/products/{world.skus['A-1'].pk}/", {"quantity": 12})

    assert page.status_code == 200
    text = page.content.decode()
    assert f'<html lang="{language}"' in text
    steps = _steps(text)
    assert steps == [step.format(contract=contract) for step in STEPS[language]]
    for step in steps:
        assert not any(word in step for word in ENGLISH), step
    assert 'lang="en"' not in text[text.index('data-testid="price-steps"') - 40 :]


def test_the_product_page_in_english_says_the_apis_steps(world: World) -> None:
    _contract_and_skipped_lists(world)
    buyer = sign_in(world)

    page = buyer.client.get(f"/products/{world.skus['A-1'].pk}/", {"quantity": 12})

    assert _steps(page.content.decode()) == _english_steps(world)


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
def test_the_back_office_price_answer_says_the_steps_in_the_readers_chinese(
    world: World, language: str
) -> None:
    contract = _contract_and_skipped_lists(world)
    staff = staff_client(world)
    _choose_language(staff.client, language, staff_post)

    page = staff.client.get(
        f"/staff/companies/{world.company.pk}/",
        {"sku": "A-1", "quantity": "12"},
        HTTP_HX_REQUEST="true",
    )

    assert page.status_code == 200
    steps = _steps(page.content.decode())
    assert steps == [step.format(contract=contract) for step in STEPS[language]]
    for step in steps:
        assert not any(word in step for word in ENGLISH), step

    staff.client.cookies["django_language"] = "en"
    english = staff.client.get(
        f"/staff/companies/{world.company.pk}/", {"sku": "A-1", "quantity": "12"}
    )
    assert _steps(english.content.decode()) == _english_steps(world)


def test_the_api_explains_in_english_whatever_language_is_asked_for(world: World) -> None:
    contract = _contract_and_skipped_lists(world)
    api = world.client()
    api.client.cookies["django_language"] = "zh-hant"

    r = api.client.get(
        f"/api/v1/companies/{world.company.pk}/price-explanation",
        {"sku": "A-1", "quantity": 12},
        headers={**api.headers, "Accept-Language": "zh-hant"},
    )

    assert r.status_code == 200, r.content
    assert r["Content-Language"] == "zh-hant"  # the request was read in Chinese
    assert r.json()["steps"] == [
        f"Contract #{contract} 'K-7': 7.50 USD from 5 units — chosen.",
        "Price list euro (priority 9, assigned to the company): skipped, in EUR, not the "
        "company's USD.",
        "Price list old (priority 5, assigned to group dealers): skipped, inactive.",
        "Price list std (base list): not needed, a source before it prices 12 units.",
        "Unit price: 7.50 USD.",
    ]
