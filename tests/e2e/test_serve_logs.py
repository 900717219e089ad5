"""What ``lexdesk serve`` writes to its logs holds no personal data (security.md row 16): a
name typed into a search box travels in the query string, and the access log drops it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.databases import sqlite_url
from tests.e2e.test_worker_cli import first_answer, free_port, lexdesk

MARKER = "ZELLWEGERQ"  # a synthetic surname


def test_the_access_log_keeps_paths_not_queries(tmp_path: Path) -> None:
    env = {**os.environ, "LEXDESK_DATABASE_URL": sqlite_url(tmp_path)}
    assert lexdesk(env, "init").returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lexdesk", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        first_answer(f"{base}/api/v1/health")
        asked = httpx.get(f"{base}/login", params={"q": MARKER, "nysid": "90000001Q"})
        assert asked.status_code == 200
    finally:
        server.terminate()
        logged, _ = server.communicate(timeout=30)
    assert '"GET /login?… HTTP/1.1" 200' in logged, logged
    assert MARKER not in logged and "90000001Q" not in logged
