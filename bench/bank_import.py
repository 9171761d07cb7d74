"""Bank reconciliation's figure: importing a statement of 5,000 lines, most of them paying
open invoices.

    uv run python -m bench.bank_import [--lines 5000] [--format camt053|mt940]
        [--database-url sqlite:////tmp/bench_bank.sqlite3
                        | postgres://postgres@127.0.0.1:5432/dinghuo_bench_bank]

A fresh database (the SQLite file removed, or the PostgreSQL database dropped and made again),
migrated; one seller, `--lines / 10` companies with ten open invoices each (master data and
invoices written in bulk: the figure is the import's, not invoicing's). The statement is made
here, in the chosen format: of every 20 lines, 16 credits name their invoice (mangled as banks
do), 2 pay one by payer and exact amount, 1 is a stranger's credit (it waits for a clerk) and
1 is money out. Timed: `billing.services.bank.import_statement`, one transaction: parse, match,
record the payments. Printed: lines per second, and what became of the lines.
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import django
import psycopg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_URL = "sqlite:////tmp/bench_bank.sqlite3"
LIMIT_SECONDS = 900
DAY = date(2026, 3, 5)
Credit = tuple[Decimal, str, str, str]  # amount (negative: money out), reference, payer, account


def _fresh_database(url: str) -> None:
    if url.startswith("sqlite:"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


# --- the statement ----------------------------------------------------------------------------


def credits_for(invoices: list[tuple[str, str, Decimal]], lines: int) -> list[Credit]:
    """The statement's lines for open invoices (number, company name, amount): 16 of every
    20 name their invoice, 2 pay one by payer and amount, 1 is a stranger's, 1 money out."""
    mangle = ["{}", "{}", "payment {}", "{} thanks"]
    found: list[Credit] = []
    for i in range(lines):
        number, payer, amount = invoices[i % len(invoices)]
        kind = i % 20
        if kind < 16:
            text = mangle[kind % 4].format(
                number.replace("-", "") if kind % 3 else number.lower().replace("-00", " ")
            )
            found.append((amount, text, payer, ""))
        elif kind < 18:
            found.append((amount, "March goods", payer.upper() + " LIMITED", ""))
        elif kind == 18:
            found.append((Decimal("77.77"), "gift", f"Stranger {i}", ""))
        else:
            found.append((Decimal("-12.50"), "Fee", "", ""))
    return found


def _camt_entry(n: int, amount: Decimal, reference: str, payer: str) -> str:
    sign = "CRDT" if amount > 0 else "DBIT"
    party = "Dbtr" if amount > 0 else "Cdtr"
    return (
        f"<Ntry><NtryRef>{n}</NtryRef><Amt Ccy='USD'>{abs(amount)}</Amt>"
        f"<CdtDbtInd>{sign}</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{DAY}</Dt></BookgDt>"
        f"<ValDt><Dt>{DAY}</Dt></ValDt><AcctSvcrRef>B{n:08d}</AcctSvcrRef>"
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly>"
        "</Domn></BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
        f"<RltdPties><{party}><Nm>{escape(payer)}</Nm></{party}></RltdPties>"
        f"<RmtInf><Ustrd>{escape(reference)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
    )


def camt053(credits: list[Credit], opening: Decimal = Decimal("1000.00")) -> bytes:
    """A camt.053.001.02 statement of these lines."""
    closing = opening + sum(amount for amount, *_ in credits)
    entries = "".join(_camt_entry(n, *credit[:3]) for n, credit in enumerate(credits, 1))
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt>"
        f"<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>{DAY}T18:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>BENCH-{len(credits)}</Id><CreDtTm>{DAY}T18:00:00</CreDtTm>"
        "<Acct><Id><IBAN>GB33BUKB20201555555555</IBAN></Id><Ccy>USD</Ccy></Acct>"
        f"<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy='USD'>{opening}</Amt>"
        f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{DAY - timedelta(days=1)}</Dt></Dt></Bal>"
        f"<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy='USD'>{closing}</Amt>"
        f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{DAY}</Dt></Dt></Bal>"
        f"{entries}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def mt940(credits: list[Credit], opening: Decimal = Decimal("1000.00")) -> bytes:
    """An MT940 statement of these lines (SWIFT slash codes in :86:)."""
    closing = opening + sum(amount for amount, *_ in credits)
    day = DAY.strftime("%y%m%d")

    def amount_text(value: Decimal) -> str:
        return f"{abs(value):.2f}".replace(".", ",")

    lines = [":20:BENCH", ":25:HSBCHKHH/004123456001", ":28C:1/1"]
    lines.append(f":60F:C{(DAY - timedelta(days=1)).strftime('%y%m%d')}USD{amount_text(opening)}")
    for n, (amount, reference, payer, _account) in enumerate(credits, 1):
        mark = "C" if amount > 0 else "D"
        lines.append(f":61:{day}{day[2:]}{mark}{amount_text(amount)}NTRFNONREF//B{n:08d}")
        lines.append(f":86:/ORDP/{payer}/REMI/{reference}")
    lines.append(f":62F:C{day}USD{amount_text(closing)}")
    return ("\n".join(lines) + "\n-}\n").encode()


# --- the world --------------------------------------------------------------------------------


def _invoice(tenant: Any, seller: Any, company: Any, number: str, amount: Decimal, now: Any) -> Any:
    from dinghuo.billing.models import Invoice

    return Invoice(
        tenant=tenant,
        seller=seller,
        company=company,
        number=number,
        issued_on=DAY,
        due_on=DAY + timedelta(days=30),
        currency="USD",
        net_total=amount,
        tax_total=Decimal(0),
        total=amount,
        base_total=amount,
        terms="net",
        terms_days=30,
        created_at=now,
    )


def world(companies: int, per_company: int = 10) -> dict[str, Any]:
    """A seller and `companies` companies with `per_company` open invoices each, in bulk;
    (number, company name, amount) of each invoice."""
    from django.utils import timezone

    from dinghuo.billing.models import Invoice, Receivable
    from dinghuo.core.models import Seller
    from dinghuo.core.services import create_tenant
    from dinghuo.customers.models import Company, CreditLine
    from dinghuo.pricing.models import PriceList

    tenant = create_tenant(slug="bank-bench", name="Bank Bench Wholesale")
    seller = Seller.objects.get(tenant=tenant, is_primary=True)
    prices = PriceList.objects.create(
        tenant=tenant, seller=seller, code="std", name="Std", currency="USD"
    )
    made = Company.objects.bulk_create(
        [
            Company(tenant=tenant, code=f"C{i:05d}", name=f"Buyer {i} Trading", price_list=prices)
            for i in range(companies)
        ]
    )
    now, due = timezone.now(), DAY + timedelta(days=30)
    invoices = Invoice.objects.bulk_create(
        [
            _invoice(tenant, seller, company, f"INV-{c * per_company + k + 1:06d}", amount, now)
            for c, company in enumerate(made)
            for k, amount in enumerate(Decimal(100 + 10 * k) + c % 7 for k in range(per_company))
        ],
        batch_size=1000,
    )
    Receivable.objects.bulk_create(
        [
            Receivable(
                tenant=tenant,
                invoice=i,
                company_id=i.company_id,
                due_on=due,
                open_amount=i.total,
                open_base=i.total,
            )
            for i in invoices
        ],
        batch_size=1000,
    )
    owed: dict[int, Decimal] = {}
    for i in invoices:
        owed[i.company_id] = owed.get(i.company_id, Decimal(0)) + i.total
    CreditLine.objects.bulk_create(
        [
            CreditLine(
                tenant=tenant, company=c, invoice_exposure=owed[c.pk], oldest_unpaid_due_on=due
            )
            for c in made
        ]
    )
    names = {c.pk: c.name for c in made}
    return {
        "tenant": tenant,
        "invoices": [(i.number, names[i.company_id], i.total) for i in invoices],
    }


def main() -> None:
    """Load, time one import, print the figure."""
    parser = argparse.ArgumentParser(prog="python -m bench.bank_import")
    parser.add_argument("--lines", type=int, default=5_000)
    parser.add_argument("--format", choices=["camt053", "mt940"], default="camt053")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    _fresh_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dinghuo.billing.services import bank

    call_command("migrate", verbosity=0)
    loaded = world(max(1, args.lines // 10))
    credits = credits_for(loaded["invoices"], args.lines)
    content = (camt053 if args.format == "camt053" else mt940)(credits)
    sent = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal sent
        sent += 1
        return execute(sql, params, many, context)

    began, began_cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        imported = bank.import_statement(tenant_id=loaded["tenant"].pk, content=content)
    took, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    if took > LIMIT_SECONDS:
        print(f"!!!!! bank import FAILED: {took:.0f} s, over {LIMIT_SECONDS} s")
        sys.exit(1)
    print(
        f"bank import ({connection.vendor}, {args.format}, {len(content) / 1e6:.1f} MB): "
        f"{args.lines} lines in {took:.1f} s: {args.lines / took:.0f} lines/s, "
        f"{sent} statements, {cpu:.1f} s CPU in this process; "
        f"{imported.matched} recorded as payments, {imported.waiting} waiting, "
        f"{imported.ignored} set aside"
    )


if __name__ == "__main__":
    main()
