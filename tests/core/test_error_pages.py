"""Errors no view answered get styled pages in the reader's language (config/errors.py)."""

import re

import pytest
from django.test import Client

from dinghuo.config.errors import server_error

pytestmark = pytest.mark.django_db

LATIN_WORD = re.compile(r"[A-Za-z]{4,}")


def _visible_text(html: str) -> str:
    body = html.split("<main", 1)[-1].split(">", 1)[-1]  # what the page says, past its header
    return re.sub(r"<[^>]+>", " ", body)


def test_an_unknown_page_is_a_styled_404_in_english() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="error-page"' in html
    assert "Page not found" in html
    assert 'href="/"' in html


def test_an_unknown_staff_page_links_back_to_the_back_office_in_chinese() -> None:
    client = Client()
    client.cookies["django_language"] = "zh-hant"
    response = client.get("/staff/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "找不到頁面" in html
    assert 'href="/staff/"' in html
    assert response["Content-Language"] == "zh-hant"
    assert not LATIN_WORD.findall(_visible_text(html))


def test_an_unknown_api_route_stays_problem_json() -> None:
    response = Client().get("/api/v1/no-such-route")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_a_form_without_its_csrf_token_gets_the_styled_expired_page() -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "zh-hans"
    response = client.post("/signin/", {"email": "a@b.example", "password": "x"})
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()


def test_a_server_error_is_a_styled_500_in_the_readers_language(rf) -> None:
    request = rf.get("/orders/", HTTP_ACCEPT_LANGUAGE="zh-Hant")
    response = server_error(request)
    assert response.status_code == 500
    assert "出了點問題" in response.content.decode()


def test_the_back_office_error_page_has_the_back_office_look_and_ways_back() -> None:
    html = Client().get("/staff/no-such-page/").content.decode()
    assert "backoffice/backoffice.css" in html  # the back office's stylesheet
    assert 'href="/staff/" data-testid="error-start"' in html
    assert 'href="/staff/signin/"' in html


def test_the_portal_error_page_offers_the_start_page_and_signing_in() -> None:
    html = Client().get("/no-such-page/").content.decode()
    assert "backoffice.css" not in html
    assert 'href="/signin/"' in html and 'href="/"' in html


def test_a_signed_in_clerk_refused_a_page_sees_it_in_chinese(world) -> None:
    from tests.backoffice.staffing import staff_client

    staff = staff_client(world, role="warehouse")
    staff.client.cookies["django_language"] = "zh-hant"
    response = staff.client.get("/staff/people/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "沒有權限" in html and "返回首頁" in html and "登入" in html
    assert not LATIN_WORD.findall(_visible_text(html))
