"""The kit of the pages' fuzz test: the pages (from the URL patterns), a scene with one object
of every kind a page's path names, the forms and query parameters a page offers (read from
its HTML and the views' source), hostile values, and requests encoded byte by byte (so that
lone surrogates and NULs reach the server as a hostile client would send them)."""

import inspect
import io
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urljoin, urlsplit

from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from hypothesis import strategies as st
from PIL import Image

from dinghuo.accounts.models import SignedInSession
from dinghuo.billing import services as billing
from dinghuo.billing.models import Invoice
from dinghuo.buying import services as buying
from dinghuo.customers.services import create_customer_group
from dinghuo.pricing import services as pricing
from dinghuo.punchout import services as punchout
from dinghuo.returns import services as returns
from dinghuo.returns.models import ReturnPhoto
from tests.backoffice.staffing import make_staff
from tests.builders import World, add_buyer, build_world
from tests.orders.support import add_rule, set_credit
from tests.purchasing.support import a_sent_po

SRC = Path(__file__).resolve().parents[2] / "src" / "dinghuo"
# The parts of the site a person uses with a browser (not the API, not Django's admin).
NAMESPACES = ("portal", "backoffice")
TOP_LEVEL = ("set-language", "set_language")


@dataclass(frozen=True)
class Page:
    """One URL pattern: its name (`portal:order`), its route and the ids its path takes."""

    name: str
    route: str
    kwargs: tuple[str, ...]

    @property
    def staff(self) -> bool:
        return self.name.startswith("backoffice:")

    @property
    def signing_in(self) -> bool:
        return self.name.endswith(":sign-in")

    def path(self, values: dict[str, Any]) -> str:
        """The path with each `<int:name>` replaced by `values[name]`."""
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), self.route)


def _walk(patterns: list[Any], prefix: str, namespace: str) -> list[Page]:
    pages = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if inner in NAMESPACES or route.startswith("i18n/"):
                pages += _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            if namespace in NAMESPACES or entry.name in TOP_LEVEL:
                pages.append(Page(name, route, tuple(entry.pattern.converters)))
    return pages


def all_pages() -> list[Page]:
    """Every page of the portal, the back office and the language switch."""
    return _walk(get_resolver().url_patterns, "", "")


# Query parameters the views read (`request.GET.get("q")`, `"sku" in request.GET`).
_GET_READS = re.compile(
    r"""request\.GET\.get(?:list)?\(\s*["'](\w+)["']|["'](\w+)["'] in request\.GET"""
)


def query_names_in_views() -> set[str]:
    """The names of every query parameter a page view reads, from the views' source."""
    names: set[str] = set()
    for app in ("portal", "backoffice", "pages", "core"):
        for source in (SRC / app).glob("*.py"):
            names |= query_names_read_by(source.read_text())
    return names


def query_names_read_by(source: str) -> set[str]:
    """The names of the query parameters `source` (a module's code) reads."""
    return {a or b for a, b in _GET_READS.findall(source)}


def view_query_names(path: str) -> set[str]:
    """The query parameters the module of the view at `path` reads."""
    module = sys.modules[resolve(urlsplit(path).path).func.__module__]
    return query_names_read_by(inspect.getsource(module))


@dataclass
class Form:
    """A form as the page renders it: where it goes, its fields with their values, its
    submit buttons' values (one is sent) and its file fields."""

    action: str
    method: str
    multipart: bool
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def shape(self) -> tuple[str, tuple[str, ...]]:
        """Where it goes and what it sends: forms of one shape are fuzzed once."""
        names = [name for name, _ in self.fields + self.buttons] + self.files
        return self.action, tuple(sorted(set(names)))


class _Forms(HTMLParser):
    """The forms of a page and the URLs of its links that carry a query string."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[Form] = []
        self.links: set[str] = set()
        self.form: Form | None = None
        self.select: tuple[str, list[str], list[str]] | None = None  # name, options, chosen
        self.textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            self.links.add(urljoin(self.base, a["href"]))
        elif tag == "form":
            action = a.get("action") or a.get("hx-post") or a.get("hx-get") or self.base
            multipart = a.get("enctype", "") == "multipart/form-data"
            self.form = Form(urljoin(self.base, action), a.get("method", "get").lower(), multipart)
            self.forms.append(self.form)
        elif tag == "option" and self.select is not None:
            self.select[1].append(a.get("value", ""))
            if "selected" in a:
                self.select[2].append(a.get("value", ""))
        elif self.form is not None and "name" in a:
            self._field(tag, a, self.form)

    def _field(self, tag: str, a: dict[str, str], form: Form) -> None:
        kind = a.get("type", "text" if tag == "input" else "submit")
        if tag == "select":
            self.select = (a["name"], [], [])
        elif tag == "textarea":
            self.textarea = (a["name"], [])
        elif kind == "file":
            form.files.append(a["name"])
        elif kind in {"submit", "button", "image"}:
            form.buttons.append((a["name"], a.get("value", "")))
        elif kind not in {"checkbox", "radio"} or "checked" in a:
            form.fields.append((a["name"], a.get("value", "on" if "checked" in a else "")))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None and self.form is not None:
            name, options, chosen = self.select
            self.form.fields += [(name, value) for value in (chosen or options[:1])]
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            self.form.fields.append((self.textarea[0], "".join(self.textarea[1])))
            self.textarea = None


def forms_and_links(path: str, html: str) -> tuple[list[Form], set[str]]:
    """The forms of a page (csrf token left out) and the URLs of its links with a query."""
    parser = _Forms(path)
    parser.feed(html)
    for form in parser.forms:
        form.fields = [(n, v) for n, v in form.fields if n != "csrfmiddlewaretoken"]
    return parser.forms, parser.links


# Values people and attackers type: NUL and control characters, lone surrogates, markup,
# numbers too large for any column, negative and not-a-number, dates out of range, long text.
NASTY = [
    "",
    " ",
    "\x00",
    "A-1\x00",
    "\ud800",
    "x\udfffy",
    "\x01\x08\x0b\x1b\x7f",
    "\r\n\t",
    "\u2028\ufeff\uffff",
    "%00",
    "%2500",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "../../etc/passwd",
    "漢字💥",
    "0",
    "-1",
    "-0",
    "1.5",
    "1e999999",
    "NaN",
    "Infinity",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "9" * 40,
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2024-02-30",
    "2026-13-01T25:61",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "1E+5",
    "0.005",
    "99999999999999999999.99",
    "A-1\t99999999999999999999",
    "A-1,-5\nB-2,1e9\nA-1,1",
    "true",
    "x" * 5000,
]
NUMBERS = st.integers(-(2**70), 2**70).map(str)
_NO_NUL = st.characters(exclude_characters="\x00")
# Values without a NUL reach the views; one with a NUL must be refused before any does.
CLEAN = st.one_of(
    st.sampled_from([value for value in NASTY if "\x00" not in value]),
    NUMBERS,
    st.text(_NO_NUL, max_size=12),
)
WITH_NUL = st.one_of(
    st.sampled_from([value for value in NASTY if "\x00" in value]),
    st.text(_NO_NUL, max_size=6).map(lambda text: text + "\x00"),
)
HTMX = st.sampled_from([None, "true", "false", "1" * 300])


def _encode(text: str) -> str:
    return quote_plus(text.encode("utf-8", "surrogatepass"))


def urlencoded(pairs: list[tuple[str, str]]) -> str:
    """`a=1&b=2`, each text sent as its UTF-8 bytes, lone surrogates included."""
    return "&".join(f"{_encode(name)}={_encode(value)}" for name, value in pairs)


BOUNDARY = "fuzzfuzzfuzz"


def multipart(pairs: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> bytes:
    """A multipart/form-data body with `pairs` and `files` (field, file name, content)."""

    def raw(text: str) -> bytes:
        return text.replace('"', "%22").encode("utf-8", "surrogatepass")

    out = b""
    for name, value in pairs:
        out += b"--" + BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="'
        out += raw(name) + b'"\r\n\r\n' + value.encode("utf-8", "surrogatepass") + b"\r\n"
    for name, filename, content in files:
        out += b"--" + BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="'
        out += raw(name) + b'"; filename="' + raw(filename)
        out += b'"\r\nContent-Type: text/csv\r\n\r\n' + content + b"\r\n"
    return out + b"--" + BOUNDARY.encode() + b"--\r\n"


def row_counts() -> dict[str, int]:
    """How many rows every table holds (sessions and their list left out: a page may save
    one)."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model not in (Session, SignedInSession)
    }


@dataclass
class Scene:
    """A world with one object of every kind a page's path names, and who uses the pages."""

    world: World
    ids: dict[str, Any]  # ids, and the start page's token
    buyer: Client
    staff: Client
    anonymous: Client
    people: dict[str, Any]

    def client(self, page: Page) -> Client:
        if page.signing_in:
            return self.anonymous
        return self.staff if page.staff else self.buyer

    def sign_in_again(self) -> None:
        """Sign the fuzzing clients in again (a fuzzed sign-out may have signed them out)."""
        self.buyer.force_login(self.people["admin"].user)
        self.staff.force_login(self.people["staff"].user)


# Where a page's path names an object in a given state: the order or quote it acts on.
CHOSEN = {
    "portal:decide": {"order_id": "waiting_order"},
    "backoffice:approve": {"order_id": "seller_order"},
    "backoffice:reject": {"order_id": "seller_order"},
    "backoffice:release-hold": {"order_id": "held_order"},
    "backoffice:packing-slip": {"order_id": "shipped_order"},
    "backoffice:ship": {"order_id": "shipped_order"},
    "portal:order": {"order_id": "shipped_order"},
    "portal:reorder": {"order_id": "shipped_order"},
    "portal:quote-accept": {"quote_id": "answered_quote"},
    "portal:quote-decline": {"quote_id": "answered_quote"},
    "portal:quote-counter": {"quote_id": "answered_quote"},
    "portal:return-new": {"order_id": "delivered_order"},
    # The staff's amendment form on an order with shipped units; picking started on it.
    "backoffice:order-amend": {"order_id": "shipped_order"},
    "backoffice:start-picking": {"order_id": "confirmed_order"},
}
# The objects of each kind whose pages show different forms (an order's actions follow its
# state), opened one after the other to find every form.
KINDS = {
    "order_id": (
        "placed_order",
        "waiting_order",
        "seller_order",
        "held_order",
        "shipped_order",
        "delivered_order",
        "confirmed_order",
    ),
    "quote_id": ("requested_quote", "answered_quote"),
    "return_id": ("requested_return", "approved_return", "received_return"),
    "count_id": ("count_id", "counting_count"),
}


def path_ids(scene: Scene, page: Page) -> dict[str, int]:
    """The ids of `page`'s path taken from the scene."""
    chosen = {
        "order_id": "placed_order",
        "quote_id": "requested_quote",
        "return_id": "requested_return",
    }
    chosen |= CHOSEN.get(page.name, {})
    return scene.ids | {kind: scene.ids[name] for kind, name in chosen.items()}


def path_variants(scene: Scene, page: Page) -> list[dict[str, int]]:
    """The ids of `page`'s path for every object of the kinds it names."""
    ids = path_ids(scene, page)
    for kind, names in KINDS.items():
        if kind in page.kwargs:
            return [ids | {kind: scene.ids[name]} for name in names]
    return [ids]


def build_scene() -> Scene:
    """The world, a company admin (the portal's fuzzing client), a buyer with a spending
    limit whose order waits for approval, a staff member, a placed, a shipped and a waiting
    order, a saved list, a quote, a customer group with the price list, a promotion, the
    shipment's invoice (open) with a credit note, a bank statement whose credits wait for a
    clerk, and monthly invoicing (so that the billing
    settings offer the period's invoices)."""
    world = build_world()
    tenant, company = world.tenant.pk, world.company.pk
    admin, _ = add_buyer(world, "ada@buyer.test", "admin")
    limited, limited_api = add_buyer(world, "ann@buyer.test", spending_limit="50")
    api = world.client()
    # Imported before any invoice exists, so that its credits wait for a clerk and the
    # invoice stays open (with its payment form).
    statement = Path(__file__).parents[1] / "billing" / "statements" / "camt053_001_02.xml"
    imported = billing.import_statement(tenant_id=tenant, content=statement.read_bytes())
    unmatched = imported.statement.lines.filter(status="unmatched").first()
    assert unmatched is not None
    placed = api.place(world.order_body(("A-1", 2)), key="placed").json()["id"]
    shipped = api.place(world.order_body(("A-1", 3), ("C-3", 2)), key="shipped").json()["id"]
    # Confirmed, not yet picked: its pick list offers "Start picking".
    confirmed = api.place(world.order_body(("A-1", 1)), key="confirmed").json()["id"]
    assert api.post(f"/orders/{confirmed}/confirm").status_code == 200
    buying.add_to_cart(
        tenant_id=tenant, company_id=company, owner_id=admin.pk, sku="B-2", quantity=6
    )
    assert api.post(f"/orders/{shipped}/confirm").status_code == 200
    shipment = api.post(
        f"/orders/{shipped}/shipments",
        {"carrier": "DHL", "tracking_number": "T1", "lines": [{"line_number": 1, "quantity": 1}]},
    )
    assert shipment.status_code == 201, shipment.json()
    returned = _returns(world, api)
    waiting = limited_api.post(
        "/my/orders",
        {"ship_to_id": world.ship_to.pk, "lines": [{"sku": "A-1", "quantity": 10}]},
        key="waiting",
    )
    group = create_customer_group(tenant_id=tenant, code="dealers", name="Dealers")
    listed = buying.create_requisition_list(
        tenant_id=tenant,
        company_id=company,
        owner_id=admin.pk,
        name="Weekly",
        lines=[buying.ListLine("A-1", 3)],
    )
    quotes = [
        buying.request_quote(
            tenant_id=tenant,
            company_id=company,
            requested_by_id=admin.pk,
            lines=[buying.QuoteLineRequest("A-1", 50)],
        )
        for _ in range(2)
    ]
    buying.answer_quote(
        tenant_id=tenant,
        quote_id=quotes[1].pk,
        lines=[buying.QuotedLine(1, Decimal("7.50"))],
        expires_at=datetime(2036, 1, 1, tzinfo=UTC),
    )
    assignment = pricing.assign_price_list(
        tenant_id=tenant, price_list_id=world.price_list.pk, customer_group_id=group.pk
    )
    promotion = pricing.create_promotion(
        tenant_id=tenant,
        code="spring",
        name="Spring",
        kind="percent",
        value=Decimal(5),
        starts_at=datetime(2026, 1, 1, tzinfo=UTC),
        ends_at=datetime(2036, 1, 1, tzinfo=UTC),
        targets=pricing.PromotionTargets(
            category_ids=[], sku_ids=[world.skus["A-1"].pk], customer_group_ids=[]
        ),
    )
    add_rule(world, "seller looks", approver="seller", min_amount="50")
    seller_order = api.place(world.order_body(("A-1", 6)), key="seller")
    set_credit(world, "10.00")
    held = api.place(world.order_body(("A-1", 5)), key="held")
    set_credit(world, None)
    invoice = Invoice.objects.get(shipment_id=shipment.json()["id"])
    note = billing.issue_credit_note(
        tenant_id=tenant, invoice_id=invoice.pk, reason="Damaged", amount=Decimal("1.00")
    )
    billing.set_billing_policy(tenant_id=tenant, seller_id=world.seller.pk, invoicing="monthly")
    staff = make_staff(world)
    scene = Scene(
        world,
        {
            "placed_order": placed,
            "shipped_order": shipped,
            "confirmed_order": confirmed,
            "waiting_order": _in(waiting, "awaiting_approval"),
            "seller_order": _in(seller_order, "awaiting_approval"),
            "held_order": _in(held, "credit_hold"),
            "shipment_id": shipment.json()["id"],
            "sku_id": world.skus["A-1"].pk,
            "product_id": world.skus["A-1"].product_id,
            "image_id": _product_image(world),
            "category_id": world.skus["A-1"].product.category_id,
            "warehouse_id": world.warehouses[0].pk,
            "list_id": listed.pk,
            "requested_quote": quotes[0].pk,
            "answered_quote": quotes[1].pk,
            "member_id": limited.pk,
            "location_id": world.ship_to.pk,
            "company_id": company,
            "price_list_id": world.price_list.pk,
            "assignment_id": assignment.pk,
            "promotion_id": promotion.pk,
            "invoice_id": invoice.pk,
            "credit_note_id": note.pk,
            "statement_id": imported.statement.pk,
            "line_id": unmatched.pk,
            "connection_id": punchout.create_connection(
                tenant_id=tenant,
                company_id=company,
                name="Suite",
                identities=punchout.Identities("networkid", "AN01", "duns", "SUP"),
                company_user_id=admin.pk,
            ).connection.pk,
            # No session's token: a real one would sign the fuzzing client in as someone else.
            "token": "no-such-token",
            # Another staff member, for the People page's rows (send again, switch off).
            "staff_member_id": make_staff(world, "owen@seller.test", first="Owen").pk,
            **_counts(tenant),
            "po_id": a_sent_po(world),
            **returned,
            **_integrations(world),
        },
        Client(),
        Client(),
        Client(),
        {"admin": admin, "staff": staff},
    )
    scene.sign_in_again()
    return scene


def _integrations(world: World) -> dict[str, int]:
    """An import run, an EDI partner with an interchange, a webhook with a delivery."""
    from dinghuo.bulk import importing
    from dinghuo.bulk import services as bulk
    from dinghuo.edi.services import inbound
    from tests.edi.support import add_partner, fixture
    from tests.integrations.support import webhook_with_a_delivery

    content = b"Product code,Product name (English),SKU code\r\nP-NEW,New,S-NEW\r\n"
    run = bulk.start_import(
        tenant_id=world.tenant.pk, kind="products", file_name="new.csv", content=content
    )
    importing.run(run.pk)
    partner = add_partner(world)
    received = inbound.receive_interchange(
        tenant_id=world.tenant.pk, text=fixture("orders_basic.edi"), source="api"
    )
    return {
        "run_id": run.pk,
        "partner_id": partner.pk,
        "message_id": received.message.pk,
        **webhook_with_a_delivery(world),
    }


def _counts(tenant: int) -> dict[str, int]:
    """A stock count with a variance waiting for review (its page offers post and recount)
    and one being counted (its page offers counting and sending to review)."""
    from dinghuo.stocktaking import services as counts

    made = []
    for _ in range(2):
        count = counts.start_count(tenant_id=tenant, warehouse_code="main")
        counts.record_count(tenant_id=tenant, count_id=count.pk, sku_code="C-3", counted=3)
        made.append(count.pk)
    counts.submit_count(tenant_id=tenant, count_id=made[0])
    return {"count_id": made[0], "counting_count": made[1]}


def _returns(world: World, api: Any) -> dict[str, int]:
    """A delivered order (its return form) and a return of it in each state with its own
    form: requested (approve, reject), approved (receive), received (close)."""
    tenant = world.tenant.pk
    delivered = api.place(world.order_body(("A-1", 4)), key="delivered").json()["id"]
    assert api.post(f"/orders/{delivered}/confirm").status_code == 200
    shipped = api.post(
        f"/orders/{delivered}/shipments", {"carrier": "DHL", "tracking_number": "T2"}
    )
    assert shipped.status_code == 201, shipped.json()
    assert api.post(f"/orders/{delivered}/deliver").status_code == 200
    photo = io.BytesIO()
    Image.new("RGB", (40, 30)).save(photo, "JPEG")
    made = [
        returns.request_return(
            tenant_id=tenant,
            order_id=delivered,
            lines=[returns.LineAsked(1, 1, "damaged")],
            photos=[returns.Photo(photo.getvalue())],
        ).pk
        for _ in range(3)
    ]
    for return_id in made[1:]:
        returns.approve_return(tenant_id=tenant, return_id=return_id)
    returns.receive_return(
        tenant_id=tenant, return_id=made[2], lines=[returns.Inspected(1, 1, "restock")]
    )
    states = ("requested_return", "approved_return", "received_return")
    photo_id = ReturnPhoto.objects.get(request_id=made[0]).pk
    return {
        "delivered_order": delivered,
        "photo_id": photo_id,
        **dict(zip(states, made, strict=True)),
    }


def _product_image(world: World) -> int:
    """A picture of product A-1 (its back-office page shows it)."""
    from dinghuo.catalog import services as catalog

    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(picture, "PNG")
    product_id = world.skus["A-1"].product_id
    made = catalog.add_product_image(
        tenant_id=world.tenant.pk, product_id=product_id, content=picture.getvalue()
    )
    return made.pk


def _in(response: Any, status: str) -> int:
    """The id of the order the API answered, which must be in `status`."""
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == status, response.json()
    return int(response.json()["id"])
