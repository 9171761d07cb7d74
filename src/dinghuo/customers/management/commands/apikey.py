"""`dinghuo apikey create --tenant <slug> --scopes read,write [--role <staff role>]
[--company-user <id>]` | `list` | `revoke <prefix>`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dinghuo.core.errors import DomainError
from dinghuo.core.models import ApiKey, Tenant
from dinghuo.core.permissions import ROLES, Role
from dinghuo.core.services import IssuedApiKey
from dinghuo.customers import services
from dinghuo.customers.models import CompanyUser
from dinghuo.customers.services import issue_buyer_api_key


class Command(BaseCommand):
    help = "Create, list or revoke API keys. A new key is printed once and stored only hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key and print it once")
        create.add_argument("--tenant", required=True, help="Tenant slug")
        create.add_argument("--scopes", default="read", help="Comma separated: read,write")
        create.add_argument("--name", default="cli", help="What the key is for")
        create.add_argument(
            "--role",
            default=Role.OWNER.value,
            choices=[r.value for r in ROLES],
            help="A seller's key: what it may do (docs/roles.md); the default, owner, may do "
            "everything its scopes allow",
        )
        create.add_argument(
            "--company-user",
            type=int,
            help="Id of a company user: the key acts as them on the buyer routes (/api/v1/my/…)",
        )
        listing = sub.add_parser("list", help="List keys (prefixes only)")
        listing.add_argument("--tenant", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                tenant = self._tenant(options["tenant"])
                scopes = {s.strip() for s in options["scopes"].split(",") if s.strip()}
                issued = self._create(
                    tenant, options["name"], scopes, options["company_user"], options["role"]
                )
                whose = (
                    f"user {issued.key.company_user_id} of " if issued.key.company_user_id else ""
                )
                self.stdout.write(issued.secret)
                self.stderr.write(
                    f"Key {issued.key.prefix} for {whose}{tenant.slug} with scopes "
                    f"{issued.key.scopes}; it is shown only this once."
                )
            elif options["action"] == "list":
                tenant = self._tenant(options["tenant"])
                for key in ApiKey.objects.filter(tenant=tenant).order_by("id"):
                    state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                    whose = f"buyer {key.company_user_id}" if key.company_user_id else key.role
                    self.stdout.write(
                        f"{key.prefix}  {key.scopes:12}  {state:20}  {whose:14}  {key.name}"
                    )
            else:
                key = services.revoke_any_api_key(prefix=options["prefix"])
                self.stdout.write(f"Revoked {key.prefix}.")
        except DomainError as exc:
            raise CommandError(exc.detail) from exc

    def _create(
        self, tenant: Tenant, name: str, scopes: set[str], company_user_id: int | None, role: str
    ) -> IssuedApiKey:
        if company_user_id is None:
            return services.issue_staff_api_key(tenant=tenant, name=name, scopes=scopes, role=role)
        # A buyer's key goes through the customers service, which checks the user and
        # records the issue on the company's history.
        company_id = (
            CompanyUser.objects.filter(tenant=tenant, pk=company_user_id)
            .values_list("company_id", flat=True)
            .first()
        )
        if company_id is None:
            raise CommandError(f"No company user {company_user_id} in {tenant.slug}.")
        return issue_buyer_api_key(
            tenant_id=tenant.pk,
            company_id=company_id,
            company_user_id=company_user_id,
            name=name,
            scopes=scopes,
        )

    def _tenant(self, slug: str) -> Tenant:
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No tenant {slug!r}.")
        return tenant
