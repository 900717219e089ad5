"""The rule packs shipped inside the lexdesk package (``lexdesk/packs/<pack>/<version>.yaml``,
``vectors.yaml`` beside them), read with importlib.resources so they are found in a wheel as
in a checkout. The catalog is built once per process: packs do not change while it runs."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from lexdesk.domain.rules import Catalog, build_catalog
from lexdesk.domain.rules.loader import PackFiles
from lexdesk.domain.rules.vectors import Vector, parse_vectors

PACKS_PACKAGE = "lexdesk.packs"
VECTORS_FILE = "vectors.yaml"


def _folders() -> list[Traversable]:
    root = files(PACKS_PACKAGE)
    return sorted(
        (entry for entry in root.iterdir() if entry.is_dir() and entry.name[0] not in "._"),
        key=lambda entry: entry.name,
    )


def pack_files() -> dict[str, PackFiles]:
    """Every pack's version files as (``pack/file.yaml``, text)."""
    return {
        folder.name: [
            (f"{folder.name}/{entry.name}", entry.read_text(encoding="utf-8"))
            for entry in sorted(folder.iterdir(), key=lambda entry: entry.name)
            if entry.name.endswith(".yaml") and entry.name != VECTORS_FILE
        ]
        for folder in _folders()
    }


@cache
def load_catalog() -> Catalog:
    """All shipped packs, stacked on their layers; raises PackError if one is malformed."""
    return build_catalog(pack_files())


def load_vectors(pack_id: str) -> tuple[Vector, ...]:
    """The test vectors beside a pack (none if it has no vectors file)."""
    entry = files(PACKS_PACKAGE) / pack_id / VECTORS_FILE
    if not entry.is_file():
        return ()
    return parse_vectors(entry.read_text(encoding="utf-8"), f"{pack_id}/{VECTORS_FILE}", pack_id)
