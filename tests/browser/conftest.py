"""Real Chromium (Debian's, never a downloaded build) driven by Playwright against lexdesk
served by uvicorn on 127.0.0.1, with a clock the tests move and axe-core on every page."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
import uvicorn

from lexdesk.adapters.migrations import upgrade
from lexdesk.bootstrap import App, build
from lexdesk.config import Settings
from lexdesk.entrypoints.app import create_app
from tests.fakes import FakeClock
from tests.web.story import Story, set_up_story

#: Set in CI, where a skipped browser tier would hide a missing install step.
REQUIRED = os.environ.get("LEXDESK_REQUIRE_BROWSER") == "1"
VENDOR = Path(__file__).parents[2] / "src/lexdesk/entrypoints/web/static/vendor"


def _absent(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"browser tests are required here but cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


try:
    from playwright import sync_api as playwright_api
except ImportError:  # pragma: no cover - depends on the machine
    playwright_api = None

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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
AXE = "/static/vendor/axe-core/axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  const where = (v) => v.nodes.map((n) => n.target.join(" ")).join(", ");
  return result.violations.map((v) => `${v.id}: ${v.help} at ${where(v)}`);
}"""

pytestmark = pytest.mark.slow


class Site:
    """The running application, its clock and its people."""

    def __init__(self, built: App, clock: FakeClock, story: Story, url: str) -> None:
        self.built, self.clock, self.story, self.url = built, clock, story, url


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if playwright_api is None:
        _absent("the playwright package is not installed (pip install playwright)")
    if not Path(CHROMIUM).exists():
        _absent("Debian's chromium is not installed (apt-get install chromium)")
    if not (VENDOR / "axe-core" / "axe.min.js").exists():
        pytest.fail("the front-end assets are not built: run `make assets`", pytrace=False)
    clock = FakeClock(datetime(2020, 1, 14, 15, 0, tzinfo=UTC))
    folder = tmp_path_factory.mktemp("browser")
    built = build(Settings(database_url=f"sqlite:///{folder / 'lexdesk.sqlite3'}"), clock=clock)
    upgrade(built.engine)
    story = set_up_story(built.desk)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(built), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield Site(built, clock, story, f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)
    built.engine.dispose()


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def signed_in(browser: Any, site: Site, username: str, check: bool = False) -> Any:
    """A fresh browser context (its own cookies) signed in as ``username``, by keyboard only;
    with ``check``, axe-core also checks the sign-in and code (or enrolment) pages."""
    site.clock.advance(minutes=1)  # a new TOTP step: a code is never accepted twice
    page = browser.new_context(base_url=site.url).new_page()
    page.goto("/login")
    if check:
        accessible(page)
    _tab_to(page, "acknowledge")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(site.story.password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/login/code")
    if check:
        accessible(page)
    _tab_to(page, "code")
    page.keyboard.type(pyotp.TOTP(site.story.secrets[username]).at(site.clock.now()))
    page.keyboard.press("Enter")
    # Home: the lists, or for an administrator or auditor their own pages.
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _tab_to(page: Any, element_id: str) -> None:
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def accessible(page: Any) -> None:
    """axe-core finds no violation on the page as it stands."""
    # A click that follows a link returns once the new document is committed, before it
    # has a head to load axe into: wait until the page a person would see has loaded.
    page.wait_for_load_state("load")
    page.add_script_tag(url=AXE)
    violations = page.evaluate(RUN_AXE)
    assert violations == [], f"{page.url}: {violations}"


def tick(page: Any, label: str) -> None:
    """Choose a checkbox or radio button by its label, as a person clicks it."""
    page.locator(f'label:text-is("{label}")').click()


def tick_value(page: Any, name: str, value: str) -> None:
    """Choose the checkbox ``name`` = ``value`` by clicking its label."""
    box = page.locator(f'input[name="{name}"][value="{value}"]')
    assert box.is_enabled(), f"{name}={value} cannot be chosen"
    page.click(f'label[for="{box.get_attribute("id")}"]')
