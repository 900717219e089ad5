"""Retiring an operation: it is marked deprecated in the document, and every answer of it,
refusals included, carries Deprecation, Sunset and a Link to its successor; the others none."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from lexdesk.bootstrap import build
from lexdesk.config import Settings
from lexdesk.domain.errors import InvalidInput
from lexdesk.entrypoints.api.deprecation import retiring
from lexdesk.entrypoints.api.errors import ApiRoute
from lexdesk.entrypoints.app import create_app


def app() -> FastAPI:
    router = APIRouter(route_class=ApiRoute)

    @router.get("/old/{name}", **retiring(date(2027, 1, 1), date(2027, 7, 1), "/api/v1/new"))
    def old(name: str) -> dict[str, str]:
        if name == "missing":
            raise InvalidInput("no such thing: name another")
        return {"name": name}

    @router.get("/new")
    def new() -> dict[str, str]:
        return {}

    made = FastAPI()
    made.include_router(router)
    return made


def test_a_retiring_operation_says_so_on_every_answer() -> None:
    client = TestClient(app())
    for answer in (client.get("/old/x"), client.get("/old/missing")):
        assert answer.headers["deprecation"] == "@1798761600"  # 2027-01-01T00:00:00Z
        assert answer.headers["sunset"] == "Thu, 01 Jul 2027 00:00:00 GMT"
        assert answer.headers["link"] == '</api/v1/new>; rel="successor-version"'
    assert client.get("/old/missing").status_code == 422
    assert "deprecation" not in client.get("/new").headers
    operation = client.get("/openapi.json").json()["paths"]["/old/{name}"]["get"]
    assert operation["deprecated"] is True and operation["x-sunset"] == "2027-07-01"


def test_a_sunset_needs_180_days_notice() -> None:
    with pytest.raises(ValueError, match="180 days"):
        retiring(date(2027, 1, 1), date(2027, 3, 1), "/api/v1/new")


def test_the_contract_documents_them_on_every_answer() -> None:
    desk = create_app(build(Settings(database_url="sqlite:///:memory:")))
    desk.include_router(app().router, prefix="/api/v1")
    operation = desk.openapi()["paths"]["/api/v1/old/{name}"]["get"]
    assert {"200", "422"} <= set(operation["responses"])
    for code, answer in operation["responses"].items():
        assert {"Deprecation", "Sunset", "Link"} <= set(answer.get("headers", {})), code
    replaced = desk.openapi()["paths"]["/api/v1/new"]["get"]
    assert not any("Sunset" in a.get("headers", {}) for a in replaced["responses"].values())
