"""Exchange rates over the API: set as JSON or imported as CSV (a raw body or a form's file),
listed newest first a page at a time with the seller's base currency, and the currencies in
use with the rate that holds today. Staff keys only; a refusal is problem+json, names the row
or line, and changes nothing."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dinghuo.config.api import api as the_api
from dinghuo.integrations.models import Event
from dinghuo.pricing.models import ExchangeRate, PriceList
from tests.builders import add_buyer


def _put(world, rates, key=None, **body):
    return world.client(key).send("PUT", "/exchange-rates", json.dumps({"rates": rates, **body}))


def _csv(world, text: str | bytes, content_type="text/csv", key=None):
    raw = text.encode() if isinstance(text, str) else text
    return world.client(key).client.post(
        "/api/v1/exchange-rates/import",
        raw,
        content_type=content_type,
        headers={"Authorization": f"Bearer {key or world.key}"},
    )


def _state():
    return (
        sorted(ExchangeRate.objects.values_list("currency", "day", "rate", "source")),
        Event.objects.count(),
    )


def test_rates_set_as_json_are_answered_and_listed_newest_first(world):
    r = _put(
        world,
        [
            {"currency": "HKD", "date": "2026-03-02", "rate": "0.1282"},
            {"currency": "EUR", "date": "2026-03-02", "rate": "1.0800"},
            {"currency": "HKD", "date": "2026-03-03", "rate": "0.12815"},
        ],
    )
    assert r.status_code == 200, r.json()
    assert r.json() == {
        "seller": "acme",
        "base_currency": "USD",
        "count": 3,
        "currencies": ["EUR", "HKD"],
        "rates": [
            {"currency": "HKD", "date": "2026-03-02", "rate": "0.1282"},
            {"currency": "EUR", "date": "2026-03-02", "rate": "1.08"},
            {"currency": "HKD", "date": "2026-03-03", "rate": "0.12815"},
        ],
    }
    listed = world.client().get("/exchange-rates").json()
    assert (listed["seller"], listed["base_currency"], listed["next_cursor"]) == (
        "acme",
        "USD",
        None,
    )
    assert [(i["date"], i["currency"], i["rate"], i["source"]) for i in listed["items"]] == [
        ("2026-03-03", "HKD", "0.12815", "api"),
        ("2026-03-02", "EUR", "1.08", "api"),
        ("2026-03-02", "HKD", "0.1282", "api"),
    ]


def test_the_list_filters_by_currency_and_period_and_pages_by_cursor(world):
    rates = [
        {"currency": c, "date": f"2026-03-{d:02d}", "rate": "1"}
        for d in range(1, 11)
        for c in ("EUR", "HKD")
    ]
    assert _put(world, rates).status_code == 200
    api = world.client()
    some = api.get("/exchange-rates", currency="HKD", since="2026-03-04", until="2026-03-06").json()
    assert [i["date"] for i in some["items"]] == ["2026-03-06", "2026-03-05", "2026-03-04"]
    seen, after = [], None
    while True:
        page = api.get("/exchange-rates", limit=3, **({"after": after} if after else {})).json()
        seen += [(i["date"], i["currency"]) for i in page["items"]]
        after = page["next_cursor"]
        if after is None:
            break
    assert len(seen) == 20 and len(set(seen)) == 20
    assert seen == sorted(seen, key=lambda s: (s[0], "Z" if s[1] == "EUR" else "A"), reverse=True)


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"after": "2026-03-01"}, "after", "invalid_cursor"),
        ({"after": "2026-02-30.HKD"}, "after", "invalid_cursor"),
        ({"since": "2026-03-05", "until": "2026-03-04"}, "until", "period_reversed"),
        ({"currency": "usd"}, "currency", "string_pattern_mismatch"),
        ({"seller": "nobody"}, "seller", "unknown_seller"),
    ],
)
def test_a_bad_query_is_a_problem_naming_its_parameter(world, query, field, code):
    r = world.client().get("/exchange-rates", **query)
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [(field, code)]


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("0.1282051282", 200),  # 10 decimals
        ("0.12820512821", "rate_too_precise"),  # 11
        ("0", "rate_not_positive"),
        ("-7.8", "rate_not_positive"),
        ("1000000000", "rate_too_large"),
    ],
)
def test_a_rates_boundaries(world, rate, expected):
    before = _state()
    r = _put(
        world,
        [
            {"currency": "EUR", "date": "2026-03-02", "rate": "1"},
            {"currency": "HKD", "date": "2026-03-02", "rate": rate},
        ],
    )
    if expected == 200:
        assert r.status_code == 200
        assert r.json()["rates"][1]["rate"] == rate
        return
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("rates[1].rate", expected)]
    assert _state() == before


@pytest.mark.parametrize(
    ("row", "field", "code"),
    [
        (
            {"currency": "USD", "date": "2026-03-02", "rate": "1"},
            "rates[0].currency",
            "base_currency_rate",
        ),
        (
            {"currency": "XYZ", "date": "2026-03-02", "rate": "1"},
            "rates[0].currency",
            "invalid_currency",
        ),
        (
            {"currency": "HKD", "date": "2026-13-02", "rate": "1"},
            "rates[0].date",
            "date_from_datetime_parsing",
        ),
        (
            {"currency": "HKD", "date": "2026-03-02", "rate": "1e3"},
            "rates[0].rate",
            "string_pattern_mismatch",
        ),
        ({"currency": "HKD", "date": "2026-03-02", "rate": 7.8}, "rates[0].rate", "string_type"),
    ],
)
def test_a_bad_row_is_refused_and_nothing_changes(world, row, field, code):
    before = _state()
    r = _put(world, [row])
    assert r.status_code == 422, r.json()
    assert (r.json()["errors"][0]["field"], r.json()["errors"][0]["code"]) == (field, code)
    assert _state() == before


def test_an_empty_list_and_an_unknown_field_are_refused(world):
    assert _put(world, []).status_code == 422
    r = _put(world, [{"currency": "HKD", "date": "2026-03-02", "rate": "1", "source": "x"}])
    assert [e["field"] for e in r.json()["errors"]] == ["rates[0].source"]


def test_a_read_key_reads_but_does_not_write_and_a_buyer_key_does_neither(world):
    row = [{"currency": "HKD", "date": "2026-03-02", "rate": "0.128"}]
    r = _put(world, row, key=world.read_key)
    assert (r.status_code, r.json()["code"]) == (403, "insufficient_scope")
    r = _csv(world, "date,currency,rate\n2026-03-02,HKD,0.128\n", key=world.read_key)
    assert (r.status_code, r.json()["code"]) == (403, "insufficient_scope")
    assert world.client(world.read_key).get("/exchange-rates").status_code == 200
    _, buyer = add_buyer(world, "bea@buyer.example", role="admin")
    for path in ("/exchange-rates", "/exchange-rates/currencies"):
        r = buyer.get(path)
        assert (r.status_code, r.json()["code"]) == (403, "staff_key_required")
    assert ExchangeRate.objects.count() == 0


# --- CSV ----------------------------------------------------------------------------------


def test_a_csv_body_with_bom_and_semicolons_sets_its_rates(world):
    r = _csv(world, "\ufeffdate;currency;rate\r\n2026-03-02;HKD;0,1282\r\n2026-03-02;EUR;1,08\r\n")
    assert r.status_code == 200, r.json()
    assert (r.json()["count"], r.json()["currencies"]) == (2, ["EUR", "HKD"])
    assert sorted(ExchangeRate.objects.values_list("currency", "source")) == [
        ("EUR", "csv"),
        ("HKD", "csv"),
    ]


def test_a_csv_file_in_a_form_is_imported_too(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "rates.csv", b"day,currency,rate\n2026-03-02,HKD,0.128\n", "text/csv"
    )
    r = Client().post(
        "/api/v1/exchange-rates/import",
        {"file": upload},
        headers={"Authorization": f"Bearer {world.key}"},
    )
    assert r.status_code == 200, r.json()
    assert r.json()["rates"] == [{"currency": "HKD", "date": "2026-03-02", "rate": "0.128"}]


def test_a_bad_line_is_reported_by_its_number_and_nothing_is_written(world):
    before = _state()
    r = _csv(world, "date,currency,rate\n2026-03-02,HKD,0.128\n2026-03-02,EUR,abc\n")
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert r.json()["errors"] == [
        {
            "field": "lines[3].rate",
            "code": "invalid_rate",
            "message": "Line 3: 'abc' is not a decimal number such as 7.8",
            "line": 3,
        }
    ]
    assert _state() == before


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"", 422, "empty_file"),
        (b"date,currency,rate\n", 422, "empty_file"),
        ("date,currency,rate\n2026-03-02,HKD,0.128\n".encode("utf-16"), 422, "invalid_encoding"),
        (b"date,currency\n2026-03-02,HKD\n", 422, "missing_column"),
        (b"date,currency,rate\n" + b"2026-03-02,HKD,1\n" * 10_001, 413, "too_many_rows"),
        (b"x" * (2 * 1024 * 1024 + 1), 413, "request_too_large"),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused(world, body, status, code):
    before = _state()
    r = _csv(world, body)
    assert r.status_code == status, r.content[:300]
    assert r.json()["errors"][0]["code"] == code
    if status == 413:
        assert r.json()["code"] == "request_too_large"
    assert _state() == before


def test_the_same_import_with_the_same_key_runs_once(world):
    text = "date,currency,rate\n2026-03-02,HKD,0.128\n"
    api = world.client()
    first = api.client.post(
        "/api/v1/exchange-rates/import", text, content_type="text/csv",
        headers={**api.headers, "Idempotency-Key": "rates-1"},
    )  # fmt: skip
    again = api.client.post(
        "/api/v1/exchange-rates/import", text, content_type="text/csv",
        headers={**api.headers, "Idempotency-Key": "rates-1"},
    )  # fmt: skip
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert Event.objects.filter(type="exchange_rates.updated").count() == 1


# --- currencies in use ----------------------------------------------------------------------


def test_the_currencies_in_use_say_missing_and_out_of_date(world):
    for code, currency in (("hkd", "HKD"), ("eur", "EUR"), ("jpy", "JPY")):
        PriceList.objects.create(
            tenant=world.tenant, seller=world.seller, code=code, name=code, currency=currency
        )
    today = timezone.localdate()
    rows = [
        {"currency": "HKD", "date": str(today - timedelta(7)), "rate": "0.128"},
        {"currency": "EUR", "date": str(today - timedelta(8)), "rate": "1.08"},
    ]
    assert _put(world, rows).status_code == 200
    r = world.client().get("/exchange-rates/currencies")
    assert r.status_code == 200
    assert r.json() == {
        "seller": "acme",
        "base_currency": "USD",
        "today": today.isoformat(),
        "stale_after_days": 7,
        "items": [
            {
                "currency": "EUR",
                "rate": "1.08",
                "date": str(today - timedelta(8)),
                "days_old": 8,
                "missing": False,
                "stale": True,
            },
            {
                "currency": "HKD",
                "rate": "0.128",
                "date": str(today - timedelta(7)),
                "days_old": 7,
                "missing": False,
                "stale": False,
            },
            {
                "currency": "JPY",
                "rate": None,
                "date": None,
                "days_old": None,
                "missing": True,
                "stale": False,
            },
        ],
    }


def test_the_openapi_document_describes_the_csv_body():
    paths = the_api.get_openapi_schema()["paths"]
    body = paths["/api/v1/exchange-rates/import"]["post"]["requestBody"]["content"]
    assert set(body) == {
        "multipart/form-data",
        "text/csv",
        "text/plain",
        "application/octet-stream",
    }
    assert set(paths["/api/v1/exchange-rates"]) == {"get", "put"}
    assert "get" in paths["/api/v1/exchange-rates/currencies"]
