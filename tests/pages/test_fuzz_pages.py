"""Every page of the portal and the back office, and the language switch, fuzzed: no hostile
query parameter, form field, id in the path or header answers a server error.

The pages come from the URL patterns (a page added later is fuzzed without a change here);
each is opened as the person who uses it (a company admin, a staff member, or nobody for the
sign-in pages) with ids of real objects, its forms and links are read from its HTML, and then
hypothesis sends hostile values (NUL, control characters, lone surrogates, markup, numbers too
large for any column, negative numbers, dates out of range, 5,000 characters, several values
for one name, unknown names) as query parameters, form fields, uploads, ids in the path and
`HX-Request` headers. Every answer is below 500; whatever carries a NUL is refused (400)
and changes no row; GETs change no row at all. Derandomized, no example database: a failure
reproduces with the same command. The search pages run on PostgreSQL too (marker postgres),
where a NUL in a query would be a database error.
"""

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinghuo.backoffice import urls as backoffice_urls
from dinghuo.portal import urls as portal_urls
from tests.pages.fuzzing import (
    BOUNDARY,
    CLEAN,
    HTMX,
    NASTY,
    WITH_NUL,
    Form,
    Page,
    Scene,
    all_pages,
    build_scene,
    forms_and_links,
    multipart,
    path_ids,
    path_variants,
    query_names_in_views,
    row_counts,
    urlencoded,
    view_query_names,
)

PAGES = all_pages()
QUERY_NAMES = sorted(query_names_in_views())
GET_EXAMPLES = 8
POST_EXAMPLES = 6
# The links a page gives to itself that are opened to find more forms.
MORE_LINKS = 6
# Values every query parameter of a page takes at once, and (the slow variant) every
# parameter and field alone: too large for any column, negative, not a number, a date out of
# range, long, a lone surrogate, empty.
SWEEP = ["9" * 40, "9223372036854775808", "2147483648", "-1", "abc", "9999-12-31", "x" * 300]
SWEEP += ["\ud800", ""]
# Ids in a path: a real one, none, past a 32-bit column, at and past a 64-bit one, and what
# the `<int:>` converter does not take (the resolver's 404).
ID_VALUES: list[object] = [None, 0, 2**31, 2**63 - 1, 2**63, 10**30, -1, "abc", "1.5"]
UPLOADS = [
    b"A-1,2\n",
    b"A-1\x00,2\n",
    b"\x00\x00\x00",
    b"\xff\xfe\x00A",
    b"A-1,99999999999999999999999\nB-2,-5\n",
    b"PK\x03\x04not really a workbook",
]
FUZZ = settings(
    max_examples=GET_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
# The forms of the layout, on every page: fuzzed once, by their own test.
LAYOUT_FORMS = {"/i18n/language/", "/i18n/setlang/", "/signout/", "/staff/signout/"}
# Pages whose forms live on a page only in a state the scene does not show, or nowhere.
NO_FORM_POSTS_TO = {
    "set_language": "Django's own switch, kept for callers; fuzzed with the layout's forms",
    "portal:punchout-transfer": "its form is on the cart only in a punchout session (tests/punchout)",
    "backoffice:resume-webhook": "its form shows only while the webhook is paused "
    "(tests/backoffice/test_webhook_pages.py)",
    "backoffice:replay-webhook-delivery": "its button shows only on a delivery no longer "
    "waiting (tests/backoffice/test_webhook_pages.py)",
    "backoffice:people-resend": "its button shows only while a staff invitation waits "
    "(tests/accounts/test_people.py)",
    "backoffice:people-reactivate": "its button shows only on a switched-off staff member "
    "(tests/backoffice/test_people_roles.py)",
    "backoffice:company-user-withdraw": "its button shows only while a buyer's invitation "
    "waits (tests/backoffice/test_company_master_data.py)",
    "portal:company-user-invitation-revoke": "its button shows only while a buyer's "
    "invitation waits (tests/accounts)",
    # The scene's purchase order is sent: these buttons show on a draft, a waiting or an
    # approved one (tests/purchasing/test_pages.py).
    "backoffice:po-submit": "its button shows only on a draft purchase order",
    "backoffice:po-cancel": "its button shows only on a draft or waiting purchase order",
    "backoffice:po-approve": "its button shows only on a purchase order waiting for approval",
    "backoffice:po-send": "its button shows only on an approved purchase order",
}


@pytest.fixture(scope="module")
def built_scene(django_db_setup: None, django_db_blocker: Any) -> Iterator[Scene]:
    """The scene, built once for the module in a transaction rolled back at its end; each
    test runs in a savepoint inside it (the `db` fixture), so each starts from it afresh."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_scene()
        transaction.set_rollback(True)


@pytest.fixture
def scene(built_scene: Scene, db: None) -> Scene:
    """The module's scene with fresh clients, signed in again (a test's sessions are rolled
    back with it)."""
    built_scene.buyer, built_scene.staff, built_scene.anonymous = Client(), Client(), Client()
    built_scene.sign_in_again()
    return built_scene


def send_get(client: Client, path: str, pairs: list[tuple[str, str]], htmx: str | None) -> Any:
    """GET `path` with `pairs` as the query string, encoded byte for byte."""
    headers = {} if htmx is None else {"HTTP_HX_REQUEST": htmx}
    return client.generic("GET", path, QUERY_STRING=urlencoded(pairs), **headers)


def send_post(client: Client, form: Form, pairs: list[tuple[str, str]], **kw: Any) -> Any:
    """POST `pairs` (and, for a multipart form, files) to the form's action."""
    files: list[tuple[str, str, bytes]] = kw.pop("files", [])
    htmx = kw.pop("htmx", None)
    headers = {} if htmx is None else {"HTTP_HX_REQUEST": htmx}
    if form.multipart:
        body: bytes | str = multipart(pairs, files)
        content_type = f"multipart/form-data; boundary={BOUNDARY}"
    else:
        body, content_type = urlencoded(pairs), "application/x-www-form-urlencoded"
    return client.generic("POST", form.action, body, content_type=content_type, **headers)


def answered(response: Any, what: str, refused: bool) -> None:
    """No server error; input with a NUL refused with the styled 400."""
    assert response.status_code < 500, (what, response.status_code)
    if refused:
        assert response.status_code == 400, (what, response.status_code)


def sweep_get(scene: Scene, page: Page, names: list[str]) -> None:
    """GET the page with each of SWEEP given to every query parameter at once."""
    client, path = scene.client(page), page.path(path_ids(scene, page))
    for value in SWEEP:
        response = send_get(client, path, [(name, value) for name in names], None)
        answered(response, f"GET {path} with every parameter {value[:20]!r}", False)


def fuzz_get(scene: Scene, page: Page, names: list[str], examples: int) -> None:
    """GET the page with hostile ids in its path and hostile query parameters."""
    client, real = scene.client(page), path_ids(scene, page)
    before = row_counts()

    @settings(FUZZ, max_examples=examples)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        drawn = {name: data.draw(st.sampled_from(ID_VALUES), label=name) for name in page.kwargs}
        ids = {name: real[name] if value is None else value for name, value in drawn.items()}
        path = page.path(ids)
        pairs = [(name, data.draw(CLEAN)) for name in names if data.draw(st.booleans())]
        nul = data.draw(st.integers(0, 4)) == 0  # one example in five carries a NUL
        if nul:
            name = data.draw(st.sampled_from([*names, "\x00", "q\x00"]))
            pairs.append((name, data.draw(WITH_NUL)))
        response = send_get(client, path, pairs, data.draw(HTMX))
        answered(response, f"GET {path} {pairs!r}", nul)

    run()
    assert row_counts() == before, f"a GET of {page.name} changed rows"


def _hostile_pairs(data: st.DataObject, form: Form, nul: bool) -> list[tuple[str, str]]:
    """The form's own values, one of its buttons, some values replaced (one at least, so the
    others may pass and the hostile one reach further), repeated or joined by unknown names;
    with `nul`, one of them holds a NUL."""
    pairs = list(form.fields)
    if form.buttons:
        pairs.append(data.draw(st.sampled_from(form.buttons)))
    if pairs:
        hostile = {data.draw(st.sampled_from(range(len(pairs))))}
        hostile |= data.draw(st.sets(st.sampled_from(range(len(pairs))), max_size=3))
        for index in hostile:
            pairs[index] = (pairs[index][0], data.draw(CLEAN))
    if pairs and data.draw(st.booleans()):
        name = data.draw(st.sampled_from(pairs))[0]
        pairs.append((name, data.draw(CLEAN)))  # the same field twice
    if not pairs or data.draw(st.integers(0, 4)) == 0:
        pairs.append((data.draw(st.sampled_from(NASTY)).replace("\x00", ""), data.draw(CLEAN)))
    if nul:
        at = data.draw(st.sampled_from(range(len(pairs))))
        name, value = pairs[at]
        pairs[at] = (name + "\x00", value) if data.draw(st.booleans()) else (name, value + "\x00")
    return pairs


def fuzz_form(scene: Scene, form: Form) -> None:
    """POST hostile values into `form`; a NUL anywhere is refused and changes nothing."""
    client = scene.staff if form.action.startswith("/staff/") else scene.buyer

    @settings(FUZZ, max_examples=POST_EXAMPLES)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        nul = data.draw(st.integers(0, 4)) == 0  # one example in five carries a NUL
        pairs = _hostile_pairs(data, form, nul)
        files = [
            (name, data.draw(st.sampled_from(["rows.csv", "rows.xlsx", *NASTY])), upload)
            for name in form.files
            for upload in [data.draw(st.sampled_from(UPLOADS))]
        ]
        before = row_counts() if nul else None
        response = send_post(client, form, pairs, files=files, htmx=data.draw(HTMX))
        answered(response, f"POST {form.action} {pairs!r} {files!r}", nul)
        if before is not None:
            assert row_counts() == before, f"a refused POST to {form.action} changed rows"
        if form.action in LAYOUT_FORMS:
            scene.sign_in_again()  # a sign-out that went through

    run()


def sweep_form(scene: Scene, form: Form) -> None:
    """POST the form with each of SWEEP in one field at a time, the others as rendered."""
    client = scene.staff if form.action.startswith("/staff/") else scene.buyer
    button = form.buttons[:1]
    for index, (name, _) in enumerate(form.fields):
        for value in SWEEP:
            pairs = [*form.fields[:index], (name, value), *form.fields[index + 1 :], *button]
            response = send_post(client, form, pairs)
            answered(response, f"POST {form.action} {name}={value[:20]!r}", False)


def opened(scene: Scene, page: Page) -> tuple[int, list[Form], set[str]]:
    """The page opened with real ids (every order or quote of the scene for their pages),
    and the same page at the links it gives to itself (`?edit=…`, `?status=…`): the status
    it first answered, its forms, and the query names its links and GET forms carry."""
    client = scene.client(page)
    paths = [page.path(ids) for ids in path_variants(scene, page)]
    first = client.get(paths[0]).status_code
    forms: list[Form] = []
    links: set[str] = set()
    for path in paths:
        found, found_links = _forms_at(client, path)
        forms += found
        links |= found_links
    for link in sorted(links)[:MORE_LINKS]:
        if urlsplit(link).path in paths:
            forms += _forms_at(client, link)[0]
    names = {pair.split("=")[0] for link in links for pair in urlsplit(link).query.split("&")}
    names |= {name for form in forms if form.method == "get" for name, _ in form.fields}
    return first, forms, names - {""}


def _forms_at(client: Client, url: str) -> tuple[list[Form], set[str]]:
    response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return [], set()
    return forms_and_links(urlsplit(url).path, response.content.decode())


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_no_page_answers_a_server_error(scene: Scene, page: Page) -> None:
    status, forms, names = opened(scene, page)
    names = sorted(set(QUERY_NAMES) | names)
    if status != 405:
        sweep_get(scene, page, names)
    # A page that only takes POSTs answers 405 before it reads anything.
    fuzz_get(scene, page, names, 2 if status == 405 else GET_EXAMPLES)
    shapes = {form.shape: form for form in forms if form.method == "post"}
    for shape, form in shapes.items():
        if shape[0] not in LAYOUT_FORMS:
            fuzz_form(scene, form)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_parameter_and_field_alone_takes_every_hostile_value(
    scene: Scene, page: Page
) -> None:
    """The long variant: each query parameter the page reads (its view's module, its links
    and GET forms) alone, and each field of each form alone (the others as the page rendered
    them, so that the hostile one gets as far as it can)."""
    status, forms, names = opened(scene, page)
    if status != 405:
        client, path = scene.client(page), page.path(path_ids(scene, page))
        for name in sorted(view_query_names(path) | names):
            for value in SWEEP:
                response = send_get(client, path, [(name, value)], None)
                answered(response, f"GET {path} {name}={value[:20]!r}", False)
    shapes = {form.shape: form for form in forms if form.method == "post"}
    for shape, form in shapes.items():
        if shape[0] not in LAYOUT_FORMS:
            sweep_form(scene, form)


def test_every_page_is_found_and_every_post_target_has_a_form(scene: Scene) -> None:
    """The walk finds every page of the two apps, and every page that takes a POST has a
    form on some page, so the fuzzing above posts to it."""
    names = {page.name for page in PAGES}
    for prefix, urls in (("portal", portal_urls), ("backoffice", backoffice_urls)):
        assert {f"{prefix}:{p.name}" for p in urls.urlpatterns} <= names
    assert {"set-language", "set_language"} <= names
    targets, only_post = set(), set()
    for page in PAGES:
        status, forms, _ = opened(scene, page)
        if status == 405:
            only_post.add(page.name)
        for form in forms:
            try:
                match = resolve(form.action.split("?")[0])
            except Resolver404:
                continue
            namespace = f"{match.namespace}:" if match.namespace else ""
            targets.add(namespace + str(match.url_name))
    assert only_post - targets <= set(NO_FORM_POSTS_TO), only_post - targets


@pytest.mark.parametrize("action", sorted(LAYOUT_FORMS))
def test_the_layouts_forms_take_any_post(scene: Scene, action: str) -> None:
    fields = [("language", "zh-hant"), ("next", "/catalogue/")] if "i18n" in action else []
    fuzz_form(scene, Form(action, "post", False, fields))


SEARCHES = ["portal:catalogue", "backoffice:orders", "backoffice:stock", "backoffice:companies"]
SEARCHES += ["backoffice:price-lists", "backoffice:price-list", "backoffice:ladder"]
SEARCHES += ["backoffice:products"]


@pytest.mark.postgres
@pytest.mark.parametrize("name", SEARCHES)
def test_the_search_pages_on_postgresql(scene: Scene, name: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only test: run with DATABASE_URL=postgres://… (make test does)")
    page = next(page for page in PAGES if page.name == name)
    path = page.path(path_ids(scene, page))
    for query in ("q=%00", "q=a%00", "sku=%00", "edit=%00", "company=%00", "status=%00"):
        assert scene.client(page).get(f"{path}?{query}").status_code == 400, (name, query)
    test_no_page_answers_a_server_error(scene, page)
