"""The HTTP benchmark reads wrk's own report (benchmarks/bench_http.py): its percentiles in
whatever unit wrk chose, its rate, and every answer that was not a 2xx, which wrk itself counts
only when it is not a 3xx either."""

from __future__ import annotations

import pytest
from benchmarks.bench_http import parse_wrk

# wrk 4.1.0 with the benchmark's script, against a server answering 404 to one path in four.
WITH_404 = """\
Running 2s test @ http://127.0.0.1:18766/ok.html
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.83ms    1.34ms  11.90ms   88.63%
    Req/Sec     1.17k   261.97     2.61k    90.24%
  Latency Distribution
     50%    1.46ms
     75%    1.97ms
     90%    3.21ms
     99%    7.75ms
  4794 requests in 2.10s, 1.24MB read
  Non-2xx or 3xx responses: 1199
Requests/sec:   2285.91
Transfer/sec:    603.45KB
not 2xx: 404=1199
"""

# Sign-in redirects and a few timeouts: wrk prints no "Non-2xx" line for a 303.
WITH_303 = """\
Running 10s test @ http://127.0.0.1:41234/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.40us  300.12us   1.20s    91.02%
    Req/Sec     4.91k   402.11     5.60k    70.50%
  Latency Distribution
     50%  740.00us
     75%    0.92ms
     90%    1.10ms
     99%    1.02s
  97802 requests in 10.00s, 20.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
Requests/sec:   9779.63
Transfer/sec:      2.01MB
not 2xx: 303=97000 500=2
"""

CLEAN = WITH_404.replace("  Non-2xx or 3xx responses: 1199\n", "").replace("404=1199", "")


def test_percentiles_rate_and_the_answers_that_were_not_2xx() -> None:
    figures = parse_wrk(WITH_404)
    assert (figures.p50_ms, figures.p99_ms) == (1.46, 7.75)
    assert (figures.requests_per_second, figures.requests) == (2285.91, 4794)
    assert figures.not_2xx == {404: 1199}
    assert figures.wrk_failures == 1199
    assert figures.failures == 1199


def test_redirects_count_as_failures_though_wrk_takes_them_for_successes() -> None:
    figures = parse_wrk(WITH_303)
    assert figures.p50_ms == pytest.approx(0.74)
    assert figures.p99_ms == pytest.approx(1020.0)
    assert figures.not_2xx == {303: 97000, 500: 2}
    assert figures.wrk_failures == 0
    assert figures.socket_errors == {"connect": 0, "read": 2, "write": 0, "timeout": 3}
    assert figures.failures == 97000 + 2 + 5


def test_a_clean_run_has_no_failures() -> None:
    figures = parse_wrk(CLEAN)
    assert figures.not_2xx == {}
    assert figures.failures == 0


@pytest.mark.parametrize(
    "cut",
    [
        "     99%    7.75ms\n",  # no --latency, or an older wrk
        "not 2xx: 404=1199\n",  # the script's status line: without it a 3xx would go unseen
        "Requests/sec:   2285.91\n",
    ],
)
def test_a_report_without_a_figure_is_refused(cut: str) -> None:
    with pytest.raises(ValueError, match="wrk --latency"):
        parse_wrk(WITH_404.replace(cut, ""))
