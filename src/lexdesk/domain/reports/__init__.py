"""Transparency reports (docs/adr/0019-transparency-reports.md).

- ``definitions``: a report as data: its citation, period, figures and how each is counted,
  parsed from ``lexdesk/reports/*.yaml`` with ``file:line`` errors, verified like the law.
- ``periods``: a report's period (``2020``, ``FY2020``, ``2020-Q1``) and its bounds.
- ``suppression``: small cells withheld, with complementary suppression against totals.
- ``results``: the computed report, its watermark and digest, as published.
"""
