"""A tenant's pages speak one of its languages and tell time in its time zone.

The back office's and the portal's access checks find the tenant of the person asking (with
its languages and time zone, in the query they make anyway) and run the page inside
`tenant_locale`: Django's current time zone becomes the tenant's, so every time on the page
(the `datetime` and `date` filters, `timezone.localtime`) is the tenant's day and hour; and a
language the tenant does not offer (a cookie, the browser's wish) falls back to the tenant's
first language.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation


def page_language(wanted: str, offered: Sequence[str]) -> str:
    """`wanted` when the tenant offers it (or offers nothing known), else its first language."""
    known = [code for code in offered if code in dict(settings.LANGUAGES)]
    if not known or wanted in known:
        return wanted
    return known[0]


def zone(name: str) -> ZoneInfo:
    """The tenant's time zone; the site's own for a name the system does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


@contextmanager
def tenant_locale(request: HttpRequest, languages: Sequence[str], time_zone: str) -> Iterator[None]:
    """Run a page of the tenant in its time zone and one of its languages."""
    language = page_language(translation.get_language() or settings.LANGUAGE_CODE, languages)
    with timezone.override(zone(time_zone)), translation.override(language):
        request.LANGUAGE_CODE = language
        yield
