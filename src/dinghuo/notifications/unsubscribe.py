"""Unsubscribe links: a signed token naming the person, the tenant and the kind of mail.

The token is signed with the SECRET_KEY (django.core.signing, its own salt) and does not
expire: a link in a mail from last year still works. It can only turn one kind of mail off
for one person, so it needs no sign-in.
"""

from dataclasses import dataclass

from django.core import signing

from dinghuo.notifications.kinds import ESSENTIAL, Kind

SALT = "dinghuo.notifications.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    tenant_id: int
    user_id: int
    kind: Kind


def token(tenant_id: int, user_id: int, kind: Kind) -> str:
    return signing.dumps([tenant_id, user_id, kind.value], salt=SALT, compress=True)


def read(value: str) -> Unsubscribe | None:
    """What a token asks, or None when it was not signed here (or names an essential mail)."""
    try:
        tenant_id, user_id, kind = signing.loads(value, salt=SALT)
        found = Unsubscribe(int(tenant_id), int(user_id), Kind(kind))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return None if found.kind in ESSENTIAL else found
