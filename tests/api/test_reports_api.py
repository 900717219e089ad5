"""``GET /api/v1/reports``: published transparency reports, for anyone, without signing in."""

from __future__ import annotations

import pytest

from tests.api.world import World
from tests.report_ladder import publish


@pytest.fixture(scope="module")
def published_id(world: World) -> str:
    return publish(world.built.desk, world.built.engine, "general", "doc", "2020", "doc-admin")


def test_the_published_reports_are_listed_without_a_credential(
    world: World, published_id: str
) -> None:
    answer = world.client.get("/api/v1/reports")
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [i["id"] for i in items] == [published_id]
    assert items[0]["report"] == "general" and items[0]["edition"] == 1
    assert "figures" not in items[0]
    assert world.client.get("/api/v1/reports?agency=ice").json()["items"] == []


def test_one_published_report_has_its_figures_citations_and_rule(
    world: World, published_id: str
) -> None:
    answer = world.client.get(f"/api/v1/reports/{published_id}")
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert len(report["digest"]) == 64
    assert report["period"]["label"] == "2020"
    assert "below 5" in report["suppression"]["rule"]
    assert all(f["citation"] and f["definition"] for f in report["figures"])


def test_an_unknown_report_is_404_and_a_malformed_id_422(world: World) -> None:
    assert world.client.get("/api/v1/reports/rep-0000000000000000").status_code == 404
    assert world.client.get("/api/v1/reports/nope").status_code == 422
