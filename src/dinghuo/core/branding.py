"""A tenant's branding: the name people see, its logo and two colours.

`brand_for(tenant_id)` is the one read every part uses (page headers, PDF documents, mails);
the rules below decide which colours and logos are accepted (`core.services.set_branding`
writes them). White text is written on both colours, so a colour is refused when white on it
does not reach WCAG's 4.5:1 contrast for normal text.
"""

import io
import re
from dataclasses import dataclass

from django.core.cache import cache
from PIL import Image, UnidentifiedImageError

from dinghuo.core.errors import FieldError
from dinghuo.core.models import Tenant

# The colours pages use when a tenant chose none (site.css's own header colours).
DEFAULT_PRIMARY = "#1f4e79"
DEFAULT_ACCENT = "#8a4b08"
MIN_CONTRAST = 4.5  # WCAG 2 AA, normal text
LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 2000  # pixels; a header shows it 40 px high
# Formats Pillow recognises → the file's extension; SVG is refused (it can carry script).
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg"}

_HEX = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Brand:
    """How a tenant shows itself: `logo` is a storage name under MEDIA_ROOT (or "")."""

    tenant_id: int
    slug: str
    name: str
    primary: str
    accent: str
    logo: str
    version: int
    time_zone: str = "UTC"
    """The tenant's time zone: its mails tell time in it."""

    @property
    def etag(self) -> str:
        return f'"brand-{self.tenant_id}-{self.version}"'


def brand_for(tenant_id: int) -> Brand | None:
    """The branding of a tenant (None when there is no such tenant); one query."""
    row = (
        Tenant.objects.filter(pk=tenant_id)
        .values_list(
            "slug",
            "name",
            "display_name",
            "primary_colour",
            "accent_colour",
            "logo",
            "brand_version",
            "time_zone",
        )
        .first()
    )
    if row is None:
        return None
    slug, name, display_name, primary, accent, logo, version, time_zone = row
    return Brand(
        tenant_id,
        slug,
        display_name or name,
        primary or DEFAULT_PRIMARY,
        accent or DEFAULT_ACCENT,
        logo,
        version,
        time_zone,
    )


PAGE_BRAND_SECONDS = 60


def _page_brand_key(tenant_id: int) -> str:
    return f"dinghuo:brand:{tenant_id}"


def page_brand(tenant_id: int) -> Brand | None:
    """`brand_for`, kept in Django's cache for a minute: every page's header needs it, and it
    changes seldom (`forget_page_brand` on a change; another server's local cache may show
    the old brand for up to PAGE_BRAND_SECONDS, a shared Redis cache never)."""
    return cache.get_or_set(
        _page_brand_key(tenant_id), lambda: brand_for(tenant_id), PAGE_BRAND_SECONDS
    )


def forget_page_brand(tenant_id: int) -> None:
    """Drop the cached page brand of a tenant (after its branding changed)."""
    cache.delete(_page_brand_key(tenant_id))


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a `#rrggbb` colour (0 black … 1 white)."""
    channels = []
    for start in (1, 3, 5):
        value = int(colour[start : start + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(colour: str) -> float:
    """The contrast ratio of white text on `colour` (1 … 21)."""
    return 1.05 / (relative_luminance(colour) + 0.05)


def colour_errors(field: str, colour: str) -> list[FieldError]:
    """Why `colour` cannot be a brand colour ("" keeps the default): not `#rrggbb`, or white
    text on it is hard to read."""
    if colour == "":
        return []
    if not _HEX.fullmatch(colour):
        return [FieldError(field, "invalid_colour", "A colour is # and six hex digits: #1f4e79.")]
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST:
        return [
            FieldError(
                field,
                "colour_unreadable",
                f"White text on {colour} has a contrast of {ratio:.2f}:1; at least 4.5:1.",
            )
        ]
    return []


def stylesheet(brand: Brand) -> str:
    """The tenant's CSS: its colours as custom properties site.css uses in the headers."""
    return (
        ":root {\n"
        f"  --brand-primary: {brand.primary};\n"
        f"  --brand-accent: {brand.accent};\n"
        f"  --brand: {brand.primary};\n"
        f"  --brand-dark: {brand.primary};\n"
        "}\n"
    )


def logo_format(data: bytes) -> str | None:
    """The file extension of a logo that may be used (a PNG or JPEG Pillow can read, at most
    512 KB and 2000 px a side), else None; the bytes' own header decides, never a name."""
    if not data or len(data) > LOGO_MAX_BYTES:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            found = LOGO_FORMATS.get(image.format or "")
            too_big = max(image.size) > LOGO_MAX_SIDE
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    return None if too_big else found
