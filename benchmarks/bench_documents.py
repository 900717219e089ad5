"""Documents: render + sign per second, verify per second, and what a document costs next to
the transaction that issues its instrument (the same run's baseline). One process, one core.

    python -m benchmarks.bench_documents                       # 100 documents, on SQLite
    LEXDESK_BENCH_DOCUMENTS=300 python -m benchmarks.bench_documents
    LEXDESK_BENCH_DATABASES=sqlite,postgresql python -m benchmarks.bench_documents

Goals (issue 10): at least 20 documents rendered and signed a second, 50 verified a second.
The rates are per second of this process's CPU time (one core, whatever else the machine is
doing); the wall-clock rates are printed beside them, and the load average at the end (CPU
time still grows on a busy machine: run it several times and give the spread).
"""

from __future__ import annotations

import base64
import io
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from lexdesk.adapters.clock import SystemClock
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.migrations import upgrade
from lexdesk.adapters.press import PdfPress
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.seals import seal_data_uri
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.documents import kind_of
from lexdesk.services import accounts, agencies, documents, instruments, persons, views
from lexdesk.services.context import Desk

POSTGRES = os.environ.get(
    "LEXDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _setup(desk: Desk, count: int) -> list[str]:
    agencies.register_agency(desk, agencies.RegisterAgency("ice", "ICE", "immigration", "US"))
    agencies.add_user(desk, agencies.AddUser("ice-officer", "ice", "Officer", ("officer",)))
    agencies.register_agency(
        desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US-NY", "us-ny-nyc-doc")
    )
    agencies.add_user(desk, agencies.AddUser("doc-officer", "doc", "Officer", ("officer",)))
    now = datetime.now(UTC)
    people = []
    for n in range(count):
        person = persons.book_person(
            desk,
            persons.BookPerson(
                actor="doc-officer",
                family_name=f"Benchperson{n}",
                given_name="Sam",
                arrested_on=now.date(),
                booked_at=now,
                expected_release_at=now + timedelta(days=1 + n % 60),
                identifiers={"booking_number": f"DOCS{n:08d}"},
            ),
        )
        people.append(person.id)
    return people


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def measure(name: str, url: str, count: int) -> dict[str, float]:
    engine = create_database_engine(url)
    upgrade(engine)
    clock = SystemClock()
    press = PdfPress("benchmark passphrase", "https://desk.example")
    desk = Desk(
        uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=PackRuleBook(), press=press
    )
    people = _setup(desk, count + 1)
    reader = accounts.principal_at_command_line(desk, "ice-officer")

    def issue(person_id: str) -> str:
        actions = ("disclose:release_date", "disclose:home_address")
        command = instruments.IssueInstrument(
            "ice-officer", "information_request", "doc", person_id, actions, "administrative"
        )
        return instruments.issue_instrument(desk, command).id

    # Warm up: imports, fonts, the CA and the agency's key are made once, not measured.
    warm = issue(people[-1])
    documents.render(desk, reader, warm, source="bench")

    cpu, wall = time.process_time(), time.perf_counter()
    issued = [issue(p) for p in people[:count]]
    issue_seconds, issue_wall = time.process_time() - cpu, time.perf_counter() - wall

    per_document: list[float] = []
    made = []
    wall = time.perf_counter()
    for instrument_id in issued:
        began = time.process_time()
        made.append(documents.render(desk, reader, instrument_id, source="bench").pdf)
        per_document.append(time.process_time() - began)
    render_seconds, render_wall = sum(per_document), time.perf_counter() - wall

    cpu, wall = time.process_time(), time.perf_counter()
    for pdf in made:
        assert documents.verify_file(desk, pdf, source="bench").result.value == "authentic"
    verify_seconds, verify_wall = time.process_time() - cpu, time.perf_counter() - wall

    # The press alone (no database): what rendering and signing cost by themselves.
    with desk.uow() as uow:
        key, ca = uow.documents.active_key("ice"), uow.documents.active_key(None)
        case = uow.cases.of_instrument(issued[0])
        assert key is not None
        assert ca is not None
        assert case is not None
        view = views.instrument_view(uow, "ice", case, case.instrument(issued[0]))
        assert view is not None
        kind = kind_of(view.instrument.kind, answer=False)
        content = documents.content(uow, case, view, kind, "7K2M-Q9XD-4HRT")
    html_pdf, signing = [], []
    for _ in range(min(count, 50)):
        began = time.process_time()
        unsigned = press.render(content)
        middle = time.process_time()
        press.sign(unsigned, key, ca, "7K2M-Q9XD-4HRT", "ICE")
        html_pdf.append(middle - began)
        signing.append(time.process_time() - middle)
    engine.dispose()

    figures = {
        "documents": count,
        "render_sign_per_s": _rate(count, render_seconds),
        "render_sign_per_s_wall": _rate(count, render_wall),
        "verify_per_s_wall": _rate(count, verify_wall),
        "issue_per_s_wall": _rate(count, issue_wall),
        "render_p50_ms": statistics.median(per_document) * 1000,
        "verify_per_s": _rate(count, verify_seconds),
        "issue_per_s": _rate(count, issue_seconds),
        "document_vs_issue": (render_seconds / count) / (issue_seconds / count),
        "html_to_pdf_ms": statistics.median(html_pdf) * 1000,
        "sign_ms": statistics.median(signing) * 1000,
        "load_average": os.getloadavg()[0],
    }
    print(
        f"{name:<10} {count} documents, per CPU second (wall-clock in brackets): "
        f"render + sign {figures['render_sign_per_s']:.1f}/s "
        f"[{figures['render_sign_per_s_wall']:.1f}/s] (goal >= 20/s; p50 "
        f"{figures['render_p50_ms']:.0f} ms: HTML->PDF {figures['html_to_pdf_ms']:.0f} ms, "
        f"signature {figures['sign_ms']:.0f} ms); verify {figures['verify_per_s']:.0f}/s "
        f"[{figures['verify_per_s_wall']:.0f}/s] (goal >= 50/s); issuing the instrument "
        f"{figures['issue_per_s']:.1f}/s [{figures['issue_per_s_wall']:.1f}/s], so a document "
        f"costs {figures['document_vs_issue']:.1f}x the transaction that issues it "
        f"(load average {figures['load_average']:.1f})"
    )
    return figures


def _postgres() -> str:
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text('DROP DATABASE IF EXISTS "lexdesk_bench_docs" WITH (FORCE)'))
        connection.execute(text('CREATE DATABASE "lexdesk_bench_docs"'))
    admin.dispose()
    return POSTGRES.rsplit("/", 1)[0] + "/lexdesk_bench_docs"


def _seal(side: int) -> bytes:
    from PIL import Image, ImageDraw

    seal = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(seal)
    draw.ellipse((0, 0, side - 1, side - 1), fill=(20, 40, 120, 255))
    for x in range(0, side, 5):  # detail, as a seal's lettering has
        draw.line((x, 0, side - 1 - x, side - 1), fill=(x % 255, 10, 10, 200))
    out = io.BytesIO()
    seal.save(out, format="PNG")
    return out.getvalue()


def seal_cost(rounds: int = 30) -> dict[str, float]:
    """A letterhead printed alone (``print_html``, CPU of this process, median ms): with no
    seal, and with a PNG seal of 400 and 1,600 pixels given as uploaded (as the press did
    before ``adapters.seals``) and as the press prints it now, alternating in one run."""
    press = PdfPress("bench passphrase", "https://desk.example")

    def page(uri: str) -> str:
        image = f'<img src="{uri}" alt="">' if uri else ""
        return f'<html><body><header class="letterhead">{image}</header><p>A</p></body></html>'

    contenders = {"no seal": ""}
    for side in (400, 1600):
        png = _seal(side)
        contenders[f"{side}px as uploaded"] = "data:image/png;base64," + base64.b64encode(
            png
        ).decode("ascii")
        contenders[f"{side}px as printed"] = seal_data_uri(png)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for uri in contenders.values():  # warm-up
        press.print_html(page(uri), stylesheet=True)
    for _ in range(rounds):
        for name, uri in contenders.items():
            start = time.process_time()
            press.print_html(page(uri), stylesheet=True)
            times[name].append(time.process_time() - start)
    figures = {name: statistics.median(spent) * 1000 for name, spent in times.items()}
    print("A letterhead alone, ms of CPU (median of", rounds, "alternating runs):")
    for name, ms in figures.items():
        print(f"  {name:<22} {ms:6.1f}")
    print("  load:", Path("/proc/loadavg").read_text().strip())
    return figures


def run() -> dict[str, dict[str, float]]:
    count = int(os.environ.get("LEXDESK_BENCH_DOCUMENTS", "100"))
    databases = os.environ.get("LEXDESK_BENCH_DATABASES", "sqlite").split(",")
    figures = {}
    if "sqlite" in databases:
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{Path(directory) / 'documents.sqlite3'}"
            figures["sqlite"] = measure("SQLite", url, count)
    if "postgresql" in databases:
        figures["postgresql"] = measure("PostgreSQL", _postgres(), count)
    figures["seal"] = seal_cost()
    return figures


if __name__ == "__main__":
    run()
