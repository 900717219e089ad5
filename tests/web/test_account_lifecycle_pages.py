"""The account lifecycle in the administrator's pages (docs/accounts.md): a temporary account's
end date, the one-time enrolment code shown once when an account is added or its MFA reset, a
username freed less than 365 days ago refused beside its field, and the annual account review
as a page and a CSV, on record each time it is read."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select

from lexdesk.adapters import orm
from lexdesk.bootstrap import App
from lexdesk.services import agencies, enrolment
from lexdesk.services.worker import Worker
from tests.fakes import FakeClock
from tests.web.conftest import sent_back
from tests.web.story import Story
from tests.web.test_admin_pages import PASSPHRASE, admin_client

CODE = re.compile(r'id="enrolment-code">((?:[A-Z2-7]{4}-){6}[A-Z2-7]{2})<')


def _form(token: str, username: str, ends_on: str = "") -> dict[str, object]:
    return {
        "csrf": token,
        "username": username,
        "display_name": "A Temp",
        "roles": ["supervisor"],
        "password": PASSPHRASE,
        "ends_on": ends_on,
    }


def test_a_temporary_account_is_added_with_its_end_date_and_enrolment_code(
    client: TestClient, built: App, story: Story, clock: FakeClock
) -> None:
    token = admin_client(client, story, clock, "nyc-doc-admin")
    assert 'name="ends_on"' in client.get("/admin/users").text
    added = client.post("/admin/users", data=_form(token, "nyc-doc-temp", "2020-01-31"))
    assert added.status_code == 200 and "The user nyc-doc-temp was added." in added.text
    found = CODE.search(added.text)
    assert found and "apart from the password" in added.text
    row = added.text.split('<th scope="row">nyc-doc-temp')[1].split("</tr>")[0]
    assert "temporary: ends 2020-02-01 00:00 EST" in row and "authenticator not set up" in row
    with built.engine.connect() as db:
        creds = db.execute(select(orm.credentials.c.enrolment_digest)).scalars().all()
    assert found.group(1) not in repr(creds)  # kept only as its digest


def test_a_bad_or_past_end_date_is_refused_beside_its_field(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    token = admin_client(client, story, clock, "nyc-doc-admin")
    typo = sent_back(client, client.post("/admin/users", data=_form(token, "nyc-doc-t1", "31/1")))
    assert "Enter the end date as year-month-day" in typo.text
    assert 'id="ends_on-error"' in typo.text
    past = client.post("/admin/users", data=_form(token, "nyc-doc-t2", "2020-01-13"))
    page = sent_back(client, past).text
    assert "The end date 2020-01-13 has passed" in page and 'id="ends_on-error"' in page


def test_a_reset_shows_a_new_enrolment_code_once(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    token = admin_client(client, story, clock, "nyc-doc-admin")
    reset = client.post("/admin/users/nyc-doc-officer/reset-mfa", data={"csrf": token})
    assert reset.status_code == 200 and CODE.search(reset.text)
    assert "with the enrolment code below" in reset.text


def test_a_freed_username_is_refused_with_the_day_it_is_free_again(
    client: TestClient, built: App, story: Story, clock: FakeClock
) -> None:
    command = agencies.AddUser("nyc-doc-temp", "nyc-doc", "Temp", ("officer",), "cli",
                               date(2020, 1, 14))  # fmt: skip
    enrolment.create_account(built.desk, command, story.password)
    clock.advance(days=1)
    assert Worker(built.desk, {}, name="test-worker").sweep().accounts_removed == 1
    token = admin_client(client, story, clock, "nyc-doc-admin")
    refused = sent_back(client, client.post("/admin/users", data=_form(token, "nyc-doc-temp")))
    assert "not reused for 365 days" in refused.text and 'id="username-error"' in refused.text
    assert "free again on 2021-01-14" in refused.text


def test_the_review_lists_every_account_and_downloads_as_csv_on_record(
    client: TestClient, built: App, story: Story, clock: FakeClock
) -> None:
    admin_client(client, story, clock, "nyc-doc-admin")
    assert 'href="/admin/users/review"' in client.get("/admin/users").text
    page = client.get("/admin/users/review")
    assert page.status_code == 200 and "Account review of" in page.text
    row = page.text.split('<th scope="row">nyc-doc-officer</th>')[1].split("</tr>")[0]
    assert "<td>officer</td>" in row and "<td>active</td>" in row and "<td>never</td>" in row
    assert "ice-nyc-officer" not in page.text  # another agency's accounts are not ours
    download = client.get("/admin/users/review.csv")
    assert download.headers["content-type"].startswith("text/csv")
    assert "account-review-nyc-doc-2020-01-14.csv" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    admin = next(r for r in rows if r["username"] == "nyc-doc-admin")
    assert admin["status"] == "active" and admin["last activity"] == "2020-01-14"
    assert admin["created by"] == "system" and admin["roles"] == "admin"
    with built.engine.connect() as db:
        a = orm.audit_log
        read = db.execute(select(a.c.actor, a.c.detail).where(a.c.action == "account_review.read"))
        assert [(r.actor, r.detail["as"]) for r in read] == [
            ("nyc-doc-admin", "page"),
            ("nyc-doc-admin", "csv"),
        ]


def test_the_review_is_for_administrators_only(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    from tests.web.conftest import sign_in

    sign_in(client, story, clock, "nyc-doc-officer")
    assert client.get("/admin/users/review").status_code in (303, 404)
    assert client.get("/admin/users/review.csv").status_code in (303, 404)
