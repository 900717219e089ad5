"""What reaches a log: no personal data, no secret (security.md row 16; ASVS 16.2.5).

SQLAlchemy's engines hide bound parameters from their errors (``adapters.database``), so a
failed statement logs no name or record. What is left is the access log: uvicorn writes each
request line whole, and a query string can carry what a person typed into a search box (a
name, an identifier) or a link's one-time value. The access log keeps the path and drops the
query, saying only that there was one.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG


class DropQueries(logging.Filter):
    """uvicorn's access records carry ``(client, method, path with query, version, status)``."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path, asked, _ = args[2].partition("?")
            record.args = (args[0], args[1], path + ("?…" if asked else ""), args[3], args[4])
        return True


def uvicorn_logging() -> dict[str, Any]:
    """uvicorn's own logging configuration, with the access log's queries dropped."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["drop_queries"] = {"()": f"{__name__}.DropQueries"}
    config["handlers"]["access"]["filters"] = ["drop_queries"]
    return config
