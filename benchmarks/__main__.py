"""Run every benchmark: ``python -m benchmarks``."""

from benchmarks import (
    bench_api,
    bench_audit,
    bench_documents,
    bench_instruments,
    bench_reports,
    bench_roster,
    bench_rules,
    bench_worker,
)

bench_rules.run()
bench_instruments.run()
bench_api.run()
bench_roster.run()
bench_worker.run()
bench_documents.run()
bench_reports.run()
bench_audit.run()
