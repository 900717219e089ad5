"""Domain errors. Each message says what was wrong, with which value, and what to do."""

from __future__ import annotations


class LexdeskError(Exception):
    """Base of every error lexdesk reports to a user rather than crashing on."""


class InvalidInput(LexdeskError):
    """A value given by a user is not acceptable (unknown kind, a past date where a future one
    is needed, a malformed offense code, ...)."""


class NotFound(LexdeskError):
    """An object named by a user does not exist, or is not visible to them."""

    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"no {what} {key!r}: check the identifier (list them to see what exists)")
        self.what = what
        self.key = key


class IllegalTransition(LexdeskError):
    """A status change that the transition table does not allow."""

    def __init__(self, instrument_id: str, kind: str, status: str, transition: str) -> None:
        super().__init__(
            f"instrument {instrument_id} ({kind}) is {status}: "
            f"'{transition}' is not allowed from {status}"
        )
        self.instrument_id = instrument_id
        self.status = status
        self.transition = transition


class EscalationRefused(LexdeskError):
    """An escalation that the ladder does not allow."""


class NotPermitted(LexdeskError):
    """The acting user's agency or role may not do this."""


class ConcurrencyConflict(LexdeskError):
    """Someone else changed the object since it was read; reload and try again."""

    def __init__(self, what: str, key: str, expected_version: int) -> None:
        super().__init__(
            f"{what} {key} was changed by someone else (expected version {expected_version}): "
            "reload it and try again"
        )
        self.what = what
        self.key = key
        self.expected_version = expected_version


class OpenCaseRace(ConcurrencyConflict):
    """Two requests about one person opened a case at the same instant: the later one joins
    the earlier one's case when it is tried again."""

    def __init__(self) -> None:
        super().__init__("case", "(opened by another request at the same time)", 0)


class NotAuthenticated(LexdeskError):
    """A sign-in, session or token that does not prove who is asking."""


class AccountLocked(NotAuthenticated):
    """Too many failed sign-ins: only an administrator can release the account (CJIS AC-7)."""


class ConfirmationNeeded(NotPermitted):
    """Signed in, but a privileged action or credential change needs a recent confirmation
    of who they are (password and a fresh TOTP code): CJIS IA-11, ASVS 7.5.1."""


class StillAnswering(LexdeskError):
    """A request with the same Idempotency-Key is being answered right now."""


class Throttled(NotAuthenticated):
    """Too many failed sign-ins from one client address: it must wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
