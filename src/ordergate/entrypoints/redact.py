"""Keep secrets out of log lines: keys, bearer tokens and passwords, wherever they turn up in the text."""

import logging
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

_SECRET_PARAM = re.compile(r"(?i)([?&;][^=&\s\"'?]*(?:key|token|pass|secret|auth)[^=&\s\"'?]*=)[^&\s\"']*")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[^\s\"',]+")
_OG_KEY = re.compile(r"og_[A-Za-z0-9_-]{16,}")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")
# a secret as a JSON or Python field: {"auth": "..."} in a WebSocket frame logged at debug level
_SECRET_FIELD = re.compile(r"""(?i)(["']?[\w-]*(?:key|token|secret|auth|pass)[\w-]*["']?\s*[:=]\s*\\?["'])[^"'\\]*""")
_QUERY = re.compile(r"(\?)[^\s\"']+")


def redact(text: str) -> str:
    """Return the text with every key, bearer token and password replaced by ``***``."""
    text = _SECRET_PARAM.sub(r"\1***", text)
    text = _SECRET_FIELD.sub(r"\1***", text)
    text = _BEARER.sub(r"\1***", text)
    text = _URL_PASSWORD.sub(r"\1***@", text)
    return _OG_KEY.sub("og_***", text)


def redact_query(text: str) -> str:
    """Return the text with every URL query string replaced: what a request carried is not the log's business."""
    return _QUERY.sub(r"\1<redacted>", redact(text))


class RedactingFilter(logging.Filter):
    """A handler filter that redacts each record's final message; query strings go whole for the server's own."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message in place and let it through."""
        message = record.getMessage()
        clean = redact_query(message) if record.name.startswith("uvicorn") else redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def redact_event(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> Mapping[str, Any]:
    """A structlog processor: redact every string value of the event."""
    return {k: redact(v) if isinstance(v, str) else v for k, v in event.items()}
