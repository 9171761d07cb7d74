"""Headers and cookies of any shape: garbage languages, sessions, CSRF tokens, HTMX flags and
hosts never answer a server error; the page either ignores them or refuses them in a 4xx."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.builders import World
from tests.portal.ordering import sign_in

from dinghuo.buying.models import CartLine

GARBAGE = [
    "",
    " ",
    "x" * 5000,
    "zh-hant\x01",
    "../../etc/passwd",
    "en;q=abc",
    "*;q=1.5,zh-hant;q=-1,,,;;;",
    "zh-hant-xx-yy-zz-" * 40,
    "\xff\xfe\x80",
    "'; DROP TABLE orders; --",
    '"quoted"',
]


@pytest.mark.parametrize(
    ("cookie", "language"),
    [
        *((value, "en") for value in GARBAGE if not value.startswith("zh")),
        # Django takes the longest language of ours a cookie's value starts with.
        ("zh-hant\x01", "zh-hant"),
        ("zh-hant-xx-yy-zz-" * 40, "zh-hant"),
    ],
)
def test_a_garbage_language_cookie_is_read_as_far_as_it_makes_sense(
    world: World, cookie: str, language: str
) -> None:
    buyer = sign_in(world)
    buyer.client.cookies["django_language"] = cookie
    page = buyer.client.get("/catalogue/")
    assert (page.status_code, page["Content-Language"]) == (200, language)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        *((value, "en") for value in GARBAGE if not value.startswith("zh")),
        ("zh-hant\x01", "en"),  # not a language tag
        ("zh-hant-xx-yy-zz-" * 40, "en"),  # longer than Django reads (500 characters)
        ("zh-hans-xx", "zh-hans"),  # an unknown variant of a language we speak
    ],
)
def test_a_garbage_accept_language_is_read_as_far_as_it_makes_sense(
    world: World, header: str, language: str
) -> None:
    buyer = sign_in(world)
    page = buyer.client.get("/catalogue/", HTTP_ACCEPT_LANGUAGE=header)
    assert (page.status_code, page["Content-Language"]) == (200, language)


@pytest.mark.parametrize("value", ["garbage", "a" * 32, "x" * 5000, "../..", "' OR 1=1 --"])
def test_a_garbage_session_cookie_is_signed_out(world: World, value: str) -> None:
    client = Client()
    client.cookies["sessionid"] = value
    page = client.get("/catalogue/")
    assert (page.status_code, page["Location"]) == (302, "/signin/?next=/catalogue/")
    assert client.get("/staff/orders/").status_code == 302


@pytest.mark.parametrize("value", ["", "x", "x" * 31, "x" * 65, "\xff" * 32])
def test_a_garbage_csrf_cookie_is_a_refused_post(world: World, value: str) -> None:
    buyer = sign_in(world)
    buyer.client.cookies["csrftoken"] = value
    page = buyer.client.post("/cart/add/", {"sku": "A-1", "quantity": "1"}, HTTP_X_CSRFTOKEN=value)
    assert page.status_code == 403
    assert CartLine.objects.count() == 0


@pytest.mark.parametrize("value", ["TRUE", "1", "", "false", "true " * 200, "\xff"])
def test_an_odd_htmx_header_gets_the_whole_page(world: World, value: str) -> None:
    buyer = sign_in(world)
    page = buyer.client.get("/catalogue/", HTTP_HX_REQUEST=value)
    assert page.status_code == 200
    assert "<html" in page.content.decode()


@pytest.mark.parametrize("cookie", ['a="b; c=d', ";;;", "=" * 100, "sessionid", "a=b=c=d"])
def test_a_malformed_cookie_header_is_ignored(world: World, cookie: str) -> None:
    assert Client().get("/signin/", HTTP_COOKIE=cookie).status_code == 200


def test_a_foreign_host_gets_the_styled_refusal(world: World) -> None:
    page = Client().get("/signin/", HTTP_HOST="evil.example")
    assert page.status_code == 400
    assert 'data-testid="bad-request"' in page.content.decode()


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/x-www-form-urlencoded; charset=no-such-charset", 302),  # read as UTF-8
        ("multipart/form-data; boundary=", 400),
        ("multipart/form-data; boundary=" + "x" * 1000, 400),
        ("text/plain", 302),  # no form: nothing added, back to the catalogue
        ("garbage", 302),
    ],
)
def test_a_garbage_content_type_is_not_a_server_error(
    world: World, content_type: str, status: int
) -> None:
    client = Client()
    client.force_login(sign_in(world).member.user)
    page = client.generic("POST", "/cart/add/", b"sku=A-1&quantity=1", content_type=content_type)
    assert page.status_code == status
    assert CartLine.objects.count() == (1 if "charset" in content_type else 0)


# Header values arrive as Latin-1 text (WSGI); every one of the 256 byte values may appear.
LATIN_1 = st.text(st.characters(max_codepoint=255), max_size=60)
HEADERS = [
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_USER_AGENT",
    "HTTP_REFERER",
    "HTTP_HX_REQUEST",
    "HTTP_HX_CURRENT_URL",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_NONE_MATCH",
    "HTTP_ACCEPT",
]


@settings(max_examples=60, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))  # fmt: skip
@given(
    headers=st.dictionaries(st.sampled_from(HEADERS), LATIN_1, max_size=4),
    cookies=st.dictionaries(
        st.sampled_from(["sessionid", "csrftoken", "django_language", "x"]), LATIN_1, max_size=3
    ),
)
def test_any_header_or_cookie_value_answers_below_500(world, headers, cookies) -> None:
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    for path in ("/catalogue/", "/staff/orders/", "/signin/"):
        page = Client().get(path, HTTP_COOKIE=cookie, **headers)
        nul = any("\x00" in text for text in [cookie, *headers.values()])
        expected = {400} if nul else {200, 302}
        assert page.status_code in expected, (path, headers, cookie, page.status_code)
