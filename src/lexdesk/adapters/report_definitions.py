"""The report definitions shipped inside the package (``lexdesk/reports/<id>/<version>.yaml``),
read with importlib.resources like the rule packs, once per process."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from lexdesk.domain.reports.definitions import ReportCatalog, build_report_catalog

REPORTS_PACKAGE = "lexdesk.reports"


def report_files() -> dict[str, list[tuple[str, str]]]:
    root = files(REPORTS_PACKAGE)
    return {
        folder.name: [
            (f"{folder.name}/{entry.name}", entry.read_text(encoding="utf-8"))
            for entry in folder.iterdir()
            if entry.name.endswith(".yaml")
        ]
        for folder in root.iterdir()
        if folder.is_dir() and folder.name[0] not in "._"
    }


@cache
def load_reports() -> ReportCatalog:
    """Every shipped report definition; raises ReportDefinitionError if one is malformed."""
    return build_report_catalog(report_files())
