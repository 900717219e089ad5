"""Fuzz the HTTP API from its OpenAPI document at a chosen depth and report what was sent:
``python scripts/fuzz_api.py --examples 1000`` (the nightly run; ``make fuzz``).

It runs the two schemathesis tests of ``make test`` (security.md row 23) with larger counts:
``tests/api/test_schema_fuzz.py``, every operation with ``--examples`` generated requests
(100 in ``make test``), and ``tests/api/test_schema_stateful.py``, the state machine along the
document's links (``--scenarios`` scenarios of ``--steps`` steps; 25 of 10 in ``make test``).
The checks are the same: no 5xx, no answer that breaks the schema, no request that fits the
schema refused as malformed (ST202). It prints the operations reached, the requests sent by
status, the failures with their test ids, and the time; it exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ("tests/api/test_schema_fuzz.py", "tests/api/test_schema_stateful.py")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000, help="per operation (1000)")
    parser.add_argument("--scenarios", type=int, default=0, help="stateful (--examples / 4)")
    parser.add_argument("--steps", type=int, default=20, help="per stateful scenario (20)")
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist processes (2)")
    args = parser.parse_args()
    scenarios = args.scenarios or max(args.examples // 4, 1)
    with tempfile.TemporaryDirectory(prefix="lexdesk-fuzz-api-") as folder:
        log, junit = Path(folder) / "requests", Path(folder) / "junit.xml"
        log.mkdir()
        environment = {
            **os.environ,
            "LEXDESK_API_FUZZ_EXAMPLES": str(args.examples),
            "LEXDESK_API_STATEFUL_EXAMPLES": str(scenarios),
            "LEXDESK_API_STATEFUL_STEPS": str(args.steps),
            "LEXDESK_API_FUZZ_LOG": str(log),
            # A database of its own: examples saved by an earlier run are not replayed.
            "HYPOTHESIS_STORAGE_DIRECTORY": str(Path(folder) / "hypothesis"),
        }
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        command += ["-n", str(args.workers)] if args.workers > 1 else []
        command += [f"--junitxml={junit}", "-s", *TESTS]
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, env=environment, check=False)  # noqa: S603
        elapsed = time.monotonic() - started
        sent = {test: Counter[tuple[str, int]]() for test in ("per_operation", "stateful")}
        for path in log.glob("*.jsonl"):
            counts = sent[path.name.split("-", 1)[0]]
            for line in path.read_text(encoding="utf-8").splitlines():
                operation, status = json.loads(line)
                counts[operation, status] += 1
        failures, spent = _failures(junit), _time_per_file(junit)
    say(f"\nexamples per operation: {args.examples}; stateful: {scenarios} x {args.steps} steps")
    for test, counts in sent.items():
        classes: Counter[str] = Counter()
        for (_, status), n in counts.items():
            classes[f"{status // 100}xx"] += n
        by_class = ", ".join(f"{name} {n}" for name, n in sorted(classes.items()))
        operations = len({operation for operation, _ in counts})
        seconds = spent.get(
            "test_schema_fuzz" if test == "per_operation" else "test_schema_stateful"
        )
        say(
            f"{test:>14}: {operations} operations, {sum(counts.values())} requests ({by_class}), "
            f"{seconds or 0:.0f} s of test time"
        )
        for (operation, status), n in sorted(counts.items()):
            if status >= 500:
                say(f"{'':>16}{operation}: {n} x {status}")
    say(f"{'failures':>14}: {len(failures)}")
    for name, message in failures:
        say(f"{'':>16}{name}: {message}")
    say(f"{'time':>14}: {elapsed:.0f} s with {args.workers} worker(s)")
    ok = done.returncode == 0 and not failures
    say("PASS" if ok else "FAIL")
    return 0 if ok else 1


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def _time_per_file(junit: Path) -> dict[str, float]:
    """The seconds the tests of each file took, summed over the workers."""
    spent: Counter[str] = Counter()
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314 (our own report)
            spent[case.get("classname", "").rsplit(".", 1)[-1]] += float(case.get("time", 0))
    return dict(spent)


def _failures(junit: Path) -> list[tuple[str, str]]:
    """The failed or erroring tests of a JUnit report, each with its message's first line."""
    if not junit.exists():
        return [("pytest", "no report: the run did not finish")]
    found = []
    for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314 (our own pytest's report)
        for problem in (*case.iter("failure"), *case.iter("error")):
            message = (problem.get("message") or problem.text or "").strip().splitlines()
            found.append((case.get("name", "?"), message[0][:200] if message else ""))
    return found


if __name__ == "__main__":
    sys.exit(main())
