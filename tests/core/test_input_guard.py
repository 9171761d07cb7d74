"""The input guard: a NUL anywhere a request carries text is refused with a styled 400 page
(problem+json on the API), in the visitor's language, and nothing changes."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import encode_multipart
from tests.builders import World
from tests.portal.ordering import csrf_post, sign_in

from dinghuo.buying.models import CartLine
from dinghuo.customers.models import Location
from dinghuo.orders.models import Order

TITLE = "The request could not be read"


def refused(response, status: int = 400, title: str = TITLE) -> str:
    """The page's HTML, after checking it is the styled refusal with `status`."""
    html = response.content.decode()
    assert response.status_code == status, html[:300]
    assert response["Content-Type"].startswith("text/html")
    assert 'data-testid="bad-request"' in html
    assert "site-header" in html  # the layout's header: the page extends the layout
    assert f"<h1>{title}</h1>" in html
    return html


def cart_lines(world: World) -> int:
    return CartLine.objects.filter(tenant=world.tenant).count()


@pytest.mark.parametrize(
    "query",
    ["q=%00", "q=a%00b", "%00=1", "category=1&q=x%00", "q=\x00"],
    ids=["value", "inside", "name", "second", "raw byte"],
)
def test_a_nul_in_the_query_string_is_refused(world: World, query: str) -> None:
    buyer = sign_in(world)
    refused(buyer.client.get(f"/catalogue/?{query}"))


def test_percent_encoded_percent_zero_zero_is_searched_as_text(world: World) -> None:
    buyer = sign_in(world)
    page = buyer.client.get("/catalogue/?q=%2500")
    assert page.status_code == 200
    assert 'value="%00"' in page.content.decode()


def test_the_refusal_speaks_the_visitors_language(world: World) -> None:
    buyer = sign_in(world)
    html = refused(
        buyer.client.get("/catalogue/?q=%00", HTTP_ACCEPT_LANGUAGE="zh-hant"),
        title="無法讀取這個請求",
    )
    assert TITLE not in html and "Nothing was changed" not in html
    buyer.client.cookies["django_language"] = "zh-hans"
    page = buyer.client.get("/staff/orders/?q=%00")
    refused(page, title="无法读取这个请求")
    assert page["Content-Language"] == "zh-hans"


@pytest.mark.parametrize(
    "path", ["/catalogue/\x00/", "/products/1\x00/", "/staff/\x00", "/nothing\x00here/"]
)
def test_a_nul_in_the_path_is_refused(world: World, path: str) -> None:
    buyer = sign_in(world)
    refused(buyer.client.get(path))


@pytest.mark.parametrize(
    "header", ["HTTP_USER_AGENT", "HTTP_ACCEPT_LANGUAGE", "HTTP_HX_REQUEST", "HTTP_X_ANYTHING"]
)
def test_a_nul_in_a_header_is_refused(world: World, header: str) -> None:
    buyer = sign_in(world)
    refused(buyer.client.get("/catalogue/", **{header: "a\x00b"}))


@pytest.mark.parametrize(
    "cookie",
    [
        "sessionid=abcdefgh\x00ijklmnop",
        'sessionid="abcdefgh\\000ijklmnop"',  # a quoted octal escape, decoded by the parser
        "csrftoken=\x00",
        "na\x00me=1",
    ],
)
def test_a_nul_in_a_cookie_is_refused(world: World, cookie: str) -> None:
    refused(Client().get("/signin/", HTTP_COOKIE=cookie))


def test_a_form_field_with_a_nul_is_refused_and_adds_nothing(world: World) -> None:
    buyer = sign_in(world)
    good = {"sku": "A-1", "quantity": "2", "next": "/catalogue/"}
    refused(csrf_post(buyer.client, "/cart/add/", {**good, "next": "/catalogue/\x00"}))
    refused(csrf_post(buyer.client, "/cart/add/", {**good, "no\x00te": "x"}))
    assert cart_lines(world) == 0
    assert csrf_post(buyer.client, "/cart/add/", good).status_code == 302  # the control
    assert cart_lines(world) == 1


def test_a_multipart_form_with_a_nul_is_refused(world: World) -> None:
    buyer = sign_in(world)
    good = {"sku": "A-1", "quantity": "2", "next": "/catalogue/"}
    refused(csrf_post(buyer.client, "/cart/add/", {**good, "quantity": "2\x00"}))
    upload = SimpleUploadedFile("rows.csv", b"A-1,2\n", content_type="text/csv")
    refused(csrf_post(buyer.client, "/quick-order/", {"action": "upload", "fi\x00le": upload}))
    assert cart_lines(world) == 0


def test_a_multipart_body_django_cannot_parse_gets_the_styled_page(world: World) -> None:
    buyer = sign_in(world)
    csrf_post(buyer.client, "/cart/add/", {})  # for the CSRF cookie
    token = buyer.client.cookies["csrftoken"].value
    page = buyer.client.post(
        "/quick-order/", b"x", content_type="multipart/form-data", HTTP_X_CSRFTOKEN=token
    )  # no boundary
    refused(page)


def test_a_body_past_the_upload_limit_is_refused_with_413(world: World, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    buyer = sign_in(world)
    page = csrf_post(buyer.client, "/cart/add/", {"sku": "A-1", "quantity": "2", "x": "y" * 2000})
    refused(page, status=413, title="The request is too large")
    assert cart_lines(world) == 0


def test_too_many_fields_get_the_styled_page_from_django(world: World) -> None:
    buyer = sign_in(world)
    query = "&".join(f"f{n}=1" for n in range(1001))  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1000
    refused(buyer.client.get(f"/catalogue/?{query}"))


def test_the_api_answers_malformed_request_in_problem_json(world: World) -> None:
    api = world.client()
    for path in ("/orders?after=%00", "/orders/1\x00"):
        response = api.get(path)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "malformed_request"
    response = api.client.get("/api/v1/orders", headers={**api.headers, "X-Trace": "a\x00"})
    assert (response.status_code, response.json()["code"]) == (400, "malformed_request")


@pytest.mark.parametrize(
    "body",
    [
        lambda w: json.dumps({**w.order_body(("A-1", 1)), "notes": "a\u0000b"}).encode(),
        lambda w: json.dumps({**w.order_body(("A-1", 1)), "a\u0000": 1}).encode(),
        lambda w: json.dumps(w.order_body(("A-1\u0000", 1))).encode(),
        lambda w: b'{"notes": "a\x00b"}',  # a raw NUL: a control character JSON forbids
        lambda w: json.dumps(w.order_body(("A-1", 1))).encode()[:-1] + b', "notes": "\\udc80"}',
    ],
    ids=["escaped value", "escaped name", "sku", "raw", "lone surrogate"],
)
def test_a_nul_inside_json_is_refused_by_the_api_parser(world: World, body) -> None:
    response = world.client().post("/orders", raw=body(world), key="nul")
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert Order.objects.count() == 0


def test_a_form_body_to_the_api_is_refused_without_a_server_error(world: World) -> None:
    api = world.client()
    body = encode_multipart("XyZ", {"company_id": str(world.company.pk), "note": "a\x00"})
    response = api.client.post(
        "/api/v1/orders",
        body,
        content_type="multipart/form-data; boundary=XyZ",
        headers={**api.headers, "Idempotency-Key": "form"},
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"
    assert Order.objects.count() == 0


def test_a_lone_surrogate_cannot_reach_the_database(world: World) -> None:
    """Bytes that are not UTF-8 (here a lone surrogate's, `\\ud800` as a careless encoder
    writes it) are read with the replacement character, so only valid text is stored."""
    admin = sign_in(world, "ada@buyer.test", "admin")
    body = (
        "new-address-kind=ship_to&new-address-name=Dock%ED%A0%80&new-address-line1=1+Rd"
        "&new-address-city=HK&new-address-country=HK"
    )
    csrf_post(admin.client, "/cart/add/", {})  # for the CSRF cookie
    page = admin.client.generic(
        "POST",
        "/company/addresses/",
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_CSRFTOKEN=admin.client.cookies["csrftoken"].value,
    )
    assert (page.status_code, page["Location"]) == (302, "/company/")
    assert Location.objects.get(name__contains="\ufffd").name == "Dock\ufffd\ufffd\ufffd"


class _BrokenOff:
    """A request body whose connection breaks while it is read."""

    def read(self, *args: object) -> bytes:
        raise OSError("connection reset by peer")

    readline = read


def test_a_form_whose_connection_breaks_off_is_refused(world: World) -> None:
    buyer = sign_in(world)
    csrf_post(buyer.client, "/cart/add/", {})  # for the CSRF cookie
    page = buyer.client.generic(
        "POST",
        "/cart/add/",
        b"sku=A-1&quantity=2",
        content_type="application/x-www-form-urlencoded",
        HTTP_X_CSRFTOKEN=buyer.client.cookies["csrftoken"].value,
        **{"wsgi.input": _BrokenOff()},
    )
    refused(page)
    assert cart_lines(world) == 0
