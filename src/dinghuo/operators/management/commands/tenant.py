"""`dinghuo tenant create --name … --slug … --currency HKD --languages en,zh-hant
--time-zone Asia/Hong_Kong --owner-email … [--print-link]` | `list` | `suspend <slug>` |
`reactivate <slug>`."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dinghuo.core.errors import DomainError
from dinghuo.core.models import Tenant
from dinghuo.core.services import set_tenant_status
from dinghuo.operators import queries, services
from dinghuo.operators.welcome import set_password_link

# Links printed when DINGHUO_PORTAL_URL is not set: the address `dinghuo serve` listens on.
LOCAL_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = "Create sellers (tenants) with their first owner, list, suspend or reactivate them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="A new tenant, ready to take orders")
        create.add_argument("--name", required=True)
        create.add_argument("--slug", required=True, help="Short name: a-z, 0-9 and -")
        create.add_argument("--currency", required=True, help="Base currency: HKD, USD…")
        create.add_argument(
            "--languages",
            default="en,zh-hant,zh-hans",
            help="Comma separated, the first is the default (default: all three)",
        )
        create.add_argument("--time-zone", default="UTC", help="IANA name: Asia/Hong_Kong")
        create.add_argument("--owner-email", required=True)
        create.add_argument(
            "--print-link",
            action="store_true",
            help="Print the owner's one-time link instead of mailing them an invitation",
        )
        sub.add_parser("list", help="Every tenant with its size")
        for action in ("suspend", "reactivate"):
            one = sub.add_parser(action, help=f"{action.title()} a tenant")
            one.add_argument("slug")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self._create(options)
            elif options["action"] == "list":
                self._list()
            else:
                self._set_status(options["slug"], options["action"])
        except DomainError as refusal:
            details = "; ".join(f"{e.field}: {e.message}" for e in refusal.errors)
            raise CommandError(f"{refusal.detail} {details}".strip()) from refusal

    def _create(self, options: dict[str, Any]) -> None:
        made = services.set_up_tenant(
            name=options["name"],
            slug=options["slug"],
            base_currency=options["currency"].upper(),
            languages=[c.strip() for c in options["languages"].split(",") if c.strip()],
            time_zone=options["time_zone"],
            owner_email=options["owner_email"],
            mail_owner=not options["print_link"],
        )
        self.stdout.write(f"Tenant {made.tenant.slug} created; its back office: /staff/.")
        if not options["print_link"]:
            owner = options["owner_email"].strip().lower()
            self.stdout.write(f"The worker mails {owner} an invitation to sign in.")
        elif made.owner_is_new:
            link = set_password_link(made.owner, base_url=settings.DINGHUO_PORTAL_URL or LOCAL_URL)
            self.stdout.write(f"The owner sets a password here (once): {link}")
        else:
            self.stdout.write("The owner signs in with the password they already have.")

    def _list(self) -> None:
        for size in queries.tenant_sizes():
            self.stdout.write(
                f"{size.slug:24} {size.status:10} orders {size.orders:>7}  products "
                f"{size.products:>6}  companies {size.companies:>5}  users {size.users:>5}  "
                f"files {size.storage_bytes:>10} B  {size.name}"
            )

    def _set_status(self, slug: str, action: str) -> None:
        tenant = queries.tenant_by_slug(slug)
        if tenant is None:
            raise CommandError(f"No tenant {slug!r}.")
        status = Tenant.Status.SUSPENDED if action == "suspend" else Tenant.Status.ACTIVE
        set_tenant_status(tenant_id=tenant.pk, status=status)
        self.stdout.write(f"{slug} is {status}.")
