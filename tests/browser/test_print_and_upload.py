"""Print and upload in Chromium. Printed, a page is a record, not a form: the navigation, the
buttons and the forms go, the heading and the content stay, every step of a case prints open,
and a table repeats its header row on each sheet. On the attachments page a file is sent with
a progress bar and its words, then the page the desk redirected to is opened by GET (the file
listed, or why it was refused); a lost connection or an expired form is said and the button
works again. axe-core checks each state."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lexdesk.adapters.blobs import LocalBlobStore
from lexdesk.services import instruments as verbs
from tests.browser.conftest import Site, accessible, signed_in

SCAN = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"

#: Before any script of the page: each time the upload's status words change, what the
#: progress bar, its box and the button were, kept in sessionStorage across the navigation.
RECORD = """(() => {
  const record = () => {
    const status = document.getElementById("upload-status");
    if (!status || !status.textContent) return;
    const bar = document.getElementById("upload-bar");
    const box = document.getElementById("upload-progress");
    const button = document.querySelector("form[data-upload-progress] button[type=submit]");
    const seen = JSON.parse(sessionStorage.getItem("upload-log") || "[]");
    seen.push({status: status.textContent, value: bar.value, max: bar.max,
               shown: !box.hidden, disabled: button.disabled});
    sessionStorage.setItem("upload-log", JSON.stringify(seen));
  };
  document.addEventListener("DOMContentLoaded", () => {
    const status = document.getElementById("upload-status");
    if (status) new MutationObserver(record).observe(
      status, {childList: true, characterData: true, subtree: true});
  });
})();"""


def _request(site: Site) -> str:
    return verbs.issue_instrument(
        site.built.desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "notification_request", "nyc-doc", f"nysid:{site.story.nysid}",
            ("notify_release",), "administrative",
        ),
    ).id  # fmt: skip


def _declined_then_subpoenaed(site: Site) -> tuple[str, str, str]:
    """A request declined and the subpoena that followed it: (case, request, subpoena)."""
    desk, nysid = site.built.desk, site.story.nysid
    request = verbs.issue_instrument(
        desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{nysid}",
            ("disclose:work_address",), "none",
        ),
    )  # fmt: skip
    verbs.acknowledge(desk, verbs.Acknowledge("nyc-doc-officer", request.id))
    verbs.determine(desk, verbs.Determine("nyc-doc-legal", request.id, "declined", "No."))
    due = datetime(2020, 1, 31, 22, tzinfo=UTC)
    subpoena = verbs.escalate(
        desk, verbs.Escalate("ice-nyc-legal", request.id, "Records.", None, (), due)
    )
    return request.case_id, request.id, subpoena.id


def test_a_printed_case_page_is_a_record_not_a_form(browser: Any, site: Site) -> None:
    case_id, request_id, subpoena_id = _declined_then_subpoenaed(site)
    page = signed_in(browser, site, "nyc-doc-officer")
    page.goto(f"/cases/{case_id}")
    navigation = page.locator("nav[aria-label='Primary navigation']")
    acknowledge = page.get_by_role("button", name="Acknowledge receipt")
    folded = page.locator(f"details[id='{request_id}'] .step__body")
    assert navigation.is_visible() and acknowledge.is_visible()
    assert not folded.is_visible()  # on screen the earlier step is folded
    page.emulate_media(media="print")
    assert page.locator("h1").is_visible()
    assert not navigation.is_visible()
    assert not acknowledge.is_visible()
    assert not page.locator(".usa-skipnav").is_visible()
    assert not page.get_by_role("button", name="Sign out").is_visible()
    for form in page.locator("form").all():
        assert not form.is_visible()
    for button in page.locator("button, .usa-button").all():
        assert not button.is_visible()
    assert page.locator(".case-summary").is_visible()
    assert page.locator(f"details[id='{subpoena_id}'] .step__body").is_visible()
    assert folded.is_visible(), "every step of the case prints open"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in (
        "rgb(255, 255, 255)",
        "rgba(0, 0, 0, 0)",
    )
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).color") == "rgb(0, 0, 0)"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")
    assert navigation.is_visible()


def test_a_file_is_uploaded_with_progress(browser: Any, site: Site, tmp_path: Path) -> None:
    object.__setattr__(site.built.desk, "blobs", LocalBlobStore(tmp_path / "blobs"))
    instrument_id = _request(site)
    page = signed_in(browser, site, "nyc-doc-officer")
    page.context.add_init_script(RECORD)
    address = f"/instruments/{instrument_id}/attachments"
    page.goto(address)
    assert page.locator("#upload-progress").is_hidden()
    assert page.locator("#upload-bar").count() == 1
    accessible(page)

    scan = tmp_path / "served subpoena.pdf"
    scan.write_bytes(SCAN)
    page.locator("input#file").set_input_files(str(scan))
    page.get_by_role("button", name="Attach").click()
    page.wait_for_url(lambda url: "done=attached" in url)
    assert "attached" in page.locator("#done").inner_text()
    assert "served subpoena.pdf" in page.locator("table").inner_text()
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('upload-log') || '[]')")
    assert seen, "the status words never changed"
    assert all(state["shown"] for state in seen), "the progress bar was hidden while sending"
    assert all(state["disabled"] for state in seen), "the button worked while sending"
    assert seen[0]["status"].startswith("Uploading: 0 % of 1 KB")
    sent = [state for state in seen if state["status"].startswith("Sent")]
    assert sent and all(state["value"] == state["max"] for state in sent)
    accessible(page)

    # Printed, the list is a table with its header on every sheet, and the form is gone.
    page.emulate_media(media="print")
    assert page.locator("table").is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('thead')).display") == (
        "table-header-group"
    )
    assert page.evaluate("getComputedStyle(document.querySelector('tbody tr')).breakInside") == (
        "avoid"
    )
    assert not page.locator("form[data-upload-progress]").is_visible()
    page.emulate_media(media="screen")

    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"<html>not a scan</html>")
    page.locator("input#file").set_input_files(str(notes))
    page.get_by_role("button", name="Attach").click()
    page.wait_for_url(lambda url: "draft=" in url)
    assert "PDF, PNG, JPEG or TIFF" in page.locator(".usa-alert--error").inner_text()
    assert page.locator("table").inner_text().count("notes.pdf") == 0
    accessible(page)


def test_a_lost_connection_or_a_refusal_is_said_and_the_button_works_again(
    browser: Any, site: Site, tmp_path: Path
) -> None:
    object.__setattr__(site.built.desk, "blobs", LocalBlobStore(tmp_path / "blobs"))
    instrument_id = _request(site)
    page = signed_in(browser, site, "nyc-doc-officer")
    address = f"/instruments/{instrument_id}/attachments"
    page.goto(address)

    def cut(route: Any) -> None:
        if route.request.method == "POST":
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(f"**{address}", cut)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(SCAN)
    page.locator("input#file").set_input_files(str(scan))
    button = page.get_by_role("button", name="Attach")
    button.click()
    status = page.locator("#upload-status")
    status.filter(has_text="network").wait_for()
    assert button.is_enabled()
    assert page.url.endswith(address)
    accessible(page)
    page.unroute(f"**{address}", cut)
    # A refusal that is no redirect (here an expired form) is said on the page, in its words.
    page.locator("form[data-upload-progress] input[name=csrf]").evaluate(
        "input => { input.value = 'expired'; }"
    )
    button.click()
    status.filter(has_text="answered 403").wait_for()
    assert "The form expired" in status.inner_text() and button.is_enabled()
    page.goto(address)
    page.locator("input#file").set_input_files(str(scan))
    button.click()
    page.wait_for_url(lambda url: "done=attached" in url)
    assert "scan.pdf" in page.locator("table").inner_text()
