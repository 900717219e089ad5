"""Small numbers: no suppressed cell can be worked out again from what is published.

The oracle is independent of the suppression's own rank test: in a two-way table with margins
the relations form a graph (a vertex per row and per column relation, an edge per suppressed
cell), and a suppressed cell is determined exactly when its edge is a bridge (it lies on no
cycle). In a one-way table, a single withheld cell beside a published total is determined."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lexdesk.domain.reports.suppression import one_way, suppress, two_way

THRESHOLD = 5
small_counts = st.integers(min_value=0, max_value=12)


def _bridges(edges: list[tuple[int, int]]) -> set[int]:
    """Indices of the bridge edges of a multigraph (an edge is a bridge when removing it
    disconnects its ends)."""
    found = set()
    for index, (a, b) in enumerate(edges):
        rest = [e for i, e in enumerate(edges) if i != index]
        reach, todo = {a}, [a]
        while todo:
            node = todo.pop()
            for x, y in rest:
                for u, v in ((x, y), (y, x)):
                    if u == node and v not in reach:
                        reach.add(v)
                        todo.append(v)
        if b not in reach:
            found.add(index)
    return found


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda cols: st.lists(
            st.lists(small_counts, min_size=cols, max_size=cols), min_size=1, max_size=5
        )
    )
)
def test_no_suppressed_cell_of_a_two_way_table_can_be_recomputed(
    counts: list[list[int]],
) -> None:
    grid = two_way(counts)
    hidden = suppress(grid, THRESHOLD)
    rows, width = len(counts), len(counts[0]) + 1
    for position, value in enumerate(grid.values):
        if 0 < value < THRESHOLD:
            assert position in hidden
    # Row relations are vertices 0..rows, column relations rows+1..rows+width.
    cells = sorted(hidden)
    edges = [(p // width, rows + 1 + p % width) for p in cells]
    assert not _bridges(edges), f"{counts}: cells {cells} leave a bridge"
    # And the simpler consequence stated on the page: no relation has exactly one withheld cell.
    for members, total in grid.relations:
        assert len([p for p in (*members, total) if p in hidden]) != 1


@settings(max_examples=100, deadline=None)
@given(st.lists(small_counts, min_size=1, max_size=8))
def test_no_suppressed_cell_of_a_one_way_table_can_be_recomputed(counts: list[int]) -> None:
    grid = one_way(counts)
    hidden = suppress(grid, THRESHOLD)
    assert len(hidden) != 1 or len(grid.values) == 1
    assert all(p in hidden for p, v in enumerate(grid.values) if 0 < v < THRESHOLD)


def test_a_small_cell_takes_the_smallest_other_cell_of_its_row_with_it() -> None:
    grid = one_way([3, 40, 7, 0])
    assert suppress(grid, THRESHOLD) == {0, 2}


def test_a_large_table_publishes_everything() -> None:
    assert suppress(two_way([[10, 20], [30, 40]]), THRESHOLD) == frozenset()


def test_a_two_way_table_hides_a_rectangle_not_a_line() -> None:
    grid = two_way([[2, 30, 40], [50, 60, 70]])
    hidden = suppress(grid, THRESHOLD)
    # the 2 and one other cell in its row, and the two cells below them in the other row
    assert hidden == {0, 1, 4, 5}
