"""`dinghuo demo [--if-empty]`: load a believable wholesaler to try Dinghuo with."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dinghuo.demo import DemoRefused
from dinghuo.demo.loader import (
    DEMO_SLUG,
    Scale,
    credentials_path,
    demo_exists,
    load_demo,
    store_credentials,
    stored_credentials,
)

ALREADY_LOADED = (
    f"The demo tenant {DEMO_SLUG!r} already exists in this database. "
    "It cannot be removed in place (stock movements are immutable and business rows are "
    "protected), so to start over recreate the database, e.g. "
    "`rm var/dinghuo.sqlite3 && dinghuo migrate && dinghuo demo`. "
    "`dinghuo demo --if-empty` shows the stored sign-ins instead."
)


class Command(BaseCommand):
    help = (
        "Load the demo wholesaler (catalogue, stock, 30 buyers, four months of orders with their "
        "invoices and payments) and print its sign-ins. Refuses when the demo is loaded; to "
        "reload, recreate the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="When the demo is already loaded, only print its stored sign-ins",
        )
        parser.add_argument("--skus", type=int, default=Scale.skus, help="How many SKUs")
        parser.add_argument("--orders", type=int, default=Scale.orders, help="How many orders")
        parser.add_argument("--seed", type=int, default=None, help="Seed of the generated data")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_exists():
            if not options["if_empty"]:
                raise CommandError(ALREADY_LOADED)
            self._show_stored()
            return
        if options["skus"] < 1 or options["orders"] < 0:
            raise CommandError("--skus must be at least 1 and --orders not negative.")
        started = time.monotonic()
        self.stdout.write(f"Loading the demo ({options['skus']} SKUs, {options['orders']} orders)…")
        extra = {} if options["seed"] is None else {"seed": options["seed"]}
        try:
            loaded = load_demo(scale=Scale(options["skus"], options["orders"]), **extra)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        counts = ", ".join(f"{n} {what}" for what, n in loaded.counts.items())
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(loaded.statuses.items()))
        self.stdout.write(f"Loaded in {elapsed:.1f} s: {counts}.")
        self.stdout.write(f"Orders: {statuses}.")
        share = loaded.straight_through
        if share is not None and share.orders:
            waiting = ", ".join(f"{n} {why}" for why, n in share.reasons.items() if n)
            self.stdout.write(
                f"Straight through: {share.straight_through} of {share.orders} orders "
                f"({share.share:.0%}) confirmed themselves; the rest waited for a person "
                f"({waiting})."
            )
        invoices = loaded.invoices
        if invoices:
            self.stdout.write(
                f"Invoices: {invoices.get('paid', 0)} paid, {invoices.get('part', 0)} paid in "
                f"part, {invoices.get('open', 0)} not paid yet; {invoices.get('overdue', 0)} "
                "overdue."
            )
        for company, shows in loaded.exceptions.items():
            self.stdout.write(f"  {company} shows {shows}.")
        self.stdout.write("")
        self.stdout.write(loaded.credentials.render())
        try:
            path = store_credentials(loaded.credentials)
        except OSError as exc:
            self.stderr.write(f"Could not keep the sign-ins in {credentials_path()}: {exc}")
        else:
            self.stdout.write(f"The sign-ins are kept in {path} (delete it to forget them).")

    def _show_stored(self) -> None:
        text, valid = stored_credentials()
        if text is None:
            self.stdout.write(
                f"The demo is loaded, but its sign-ins are not in {credentials_path()}. "
                "Use `dinghuo changepassword staff` and "
                f"`dinghuo apikey create --tenant {DEMO_SLUG} --scopes read,write`."
            )
            return
        self.stdout.write("The demo is already loaded.\n")
        self.stdout.write(text)
        if not valid:
            self.stderr.write(
                f"Warning: the API key in {credentials_path()} does not work on this database; "
                "the file may belong to another one."
            )
