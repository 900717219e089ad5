"""An agency's seal prints at the size the letterhead gives it (18 mm at 300 dots an inch),
whatever size it was uploaded at, as a JPEG the PDF carries untouched (``adapters.seals``):
read back from the signed PDF by poppler's ``pdfimages``."""

from __future__ import annotations

import base64
import io
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import Engine

from lexdesk.adapters.seals import PRINTED_PIXELS, seal_data_uri
from lexdesk.services import signing
from tests.documents_world import needs_poppler, seed
from tests.factories import book, detainer
from tests.integration.test_documents import make_desk, render

ADDRESS = "1 Example Plaza\nNew York, NY 10007"


def png(width: int, height: int) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((0, 0, width - 1, height - 1), fill=(20, 40, 120, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def images_in(pdf: bytes, tmp_path: Path) -> list[tuple[int, int, str]]:
    """Each image's width, height and encoding as poppler lists them (the QR code too)."""
    path = tmp_path / "seal.pdf"
    path.write_bytes(pdf)
    listed = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    rows = [row.split() for row in listed]
    return [(int(row[3]), int(row[4]), row[8]) for row in rows if row[2] == "image"]


@needs_poppler
def test_a_large_seal_is_printed_at_the_letterheads_size(engine: Engine, tmp_path: Path) -> None:
    desk = make_desk(engine)
    seed(desk)
    signing.set_letterhead(desk, "ice-admin", "ice", ADDRESS, png(1200, 800), "test")
    pdf = render(desk, "ice-officer", detainer(desk, book(desk)))
    sizes = images_in(pdf, tmp_path)
    assert (PRINTED_PIXELS, round(PRINTED_PIXELS * 800 / 1200), "jpeg") in sizes, sizes
    assert all(max(width, height) <= PRINTED_PIXELS for width, height, _ in sizes), sizes


def test_a_seal_is_made_once_on_white_and_never_enlarged() -> None:
    small, large = png(120, 90), png(900, 900)
    assert seal_data_uri(large) is seal_data_uri(large)  # made once, then found
    for seal, size in ((small, (120, 90)), (large, (PRINTED_PIXELS, PRINTED_PIXELS))):
        uri = seal_data_uri(seal)
        assert uri.startswith("data:image/jpeg;base64,")
        with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as printed:
            assert printed.size == size and printed.mode == "RGB"
            assert printed.getpixel((0, 0)) == (255, 255, 255)  # the transparent corner: white
