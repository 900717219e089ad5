"""Paper intake in the web (issue 10, item 5): the custodian's form, checked field by field and
sent back by GET when refused; the instrument on both sides, marked; the issuer confirms it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from lexdesk.adapters.blobs import LocalBlobStore
from lexdesk.bootstrap import App
from tests.fakes import FakeClock
from tests.web.conftest import sent_back, sign_in
from tests.web.story import Story

SCAN = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def csrf_of(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def post(client: TestClient, data: dict[str, object], scan: bytes | None = SCAN):  # type: ignore[no-untyped-def]  # fmt: skip
    files = {"scan": ("served.pdf", scan, "application/pdf")} if scan is not None else None
    return client.post("/instruments/paper", data=data, files=files)


def test_a_custodian_records_paper_and_the_issuer_confirms_it(
    client: TestClient, story: Story, clock: FakeClock, built: App, tmp_path: Path
) -> None:
    object.__setattr__(built.desk, "blobs", LocalBlobStore(tmp_path / "blobs"))
    sign_in(client, story, clock, "ice-nyc-officer")
    assert client.get("/instruments/paper").status_code == 404  # a requester records no paper
    sign_in(client, story, clock, "nyc-doc-officer")
    assert "Record paper received" in client.get("/persons").text
    token = csrf_of(client.get("/instruments/paper").text)
    empty = sent_back(client, post(client, {"csrf": token}, scan=None))
    links = re.findall(r'href="#([a-z_0-9-]+)"', empty.text.split('id="error-summary"')[1])
    for field in ("kind", "issuer", "person", "actions-1", "issued_on", "received_on", "scan"):
        assert field in links, field
    today = clock.now().date()
    form = {
        "csrf": token, "kind": "information_request", "issuer": "ice-nyc",
        "person": f"nysid:{story.nysid}", "actions": "disclose:release_date",
        "warrant": "none", "issued_on": (today - timedelta(days=3)).isoformat(),
        "received_on": (today - timedelta(days=1)).isoformat(), "received_time": "10:30",
        "method": "mail", "reference": "PAPER-7",
    }  # fmt: skip
    typed = sent_back(client, post(client, form, scan=b"<html>no</html>"))
    assert 'id="scan-error"' in typed.text and 'value="PAPER-7"' in typed.text
    done = post(client, form)
    assert done.status_code == 303 and "done=recorded" in done.headers["location"]
    instrument_id = done.headers["location"].split("#")[1]
    page = client.get(done.headers["location"]).text
    assert "The paper is recorded" in page and f'id="{instrument_id}-paper"' in page
    clock.advance(minutes=1)  # a new code step: a code is never accepted twice
    sign_in(client, story, clock, "ice-nyc-officer")
    case_url = done.headers["location"].split("?")[0]
    theirs = client.get(case_url).text
    assert "has not confirmed it" in theirs and f'id="{instrument_id}-confirm"' in theirs
    assert f'id="{instrument_id}-preview"' not in theirs  # nothing signed in their name yet
    confirmed = client.post(
        f"/instruments/{instrument_id}/confirm-record", data={"csrf": csrf_of(theirs)}
    )
    assert confirmed.status_code == 303 and "done=confirmed" in confirmed.headers["location"]
    after = client.get(confirmed.headers["location"]).text
    assert "confirmed by" in after and f'id="{instrument_id}-preview"' in after
    again = client.post(
        f"/instruments/{instrument_id}/confirm-record", data={"csrf": csrf_of(after)}
    )
    assert "confirmed already" in sent_back(client, again).text
