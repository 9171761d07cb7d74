"""Erasing a person on request (personal data, G): their names, e-mail and sign-in are
anonymised everywhere they were copied, in one transaction; amounts stay as they are.

Where a person's values live is not listed by hand: every text and JSON column of every
table is searched for them (the user row, company users, the event feed's payloads, the
audit log, "decided by" names on approvals and amendments, import runs…), so a table
added later is covered too. Each value is replaced inside the text, so "Mei Chan (buyer)"
becomes "Erased person (buyer)"; a value shorter than `MIN_SWEPT` letters is replaced only
where it is a whole field, so that a two-letter name does not rewrite other words.

The one stated exception to the audit log's immutability: while this runs, an
`ErasurePermit` row lets its transaction rewrite audit entries (migration audit 0002).
Tables the database keeps immutable (the stock ledger, issued billing documents) are
left as they are: they hold amounts and company addresses, and a staff member's name on a
payment they recorded stays with that accounting record (see docs/audit.md).
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django_otp import devices_for_user

from dinghuo.audit import services as audit
from dinghuo.audit.models import AuditEntry, ErasurePermit
from dinghuo.core.errors import Conflict, NotFound
from dinghuo.core.models import ApiKey
from dinghuo.privacy import queries

ERASED_NAME = "Erased person"
ERASED_DOMAIN = "@erased.invalid"
MIN_SWEPT = 3
# The database refuses to change these rows (their migrations' triggers).
IMMUTABLE_TABLES = frozenset(
    {
        "inventory_stockmovement",
        "billing_invoice",
        "billing_invoiceline",
        "billing_creditnote",
        "billing_creditnoteline",
        "billing_payment",
        "billing_allocation",
    }
)
_TEXT = (models.CharField, models.TextField)


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: the person's user id and how many fields it rewrote."""

    user_id: int
    fields_rewritten: int


def personal_values(user: Any) -> dict[str, str]:
    """The person's values and what each becomes, longest first (a full name before its
    parts)."""
    anonymous_email = f"erased-{user.pk}{ERASED_DOMAIN}"
    full = f"{user.first_name} {user.last_name}".strip()
    pairs = {
        user.email: anonymous_email,
        user.get_username(): anonymous_email,
        full: ERASED_NAME,
        user.first_name: ERASED_NAME,
        user.last_name: ERASED_NAME,
    }
    found = {value: new for value, new in pairs.items() if value and value.strip()}
    return dict(sorted(found.items(), key=lambda pair: -len(pair[0])))


def _columns() -> Iterator[tuple[type[models.Model], models.Field[Any, Any]]]:
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in IMMUTABLE_TABLES:
            continue
        for field in meta.concrete_fields:
            if isinstance(field, (*_TEXT, models.JSONField)) and not field.primary_key:
                yield model, field


def _rewritten(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in values.items():
            value = (
                value.replace(old, new)
                if len(old) >= MIN_SWEPT
                else (new if value == old else value)
            )
        return value
    if isinstance(value, list):
        return [_rewritten(item, values) for item in value]
    if isinstance(value, dict):
        return {_rewritten(k, values): _rewritten(v, values) for k, v in value.items()}
    return value


def _sweep_text(
    model: type[models.Model], field: models.Field[Any, Any], values: dict[str, str]
) -> int:
    done = 0
    manager = model._base_manager
    for old, new in values.items():
        if len(old) >= MIN_SWEPT:
            done += manager.filter(**{f"{field.attname}__contains": old}).update(
                **{field.attname: Replace(F(field.attname), Value(old), Value(new))}
            )
        else:
            done += manager.filter(**{field.attname: old}).update(**{field.attname: new})
    return done


def _sweep_json(
    model: type[models.Model], field: models.Field[Any, Any], values: dict[str, str]
) -> int:
    # JSON text may hold a value escaped (non-ASCII as \\uXXXX on SQLite): look for both.
    wanted = Q()
    for old in values:
        wanted |= Q(**{f"{field.attname}__icontains": old})
        wanted |= Q(**{f"{field.attname}__icontains": json.dumps(old)[1:-1]})
    done = 0
    manager = model._base_manager
    for pk, stored in manager.filter(wanted).values_list("pk", field.attname):
        changed = _rewritten(stored, values)
        if changed != stored:
            done += manager.filter(pk=pk).update(**{field.attname: changed})
    return done


def erase_person(*, user_id: int) -> Erasure:
    """Anonymise the person everywhere and take away their sign-in, in one transaction.

    Their user row keeps its id (orders, approvals and the audit log still point at it) but
    gets an anonymous name and e-mail, an unusable password, is switched off, and loses its
    sessions and API keys. Orders, invoices and the stock ledger keep every amount."""
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound(f"No person {user_id}.")
        values = personal_values(user)
        permit = ErasurePermit.objects.create(started_at=timezone.now())
        rewritten = 0
        for model, field in _columns():
            if isinstance(field, models.JSONField):
                rewritten += _sweep_json(model, field, values)
            else:
                rewritten += _sweep_text(model, field, values)
        _close_sign_in(user_id)
        permit.delete()
    return Erasure(user_id, rewritten)


def _close_sign_in(user_id: int) -> None:
    User = get_user_model()
    user = User.objects.get(pk=user_id)
    user.set_unusable_password()
    user.is_active = False
    user.save(update_fields=["password", "is_active"])
    # Their second steps (authenticator app, recovery codes, passkeys) go with the sign-in,
    # through django-otp's own list of every kind of device.
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    ApiKey.objects.filter(company_user__user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            session.delete()


def erase_for_seller(*, tenant_id: int, user_id: int, by_user_id: int | None = None) -> Erasure:
    """A seller erases one of its buyers or staff on their request (`erase_person`), and
    the seller's audit log records that the person was erased, without any of their values.

    Refused, changing nothing: a person who does not belong to this seller (404, as another
    tenant's objects are); a person who also buys from or works for another seller on the
    platform (409 `person_of_other_sellers`: erasing rewrites their name and e-mail
    everywhere, which is not one seller's to decide; the platform's operator does it with
    `dinghuo person erase`); someone erasing themselves (409 `cannot_erase_yourself`); the
    seller's last active owner (409 `last_owner`); a person erased already (409
    `already_erased`)."""
    with transaction.atomic():
        tenants = queries.person_of(tenant_id, user_id)
        if tenants != {tenant_id}:
            raise Conflict(
                "This person also belongs to another seller on this platform; "
                "ask the platform's operator to erase them everywhere.",
                code="person_of_other_sellers",
            )
        if user_id == by_user_id:
            raise Conflict("You cannot erase yourself.", code="cannot_erase_yourself")
        user = get_user_model().objects.select_for_update().get(pk=user_id)
        if user.email.endswith(ERASED_DOMAIN):
            raise Conflict("This person is erased already.", code="already_erased")
        if queries.is_last_owner(tenant_id, user_id):
            raise Conflict(
                "The last owner stays: make someone else owner first.", code="last_owner"
            )
        done = erase_person(user_id=user_id)
        audit.record(
            tenant_id=tenant_id,
            action=AuditEntry.Action.CHANGED,
            object_type="auth.user",
            object_id=user_id,
            label=ERASED_NAME,
            after={"erased": True, "fields_rewritten": done.fields_rewritten},
            subject_user_id=user_id,
        )
    return done
