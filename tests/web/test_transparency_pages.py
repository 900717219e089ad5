"""``/transparency``: the published reports for everyone, without signing in."""

from __future__ import annotations

import csv
import io
import itertools
import re

import pytest
from fastapi.testclient import TestClient

from lexdesk.adapters.report_definitions import load_reports
from lexdesk.bootstrap import App
from lexdesk.entrypoints.web.transparency import CSV_COLUMNS
from lexdesk.queries.published_reports import editions_of
from lexdesk.queries.transparency import compute_report, report_request
from lexdesk.services import agencies, transparency
from tests.report_ladder import Ladder, build_ladder, publish

WAITING = "The trend across periods appears here once a second period of this report is published."


@pytest.fixture
def published_id(built: App) -> str:
    with built.engine.begin() as db:
        build_ladder(db)
    agencies.add_user(built.desk, agencies.AddUser("doc-admin", "doc", "Admin", ("admin",)))
    return publish(built.desk, built.engine, "general", "doc", "2020", "doc-admin")


def test_the_index_answers_without_sign_in_and_links_each_download(
    client: TestClient, published_id: str
) -> None:
    page = client.get("/transparency")
    assert page.status_code == 200
    assert "Legal process received and answered" in page.text
    assert f'href="/transparency/{published_id}.csv"' in page.text
    assert f'href="/transparency/{published_id}.json"' in page.text


def test_an_empty_index_says_so(client: TestClient) -> None:
    page = client.get("/transparency")
    assert page.status_code == 200
    assert "No agency has published a report yet." in page.text


def test_a_report_shows_each_figure_with_its_definition_chart_table_and_the_rule(
    client: TestClient, published_id: str
) -> None:
    page = client.get(f"/transparency/{published_id}")
    assert page.status_code == 200
    text = page.text
    assert 'role="img"' in text and "<desc id=" in text
    assert "Instruments received, by kind (instruments): the data of the chart" in text
    assert "lexdesk general report, figure 5" in text  # overrides
    assert "Answers given during the period that contradicted the rule engine" in text
    assert "is not published (shown as “suppressed”)" in text
    assert "Synthetic" not in text  # no person's name, ever
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_the_csv_has_open_data_columns_and_withholds_what_the_page_withholds(
    client: TestClient, published_id: str
) -> None:
    answer = client.get(f"/transparency/{published_id}.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    detainers = next(
        r
        for r in rows
        if r["figure_id"] == "instruments_received" and r["category_1"] == "detainer"
    )
    assert (detainers["value"], detainers["suppressed"]) == ("6", "false")
    subpoenas = next(r for r in rows if r["category_1"] == "administrative_subpoena")
    assert (subpoenas["value"], subpoenas["suppressed"]) == ("", "true")


def test_the_json_is_the_published_document(client: TestClient, published_id: str) -> None:
    answer = client.get(f"/transparency/{published_id}.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["id"] == published_id and len(document["digest"]) == 64


def test_an_unknown_report_is_not_found(client: TestClient) -> None:
    assert client.get("/transparency/rep-0000000000000000").status_code == 404


@pytest.fixture
def earlier_id(built: App, published_id: str) -> str:
    """The same report for 2019, published after 2020's: one declined detainer, withheld."""
    return publish(built.desk, built.engine, "general", "doc", "2019", "doc-admin")


def _trend(text: str, figure_id: str) -> str:
    """The trend of one figure on a page: its heading to the end of its data table."""
    start = text.index(f'id="trend-{figure_id}"')
    return text[start : text.index("</table>", start)]


def _svg_texts(trend: str) -> list[str]:
    svg = trend[trend.index("<svg") : trend.index("</svg>")]
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_a_report_of_two_periods_shows_each_figures_trend_with_its_data_table(
    client: TestClient, published_id: str, earlier_id: str
) -> None:
    page = client.get(f"/transparency/{published_id}")
    assert page.status_code == 200
    trend = _trend(page.text, "instruments_received")
    assert (
        '<svg class="report-trend" role="img" aria-labelledby='
        '"trend-instruments_received-title trend-instruments_received-desc"'
    ) in trend
    title = "Instruments received, by kind: the overall total, by period"
    assert f'<title id="trend-instruments_received-title">{title}</title>' in trend
    summary = f"{title} (instruments): 2019: suppressed; 2020 (this report): 10."
    assert f'<desc id="trend-instruments_received-desc">{summary}</desc>' in trend
    assert f'<figcaption class="usa-sr-only">{summary}</figcaption>' in trend
    assert '<table class="usa-table usa-table--borderless">' in trend
    assert f"<caption>{title} (instruments): the data of the trend chart</caption>" in trend
    rows = re.findall(r"<tr[^>]*><th scope=\"row\">([^<]*)</th><td>([^<]*)</td></tr>", trend)
    assert rows == [("2019", "suppressed"), ("2020 (this report)", "10")]
    assert _svg_texts(trend) == ["suppressed", "2019", "10", "2020", "this report"]
    assert WAITING not in page.text
    assert "Synthetic" not in page.text


def test_a_withheld_total_is_marked_suppressed_in_the_trend_and_never_drawn(
    client: TestClient, published_id: str, earlier_id: str
) -> None:
    # 2019 had one answer: its count of answers and its median are withheld, not estimated.
    page = client.get(f"/transparency/{earlier_id}")
    trend = _trend(page.text, "answers_by_kind_and_outcome")
    svg = trend[: trend.index("</svg>")]
    assert svg.count("<rect") == 1  # only 2020's column is drawn
    assert _svg_texts(trend)[:3] == ["suppressed", "2019", "this report"]
    assert '<th scope="row">2019 (this report)</th><td>suppressed</td>' in trend
    assert "2019 (this report): suppressed" in trend and ": 1." not in trend
    median = _trend(page.text, "median_hours_to_answer")
    assert "Median hours from receipt to answer, by period (hours): 2019 (this report): " in median
    assert '<th scope="row">2019 (this report)</th><td>suppressed</td>' in median
    assert '<th scope="row">2020</th><td>24.0</td>' in median


def test_a_single_period_says_the_trend_waits_for_a_second(
    client: TestClient, published_id: str
) -> None:
    page = client.get(f"/transparency/{published_id}")
    assert page.text.count(WAITING) == 9  # each figure the record supplies
    assert "trend-instruments_received-title" not in page.text
    assert 'class="report-trend"' not in page.text


def test_the_trend_takes_the_latest_edition_of_each_period(
    built: App, client: TestClient, published_id: str, earlier_id: str
) -> None:
    with built.engine.begin() as db:  # a detainer of June 2019 recorded after publication
        ladder = Ladder(db, itertools.count(900))
        case = ladder.case(ladder.person())
        ladder.instrument(case, "detainer", "2019-06-01 15", warrant="administrative")
    with built.engine.connect() as db:
        definition, profile, parsed = report_request(db, load_reports(), "general", "doc", "2019")
        report = compute_report(db, definition, profile, parsed).to_json()
    note = "Adds a detainer recorded after the first edition."
    corrected = transparency.publish_report(
        built.desk, transparency.PublishReport("doc-admin", report, note)
    ).id
    with built.engine.connect() as db:
        editions = editions_of(db, "general", "doc")
    assert [(e.period, e.edition, e.id) for e in editions] == [
        ("2019", 2, corrected),
        ("2020", 1, published_id),
    ]
    trend = _trend(client.get(f"/transparency/{published_id}").text, "instruments_received")
    assert trend.count('<th scope="row">2019</th>') == 1
    # The first edition's own page trends its own figures for its period.
    first = _trend(client.get(f"/transparency/{earlier_id}").text, "instruments_received")
    assert '<th scope="row">2019 (this report)</th>' in first
