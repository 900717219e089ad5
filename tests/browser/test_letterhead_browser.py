"""The letterhead in Chromium: an administrator finds the page in the navigation, confirms it's
them, is refused a seal that is not a PNG (the error summary takes the focus), then saves the
address and a PNG seal, sees it on the page, and removes it; axe-core checks every state."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from tests.browser.conftest import Site, accessible, signed_in, tick
from tests.browser.test_admin_pages import confirmed
from tests.browser.test_administration_browser import active_id

ADDRESS = "75-20 Astoria Boulevard\nEast Elmhurst, NY 11370"


def image(path: Path, kind: str) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), (10, 20, 200)).save(buf, kind)
    path.write_bytes(buf.getvalue())
    return path


def stored(site: Site) -> Any:
    with site.built.desk.uow() as uow:
        return uow.documents.letterhead("nyc-doc")


def test_an_administrator_sets_the_letterhead(browser: Any, site: Site, tmp_path: Path) -> None:
    page = signed_in(browser, site, "nyc-doc-admin")
    page.get_by_role("link", name="Letterhead").click()
    page.wait_for_url(lambda url: "/confirm?next=/admin/letterhead" in url)
    confirmed(page, site, "nyc-doc-admin")
    page.wait_for_url(f"{site.url}/admin/letterhead")
    assert page.locator("h1").inner_text() == "Letterhead"
    assert page.locator("#no-seal").is_visible()
    accessible(page)

    # A JPEG named .png: the content is judged, and the refusal comes back by GET.
    page.fill("#address", ADDRESS)
    page.locator("input#seal").set_input_files(str(image(tmp_path / "seal.png", "JPEG")))
    page.get_by_role("button", name="Save the letterhead").click()
    page.wait_for_url(lambda url: "draft=" in url)
    page.wait_for_selector("#error-summary")
    assert active_id(page) == "error-summary"
    assert "not a PNG" in page.locator("#seal-error").inner_text()
    assert page.locator("#address").input_value() == ADDRESS
    assert stored(site) is None
    accessible(page)

    page.locator("input#seal").set_input_files(str(image(tmp_path / "seal-real.png", "PNG")))
    page.get_by_role("button", name="Save the letterhead").click()
    page.wait_for_url(lambda url: "done=letterhead" in url)
    assert "The letterhead is saved" in page.locator("#done").inner_text()
    seal = page.locator('img[src^="data:image/png;base64,"]')
    assert seal.is_visible()
    assert page.evaluate("document.querySelector('figure img').naturalWidth") == 40
    assert page.locator("#address").input_value() == ADDRESS
    found = stored(site)
    assert found is not None and found.address == ADDRESS and found.seal_png
    accessible(page)

    tick(page, "Remove the seal: documents carry the address only")
    page.get_by_role("button", name="Save the letterhead").click()
    page.wait_for_url(lambda url: "done=letterhead" in url)
    assert page.locator("#no-seal").is_visible()
    assert stored(site).seal_png is None
    accessible(page)
