"""From file texts to packs: parse each version file, stack each pack on its layers (which
must exist and form no cycle), and gather them in a :class:`Catalog`. The texts come from the
caller (``lexdesk.adapters.rule_packs``): this module reads no file."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import PurePosixPath

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.rules.errors import PackError
from lexdesk.domain.rules.pack import RulePack
from lexdesk.domain.rules.schema import PackVersion, parse_pack_version
from lexdesk.domain.rules.source import load_document

#: A pack's files: (name such as ``us-tx/2017-09-01.yaml``, text), one per law version.
PackFiles = Sequence[tuple[str, str]]


class Catalog:
    """Every pack shipped, by id."""

    def __init__(self, packs: Mapping[str, RulePack]) -> None:
        self._packs = dict(packs)

    def get(self, pack_id: str) -> RulePack:
        pack = self._packs.get(pack_id)
        if pack is None:
            known = ", ".join(self.ids())
            raise InvalidInput(f"unknown pack {pack_id!r}: use one of {known}")
        return pack

    def ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._packs))

    def __iter__(self) -> Iterator[RulePack]:
        return iter(self._packs[pack_id] for pack_id in self.ids())


def parse_version(name: str, text: str) -> PackVersion:
    path = PurePosixPath(name)
    return parse_pack_version(load_document(text, name), path.parent.name, path.stem)


def build_catalog(files: Mapping[str, PackFiles]) -> Catalog:
    """Build every pack, layers first."""
    versions = {
        pack_id: sorted((parse_version(n, t) for n, t in pack_files), key=_start)
        for pack_id, pack_files in files.items()
    }
    built: dict[str, RulePack] = {}
    for pack_id in sorted(versions):
        _build(pack_id, versions, built, ())
    return Catalog(built)


def _start(version: PackVersion) -> str:
    return version.effective_from.isoformat()


def _build(
    pack_id: str,
    versions: Mapping[str, list[PackVersion]],
    built: dict[str, RulePack],
    chain: tuple[str, ...],
) -> RulePack:
    if pack_id in built:
        return built[pack_id]
    pack_versions = versions[pack_id]
    if not pack_versions:
        raise PackError(f"{pack_id}: the pack has no version file")
    layer_ids = pack_versions[-1].layers
    for version in pack_versions:
        if version.layers != layer_ids:
            raise PackError(
                f"{version.filename}:1: layers: every version must name the same layers"
            )
    layers = []
    for layer_id in layer_ids:
        if layer_id in (*chain, pack_id):
            raise PackError(f"{pack_versions[-1].filename}:1: layers: {layer_id} stacks on itself")
        if layer_id not in versions:
            raise PackError(f"{pack_versions[-1].filename}:1: layers: no pack {layer_id!r}")
        layers.append(_build(layer_id, versions, built, (*chain, pack_id)))
    built[pack_id] = RulePack(pack_id, tuple(pack_versions), tuple(layers))
    return built[pack_id]
