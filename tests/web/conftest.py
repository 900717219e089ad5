"""A small web application over a real SQLite database, with a clock the test controls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from lexdesk.adapters.migrations import upgrade
from lexdesk.bootstrap import App, build
from lexdesk.config import Settings
from lexdesk.entrypoints.web import mount
from tests.audit_rows import check_audit_rows
from tests.fakes import FakeClock
from tests.web.story import Story, set_up_story


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2020, 1, 14, 15, 0, tzinfo=UTC))


@pytest.fixture
def built(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    app = build(Settings(database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}"), clock=clock)
    upgrade(app.engine)
    yield app
    try:
        check_audit_rows(app.engine)  # the content every audit row needs: tests/audit_rows.py
    finally:
        app.engine.dispose()


@pytest.fixture
def story(built: App) -> Story:
    return set_up_story(built.desk, ("officer", "legal", "admin", "auditor"), outsiders=False)


@pytest.fixture
def web_app(built: App) -> FastAPI:
    app = FastAPI()
    mount(app, built)
    return app


@pytest.fixture
def client(web_app: FastAPI) -> TestClient:
    return TestClient(web_app, base_url="https://testserver", follow_redirects=False)


def sign_in(client: TestClient, story: Story, clock: FakeClock, username: str) -> None:
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    form = {"csrf": csrf, "acknowledge": "yes", "username": username, "password": story.password}
    assert client.post("/login", data=form).status_code == 303
    page = client.get("/login/code")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    code = pyotp.TOTP(story.secrets[username]).at(clock.now())
    assert client.post("/login/code", data={"csrf": csrf, "code": code}).status_code == 303


def confirm(client: TestClient, story: Story, clock: FakeClock, username: str, back: str) -> None:
    """Confirm it's you (password and the next code), as a privileged page asks."""
    clock.advance(seconds=30)  # a new code: the one from sign-in is never accepted again
    page = client.get(f"/confirm?next={back}")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    code = pyotp.TOTP(story.secrets[username]).at(clock.now())
    form = {"csrf": csrf, "next": back, "password": story.password, "code": code}
    answer = client.post("/confirm", data=form)
    assert answer.status_code == 303 and answer.headers["location"] == back, answer.text


def sent_back(client: TestClient, response: Response) -> Response:
    """A refused form: never the answer to its POST, but a 303 to the form's own page by GET
    (``?draft=``), which shows what was typed and why it was refused."""
    assert response.status_code == 303, response.text[:400]
    location = response.headers["location"]
    assert "draft=drf-" in location, location
    page = client.get(location)
    assert page.status_code == 200, page.text[:400]
    return page
