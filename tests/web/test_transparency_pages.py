"""``/transparency``: the published reports for everyone, without signing in."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from lexdesk.bootstrap import App
from lexdesk.entrypoints.web.transparency import CSV_COLUMNS
from lexdesk.services import agencies
from tests.report_ladder import build_ladder, publish


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
