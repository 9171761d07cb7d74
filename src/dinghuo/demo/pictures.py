"""Believable product pictures for the demo, drawn here with Pillow (never downloaded): a
package in its category's colour, with the brand's initials on its face and a band for the
size. One drawing for each category and brand, shared by that brand's products there, so the
demo stays fast (a few hundred small JPEG files, written once).

Bulk writes like the rest of the demo: rows of `catalog.ProductImage` and their files, named
by their content's hash as `catalog.services.images` names them.
"""

import functools
import hashlib
import io
import random
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

from dinghuo.catalog.models import Product, ProductImage
from dinghuo.catalog.pictures import SIZES

SIDE = SIZES["large"]
# A calm palette: one hue per category, chosen by its code (the same on every load).
PALETTE = (
    (196, 69, 54), (38, 104, 156), (46, 125, 76), (214, 148, 31), (110, 72, 160),
    (23, 128, 134), (170, 88, 40), (92, 107, 120), (181, 55, 110), (74, 120, 40),
)  # fmt: skip


def initials(name: str) -> str:
    """The first letters of the first two words: "Golden Wok Premium…" → "GW"."""
    words = [word for word in name.split() if word[:1].isalnum()]
    return "".join(word[0].upper() for word in words[:2]) or "?"


def _colour(key: str) -> tuple[int, int, int]:
    return PALETTE[int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(PALETTE)]


def draw(category: str, letters: str, seed: int = 0) -> Image.Image:
    """A box seen a little from above: front, top and side faces, a label and a band."""
    rng = random.Random(f"{category}/{letters}/{seed}")
    colour = _colour(category)
    dark = tuple(int(c * 0.7) for c in colour)
    light = tuple(min(255, int(c * 1.25) + 30) for c in colour)
    image = Image.new("RGB", (SIDE, SIDE), (246, 246, 242))
    pen = ImageDraw.Draw(image)
    left, top = 90 + rng.randint(-15, 15), 150
    right, bottom, depth = SIDE - 140, SIDE - 60, 60
    pen.ellipse((left - 10, bottom - 12, right + depth + 10, bottom + 22), fill=(225, 225, 220))
    pen.polygon(
        [(left, top), (left + depth, top - depth), (right + depth, top - depth), (right, top)],
        fill=light,
    )
    pen.polygon(
        [
            (right, top),
            (right + depth, top - depth),
            (right + depth, bottom - depth),
            (right, bottom),
        ],
        fill=dark,
    )
    pen.rectangle((left, top, right, bottom), fill=colour)
    pen.rectangle((left + 30, top + 40, right - 30, top + 180), fill=(255, 255, 255))
    band = top + 210 + rng.randint(0, 20)
    pen.rectangle((left, band, right, band + 24), fill=dark)
    font = _font()
    box = pen.textbbox((0, 0), letters, font=font)
    x = (left + right - (box[2] - box[0])) // 2 - box[0]
    y = top + 110 - (box[3] - box[1]) // 2 - box[1]
    pen.text((x, y), letters, fill=colour, font=font)
    return image


@functools.cache
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=96)


def _jpeg(image: Image.Image, side: int) -> bytes:
    """JPEG, not the WebP uploads get: three times faster to write, and the demo makes
    hundreds."""
    copy = image.copy()
    copy.thumbnail((side, side))
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=82)
    return out.getvalue()


def _files(tenant_id: int, image: Image.Image) -> tuple[str, str, int]:
    """(large, small, size in bytes) written under the demo tenant's product folder."""
    large = _jpeg(image, SIDE)
    small = _jpeg(image, SIZES["small"])
    name = hashlib.sha256(large).hexdigest()[:20]
    folder = f"products/{tenant_id}/demo"
    paths = []
    for path, content in ((f"{folder}/{name}-480.jpg", large), (f"{folder}/{name}-160.jpg", small)):
        paths.append(
            path
            if default_storage.exists(path)
            else default_storage.save(path, ContentFile(content))
        )
    return paths[0], paths[1], len(large)


def picture_products(tenant_id: int, products: Iterable[tuple[Product, str]]) -> int:
    """Give each product (with its category's code) its main picture; one drawing per
    category and brand initials. The number of drawings made."""
    made: dict[tuple[str, str], tuple[str, str, int]] = {}
    rows = []
    for product, category in products:
        key = (category, initials(str(getattr(product, "name_en", "") or product.code)))
        if key not in made:
            made[key] = _files(tenant_id, draw(*key))
        large, small, size = made[key]
        rows.append(
            ProductImage(
                tenant_id=tenant_id,
                product=product,
                position=1,
                original=large,
                small=small,
                large=large,
                content_type="image/jpeg",
                size=size,
                width=SIDE,
                height=SIDE,
            )
        )
    ProductImage.objects.bulk_create(rows, batch_size=500)
    return len(made)
