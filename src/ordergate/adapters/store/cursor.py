"""Opaque page cursors: a journal sequence number, wrapped so clients don't build their own."""

import base64
import binascii

from ordergate.domain.errors import ValidationFailed

_PREFIX = "og1:"
MAX_CURSOR_LENGTH = 200


class InvalidCursor(ValidationFailed, ValueError):
    """A page cursor that this server did not hand out."""

    def __init__(self, detail: str) -> None:
        super().__init__("cursor", "valid_cursor", f"not a page cursor from this API ({detail}); "
                         "pass back the next_cursor of the previous page")


def encode_cursor(seq: int) -> str:
    """Return the cursor that continues after ``seq``."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """Return the sequence number inside a cursor, or raise InvalidCursor naming what is wrong."""
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("empty or too long")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError) as e:
        raise InvalidCursor("not base64") from e
    if not text.startswith(_PREFIX) or not text[len(_PREFIX):].isdigit():
        raise InvalidCursor("unknown format")
    seq = int(text[len(_PREFIX):])
    if seq <= 0 or seq >= 2**63:
        raise InvalidCursor("out of range")
    return seq
