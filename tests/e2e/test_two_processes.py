"""Two hosts, one database: two ``lexdesk serve`` processes, started as two machines would start
them (each its own command and port, nothing shared but the PostgreSQL database), serve one
desk. A session opened on one is good on the other and ends on both; what one writes, the other
reads; writes through both at once each land once or are refused with 409, and the audit chain
still verifies; a change made with an ETag the other host has made stale is refused (412),
never written over the change that won. And the same for the worker processes of one
``lexdesk serve --workers 2``: a session opened in one is good in the other."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

import httpx
import pyotp
import pytest
from sqlalchemy import create_engine, func, select

from lexdesk.adapters import orm
from tests.api.world import PASSWORD, build_world
from tests.databases import postgres_database
from tests.e2e.test_worker_cli import first_answer, free_port, lexdesk

#: Rounds each of the two writers makes at once, one through each host.
ROUNDS = 20
#: A 409 says "someone moved the case on: read again and retry"; a writer retries this often.
RETRIES = 50
#: Instruments fought over by an acknowledgement on one host and a withdrawal on the other.
RACES = 6


@dataclass
class Host:
    """One ``lexdesk serve`` process, as if on a machine of its own."""

    name: str
    base: str
    process: subprocess.Popen[str]
    log: Path

    def api(self, path: str) -> str:
        return f"{self.base}/api/v1{path}"

    def said(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Desk:
    url: str
    env: dict[str, str]
    a: Host
    b: Host
    secrets: dict[str, str]
    #: Session tokens, each opened on one host by the real password and TOTP steps.
    tokens: dict[str, str]

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}


def start(name: str, env: dict[str, str], log: Path, *extra: str) -> Host:
    port = free_port()
    out: IO[str] = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "lexdesk", "serve", "--port", str(port), *extra],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out.close()  # the child holds its own copy
    host = Host(name, f"http://127.0.0.1:{port}", process, log)
    # Not /health: without a worker sweeping it answers 503 (the desk's clock has stopped).
    # Up to two minutes: on a loaded machine ``--workers 2`` takes a while to import twice.
    ready = first_answer(host.api("/openapi.json"), tries=600)
    assert ready is not None and ready.status_code == 200, host.said()
    return host


def stop(host: Host) -> None:
    host.process.terminate()
    host.process.wait(timeout=30)


def sign_in(host: Host, secrets: dict[str, str], username: str) -> str:
    """The two steps, password then TOTP code, both on ``host``."""
    ticket = httpx.post(
        host.api("/session"),
        json={"username": username, "password": PASSWORD, "acknowledge_notice": True},
    )
    assert ticket.status_code == 200, ticket.text
    code = pyotp.TOTP(secrets[username]).now()
    opened = httpx.post(
        host.api("/session/totp"), json={"ticket": ticket.json()["ticket"], "code": code}
    )
    assert opened.status_code == 200, opened.text
    token: str = opened.json()["token"]
    return token


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """Agencies and accounts with known TOTP seeds in a fresh PostgreSQL database, then two
    servers on it. Without the worker: the accounts were made on a fake clock's day in 2020,
    and a sweep on the real clock would find them unused for years and disable them."""
    url = postgres_database(os.environ.get("PYTEST_XDIST_WORKER", "main"), "_two_hosts")
    world = build_world(url, sign_in=False)
    world.built.engine.dispose()
    logs = tmp_path_factory.mktemp("hosts")
    blobs = logs / "blobs"  # shared, as a deployment's hosts share one blob store
    env = {**os.environ, "LEXDESK_DATABASE_URL": url, "LEXDESK_BLOB_DIR": str(blobs)}
    a = start("A", env, logs / "a.log", "--without-worker")
    try:
        b = start("B", env, logs / "b.log", "--without-worker")
    except BaseException:
        stop(a)
        raise
    try:
        # Each user signs in once (a TOTP code is good for one sign-in), on either host.
        tokens = {
            "ice-officer": sign_in(a, world.secrets, "ice-officer"),
            "doc-officer": sign_in(b, world.secrets, "doc-officer"),
        }
        yield Desk(url, env, a, b, world.secrets, tokens)
    finally:
        stop(a)
        stop(b)


def book(desk: Desk, host: Host, nysid: str) -> None:
    booked = httpx.post(
        host.api("/persons"),
        headers=desk.auth("doc-officer"),
        json={
            "family_name": "Sample",
            "given_name": "Avery",
            "arrested_on": "2026-11-20",
            "booked_at": "2026-11-20T23:30:00Z",
            "identifiers": {"nysid": nysid},
        },
    )
    assert booked.status_code == 201, booked.text


def issue(client: httpx.Client, host: Host, desk: Desk, nysid: str, tag: str) -> httpx.Response:
    return client.post(
        host.api("/instruments"),
        headers=desk.auth("ice-officer"),
        json={
            "kind": "information_request",
            "addressee": "doc",
            "person": f"nysid:{nysid}",
            "actions": ["disclose:criminal_history"],
            "reference": tag,
        },
    )


def issued_through(host: Host, desk: Desk, nysid: str, tag: str) -> dict[str, Any]:
    with httpx.Client() as client:
        made = issue(client, host, desk, nysid, tag)
    assert made.status_code == 201 and made.headers["etag"] == '"1"', made.text
    instrument: dict[str, Any] = made.json()
    return instrument


def test_a_session_opened_on_one_host_works_on_the_other_and_ends_on_both(desk: Desk) -> None:
    token = sign_in(desk.a, desk.secrets, "ice-supervisor")
    bearer = {"Authorization": f"Bearer {token}"}
    for host in (desk.a, desk.b):
        seen = httpx.get(host.api("/session"), headers=bearer)
        assert seen.status_code == 200, (host.name, seen.text)
        assert seen.json()["username"] == "ice-supervisor"
    ended = httpx.delete(desk.a.api("/session"), headers=bearer)
    assert ended.status_code == 204
    for host in (desk.b, desk.a):
        refused = httpx.get(host.api("/session"), headers=bearer)
        assert refused.status_code == 401, (host.name, refused.text)


def test_what_one_host_writes_the_other_reads(desk: Desk) -> None:
    book(desk, desk.a, "91000001T")
    made = issued_through(desk.a, desk, "91000001T", "READ-ACROSS")
    read = httpx.get(desk.b.api(f"/instruments/{made['id']}"), headers=desk.auth("ice-officer"))
    assert read.status_code == 200, read.text
    assert read.headers["etag"] == '"1"'
    seen = read.json()
    assert (seen["id"], seen["status"], seen["reference"]) == (made["id"], "issued", "READ-ACROSS")
    inbox = httpx.get(desk.b.api("/instruments"), headers=desk.auth("doc-officer"))
    assert made["id"] in {i["id"] for i in inbox.json()["items"]}, inbox.text


@dataclass
class Tally:
    """What one writer was told: the instruments it issued and acknowledged, and its 409s."""

    issued: list[str]
    acknowledged: list[str]
    conflicts: int = 0


def until_landed(write: Callable[[], httpx.Response], landed: int, tally: Tally) -> httpx.Response:
    """The write, again after each 409 (nothing was written), until it lands."""
    for _ in range(RETRIES):
        answer = write()
        if answer.status_code != 409:
            assert answer.status_code == landed, answer.text
            return answer
        tally.conflicts += 1
    raise AssertionError(f"a write was refused {RETRIES} times in a row: {answer.text}")


def write_round(
    client: httpx.Client, desk: Desk, mine: Host, other: Host, nysid: str, tally: Tally, n: int
) -> None:
    """Issue a request through ``mine``, then acknowledge it through ``other``."""
    tag = f"{mine.name}{n:02d}"
    made = until_landed(partial(issue, client, mine, desk, nysid, tag), 201, tally).json()
    tally.issued.append(made["id"])
    acknowledge = partial(
        client.post,
        other.api(f"/instruments/{made['id']}/acknowledgement"),
        headers=desk.auth("doc-officer"),
        json={"reason": tag},
    )
    until_landed(acknowledge, 200, tally)
    tally.acknowledged.append(made["id"])


def test_writes_through_both_hosts_at_once_each_land_once(desk: Desk) -> None:
    """Two writers at once, one on each host, about one person (so that they meet on one
    case): each issues a request and has the other host acknowledge it, 20 times."""
    nysid = "91000002T"
    book(desk, desk.b, nysid)
    before = _audit_size(desk.url)
    tallies = {host.name: Tally([], []) for host in (desk.a, desk.b)}
    start_line = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer(mine: Host, other: Host) -> None:
        try:
            with httpx.Client(timeout=30) as client:
                start_line.wait()
                for n in range(ROUNDS):
                    write_round(client, desk, mine, other, nysid, tallies[mine.name], n)
        except BaseException as error:  # reported by the test's own thread below
            failures.append(error)

    threads = [
        threading.Thread(target=writer, args=(desk.a, desk.b)),
        threading.Thread(target=writer, args=(desk.b, desk.a)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures
    issued = [i for t in tallies.values() for i in t.issued]
    acknowledged = [i for t in tallies.values() for i in t.acknowledged]
    assert len(set(issued)) == len(issued) == 2 * ROUNDS
    assert sorted(acknowledged) == sorted(issued)

    rows = _audit_since(desk.url, before)
    landed = Counter((r.action, r.object_id) for r in rows if r.outcome == "success")
    wanted = Counter([("instrument.issue", i) for i in issued])
    wanted.update(("instrument.acknowledge", i) for i in acknowledged)
    assert landed == wanted
    # Each 409 is on record as a refusal naming the conflict, and nothing else was refused.
    refused = [r.detail.get("refusal") for r in rows if r.outcome != "success"]
    assert len(refused) == sum(t.conflicts for t in tallies.values())
    assert set(refused) <= {"ConcurrencyConflict", "OpenCaseRace"}, refused
    _audit_verifies(desk)


def test_a_stale_etag_loses_on_either_host(desk: Desk) -> None:
    nysid = "91000003T"
    book(desk, desk.a, nysid)
    made = issued_through(desk.a, desk, nysid, "STALE")
    path = f"/instruments/{made['id']}"
    acknowledged = httpx.post(
        desk.a.api(path + "/acknowledgement"),
        headers=desk.auth("doc-officer") | {"If-Match": '"1"'},
        json={},
    )
    assert acknowledged.status_code == 200 and acknowledged.headers["etag"] == '"2"'
    # Withdrawing an acknowledged request is allowed: only the version read refuses it.
    stale = httpx.post(
        desk.b.api(path + "/withdrawal"),
        headers=desk.auth("ice-officer") | {"If-Match": '"1"'},
        json={"reason": "Read before the acknowledgement."},
    )
    assert stale.status_code == 412, stale.text
    read = httpx.get(desk.b.api(path), headers=desk.auth("ice-officer"))
    assert (read.json()["status"], read.headers["etag"]) == ("acknowledged", '"2"')
    fresh = httpx.post(
        desk.b.api(path + "/withdrawal"),
        headers=desk.auth("ice-officer") | {"If-Match": '"2"'},
        json={"reason": "Read after the acknowledgement."},
    )
    assert fresh.status_code == 200 and fresh.json()["status"] == "withdrawn", fresh.text


Move = tuple[Host, str, str, dict[str, Any]]


def race(desk: Desk, moves: dict[str, Move]) -> dict[str, httpx.Response]:
    """Every move sent at the same moment, each with If-Match "1"; the answers, by move."""
    answers: dict[str, httpx.Response] = {}
    start_line = threading.Barrier(len(moves))

    def send(name: str, host: Host, route: str, user: str, body: dict[str, Any]) -> None:
        headers = desk.auth(user) | {"If-Match": '"1"'}
        with httpx.Client(timeout=30) as client:
            start_line.wait()
            answers[name] = client.post(host.api(route), headers=headers, json=body)

    threads = [threading.Thread(target=send, args=(name, *m)) for name, m in moves.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers.keys() == moves.keys(), answers
    return answers


def test_one_change_wins_a_race_between_the_hosts_and_the_other_is_refused(desk: Desk) -> None:
    """The custodian acknowledges through A while the issuer withdraws through B, both with
    the ETag they read: one lands, the other is refused, and the instrument shows the winner's
    change alone."""
    nysid = "91000004T"
    book(desk, desk.b, nysid)
    winners: Counter[str] = Counter()
    for n in range(RACES):
        made = issued_through(desk.b, desk, nysid, f"RACE{n}")
        path = f"/instruments/{made['id']}"
        moves: dict[str, Move] = {
            "acknowledged": (desk.a, path + "/acknowledgement", "doc-officer", {}),
            "withdrawn": (desk.b, path + "/withdrawal", "ice-officer", {"reason": "Raced."}),
        }
        answers = race(desk, moves)
        codes = {status: answer.status_code for status, answer in answers.items()}
        won = [status for status, code in codes.items() if code == 200]
        assert len(won) == 1, {s: a.text for s, a in answers.items()}
        lost = next(code for status, code in codes.items() if status not in won)
        assert lost in (409, 412), codes
        winners[won[0]] += 1
        read = httpx.get(desk.a.api(path), headers=desk.auth("ice-officer"))
        assert (read.json()["status"], read.headers["etag"]) == (won[0], '"2"')
        events = httpx.get(desk.a.api(path + "/events"), headers=desk.auth("ice-officer"))
        assert [e["to_status"] for e in events.json()] == ["issued", won[0]], events.text
    assert sum(winners.values()) == RACES
    _audit_verifies(desk)


class Connection:
    """One kept-alive connection to ``lexdesk serve --workers N``, and the worker process that
    accepted it (every request on it goes to that process)."""

    def __init__(self, port: int, workers: list[int]) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.http.connect()
        assert self.http.sock is not None
        local = self.http.sock.getsockname()[1]
        self.request("GET", "/api/v1/session")  # accepted once it is answered
        self.worker = _owner(_server_side(port, local), workers)

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str = ""
    ) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http.request(method, path, json.dumps(body) if body else None, headers)
        answer = self.http.getresponse()
        data = answer.read()
        return answer.status, json.loads(data) if data else None


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            after_name = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(after_name[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _server_side(port: int, client_port: int) -> str:
    """The socket inode of the server's end of the connection from ``client_port``."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(f.rsplit(":", 1)[1], 16) for f in fields[1:3])
        if (local, remote) == (port, client_port):
            return fields[9]
    raise AssertionError(f"no server socket for the connection from port {client_port}")


def _owner(inode: str, pids: list[int]) -> int:
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:  # a descriptor closed meanwhile
                continue
    raise AssertionError(f"no worker process holds socket {inode}")


def served_by(port: int, workers: list[int], wanted: Callable[[int], bool]) -> Connection:
    """A new connection that a wanted worker process accepted, used at once (an idle one is
    closed after a few seconds, and its successor may go to the other process)."""
    for _ in range(40):  # the kernel hands each new connection to either process
        connection = Connection(port, workers)
        if wanted(connection.worker):
            return connection
        connection.http.close()
    raise AssertionError(f"40 connections in a row did not reach the wanted one of {workers}")


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc")
def test_a_session_is_good_in_every_worker_of_one_server(desk: Desk, tmp_path: Path) -> None:
    """``lexdesk serve --workers 2`` on the same database: a session opened in one worker
    process is good in the other, and signing out in one ends it in both. Which process
    answers is read from /proc (the process that holds the server's end of the connection)."""
    served = start("workers", desk.env, tmp_path / "workers.log", "--workers", "2")
    try:
        workers = _children(served.process.pid)
        port = int(served.base.rsplit(":", 1)[1])
        first = Connection(port, workers)
        _, ticket = first.request(
            "POST",
            "/api/v1/session",
            {"username": "doc-supervisor", "password": PASSWORD, "acknowledge_notice": True},
        )
        code = pyotp.TOTP(desk.secrets["doc-supervisor"]).now()
        status, opened = first.request(
            "POST", "/api/v1/session/totp", {"ticket": ticket["ticket"], "code": code}
        )
        assert status == 200, opened
        token = opened["token"]
        second = served_by(port, workers, lambda pid: pid != first.worker)
        status, who = second.request("GET", "/api/v1/session", token=token)
        assert (status, who["username"]) == (200, "doc-supervisor"), who
        assert second.request("DELETE", "/api/v1/session", token=token)[0] == 204
        again = served_by(port, workers, lambda pid: pid == first.worker)
        assert again.request("GET", "/api/v1/session", token=token)[0] == 401
    finally:
        stop(served)
    assert "Traceback" not in served.said(), served.said()


def _audit_size(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as db:
        size = int(db.scalar(select(func.max(orm.audit_log.c.seq))) or 0)
    engine.dispose()
    return size


def _audit_since(url: str, seq: int) -> list[Any]:
    engine = create_engine(url)
    table = orm.audit_log
    with engine.connect() as db:
        rows = list(db.execute(select(table).where(table.c.seq > seq).order_by(table.c.seq)))
    engine.dispose()
    return rows


def _audit_verifies(desk: Desk) -> None:
    verified = lexdesk(desk.env, "audit", "verify", "--json")
    assert verified.returncode == 0, verified.stderr
    engine = create_engine(desk.url)
    with engine.connect() as db:
        entries = db.scalar(select(func.count()).select_from(orm.audit_log))
    engine.dispose()
    assert json.loads(verified.stdout)["checked"] == entries
