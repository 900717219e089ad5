"""The audit alarm that alerts the operators: one CRITICAL record on the ``lexdesk.alerts``
logger the moment an audit write fails (CJIS AU-5), and the last failure kept in this process's
memory for ``GET /api/v1/health``.

Route ``lexdesk.alerts`` to whoever must act (a pager, a SIEM, syslog): the record is emitted in
the same request that failed. It carries the time and the reason the audit service gives, which
names the kind of error and the action only, never personal data or secrets.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from lexdesk.services.ports import AlarmState

ALERTS = "lexdesk.alerts"
logger = logging.getLogger(ALERTS)


class LoggingAlarm:
    def __init__(self, log: logging.Logger = logger) -> None:
        self._log = log
        self._lock = threading.Lock()
        self._last: AlarmState | None = None

    def raise_alarm(self, reason: str, at: datetime) -> None:
        with self._lock:
            self._last = AlarmState(at=at, reason=reason)
        self._log.critical(
            "AUDIT PIPELINE FAILURE at %s: %s; the request was refused (fail closed)",
            at.isoformat(),
            reason,
            extra={"alert": "audit_pipeline_failure", "failed_at": at.isoformat()},
        )

    def state(self) -> AlarmState | None:
        with self._lock:
            return self._last
