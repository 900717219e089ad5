"""Kill the worker with SIGKILL at random moments while it delivers, many times over, and
report what reached the receiver: ``python scripts/worker_crashes.py --cycles 1000``.

Every message must arrive at least once, and every duplicate with the same idempotency key
(tests/reliability/test_worker_crashes.py runs 50 cycles of the same in ``make test``)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.databases import sqlite_url
from tests.reliability.crashing_worker import crash_cycles, prepare
from tests.worker.sinks import WebhookSink, webhook_server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--events", type=int, default=0, help="default: 30 per cycle")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    events = args.events or 30 * args.cycles
    sink = WebhookSink(delay=0.002)
    with tempfile.TemporaryDirectory() as folder, webhook_server(sink) as hook:
        url = sqlite_url(Path(folder))
        built = prepare(url, hook, events)
        report = crash_cycles(built, url, sink, args.cycles, args.seed)
    for name, value in asdict(report).items():
        print(f"{name:>20}: {value}")  # noqa: T201
    ok = report.lost == 0 and report.mismatched_keys == 0 and report.cycles == args.cycles
    print("PASS" if ok else "FAIL")  # noqa: T201
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
