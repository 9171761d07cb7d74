"""A product picture checked by its content (Pillow), never by its name: JPEG, PNG or WebP,
at most 8 MB and 40 megapixels. What is kept is the picture re-saved without its metadata
(EXIF, GPS, comments: only the pixels, turned upright as the camera said) and two copies made
once: 160 px and 480 px on the longer side, WebP. No database.

Pillow refuses to decode more pixels than its bomb limit; ours is lower and checked on the
header, before any pixel is decoded.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from dinghuo.core.errors import FieldError

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_IMAGES = 12  # a product
SIZES = {"small": 160, "large": 480}
# Pillow's format name → the content type and extension of the original kept.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass(frozen=True)
class Picture:
    """A checked picture: the original without metadata, its type, size, copies and hash."""

    content: bytes
    content_type: str
    extension: str
    width: int
    height: int
    small: bytes
    large: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.content).hexdigest()[:20]


def too_large(at: str = "file") -> FieldError:
    return FieldError(
        at,
        "image_too_large",
        "At most 8 MB and 40 megapixels",
        {"max_megabytes": MAX_BYTES // (1024 * 1024), "max_megapixels": MAX_PIXELS // 1_000_000},
    )


def check(content: bytes, at: str = "file") -> Picture | FieldError:
    """The picture cleaned and its copies made, or the problem: `image_too_large`,
    `not_an_image` (not a picture Pillow can read, or a damaged one),
    `image_format_unsupported` (a picture, but not JPEG, PNG or WebP)."""
    if len(content) > MAX_BYTES:
        return too_large(at)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                kind = FORMATS.get(image.format or "")
                if kind is None:
                    return FieldError(
                        at, "image_format_unsupported", "Send a JPEG, PNG or WebP image"
                    )
                if image.size[0] * image.size[1] > MAX_PIXELS:
                    return too_large(at)
                image.load()  # decodes every pixel: a damaged file fails here
                return _cleaned(image, *kind)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return too_large(at)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return FieldError(at, "not_an_image", "The file is not an image")


def _cleaned(image: Image.Image, content_type: str, extension: str) -> Picture:
    upright = ImageOps.exif_transpose(image)
    # Only the pixels are copied: no EXIF, XMP, ICC comment or text chunk survives.
    bare = Image.new(upright.mode, upright.size)
    bare.paste(upright)
    if image.format == "JPEG" and bare.mode not in ("RGB", "L"):
        bare = bare.convert("RGB")
    out = io.BytesIO()
    save_format = image.format or "PNG"
    options = {"quality": 92} if save_format in ("JPEG", "WEBP") else {"optimize": True}
    bare.save(out, save_format, **options)
    width, height = bare.size
    small, large = (_copy(bare, side) for side in SIZES.values())
    return Picture(out.getvalue(), content_type, extension, width, height, small, large)


def _copy(image: Image.Image, side: int) -> bytes:
    """A WebP at most `side` px on its longer side."""
    copy = image.copy()
    copy.thumbnail((side, side))
    if copy.mode not in ("RGB", "RGBA"):
        copy = copy.convert("RGBA" if "A" in copy.mode or copy.mode == "P" else "RGB")
    out = io.BytesIO()
    copy.save(out, "WEBP", quality=80, method=4)
    return out.getvalue()
