"""``lexdesk data-keys``: a new key, what each key seals, and a rotation done at the command
line: the demo's seeds sealed with the passphrase's key move to a new LEXDESK_DATA_KEY."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from tests.databases import sqlite_url
from tests.e2e.test_worker_cli import lexdesk


@pytest.mark.slow(seconds=120)
def test_a_rotation_at_the_command_line(tmp_path: Path) -> None:
    # Its own files: another test's, sealed with another key, would not open under this ring.
    env = {
        **os.environ,
        "LEXDESK_DATABASE_URL": sqlite_url(tmp_path),
        "LEXDESK_BLOB_DIR": str(tmp_path / "blobs"),
    }
    for step in (("init",), ("demo",)):
        assert lexdesk(env, *step).returncode == 0
    made = lexdesk(env, "data-keys", "new")
    key = made.stdout.strip()
    assert made.returncode == 0 and len(base64.b64decode(key)) == 32
    as_json = json.loads(lexdesk(env, "data-keys", "new", "--json").stdout)
    assert len(base64.b64decode(as_json["key"])) == 32 and as_json["key"] != key
    before = json.loads(lexdesk(env, "data-keys", "status", "--json").stdout)
    (sealed_by,) = before["sealed"]  # every demo seed, under the passphrase's key
    assert sealed_by == before["current"] and before["sealed"][sealed_by] > 10
    rotated = {**env, "LEXDESK_DATA_KEY": key}  # the passphrase's key still opens
    done = json.loads(lexdesk(rotated, "data-keys", "rewrap", "--json").stdout)
    assert done["rewrapped"] == before["sealed"][sealed_by]
    after = json.loads(lexdesk(rotated, "data-keys", "status", "--json").stdout)
    assert list(after["sealed"]) == [after["current"]] != [sealed_by]
    again = json.loads(lexdesk(rotated, "data-keys", "rewrap", "--json").stdout)
    assert again == {"rewrapped": 0, "files": 0}
    bad = lexdesk({**env, "LEXDESK_DATA_KEY": "c2hvcnQ="}, "data-keys", "status")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "32 random bytes" in bad.stderr
