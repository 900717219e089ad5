"""``POST /api/v1/verifications``: public, rate-limited, audited; says authentic, altered or
unknown, and nothing about the person."""

from __future__ import annotations

import pytest
import weasyprint
from sqlalchemy import func, select

from lexdesk.adapters import orm
from lexdesk.entrypoints.limiter import RateLimiter
from lexdesk.services import accounts, documents
from tests.api.world import World

URL = "/api/v1/verifications"


@pytest.fixture
def pdf(world: World) -> bytes:
    reader = accounts.principal_at_command_line(world.built.desk, "ice-officer")
    return documents.render(world.built.desk, reader, world.a.subpoena, source="test").pdf


@pytest.fixture(autouse=True)
def _fresh_limiter(world: World) -> None:
    world.client.app.state.verify_limiter = RateLimiter(1000, 60)  # type: ignore[attr-defined]


def lookups(world: World) -> int:
    table = orm.audit_log
    with world.built.engine.connect() as db:
        found = db.scalar(
            select(func.count()).select_from(table).where(table.c.action == "document.verify")
        )
    return int(found or 0)


def upload(world: World, data: bytes) -> tuple[int, dict[str, object]]:
    answer = world.client.post(URL, files={"file": ("doc.pdf", data, "application/pdf")})
    return answer.status_code, answer.json()


def test_an_authentic_document_needs_no_sign_in_and_tells_no_person(
    world: World, pdf: bytes
) -> None:
    before = lookups(world)
    status, body = upload(world, pdf)
    assert status == 200, body
    assert body["result"] == "authentic" and body["kind"] == "administrative_subpoena"
    assert body["issuer"] == {"id": "ice", "name": "ICE"}
    assert body["standing"] == "superseded"  # the subpoena went on to a referral
    assert set(body) == {"result", "code", "kind", "issuer", "issued_at", "standing", "by"}
    assert lookups(world) == before + 1


def test_altered_and_unknown_documents(world: World, pdf: bytes) -> None:
    changed = bytearray(pdf)
    changed[changed.index(b"/Producer") + 12] ^= 1
    status, body = upload(world, bytes(changed))
    assert (status, body["result"]) == (200, "altered")
    forged = weasyprint.HTML(string="<h1>Subpoena</h1>").write_pdf()
    status, body = upload(world, forged)
    assert (status, body["result"], body["issuer"]) == (200, "unknown", None)


def test_by_code(world: World, pdf: bytes) -> None:
    _, body = upload(world, pdf)
    code = str(body["code"])
    answer = world.client.post(URL, json={"code": code.lower()})
    assert answer.status_code == 200 and answer.json()["by"] == "code"
    missing = world.client.post(URL, json={"code": "0000-0000-0000"})
    assert missing.status_code == 404 and "no document was issued" in missing.json()["detail"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"json": {"code": "abc"}}, "verification code is 12"),
        ({"json": {"code": "abc", "more": 1}}, "exactly one field"),
        ({"json": ["code"]}, "exactly one field"),
        ({"content": b"code=1", "headers": {"content-type": "text/plain"}}, "content-type"),
        ({"files": {"file": ("a.pdf", b"GIF89a", "application/pdf")}}, "not a PDF"),
        ({"files": {"file": ("a.pdf", b"%PDF-1.7\n%junk", "application/pdf")}}, "malformed"),
        ({"data": {"other": "x"}, "files": {"x": ("a", b"1")}}, "file"),
    ],
)
def test_bad_input_is_a_clear_422(world: World, kwargs: dict[str, object], message: str) -> None:
    answer = world.client.post(URL, **kwargs)  # type: ignore[arg-type]
    assert answer.status_code in (400, 422), answer.text
    assert message in answer.json()["detail"]


def test_too_large_is_413(world: World) -> None:
    big = b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10)
    answer = world.client.post(URL, files={"file": ("big.pdf", big, "application/pdf")})
    assert answer.status_code == 413


def test_lookups_are_rate_limited_per_address(world: World) -> None:
    world.client.app.state.verify_limiter = RateLimiter(2, 60)  # type: ignore[attr-defined]
    codes = [world.client.post(URL, json={"code": "0000-0000-0000"}).status_code for _ in "abc"]
    assert codes == [404, 404, 429]
    refused = world.client.post(URL, json={"code": "0000-0000-0000"})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


def test_the_limiter_forgets_after_its_window() -> None:
    now = [0.0]
    limiter = RateLimiter(1, 60, clock=lambda: now[0])
    assert limiter.wait_for("a") == 0 and limiter.wait_for("a") == 60
    assert limiter.wait_for("b") == 0
    now[0] = 60.5
    assert limiter.wait_for("a") == 0
