"""An agency's seal as the documents print it: made once, at the size the letterhead prints it,
in the form the PDF can carry as it is.

An administrator may upload a seal as a PNG of any size up to the limit (``services.signing``);
the letterhead prints it 18 mm high (document.css). WeasyPrint decodes a PNG, splits off its
alpha channel and compresses both again for every document it makes: a 400x400 seal cost about
11 ms a document, a 1,600x1,600 one 140 ms. A JPEG it copies into the PDF untouched. So the
seal is scaled to 18 mm at 300 dots an inch (213 pixels), laid on the white of the page (the
letterhead is printed on white: the seal looks the same) and kept as a JPEG of high quality
without chroma subsampling (sharp edges stay sharp): about 2 ms a document, whatever was
uploaded. Measured with ``print_html`` alone, one core, the same run."""

from __future__ import annotations

import base64
import io
from functools import lru_cache

#: The seal's printed height (document.css: ``header.letterhead img { height: 18mm }``) at
#: 300 dots an inch, the resolution print shops ask for.
PRINTED_PIXELS = round(18 / 25.4 * 300)
QUALITY = 95


def seal_data_uri(seal_png: bytes) -> str:
    """The seal as a ``data:`` URI of a JPEG no taller or wider than it prints."""
    return _printed(seal_png)


@lru_cache(maxsize=64)  # one entry per agency seal in use; a new upload is a new key
def _printed(seal_png: bytes) -> str:
    from PIL import Image

    with Image.open(io.BytesIO(seal_png)) as uploaded:
        seal = uploaded.convert("RGBA")
    seal.thumbnail((PRINTED_PIXELS, PRINTED_PIXELS), Image.Resampling.LANCZOS)
    page = Image.new("RGB", seal.size, (255, 255, 255))
    page.paste(seal, mask=seal.getchannel("A"))
    printed = io.BytesIO()
    page.save(printed, format="JPEG", quality=QUALITY, subsampling=0)
    return "data:image/jpeg;base64," + base64.b64encode(printed.getvalue()).decode("ascii")
