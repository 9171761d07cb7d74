"""What must hold before this process serves requests (`dinghuo serve`, the WSGI application)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

REFUSAL = (
    "Refusing to serve: DEBUG is off and there is no secret key. Set SECRET_KEY in the "
    "environment to a long random value, e.g. "
    "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), "
    "or run `dinghuo secret_key` once to keep one in {path} (`make run` does)."
)


def refuse_unsafe_serving() -> None:
    """Raise ImproperlyConfigured when DEBUG is off and no secret key was given or kept: the
    process would sign sessions with a key of its own that no other worker shares."""
    if not settings.DEBUG and not settings.DINGHUO_SECRET_KEY_KEPT:
        raise ImproperlyConfigured(REFUSAL.format(path=settings.SECRET_KEY_FILE))
