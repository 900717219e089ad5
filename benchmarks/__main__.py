"""Run every benchmark: ``python -m benchmarks``."""

from benchmarks import (
    bench_audit,
    bench_audit_load,
    bench_documents,
    bench_http,
    bench_instruments,
    bench_issue_load,
    bench_reports,
    bench_roster,
    bench_rules,
    bench_worker,
)

bench_rules.run()
bench_instruments.run()
bench_http.run()  # the pages and API routes people wait for, over HTTP with wrk
bench_roster.run()
bench_worker.run()
bench_documents.run()
bench_reports.run()
bench_audit.run()
bench_audit_load.run()  # audited writes and reads from 16 clients at once, PostgreSQL
bench_issue_load.run()  # issuing from 8 clients at once, PostgreSQL
