"""A buyer's photo of returned goods, checked by its content (Pillow), never by its name:
JPEG, PNG or WebP, at most 5 MB and 40 megapixels; and its thumbnail for the pages, made once
(a JPEG at most 320 px on its longer side, turned upright as the camera said). No database.

Pillow refuses to decode more pixels than its own bomb limit; ours is lower, checked on the
header before any pixel is decoded, so a small file that unpacks into a huge image costs
nothing.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from dinghuo.core.errors import FieldError

MAX_PHOTOS = 5
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
THUMBNAIL_SIDE = 320
# Pillow's format name → the content type served and the file's extension.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass(frozen=True)
class Photo:
    """A file as it was sent: its bytes and the name the form gave it (not trusted)."""

    content: bytes
    name: str = ""


@dataclass(frozen=True)
class Checked:
    """A photo that is an image we take: its bytes, type, extension, size and thumbnail."""

    content: bytes
    content_type: str
    extension: str
    width: int
    height: int
    thumbnail: bytes


def too_large(at: str) -> FieldError:
    return FieldError(
        at,
        "photo_too_large",
        "At most 5 MB and 40 megapixels",
        {"max_megabytes": MAX_BYTES // (1024 * 1024), "max_megapixels": MAX_PIXELS // 1_000_000},
    )


def check(photo: Photo, at: str) -> Checked | FieldError:
    """The photo checked and its thumbnail made, or the problem found (`at` names it):
    `photo_too_large`, `photo_not_image` (not an image, or of another type)."""
    if len(photo.content) > MAX_BYTES:
        return too_large(at)
    not_image = FieldError(at, "photo_not_image", "Send a JPEG, PNG or WebP image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(photo.content)) as image:
                kind = FORMATS.get(image.format or "")
                if kind is None:
                    return not_image
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return too_large(at)
                image.load()  # decodes every pixel: a damaged file fails here
                thumbnail = _thumbnail(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return too_large(at)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return not_image
    content_type, extension = kind
    return Checked(photo.content, content_type, extension, width, height, thumbnail)


def _thumbnail(image: Image.Image) -> bytes:
    """A JPEG at most `THUMBNAIL_SIDE` px on its longer side, upright, on white where the
    picture was transparent."""
    small = ImageOps.exif_transpose(image)
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    if small.mode in ("RGBA", "LA", "P"):
        small = small.convert("RGBA")
        flat = Image.new("RGB", small.size, (255, 255, 255))
        flat.paste(small, mask=small.getchannel("A"))
        small = flat
    elif small.mode != "RGB":
        small = small.convert("RGB")
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def count_problem(already: int, adding: int) -> FieldError | None:
    """`too_many_photos` when a request would hold more than `MAX_PHOTOS`."""
    if already + adding <= MAX_PHOTOS:
        return None
    return FieldError(
        "photos",
        "too_many_photos",
        f"At most {MAX_PHOTOS} photos a return",
        {"max": MAX_PHOTOS, "left": max(MAX_PHOTOS - already, 0)},
    )
