"""QR codes of shareable links (:mod:`studio.share`), for a teacher's projector: as PNG or SVG, or as text
for a terminal. No streamlit here: the CLI and the app both draw from it.

A link holds a whole recipe (700-900 bytes for the presets and lessons with a base address), so its QR
code is a large one (version 18-24). The error correction level asked for is L, the lowest: it keeps
the version, and so the number of modules, smallest, which makes each module biggest on a projector
screen for a phone's camera across a classroom; segno raises the level for free where the same
version holds the link at a higher one (``boost_error``). A QR code holds at most 2,953 bytes (version
40-L); a longer link is refused with a sentence.
"""

from __future__ import annotations

import io

import segno

from studio.errors import QRCodeError

ERROR = "l"  # see the module docstring: smallest symbol, boosted when that costs nothing
BORDER = 4  # the quiet zone the QR code standard asks for, in modules
SCALE = 8  # pixels per module: a version-24 code is 968 px wide, sharp on a projector
MAX_BYTES = 2953  # a version 40-L QR code in byte mode
KINDS = ("png", "svg")  # the image files `save` writes


def make_qr(url: str) -> segno.QRCode:
    """The QR code of ``url``, or a QRCodeError saying that the link is too long for one and what to do."""
    try:
        return segno.make(url, error=ERROR, micro=False, boost_error=True)
    except segno.DataOverflowError:
        size = len(url.encode("utf-8"))
        raise QRCodeError(f"this link is {size:,} bytes long and a QR code holds at most {MAX_BYTES:,}; share the "
                          "link as text, or shorten the recipe (fewer blocks, a shorter name) and make a new "
                          "link") from None


def qr_image(url: str, kind: str = "png") -> bytes:
    """The QR code of ``url`` as an image file's bytes: ``kind`` "png" or "svg", ``SCALE`` pixels a module,
    a ``BORDER``-module quiet zone."""
    if kind not in KINDS:
        raise QRCodeError(f"a QR code is written as {' or '.join(KINDS)}, not {kind!r}")
    out = io.BytesIO()
    make_qr(url).save(out, kind=kind, scale=SCALE, border=BORDER)
    return out.getvalue()


def qr_png(url: str) -> bytes:
    """The QR code of ``url`` as PNG bytes (see :func:`qr_image`)."""
    return qr_image(url, "png")


def qr_text(url: str) -> str:
    """The QR code of ``url`` for a terminal: two modules a line in half blocks, light modules drawn (for a
    dark terminal background), so it is ``(size + 2 * BORDER + 1) // 2`` lines and ``size + 2 * BORDER``
    columns."""
    out = io.StringIO()
    make_qr(url).terminal(out=out, border=BORDER, compact=True)
    return out.getvalue()

