"""Write the OpenAPI document that ``GET /api/v1/openapi.json`` serves to a file (make client)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lexdesk.bootstrap import build
from lexdesk.config import Settings
from lexdesk.entrypoints.app import create_app


def main(target: str) -> None:
    app = create_app(build(Settings(database_url="sqlite:///:memory:")))
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_text(json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
