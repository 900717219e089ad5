"""Fuzz target 2: the rule-pack YAML loader (``source.load_document``, ``schema``, ``loader``).
Arbitrary text is parsed as a pack version file (named after its own ``pack:`` and ``version:``
lines, so mutated real packs pass the name check), stacked on the shipped packs and, when it
loads, evaluated; the first byte sends some inputs to the vectors parser instead.
Refusals allowed to escape: ``LexdeskError`` (``PackError`` names file, line and key).
"""

from __future__ import annotations

import re
from importlib.resources import files

import atheris
from _support import run

with atheris.instrument_imports(include=["lexdesk"]):
    from lexdesk.adapters.rule_packs import pack_files
    from lexdesk.domain.errors import LexdeskError
    from lexdesk.domain.rules import EvaluationRequest, build_catalog, evaluate
    from lexdesk.domain.rules.loader import _build, parse_version
    from lexdesk.domain.rules.vectors import parse_vectors

SHIPPED = pack_files()
# Parsed and built once: each run parses only its own text and builds only its pack (with
# build_catalog's own checks of layers), so 10,000 runs take seconds, not minutes.
PARSED = {pack_id: [parse_version(n, t) for n, t in texts] for pack_id, texts in SHIPPED.items()}
BUILT = {pack.id: pack for pack in build_catalog(SHIPPED)}
PACK = re.compile(r"^pack:\s*['\"]?([\w.-]+)", re.MULTILINE)
VERSION = re.compile(r"^version:\s*['\"]?([\w.-]+)", re.MULTILINE)
REQUEST = {
    "as_of": "2020-01-17",
    "instrument": {"kind": "detainer", "warrant": "administrative", "actions": ["hold"]},
    "person": {"arrested_on": "2019-11-20"},
}


def test_one_input(data: bytes) -> None:
    if not data:
        return
    text = data[1:].decode("utf-8", "replace")
    pack = PACK.search(text)
    pack_id = pack.group(1) if pack else "us-fuzz"
    try:
        if data[0] % 4 == 0:
            parse_vectors(text, f"{pack_id}/vectors.yaml", pack_id)
            return
        version = VERSION.search(text)
        name = f"{pack_id}/{version.group(1) if version else '2020-01-01'}.yaml"
        built = {other: pack for other, pack in BUILT.items() if other != pack_id}
        pack = _build(pack_id, {**PARSED, pack_id: [parse_version(name, text)]}, built, ())
        evaluate(pack, EvaluationRequest.from_json({"pack": pack_id, **REQUEST}))
    except LexdeskError:
        return


if __name__ == "__main__":
    seeds = []
    for pack_id, versions in sorted(SHIPPED.items()):
        seeds += [b"\x01" + text.encode()[:1023] for _, text in versions]
        vectors = files("lexdesk.packs") / pack_id / "vectors.yaml"
        if vectors.is_file():
            seeds.append(b"\x00" + vectors.read_bytes())
    run(test_one_input, seeds)
