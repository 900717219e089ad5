"""Take screenshots of lexdesk's main pages for docs/screenshots/ (docs/web.md and the pages of
docs/roles/ show them).

Loads the demo story into a throw-away SQLite database, serves lexdesk on 127.0.0.1 and signs
each demo user in with Debian's chromium driven by Playwright (never a downloaded browser); an
administrator confirms it's them with the next authenticator code, as the users page asks:

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pyotp
import uvicorn
from playwright.sync_api import sync_playwright

from lexdesk.adapters.migrations import upgrade
from lexdesk.bootstrap import App, build
from lexdesk.config import Settings
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.persons import IdentifierScheme
from lexdesk.entrypoints.app import create_app
from lexdesk.services import instruments as verbs
from lexdesk.services.demo import DEMO_PASSWORD, demo_logins, load_demo

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        built = build(Settings(database_url=f"sqlite:///{Path(folder) / 'demo.sqlite3'}"))
        upgrade(built.engine)
        load_demo(built.desk)
        waiting = _open_request(built)
        ladder = _longest_case(built)
        secrets = {login.username: login.totp_secret for login in demo_logins(built.desk)}
        server, url = _serve(built)
        try:
            _shoot(url, secrets, waiting, ladder, out)
        finally:
            server.should_exit = True
        built.engine.dispose()


def _open_request(built: App) -> Instrument:
    """A notification request waiting for DOC's answer, so the determination screen has one."""
    command = verbs.IssueInstrument(
        "ice-nyc-officer",
        "information_request",
        "nyc-doc",
        "nysid:90000002M",
        ("disclose:release_date", "disclose:home_address"),
        "administrative",
    )
    issued = verbs.issue_instrument(built.desk, command)
    verbs.acknowledge(built.desk, verbs.Acknowledge("nyc-doc-officer", issued.id))
    return issued


def _longest_case(built: App) -> str:
    """The demo case that climbed furthest up the ladder, for the case page's timeline."""
    with built.desk.uow() as uow:
        person = uow.persons.by_identifier("nyc-doc", IdentifierScheme.NYSID, "90000001Q")
        assert person is not None, "the demo story books 90000001Q"
        cases = uow.cases.about(person.id)
    return max(cases, key=lambda c: len(c.instruments)).id


def _serve(built: App) -> tuple[uvicorn.Server, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(built), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def _shoot(url: str, secrets: dict[str, str], waiting: Instrument, ladder: str, out: Path) -> None:
    shots = [
        (None, "/login", "login"),
        ("nyc-doc-legal", "/", "custodial-inbox"),
        ("nyc-doc-legal", f"/cases/{ladder}", "case"),
        ("nyc-doc-legal", f"/instruments/{waiting.id}/determine", "determination"),
        ("nyc-doc-officer", "/instruments/paper", "paper-intake"),
        ("ice-nyc-officer", "/?view=all", "requesting-agency"),
        ("ice-nyc-officer", "/instruments/new", "issue"),
        ("usao-edny-legal", "/", "us-attorney"),
        ("edny-legal", "/", "court"),
        ("nyc-doc-auditor", "/audit", "audit-log"),
        ("edny-officer", "/", "court-clerk"),
        ("ice-nyc-officer", "/", "immigration-officer"),
    ]
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pages: dict[str | None, Any] = {}
        for username, path, name in shots:
            if username not in pages:
                pages[username] = _page(browser, url, username, secrets)
            page = pages[username]
            page.goto(path)
            _save(page, out, name)
        _administrator(_page(browser, url, "nyc-doc-admin", secrets), url, secrets, out)
        browser.close()


def _save(page: Any, out: Path, name: str) -> None:
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    print(f"{out / name}.png")  # noqa: T201


def _administrator(page: Any, url: str, secrets: dict[str, str], out: Path) -> None:
    """The administrator's day: confirm it's you, the users with a role grant waiting for a
    second administrator, the confirmation step before disabling, a form with its errors."""
    if "/confirm" in page.url:
        _next_code_step()
        page.fill("#password", DEMO_PASSWORD)
        page.fill("#code", pyotp.TOTP(secrets["nyc-doc-admin"]).now())
        page.click("main button[type=submit]")
        page.wait_for_url(f"{url}/admin/users")
    page.goto("/admin/users/nyc-doc-officer/roles")
    page.click('label:text-is("legal")')
    page.fill("#reason", "Covers the legal desk on weekends")
    _save(page, out, "admin-roles")
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin/users?done=requested*")
    _save(page, out, "admin-users")
    page.goto("/admin/users/nyc-doc-supervisor/disable")
    _save(page, out, "admin-disable")
    page.goto("/admin/users")
    page.fill("#username", "Not A Name")
    page.click("text=Add the user")
    page.wait_for_selector("#error-summary")
    _save(page, out, "admin-errors")
    page.goto("/admin/tokens")
    _save(page, out, "admin-tokens")
    page.goto("/admin/letterhead")
    _save(page, out, "admin-letterhead")
    page.goto("/admin/reports?report=general&period=2020")
    _save(page, out, "admin-report-preview")


def _next_code_step() -> None:
    """A code is accepted once: confirming needs the step after the one used to sign in."""
    time.sleep(30 - time.time() % 30 + 1)


def _page(browser: Any, url: str, username: str | None, secrets: dict[str, str]) -> Any:
    page = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}).new_page()
    if username is None:
        return page
    page.goto("/login")
    page.click("label[for=acknowledge]")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.fill("#code", pyotp.TOTP(secrets[username]).now())
    page.click("button[type=submit]")
    page.wait_for_url(lambda address: "/login" not in address)  # home, or an admin's pages
    return page


if __name__ == "__main__":
    main()
