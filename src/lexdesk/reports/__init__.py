"""The transparency reports' definitions, one folder per report and one YAML file per version
(``domain.reports.definitions``; docs/adr/0019-transparency-reports.md)."""
