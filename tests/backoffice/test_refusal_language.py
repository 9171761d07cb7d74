"""A refusal the back office used to leave in the service's English is said in the page's
language (`core.refusals`), to staff."""

import re

from dinghuo.orders.models import Order
from tests.backoffice.staffing import csrf_post, staff_client, texts


def _entry(world) -> str:
    return f"/staff/companies/{world.company.pk}/order/"


def test_an_order_form_sent_again_with_other_rows_is_refused_in_chinese(world):
    staff = staff_client(world)
    page = texts(staff.client.get(_entry(world)))
    found = re.search(r'name="token" value="([0-9a-f]+)"', page)
    assert found is not None
    body = {
        "token": found.group(1),
        "ship_to": str(world.ship_to.pk),
        "purchase_order_number": "",
        "notes": "",
        "sku": ["A-1"],
        "quantity": ["2"],
        "action": "place",
    }
    assert csrf_post(staff.client, _entry(world), body).status_code == 302
    # Back in the browser, a row changed, the same form sent again: the form's one-time token
    # (its Idempotency-Key) was used for other rows, and nothing more is placed.
    staff.client.cookies["django_language"] = "zh-hans"
    again = texts(csrf_post(staff.client, _entry(world), {**body, "quantity": ["3"]}))
    assert "此表单已以其他内容提交过；请重新加载页面。" in again
    assert "Idempotency-Key" not in again
    assert Order.objects.count() == 1

    staff.client.cookies["django_language"] = "zh-hant"
    again = texts(csrf_post(staff.client, _entry(world), {**body, "quantity": ["4"]}))
    assert "此表單已以其他內容提交過；請重新載入頁面。" in again
    assert Order.objects.count() == 1
