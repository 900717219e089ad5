"""Binding a production: the cover and the released fields printed by WeasyPrint, each exhibit
after them (a PDF's own pages as they are, an image on a page of its own), and every page
stamped with its Bates number (``domain.production``).

The cover lists each exhibit with its Bates range, which depends on how many pages the cover
takes: it is printed once with numbers of the same width to count its pages, then again with
the real ones. A PDF that cannot be read as it is (encrypted, malformed) is not dropped: a page
of its own says so and gives its SHA-256, and the file stays attached to the answer.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from lexdesk.domain.production import BATES_DIGITS, Exhibit, bates

if TYPE_CHECKING:
    import pypdf

#: Points per millimetre, for the stamps' page sizes.
PT_PER_MM = 72 / 25.4


class Printer(Protocol):
    def html_pdf(self, template: str, content: dict[str, Any], **extra: Any) -> bytes: ...
    def print_html(self, html: str, *, stylesheet: bool) -> bytes: ...


@dataclass
class _Part:
    """One exhibit as it goes into the binding."""

    number: int
    exhibit: Exhibit
    #: A readable PDF's pages, appended after the printed part.
    reader: pypdf.PdfReader | None = None
    #: An image's frames as PNG data URIs, each printed on a page of its own.
    images: list[str] = field(default_factory=list)
    #: Why the file is not reproduced (printed on a page of its own).
    not_reproduced: str = ""
    first_page: int = 0

    @property
    def pages(self) -> int:
        if self.reader is not None:
            return len(self.reader.pages)
        return max(len(self.images), 1)

    @property
    def printed(self) -> bool:
        return self.reader is None


def bind(
    printer: Printer, content: dict[str, Any], exhibits: Sequence[Exhibit], prefix: str, first: int
) -> tuple[bytes, int]:
    """The production's PDF, unsigned, and its page count."""
    import pypdf

    parts = [_part(n, exhibit) for n, exhibit in enumerate(exhibits, 1)]
    printed = [p for p in parts if p.printed]
    width = f"{prefix}-{'0' * BATES_DIGITS}"
    draft = _print(printer, content, parts, printed, {p.number: (width, width) for p in parts})
    cover_pages = len(pypdf.PdfReader(io.BytesIO(draft)).pages) - sum(p.pages for p in printed)
    page = cover_pages + 1
    for part in printed:  # printed exhibits follow the cover, in order
        part.first_page, page = page, page + part.pages
    for part in parts:  # then the PDFs, as they are
        if not part.printed:
            part.first_page, page = page, page + part.pages
    total = page - 1
    ranges = {
        p.number: (
            bates(prefix, first + p.first_page - 1),
            bates(prefix, first + p.first_page + p.pages - 2),
        )
        for p in parts
    }
    content = content | {
        "bates": {"first": bates(prefix, first), "last": bates(prefix, first + total - 1)}
    }
    body = _print(printer, content, parts, printed, ranges)
    writer = pypdf.PdfWriter()
    writer.append(pypdf.PdfReader(io.BytesIO(body)))
    for part in parts:
        if part.reader is not None:
            writer.append(part.reader)
    if len(writer.pages) != total:
        raise RuntimeError(f"the binding has {len(writer.pages)} pages, not the {total} counted")
    _stamp(printer, writer, prefix, first)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), total


def _part(number: int, exhibit: Exhibit) -> _Part:
    import pypdf

    part = _Part(number, exhibit)
    if exhibit.media_type == "application/pdf":
        try:
            reader = pypdf.PdfReader(io.BytesIO(exhibit.data))
            if reader.is_encrypted:
                part.not_reproduced = "the PDF is encrypted"
            elif len(reader.pages) == 0:
                part.not_reproduced = "the PDF has no pages"
            else:
                part.reader = reader
        except Exception:
            part.not_reproduced = "the PDF cannot be read"
    else:
        try:
            part.images = _frames(exhibit.data)
        except Exception:
            part.not_reproduced = "the image cannot be read"
    return part


def _frames(data: bytes) -> list[str]:
    """Each frame of an image (a TIFF may hold many) as a PNG data URI."""
    from PIL import Image, ImageSequence

    frames = []
    with Image.open(io.BytesIO(data)) as image:
        for frame in ImageSequence.Iterator(image):
            out = io.BytesIO()
            frame.convert("RGB").save(out, "PNG")
            frames.append("data:image/png;base64," + base64.b64encode(out.getvalue()).decode())
    return frames


def _print(
    printer: Printer,
    content: dict[str, Any],
    parts: list[_Part],
    printed: list[_Part],
    ranges: dict[int, tuple[str, str]],
) -> bytes:
    listed = [
        {
            "number": p.number,
            "filename": p.exhibit.filename,
            "media_type": p.exhibit.media_type,
            "sha256": p.exhibit.sha256,
            "size": len(p.exhibit.data),
            "pages": p.pages,
            "range": ranges[p.number],
            "not_reproduced": p.not_reproduced,
        }
        for p in parts
    ]
    pages = [
        {"number": p.number, "filename": p.exhibit.filename, "sha256": p.exhibit.sha256,
         "images": p.images, "not_reproduced": p.not_reproduced}
        for p in printed
    ]  # fmt: skip
    return printer.html_pdf("production.html", content, exhibits=listed, printed=pages)


def _stamp(printer: Printer, writer: pypdf.PdfWriter, prefix: str, first: int) -> None:
    """Each page's Bates number, bottom right, on a white ground so a scan cannot hide it."""
    import pypdf

    sizes: list[tuple[float, float]] = []
    for page in writer.pages:
        page.transfer_rotation_to_content()
        box = page.mediabox
        sizes.append((float(box.width), float(box.height)))
    kinds = sorted(set(sizes))
    css = ["body { margin: 0; } .stamp { font: bold 9pt 'DejaVu Sans Mono', monospace; }"]
    for n, (w, h) in enumerate(kinds):
        css.append(f"@page s{n} {{ size: {w:.2f}pt {h:.2f}pt; margin: 0; }}")
        css.append(f".s{n} {{ page: s{n}; width: {w:.2f}pt; height: {h:.2f}pt; }}")
    css.append(
        ".p { position: relative; break-before: page; } .p:first-child { break-before: auto; }"
        " .stamp { position: absolute; right: 8mm; bottom: 6mm; background: #fff;"
        " padding: 0.6mm 1.5mm; border: 0.4pt solid #000; }"
    )
    pages = "".join(
        f'<div class="p s{kinds.index(size)}">'
        f'<span class="stamp">{bates(prefix, first + i)}</span></div>'
        for i, size in enumerate(sizes)
    )
    style = "".join(css)
    html = f"<!DOCTYPE html><html><head><style>{style}</style></head><body>{pages}</body></html>"
    stamps = pypdf.PdfReader(io.BytesIO(printer.print_html(html, stylesheet=False)))
    if len(stamps.pages) != len(sizes):
        raise RuntimeError("the Bates stamps do not match the pages")
    for page, stamp in zip(writer.pages, stamps.pages, strict=True):
        box = page.mediabox
        page.merge_transformed_page(
            stamp, pypdf.Transformation().translate(float(box.left), float(box.bottom))
        )
