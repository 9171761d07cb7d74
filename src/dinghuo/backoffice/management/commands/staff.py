"""`dinghuo staff add --tenant <slug> --email <email> [--role owner|manager|…]
[--first-name …] [--last-name …] [--password-stdin]` | `list --tenant <slug>` |
`remove --tenant <slug> --email <email>`."""

import secrets
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dinghuo.backoffice import services
from dinghuo.backoffice.models import StaffMember
from dinghuo.core.errors import DomainError
from dinghuo.core.models import Tenant
from dinghuo.core.permissions import ROLES, Role


class Command(BaseCommand):
    help = "Make people staff of a tenant's back office (/staff/), list or remove them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Make a person staff (creating their user if new)")
        add.add_argument("--tenant", required=True, help="Tenant slug")
        add.add_argument("--email", required=True)
        add.add_argument(
            "--role",
            default=Role.OWNER.value,
            choices=[r.value for r in ROLES],
            help="What they may do (docs/roles.md); the default, owner, may do everything",
        )
        add.add_argument("--first-name", default="")
        add.add_argument("--last-name", default="")
        add.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the new user's password from standard input (else one is generated "
            "and printed once)",
        )
        listing = sub.add_parser("list", help="List a tenant's staff")
        listing.add_argument("--tenant", required=True)
        remove = sub.add_parser("remove", help="Take back-office access away")
        remove.add_argument("--tenant", required=True)
        remove.add_argument("--email", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant {options['tenant']!r}.")
        try:
            if options["action"] == "add":
                self._add(tenant, options)
            elif options["action"] == "list":
                members = StaffMember.objects.filter(tenant=tenant).select_related("user")
                for member in members.order_by("user__email"):
                    state = "active" if member.is_active else "removed"
                    self.stdout.write(f"{member.user.email:40}  {member.role:10}  {state}")
            else:
                services.remove_staff_member(tenant_id=tenant.pk, email=options["email"])
                self.stdout.write(f"{options['email']} is no longer staff of {tenant.slug}.")
        except DomainError as exc:
            raise CommandError(exc.detail) from exc

    @transaction.atomic
    def _add(self, tenant: Tenant, options: dict[str, Any]) -> None:
        email = options["email"].strip()
        if "@" not in email:
            raise CommandError("Give the person's email address.")
        user, created = services.user_for_email(
            email, first_name=options["first_name"], last_name=options["last_name"]
        )
        password = ""
        if created:
            password = (
                sys.stdin.readline().rstrip("\n")
                if options["password_stdin"]
                else secrets.token_urlsafe(12)
            )
            if not password:
                raise CommandError("The password read from standard input is empty.")
            user.set_password(password)
            user.save(update_fields=["password"])
        services.add_staff_member(tenant_id=tenant.pk, user_id=user.pk, role=options["role"])
        self.stdout.write(f"{email} is staff of {tenant.slug}; sign in at /staff/signin/.")
        if created and not options["password_stdin"]:
            self.stdout.write(f"Password (shown once): {password}")
