"""The letterhead page: an agency's administrator sets its postal address and its seal (a PNG)
in the web, after confirming it's them; a refusal comes back by GET with the error beside its
field and nothing stored; the seal on file stays unless a new one is chosen or it is removed;
for anyone else the page does not exist."""

from __future__ import annotations

import base64
import io
import re

from fastapi.testclient import TestClient
from httpx import Response
from PIL import Image

from lexdesk.bootstrap import App
from lexdesk.domain.documents import Letterhead
from lexdesk.services import signing
from tests.fakes import FakeClock
from tests.web.conftest import confirm, sent_back, sign_in
from tests.web.story import Story
from tests.web.test_pages import csrf

PAGE = "/admin/letterhead"
ADDRESS = "75-20 Astoria Boulevard\nEast Elmhurst, NY 11370"


def png(colour: tuple[int, int, int] = (10, 20, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), colour).save(buf, "PNG")
    return buf.getvalue()


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), (10, 20, 200)).save(buf, "JPEG")
    return buf.getvalue()


def admin_on_page(client: TestClient, story: Story, clock: FakeClock) -> str:
    """The administrator of nyc-doc, confirmed, on the page: its form's CSRF token."""
    sign_in(client, story, clock, "nyc-doc-admin")
    confirm(client, story, clock, "nyc-doc-admin", PAGE)
    page = client.get(PAGE)
    assert page.status_code == 200, page.text[:400]
    return csrf(page.text)


def save(
    client: TestClient,
    token: str,
    address: str,
    seal: tuple[str, bytes, str] | None = None,
    remove: bool = False,
) -> Response:
    data = {"csrf": token, "address": address} | ({"remove_seal": "yes"} if remove else {})
    # A browser sends the file input even when no file is chosen: an empty part, no name.
    files = {"seal": seal or ("", b"", "application/octet-stream")}
    return client.post(PAGE, data=data, files=files)


def stored(built: App) -> Letterhead | None:
    with built.desk.uow() as uow:
        return uow.documents.letterhead("nyc-doc")


def error_of(text: str, field: str) -> str:
    found = re.search(rf'id="{field}-error">([^<]*)<', text)
    assert found, f"no error beside {field}"
    return found.group(1)


def test_an_administrator_saves_the_address_and_a_png_seal(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    token = admin_on_page(client, story, clock)
    blank = client.get(PAGE).text
    assert "<h1>Letterhead</h1>" in blank and "every signed document" in blank
    assert 'href="/admin/letterhead"' in blank  # in the administrator's navigation
    assert "No seal on file" in blank and 'name="remove_seal"' not in blank
    assert 'enctype="multipart/form-data"' in blank and 'accept="image/png"' in blank
    assert 'maxlength="500"' in blank and 'aria-required="true"' in blank
    seal = png()
    done = save(client, token, ADDRESS.replace("\n", "\r\n"), ("seal.png", seal, "image/png"))
    assert done.status_code == 303, done.text[:400]
    assert done.headers["location"] == "/admin/letterhead?done=letterhead"
    page = client.get(done.headers["location"])
    assert page.status_code == 200
    assert "The letterhead is saved: documents rendered from now on carry it." in page.text
    assert 'id="done"' in page.text
    assert f">{ADDRESS}</textarea>" in page.text
    assert f'src="data:image/png;base64,{base64.b64encode(seal).decode()}"' in page.text
    assert 'name="remove_seal"' in page.text
    assert stored(built) == Letterhead("nyc-doc", ADDRESS, seal)
    assert page.headers["content-security-policy"].count("img-src 'self' data:") == 1


def test_a_file_that_is_not_a_png_is_refused_beside_the_seal_and_nothing_is_stored(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    token = admin_on_page(client, story, clock)
    for name, data, kind in (
        ("seal.jpg", jpeg(), "image/jpeg"),
        ("seal.png", b"not an image at all", "image/png"),  # the content, not the name, counts
    ):
        page = sent_back(client, save(client, token, ADDRESS, (name, data, kind)))
        assert error_of(page.text, "seal") == (
            "The file chosen is not a PNG image: the seal must be a PNG."
        )
        assert 'id="error-summary"' in page.text and 'href="#seal"' in page.text
        assert "Error: Letterhead" in page.text
        assert f">{ADDRESS}</textarea>" in page.text  # what was typed comes back
    assert stored(built) is None
    big = png() + b"\0" * signing.SEAL_LIMIT
    page = sent_back(client, save(client, token, ADDRESS, ("seal.png", big, "image/png")))
    assert "larger than 512 KB" in error_of(page.text, "seal")
    assert stored(built) is None


def test_an_over_long_or_missing_address_is_refused(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    token = admin_on_page(client, story, clock)
    page = sent_back(client, save(client, token, "x" * 501, ("seal.png", png(), "image/png")))
    assert error_of(page.text, "address") == "The address is 501 characters long: keep it to 500."
    assert 'href="#address"' in page.text
    assert "The seal you chose was not kept: choose the file again." in page.text
    page = sent_back(client, save(client, token, "   "))
    assert error_of(page.text, "address") == "Enter the postal address of the agency."
    assert stored(built) is None
    # 500 characters with line breaks fit, though a browser sends each break as two.
    lines = "\r\n".join(["y" * 98] * 5)
    assert save(client, token, lines).status_code == 303
    found = stored(built)
    assert found is not None and len(found.address) == 494


def test_the_seal_stays_when_only_the_address_changes_and_goes_when_removed(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    token = admin_on_page(client, story, clock)
    seal = png()
    assert save(client, token, ADDRESS, ("seal.png", seal, "image/png")).status_code == 303
    assert save(client, token, "1 Centre Street\nNew York, NY 10007").status_code == 303
    assert stored(built) == Letterhead("nyc-doc", "1 Centre Street\nNew York, NY 10007", seal)
    other = png((200, 20, 10))
    both = sent_back(
        client, save(client, token, ADDRESS, ("other.png", other, "image/png"), remove=True)
    )
    assert error_of(both.text, "remove_seal").startswith("Either choose a new seal or remove")
    assert 'id="remove_seal" type="checkbox" name="remove_seal" value="yes" checked' in both.text
    assert stored(built) == Letterhead("nyc-doc", "1 Centre Street\nNew York, NY 10007", seal)
    assert save(client, token, ADDRESS, ("other.png", other, "image/png")).status_code == 303
    assert stored(built) == Letterhead("nyc-doc", ADDRESS, other)
    removed = save(client, token, ADDRESS, remove=True)
    assert removed.status_code == 303, removed.text
    assert removed.headers["location"] == "/admin/letterhead?done=letterhead"
    assert stored(built) == Letterhead("nyc-doc", ADDRESS, None)
    page = client.get(PAGE).text
    assert "No seal on file" in page and "data:image/png" not in page


def test_the_form_is_csrf_checked_and_asks_to_confirm_first(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    token = admin_on_page(client, story, clock)
    forged = save(client, "not-the-token", ADDRESS)
    assert forged.status_code == 403 and "The form expired" in forged.text
    assert stored(built) is None
    clock.advance(minutes=6)  # the confirmation lapsed
    later = save(client, token, ADDRESS)
    assert later.status_code == 303
    assert later.headers["location"] == "/confirm?next=/admin/letterhead"
    assert client.get(PAGE).headers["location"] == "/confirm?next=/admin/letterhead"
    assert stored(built) is None


def test_the_page_does_not_exist_for_anyone_but_an_administrator(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    sign_in(client, story, clock, "nyc-doc-officer")
    page = client.get(PAGE)
    assert page.status_code == 404, page.text[:400]
    assert 'href="/admin/letterhead"' not in client.get("/").text
    token = csrf(client.get("/").text)
    assert save(client, token, ADDRESS, ("seal.png", png(), "image/png")).status_code == 404
    confirm(client, story, clock, "nyc-doc-officer", "/")  # confirming opens nothing more
    assert client.get(PAGE).status_code == 404
    assert save(client, token, ADDRESS, ("seal.png", png(), "image/png")).status_code == 404
    assert stored(built) is None


def test_another_agencys_letterhead_is_untouched(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    token = admin_on_page(client, story, clock)
    assert save(client, token, ADDRESS).status_code == 303
    with built.desk.uow() as uow:
        assert uow.documents.letterhead("ice-nyc") is None
        assert uow.documents.letterhead("nyc-doc") == Letterhead("nyc-doc", ADDRESS, None)
