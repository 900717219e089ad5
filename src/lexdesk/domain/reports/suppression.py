"""Small numbers are withheld: a cell counting fewer than the report's threshold (but more than
none) is suppressed, and then as many other cells as it takes so that no suppressed cell can be
worked out again from the published cells and totals (complementary suppression).

A figure is a table of cells tied by relations: each row of a two-way table sums to its row
total, each column to its column total, and the totals to the grand total; a one-way table sums
to its total. A suppressed cell can be recomputed exactly when, the published values put in,
the relations pin it down: when the relations restricted to the suppressed cells have a rank
that drops by one without it. While some suppressed cell is pinned down, the smallest published
cell of one of its relations is suppressed too (an inner cell before a total). This ends: with
every cell of a table of two or more cells suppressed, nothing is pinned down.

The rule, in the words the page states, is :data:`RULE`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

RULE = (
    "A count above zero but below {threshold} is not published (shown as “suppressed”). So "
    "that totals cannot reveal it, other counts in the same row or column are withheld as "
    "well, smallest first, until no withheld count can be worked out from the published "
    "counts and totals."
)


@dataclass(frozen=True)
class Grid:
    """Cells by position and the relations between them: each relation is (members, total):
    the members sum to the total."""

    values: tuple[int, ...]
    relations: tuple[tuple[tuple[int, ...], int], ...]
    #: Positions that are totals, withheld only when no inner cell will do.
    margins: frozenset[int]


def one_way(counts: Sequence[int]) -> Grid:
    """Cells 0..n-1 and their total at n."""
    n = len(counts)
    return Grid((*counts, sum(counts)), ((tuple(range(n)), n),) if n else (), frozenset({n}))


def two_way(counts: Sequence[Sequence[int]]) -> Grid:
    """An R×C table laid out row by row with its row totals in column C, its column totals in
    row R and the grand total at (R, C): position ``i * (C + 1) + j``."""
    rows = len(counts)
    cols = len(counts[0]) if rows else 0
    width = cols + 1
    full = [[*row, sum(row)] for row in counts]
    full.append([sum(full[i][j] for i in range(rows)) for j in range(width)])
    values = tuple(v for row in full for v in row)
    relations = [
        (tuple(i * width + j for j in range(cols)), i * width + cols) for i in range(rows + 1)
    ]
    relations += [
        (tuple(i * width + j for i in range(rows)), rows * width + j) for j in range(width)
    ]
    margins = frozenset(
        [i * width + cols for i in range(rows + 1)] + [rows * width + j for j in range(width)]
    )
    return Grid(values, tuple(relations), margins)


def suppress(grid: Grid, threshold: int) -> frozenset[int]:
    """The positions to withhold: the small ones and their complements."""
    hidden = {p for p, v in enumerate(grid.values) if 0 < v < threshold}
    while True:
        exposed_cells = [p for p in sorted(hidden) if pinned(grid, hidden, p)]
        if not exposed_cells:
            return frozenset(hidden)
        # A cell withheld alone in a relation first: its complement is then plain to choose.
        exposed = min(exposed_cells, key=lambda p: (not _alone(grid, hidden, p), p))
        hidden.add(_complement(grid, hidden, exposed))


def pinned(grid: Grid, hidden: set[int] | frozenset[int], position: int) -> bool:
    """Whether the relations, with the published cells known, determine ``position``."""
    unknowns = sorted(hidden)
    matrix = [
        [_coefficient(members, total, p) for p in unknowns]
        for members, total in grid.relations
        if any(p in hidden for p in (*members, total))
    ]
    column = unknowns.index(position)
    without = [row[:column] + row[column + 1 :] for row in matrix]
    return _rank(matrix) == _rank(without) + 1


def _coefficient(members: tuple[int, ...], total: int, position: int) -> Fraction:
    if position == total:
        return Fraction(-1)
    return Fraction(1) if position in members else Fraction(0)


def _alone(grid: Grid, hidden: set[int], position: int) -> bool:
    return any(
        position in (*members, total) and sum(p in hidden for p in (*members, total)) == 1
        for members, total in grid.relations
    )


def _complement(grid: Grid, hidden: set[int], exposed: int) -> int:
    """The cell to withhold beside ``exposed``: from a relation in which it is withheld alone
    (or any of its relations), an inner cell before a total, one whose other relation already
    has a withheld cell (closing a rectangle), then the smallest count above zero."""
    mine = [(members, total) for members, total in grid.relations if exposed in (*members, total)]
    alone = [r for r in mine if sum(p in hidden for p in (*r[0], r[1])) == 1] or mine
    candidates = {p for members, total in alone for p in (*members, total) if p not in hidden}
    if not candidates:  # cannot happen while a relation pins the cell; be safe regardless
        candidates = set(range(len(grid.values))) - hidden

    def touches(position: int) -> bool:
        return any(
            position in (*members, total) and any(q in hidden for q in (*members, total))
            for members, total in grid.relations
            if (members, total) not in mine
        )

    return min(
        candidates,
        key=lambda p: (
            p in grid.margins,
            not touches(p),
            grid.values[p] == 0,
            grid.values[p],
            p,
        ),
    )


def _rank(rows: list[list[Fraction]]) -> int:
    matrix = [row[:] for row in rows]
    rank = 0
    width = len(matrix[0]) if matrix else 0
    for col in range(width):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col] != 0:
                factor = matrix[r][col] / matrix[rank][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        rank += 1
    return rank
