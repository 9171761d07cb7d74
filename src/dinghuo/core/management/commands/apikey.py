"""`dinghuo apikey create --tenant <slug> --scopes read,write` | `list` | `revoke <prefix>`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dinghuo.core.errors import DomainError
from dinghuo.core.models import ApiKey, Tenant
from dinghuo.core.services import create_api_key, revoke_api_key


class Command(BaseCommand):
    help = "Create, list or revoke API keys. A new key is printed once and stored only hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key and print it once")
        create.add_argument("--tenant", required=True, help="Tenant slug")
        create.add_argument("--scopes", default="read", help="Comma separated: read,write")
        create.add_argument("--name", default="cli", help="What the key is for")
        listing = sub.add_parser("list", help="List keys (prefixes only)")
        listing.add_argument("--tenant", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                tenant = self._tenant(options["tenant"])
                scopes = {s.strip() for s in options["scopes"].split(",") if s.strip()}
                issued = create_api_key(tenant=tenant, name=options["name"], scopes=scopes)
                self.stdout.write(issued.secret)
                self.stderr.write(
                    f"Key {issued.key.prefix} for {tenant.slug} with scopes {issued.key.scopes}; "
                    "it is shown only this once."
                )
            elif options["action"] == "list":
                tenant = self._tenant(options["tenant"])
                for key in ApiKey.objects.filter(tenant=tenant).order_by("id"):
                    state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                    self.stdout.write(f"{key.prefix}  {key.scopes:12}  {state:20}  {key.name}")
            else:
                key = revoke_api_key(prefix=options["prefix"])
                self.stdout.write(f"Revoked {key.prefix}.")
        except DomainError as exc:
            raise CommandError(exc.detail) from exc

    def _tenant(self, slug: str) -> Tenant:
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No tenant {slug!r}.")
        return tenant
