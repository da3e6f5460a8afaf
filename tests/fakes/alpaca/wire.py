"""Alpaca's wire conventions: decimal strings, RFC 3339 timestamps with nanoseconds, UUIDs, error bodies."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.responses import JSONResponse


def now_ts() -> str:
    """Return the current time as Alpaca writes it: RFC 3339, nanoseconds, ``Z``."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond:06d}123Z"


def new_id() -> str:
    """Return a fresh order / asset / execution id (a UUID)."""
    return str(uuid.uuid4())


def dec(value: Decimal | None) -> str | None:
    """Return a decimal as Alpaca's string form (no exponent, no trailing zeros), or None."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


def parse_dec(value: Any) -> Decimal | None:
    """Read a number sent as a string or a JSON number (alpaca-py sends numbers); None if absent or bad."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


class AlpacaError(Exception):
    """An error answer: HTTP status and Alpaca's body (``code`` is None for the bodies that carry none)."""

    def __init__(self, status: int, code: int | None, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        """Return the error as Alpaca answers it."""
        body: dict[str, Any] = {"message": self.message} if self.code is None else {"code": self.code,
                                                                                  "message": self.message}
        body.update(self.extra)
        return JSONResponse(body, status_code=self.status, headers=headers)



def parse_time(text: str) -> datetime:
    """Read an RFC 3339 / ISO time (nanoseconds cut to microseconds; a bare date is midnight UTC)."""
    text = text.strip().replace("Z", "+00:00")
    if "." in text:
        head, tail = text.split(".", 1)
        digits = len(tail) - len(tail.lstrip("0123456789"))
        text = head + "." + tail[:min(digits, 6)].ljust(6, "0") + tail[digits:]
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
