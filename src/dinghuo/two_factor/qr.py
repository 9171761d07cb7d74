"""The QR code of an authenticator's setup address, as an SVG drawn on the server (no script,
no inline style: the pages' Content-Security-Policy allows neither)."""

import qrcode
from qrcode.image.svg import SvgPathImage


def svg(address: str) -> str:
    """An SVG of the QR code for `address`: one black path on no background."""
    image = qrcode.make(address, image_factory=SvgPathImage, box_size=10, border=2)
    return str(image.to_string(encoding="unicode"))
