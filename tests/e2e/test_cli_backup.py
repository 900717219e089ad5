"""``lexdesk backup`` and ``lexdesk restore`` as an operator runs them, on the demo: the drill
(back up, restore into a fresh database, ``audit verify``), and one line with exit 2 for every
file or database a restore must refuse."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.databases import sqlite_url
from tests.e2e.test_worker_cli import lexdesk


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    folder = tmp_path_factory.mktemp("backup")
    env = {
        **os.environ,
        "LEXDESK_DATABASE_URL": sqlite_url(folder, "demo.sqlite3"),
        "LEXDESK_BLOB_DIR": str(folder / "blobs"),
    }
    for step in (("init",), ("demo",)):
        done = lexdesk(env, *step)
        assert done.returncode == 0, done.stderr
    made = lexdesk(env, "backup", str(folder / "demo.lxb"), "--json")
    assert made.returncode == 0, made.stderr
    return env, folder / "demo.lxb"


def elsewhere(env: dict[str, str], folder: Path) -> dict[str, str]:
    return {**env, "LEXDESK_DATABASE_URL": sqlite_url(folder, "restored.sqlite3")}


def refused(done: object) -> str:
    assert getattr(done, "returncode", None) == 2, done
    lines = str(getattr(done, "stderr", "")).strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in lines[0], lines
    return lines[0]


@pytest.mark.slow(seconds=150)
def test_the_drill_restores_the_demo_and_its_chain_verifies(
    demo: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, file = demo
    assert oct(file.stat().st_mode & 0o777) == "0o600"
    target = elsewhere(env, tmp_path)
    done = lexdesk(target, "restore", str(file), "--json")
    assert done.returncode == 0, done.stderr
    restored = json.loads(done.stdout)
    assert restored["rows"] > 300 and restored["audit_entries_verified"] > 50
    verified = lexdesk(target, "audit", "verify", "--json")
    assert verified.returncode == 0 and json.loads(verified.stdout)["ok"]
    # The restored demo answers as the demo does.
    cases = [
        lexdesk(e, "cases", "list", "--as", "ice-nyc-officer", "--json") for e in (env, target)
    ]
    assert cases[0].returncode == 0 and cases[0].stdout == cases[1].stdout
    again = refused(lexdesk(target, "restore", str(file)))
    assert "is not empty" in again


def test_a_backup_never_overwrites_a_file(demo: tuple[dict[str, str], Path]) -> None:
    env, file = demo
    before = file.read_bytes()
    assert "exists" in refused(lexdesk(env, "backup", str(file)))
    assert file.read_bytes() == before


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda data: data[: len(data) // 2], "truncated"),
        (lambda data: data[:-1], "truncated"),
        (lambda data: data[:400] + bytes([data[400] ^ 1]) + data[401:], "tampered"),
        (lambda data: data + b"more", "tampered"),
        (lambda data: b"not a backup at all", "not a lexdesk backup"),
    ],
)
def test_a_damaged_backup_is_refused_with_one_line_and_nothing_restored(
    demo: tuple[dict[str, str], Path], tmp_path: Path, damage: object, said: str
) -> None:
    env, file = demo
    broken = tmp_path / "broken.lxb"
    broken.write_bytes(damage(file.read_bytes()))  # type: ignore[operator]
    target = elsewhere(env, tmp_path)
    line = refused(lexdesk(target, "restore", str(broken)))
    assert said in line and "nothing was restored" in line
    # The schema may be there; a row is not.
    assert rows_in(tmp_path / "restored.sqlite3") == 0


def rows_in(database: Path) -> int:
    """The rows of a SQLite file's tables but its schema's version (none if the file was never
    made)."""
    if not database.exists():
        return 0
    with closing(sqlite3.connect(database)) as db:
        tables = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        tables = [n for n in tables if n not in ("alembic_version", "sqlite_sequence")]
        return sum(db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in tables)  # noqa: S608 (names from the file's own catalog)


def test_a_missing_file_is_one_line(demo: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, _ = demo
    assert "does not exist" in refused(lexdesk(elsewhere(env, tmp_path), "restore", "nope.lxb"))
