"""Run every benchmark: ``python -m benchmarks``."""

from benchmarks import bench_instruments, bench_rules

bench_rules.run()
bench_instruments.run()
