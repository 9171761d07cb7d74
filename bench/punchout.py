"""PunchOut against the API: a PunchOutSetupRequest, and a cXML OrderRequest of N lines
against the same order placed with `POST /orders`, inside one process on PostgreSQL.

    uv run python -m bench.punchout [--rounds 40] [--lines 50] [--database NAME]

Builds the after-sales bench's world (one tenant, 80 SKUs in stock, a company on account) in
a fresh database, with a procurement connection, then runs rounds that each open a punchout
session (setup request), place an order by cXML and place the same lines through the API.
Prints per operation the median and mean milliseconds and the SQL statements, and the cXML
order's ratio to the API's (parsing, authenticating, the price check and the PO record are
what it adds). Exits 1 when an answer is not what the operation must give.
"""

import argparse
import os
import statistics
import sys
from typing import Any

from bench import load
from bench.after_sales import _Api, _timed, _world

DEFAULT_DATABASE = "dinghuo_punchout"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.punchout")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    return parser.parse_args(argv)


def _connection(world: dict[str, Any]) -> str:
    """A procurement connection of the bench's company; its shared secret."""
    from django.contrib.auth.models import User

    from dinghuo.customers.models import Company, CompanyUser
    from dinghuo.punchout import services

    company = Company.objects.get(pk=world["company"])
    user = User.objects.create_user(username="po@bench", email="po@bench")
    member = CompanyUser.objects.create(tenant_id=company.tenant_id, company=company, user=user)
    issued = services.create_connection(
        tenant_id=company.tenant_id,
        company_id=company.pk,
        name="Bench suite",
        identities=services.Identities("NetworkID", "AN-BENCH", "DUNS", "SUP-BENCH"),
        company_user_id=member.pk,
    )
    return issued.secret


def _document(secret: str, request: str, payload_id: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="{payload_id}" timestamp="2026-12-06T12:00:00+08:00" xml:lang="en-US">
<Header><From><Credential domain="NetworkID"><Identity>AN-BENCH</Identity></Credential></From>
<To><Credential domain="DUNS"><Identity>SUP-BENCH</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>AN-BENCH</Identity>
<SharedSecret>{secret}</SharedSecret></Credential><UserAgent>Bench</UserAgent></Sender></Header>
<Request deploymentMode="production">{request}</Request></cXML>""".encode()


def _setup(secret: str, n: int) -> bytes:
    request = """<PunchOutSetupRequest operation="create"><BuyerCookie>C</BuyerCookie>
<BrowserFormPost><URL>https://procurement.example/return</URL></BrowserFormPost>
</PunchOutSetupRequest>"""
    return _document(secret, request, f"setup-{n}@bench")


def _order(secret: str, n: int, lines: list[tuple[str, int]]) -> bytes:
    items = "".join(
        f'<ItemOut quantity="{quantity}" lineNumber="{i}"><ItemID><SupplierPartID>{code}'
        '</SupplierPartID></ItemID><ItemDetail><UnitPrice><Money currency="USD">12.00'
        '</Money></UnitPrice><Description xml:lang="en">x</Description><UnitOfMeasure>EA'
        '</UnitOfMeasure><Classification domain="UNSPSC">1</Classification></ItemDetail>'
        "</ItemOut>"
        for i, (code, quantity) in enumerate(lines, start=1)
    )
    request = f"""<OrderRequest><OrderRequestHeader orderID="PO-{n}" type="new">
<ShipTo><Address><Name xml:lang="en">Main</Name><PostalAddress><Street>1 Road</Street>
<City>Hong Kong</City><Country isoCountryCode="HK">Hong Kong</Country></PostalAddress>
</Address></ShipTo></OrderRequestHeader>{items}</OrderRequest>"""
    return _document(secret, request, f"order-{n}@bench")


def _cxml(client: Any, path: str, body: bytes, expect: str) -> None:
    answer = client.post(path, body, content_type="text/xml")
    if f'code="{expect}"' not in answer.content.decode():
        print(f"!!!!! {path} answered {answer.content[:400]!r}")
        sys.exit(1)


def _report(samples: dict[str, list[tuple[float, int]]], rounds: int, lines: int) -> None:
    print(f"\n{rounds} rounds, {lines}-line orders (after 5 warm-up rounds), PostgreSQL")
    print(f"{'operation':<14} {'median ms':>10} {'mean ms':>9} {'statements':>11}")
    medians = {}
    for name in ("setup", "cxml-order", "api-order"):
        taken = samples[name][5:]
        ms = [t * 1000 for t, _ in taken]
        medians[name] = statistics.median(ms)
        statements = statistics.median(s for _, s in taken)
        print(f"{name:<14} {medians[name]:>10.1f} {statistics.mean(ms):>9.1f} {statements:>11.0f}")
    print(f"cxml-order / api-order = {medians['cxml-order'] / medians['api-order']:.2f}")


def _round(
    client: Any,
    api: _Api,
    world: dict[str, Any],
    secret: str,
    n: int,
    size: int,
    samples: dict[str, list[tuple[float, int]]],
) -> None:
    """One setup request, then the same lines ordered by cXML and through the API (timed)."""
    codes = world["codes"]
    start = (n * 7) % (len(codes) - size)
    lines = [(code, 8 + i % 5) for i, code in enumerate(codes[start : start + size])]
    setup, order = _setup(secret, n), _order(secret, n, lines)
    _timed(samples, "setup", lambda: _cxml(client, "/punchout/cxml/setup", setup, "200"))
    _timed(samples, "cxml-order", lambda: _cxml(client, "/punchout/cxml/order", order, "200"))
    body = {
        "company_id": world["company"],
        "ship_to_id": world["ship_to"],
        "lines": [{"sku": code, "quantity": quantity} for code, quantity in lines],
    }
    _timed(samples, "api-order", lambda: api.post("/orders", body, expect=201, key=True))


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    load.create_database(args.database)
    os.environ["DATABASE_URL"] = load.database_url(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    os.environ["DEBUG"] = "0"
    import django
    from django.core.management import call_command
    from django.test import Client

    django.setup()
    call_command("migrate", verbosity=0)
    world = _world(args.lines)
    secret = _connection(world)
    api, client = _Api(world["key"]), Client()
    samples: dict[str, list[tuple[float, int]]] = {}
    for n in range(args.rounds + 5):
        _round(client, api, world, secret, n, args.lines, samples)
    _report(samples, args.rounds, args.lines)


if __name__ == "__main__":
    main()
