"""The access token: where it comes from, when it dies (03:30 IST), and picking up a new one without a restart.

A token from the settings is used until 03:30 IST after the process took it. The token file (written by
``ordergate venue login upstox``) is read again whenever it changes, so a fresh login resumes trading.
"""

import os
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
EXPIRY = time(3, 30)
EXPIRED_REASON = "venue_unavailable: upstox token expired; run ordergate venue login upstox"
MISSING_REASON = "venue_unavailable: upstox has no access token; run ordergate venue login upstox"


def next_expiry(moment: datetime) -> datetime:
    """Return the first 03:30 IST after ``moment`` (when a token taken then dies at the latest)."""
    local = moment.astimezone(IST)
    cut = datetime.combine(local.date(), EXPIRY, tzinfo=IST)
    return cut if local < cut else cut + timedelta(days=1)


def write_token(path: Path, token: str) -> None:
    """Store a token readable by its owner only (0600), replacing any older one at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    os.replace(tmp, path)


class TokenKeeper:
    """Hold the current token and say whether it can still be used."""

    def __init__(self, configured: str | None, path: Path, now: Callable[[], datetime]) -> None:
        self._now = now
        self._path = path
        self._token = configured
        self._file_stamp: tuple[int, int] | None = None
        self._expires = next_expiry(now())
        self._refused = False  # Upstox said 401 on a read: the token is dead whatever the clock says
        self.refresh()

    def __repr__(self) -> str:
        return "TokenKeeper(token=***)"

    def refresh(self) -> bool:
        """Read the token file again if it changed; return whether a new token was taken."""
        try:
            stat = self._path.stat()
        except OSError:
            return False
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._file_stamp:
            return False
        self._file_stamp = stamp
        token = self._path.read_text().strip()
        if not token or token == self._token:
            return False
        self._token, self._refused = token, False
        self._expires = next_expiry(self._now())
        return True

    def refused(self) -> None:
        """Record that Upstox refused the token (401 UDAPI100050 on a read call)."""
        self._refused = True

    def unavailable_reason(self) -> str | None:
        """Return why orders cannot go to Upstox now (no token, expired), or None when they can."""
        if self._token is None:
            return MISSING_REASON
        if self._refused or self._now() >= self._expires:
            return EXPIRED_REASON
        return None

    def header(self) -> str:
        """Return the Authorization header value (the only place the token is read out)."""
        if self._token is None:
            raise PermissionError(MISSING_REASON)
        return f"Bearer {self._token}"
