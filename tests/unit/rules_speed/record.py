"""The decisions and explanations of the engine on the request pool, as digests: what the
equivalence test holds the engine to. Re-record only when a pack or the wording of an
explanation changes on purpose, and say so in the change:

    python -m tests.unit.rules_speed.record
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from lexdesk.domain.rules import Catalog, ConflictError, EvaluationRequest, evaluate
from lexdesk.domain.rules.english import explain

from .pool import SEED, SIZE, request_pool

RECORDING = Path(__file__).with_name("recorded.json")


def explained(catalog: Catalog, document: dict[str, Any]) -> dict[str, Any]:
    """Everything the engine says about one request: the ``rules evaluate`` document and the
    legal-English explanation (a conflict's evaluation is explained the same way)."""
    request = EvaluationRequest.from_json(document)
    try:
        evaluation = evaluate(catalog, request)
    except ConflictError as exc:
        evaluation = exc.evaluation
    pack = catalog.get(request.pack)
    return {"evaluation": evaluation.to_json(), "english": explain(evaluation, pack).to_json()}


def digest(answer: dict[str, Any]) -> str:
    text = json.dumps(answer, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def recording(catalog: Catalog) -> dict[str, Any]:
    pool = request_pool(catalog)
    return {
        "seed": SEED,
        "size": SIZE,
        "content_hashes": {pack.id: pack.content_hash for pack in catalog},
        "digests": [digest(explained(catalog, document)) for document in pool],
    }


def main() -> None:
    from lexdesk.adapters.rule_packs import load_catalog

    text = json.dumps(recording(load_catalog()), indent=1) + "\n"
    RECORDING.write_text(text, encoding="utf-8")
    sys.stdout.write(f"recorded {SIZE} answers in {RECORDING}\n")


if __name__ == "__main__":
    main()
