"""The 500 page is drawn with nothing the failure may have taken away: no database (this
module may not touch it), no tenant, no session, no signed-in person."""

import re

import pytest
from django.test import RequestFactory

from dinghuo.config.errors import server_error


@pytest.mark.parametrize(
    ("path", "language", "words", "start", "look"),
    [
        ("/orders/12/", "en", "Something went wrong", 'href="/"', "dinghuo/site.css"),
        ("/orders/12/", "zh-Hant", "出了點問題", 'href="/"', "dinghuo/site.css"),
        ("/staff/orders/12/", "zh-Hans", "出了点问题", 'href="/staff/"', "backoffice.css"),
    ],
)
def test_the_500_page_needs_neither_database_nor_tenant(
    path: str, language: str, words: str, start: str, look: str
) -> None:
    request = RequestFactory().get(path, HTTP_ACCEPT_LANGUAGE=language)
    response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert words in html and start in html and look in html
    assert "Traceback" not in html and "orders/12" not in html.split("<main", 1)[1]
    if language != "en":
        body = re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1].split(">", 1)[1])
        assert not re.findall(r"[A-Za-z]{4,}", body)
