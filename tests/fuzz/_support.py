"""What every atheris harness in this folder shares: the start-up (seed corpus, libFuzzer flags)
and a generator of JSON-ish values driven by the fuzz bytes.

A harness is a script, ``python tests/fuzz/fuzz_x.py -runs=10000 CORPUS_DIR``, whose
``TestOneInput`` lets only the documented refusals escape (a ``LexdeskError``, or a ValueError
where the API says so). Any other exception is a crash: atheris prints its traceback, writes
the input as ``crash-*`` and exits non-zero, which ``test_fuzz.py`` turns into a failure.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import atheris

#: The words a structured mutation picks from, so values often mean something to the parser.
WORDS = (
    "",
    " ",
    "none",
    "hold",
    "notify_release",
    "transfer",
    "disclose:",
    "disclose:home_address",
    "disclose:release_date",
    "detainer",
    "information_request",
    "administrative_subpoena",
    "court_order",
    "referral",
    "administrative",
    "judicial",
    "us-federal",
    "us-tx",
    "us-ca",
    "us-ny-nyc-doc",
    "us-ny-nyc-nypd",
    "2020-01-17",
    "1996-09-30",
    "0001-01-01",
    "9999-12-31",
    "2020-02-30",
    "2020-01-17T15:00:00+00:00",
    "2020-01-17T15:00:00",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
    "17:00",
    "25:00",
    "America/New_York",
    "UTC",
    "Not/AZone",
    "../../etc/passwd",
    "NY",
    "ny",
    "ZZ",
    "NY PL 160.15",
    "ny pl  160.15",
    "US 8 USC 1326",
    "NY PL 110/125.25",
    "business_days",
    "hold_hours_excluding_non_business_days",
    "set_by_issuer",
    "expected_release",
    "\udcff",
    "\x00",
)


def json_value(fdp: atheris.FuzzedDataProvider, depth: int = 0) -> Any:
    """A JSON-ish value: what ``json.loads`` could return, plus the odd non-JSON float."""
    choice = fdp.ConsumeIntInRange(0, 11 if depth < 4 else 7)
    if choice == 0:
        return None
    if choice == 1:
        return fdp.ConsumeBool()
    if choice == 2:
        return fdp.ConsumeIntInRange(-(2**40), 2**40)
    if choice == 3:
        return fdp.PickValueInList([0, 1, -1, 2**63, float("nan"), 1.5, float("inf")])
    if choice in (4, 5, 6):
        return fdp.PickValueInList(list(WORDS))
    if choice == 7:
        return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 24))
    if choice in (8, 9):
        return [json_value(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 4))]
    return {
        fdp.PickValueInList(list(WORDS)): json_value(fdp, depth + 1)
        for _ in range(fdp.ConsumeIntInRange(0, 4))
    }


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a document, the root included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def mutate(doc: Any, fdp: atheris.FuzzedDataProvider, keys: Iterable[str] = ()) -> Any:
    """A copy of ``doc`` with a few structured changes: a value replaced, a key removed or an
    unexpected (or expected) key added at some path."""
    doc = json.loads(json.dumps(doc))
    known = [*keys, *WORDS[:6]]
    for _ in range(fdp.ConsumeIntInRange(1, 4)):
        path = fdp.PickValueInList(paths(doc))
        if not path:
            doc = json_value(fdp)
            continue
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = fdp.ConsumeIntInRange(0, 3)
        if action == 0 and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == 1 and isinstance(parent, dict):
            parent[fdp.PickValueInList(known)] = json_value(fdp)
        elif action == 1 and isinstance(parent, list):
            parent.append(json_value(fdp))
        else:
            parent[path[-1]] = json_value(fdp)
    return doc


def run(test_one_input: Callable[[bytes], None], seeds: Iterable[bytes]) -> None:
    """Write the seeds into the first corpus directory given (the test passes a temporary one),
    then hand over to libFuzzer, which exits the process when the runs are done."""
    corpus = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    if corpus and not Path(corpus[0]).is_file():  # a file is an input to replay, not a corpus
        folder = Path(corpus[0])
        folder.mkdir(parents=True, exist_ok=True)
        for index, seed in enumerate(seeds):
            (folder / f"seed-{index:03d}").write_bytes(seed)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
