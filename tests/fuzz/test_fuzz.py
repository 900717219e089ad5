"""Runs each atheris harness in its own process for 10,000 runs (security.md row 23): exit code 0
means no crash and no uncaught exception. ``LEXDESK_FUZZ_RUNS`` changes the count locally.

The runs are seeded (``LEXDESK_FUZZ_SEED``, 1 by default), as the API fuzzing is derandomised:
a check that gates every change must fail for a change, not for the luck of a draw. Exploring
is for deeper runs: ``LEXDESK_FUZZ_SEED=0`` lets libFuzzer pick a seed, which it prints, and a
failure is replayed with that ``-seed=N`` or the ``crash-*`` file it writes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
RUNS = int(os.environ.get("LEXDESK_FUZZ_RUNS", "10000"))
#: libFuzzer's seed; 0 is libFuzzer's own "pick one".
SEED = int(os.environ.get("LEXDESK_FUZZ_SEED", "1"))
#: Harness, and the longest input it is given (pure-Python YAML is slow on long texts; an
#: audit chain of four entries, each hashed a few times a run, needs no more than 512 bytes).
TARGETS = {
    "fuzz_rules_request.py": 4096,
    "fuzz_rule_pack.py": 1024,
    "fuzz_deadlines.py": 2048,
    "fuzz_audit_chain.py": 512,
    "fuzz_vocabulary.py": 256,
    "fuzz_offenses.py": 256,
}


@pytest.mark.slow
@pytest.mark.parametrize("harness", sorted(TARGETS))
def test_harness_survives_its_runs(harness: str, tmp_path: Path) -> None:
    command = [
        sys.executable,
        str(HERE / harness),
        f"-runs={RUNS}",
        f"-seed={SEED}",
        f"-max_len={TARGETS[harness]}",
        "-timeout=10",
        "-rss_limit_mb=2048",
        f"-artifact_prefix={tmp_path}/",
        str(tmp_path / "corpus"),
    ]
    # A harness is measured by libFuzzer's own coverage, never by the suite's: tracing it too
    # would make its 10,000 runs several times slower.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_PROCESS_")}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=240, check=False, env=env
    )
    tail = done.stderr[-6000:]
    assert done.returncode == 0, f"{harness} crashed:\n{tail}"
    runs = re.search(r"Done (\d+) runs in (\d+) second", done.stderr)
    assert runs is not None and int(runs.group(1)) >= RUNS, tail
    print(f"{harness}: {runs.group(1)} runs in {runs.group(2)} s")  # noqa: T201 (the -s report)
