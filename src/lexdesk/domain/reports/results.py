"""A computed report: the figures of one definition for one agency and period, as of a data
watermark (the last event of the record it read), with small counts withheld and a SHA-256
digest of what it publishes. Recomputed as of the same watermark it gives the same digest; the
record is append-only, so only events after the watermark can change it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lexdesk.domain.reports.definitions import Count, Dimension, Figure, ReportDefinition
from lexdesk.domain.reports.periods import Period
from lexdesk.domain.reports.suppression import RULE, one_way, suppress, two_way

ALL = "all"


@dataclass(frozen=True)
class Cell:
    #: Each dimension's value, ``all`` in a total.
    by: tuple[tuple[str, str], ...]
    value: float | None
    suppressed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"by": dict(self.by), "value": self.value, "suppressed": self.suppressed}


@dataclass(frozen=True)
class RawFigure:
    """What the query found: counts per combination of the figure's dimensions (absent
    combinations are zero), or for a median its value and how many answers it is over."""

    counts: Mapping[tuple[str, ...], int]
    median: float | None = None
    over: int = 0


@dataclass(frozen=True)
class FigureResult:
    figure: Figure
    cells: tuple[Cell, ...]

    @property
    def total(self) -> Cell | None:
        return next((c for c in self.cells if all(v == ALL for _, v in c.by)), None)

    @property
    def unit(self) -> str:
        measure = self.figure.measure
        if measure is None:
            return ""
        if measure.base.value == "hours_to_answer":
            return "hours"
        return "persons" if measure.count is Count.PERSONS else "instruments"

    def to_json(self) -> dict[str, Any]:
        figure = self.figure
        return {
            "id": figure.id,
            "label": figure.label,
            "citation": figure.citation,
            "definition": figure.definition,
            "verification": figure.verification.to_json(),
            "unit": self.unit,
            "by": [d.value for d in figure.by],
            "not_in_record": figure.not_in_record or None,
            "cells": [cell.to_json() for cell in self.cells],
        }


@dataclass(frozen=True)
class Watermark:
    """The last event of the record the report read (0 and no time in an empty record)."""

    event_id: int
    at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "at": self.at.isoformat() if self.at else None}


@dataclass(frozen=True)
class ComputedReport:
    definition: ReportDefinition
    agency_id: str
    period: Period
    watermark: Watermark
    figures: tuple[FigureResult, ...]

    @property
    def suppression_rule(self) -> str:
        return RULE.format(threshold=self.definition.threshold)

    def published(self) -> dict[str, Any]:
        """What is published and digested: no raw count that suppression withheld."""
        return {
            "report": self.definition.id,
            "version": self.definition.version,
            "agency": self.agency_id,
            "period": self.period.label,
            "watermark": self.watermark.event_id,
            "figures": [
                {"id": f.figure.id, "cells": [[dict(c.by), c.value, c.suppressed] for c in f.cells]}
                for f in self.figures
            ],
        }

    @property
    def digest(self) -> str:
        canonical = json.dumps(self.published(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        definition = self.definition
        return {
            "report": definition.id,
            "version": definition.version,
            "title": definition.title,
            "citation": definition.citation,
            "url": definition.url,
            "verification": definition.verification.to_json(),
            "agency": self.agency_id,
            "period": {
                "label": self.period.label,
                "kind": self.period.kind.value,
                "first_day": self.period.start.isoformat(),
                "last_day": self.period.last_day.isoformat(),
            },
            "watermark": self.watermark.to_json(),
            "suppression": {"threshold": definition.threshold, "rule": self.suppression_rule},
            "digest": self.digest,
            "figures": [f.to_json() for f in self.figures],
        }


def assemble(
    definition: ReportDefinition,
    agency_id: str,
    period: Period,
    watermark: Watermark,
    raw: Mapping[str, RawFigure],
) -> ComputedReport:
    """The report from what the query found, small counts withheld figure by figure."""
    figures = tuple(
        FigureResult(figure, _cells(figure, raw.get(figure.id), definition.threshold))
        for figure in definition.figures
    )
    return ComputedReport(definition, agency_id, period, watermark, figures)


def _cells(figure: Figure, raw: RawFigure | None, threshold: int) -> tuple[Cell, ...]:
    if figure.measure is None or raw is None:
        return ()
    if figure.measure.base.value == "hours_to_answer":
        small = raw.over < threshold
        value = None if small or raw.median is None else round(raw.median, 1)
        return (Cell((), value, small),)
    dims = figure.by
    if not dims:
        total = sum(raw.counts.values())
        small = 0 < total < threshold
        return (Cell((), None if small else total, small),)
    axes = [_categories(figure, raw, i) for i in range(len(dims))]
    if len(dims) == 1:
        labels: list[tuple[str, ...]] = [(k,) for k in axes[0]]
        grid = one_way([raw.counts.get(k, 0) for k in labels])
        labels.append((ALL,))
    else:
        rows, cols = axes
        grid = two_way([[raw.counts.get((r, c), 0) for c in cols] for r in rows])
        labels = [(r, c) for r in (*rows, ALL) for c in (*cols, ALL)]
    hidden = suppress(grid, threshold)
    return tuple(
        Cell(
            tuple(zip((d.value for d in dims), label, strict=True)),
            None if position in hidden else grid.values[position],
            position in hidden,
        )
        for position, label in enumerate(labels)
    )


def _categories(figure: Figure, raw: RawFigure, axis: int) -> list[str]:
    """The values a dimension takes: those the definition names and those the record has."""
    measure = figure.measure
    declared: tuple[str, ...] = ()
    if measure is not None and figure.by[axis] is Dimension.KIND:
        declared = tuple(k.value for k in measure.kinds)
    elif measure is not None and figure.by[axis] is Dimension.OUTCOME:
        declared = tuple(o.value for o in measure.outcomes)
    return sorted({*declared, *(key[axis] for key in raw.counts)})
