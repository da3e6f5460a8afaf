"""Secrets never reach a log line: keys, bearer tokens and passwords are redacted wherever they appear."""

import logging

import pytest

from ordergate.adapters.store.database import redact_url
from ordergate.entrypoints.redact import RedactingFilter, redact, redact_query

KEY = "og_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MDEyMzQ1Njc4OTA"


@pytest.mark.parametrize("text", [
    f'127.0.0.1:5000 - "WebSocket /api/v1/stream?key={KEY}" [accepted]',
    f"Authorization: Bearer {KEY}",
    f"the key is {KEY}",
    "postgresql://og:s3cr3t-pw@db:5432/og",
    "postgresql://og@db/og?password=s3cr3t-pw&sslmode=require",
    "/api/v1/stream?account=A&token=s3cr3t-pw",
    """< TEXT '{"auth":"s3cr3t-pw"}' [35 bytes]""",
    """< TEXT '{"auth": "s3cr3t-pw", "x": 1}' [35 bytes]""",
    "settings admin_key='s3cr3t-pw'",
])
def test_redact_when_text_holds_a_secret_then_it_is_gone(text: str) -> None:
    clean = redact(text)
    assert KEY not in clean and "s3cr3t-pw" not in clean and "***" in clean


def test_redact_when_nothing_secret_then_text_unchanged() -> None:
    assert redact("order o_1 filled 5 AAPL @ 101.25 for account=PAPER") == \
        "order o_1 filled 5 AAPL @ 101.25 for account=PAPER"


def test_redact_query_when_server_logs_a_url_then_the_whole_query_goes() -> None:
    assert redact_query('"GET /api/v1/orders/?account=PAPER&x=1 HTTP/1.1" 200') == \
        '"GET /api/v1/orders/?<redacted> HTTP/1.1" 200'


@pytest.mark.parametrize(("url", "expected"), [
    ("postgresql://og:pw@db:5432/og", "postgresql://og:***@db:5432/og"),
    ("postgresql://og@db/og?password=pw&sslmode=require", "postgresql://og@db/og?password=***&sslmode=require"),
    ("sqlite:////var/lib/og/ordergate.db", "sqlite:////var/lib/og/ordergate.db"),
])
def test_redact_url_when_password_in_credentials_or_query_then_masked(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_filter_when_uvicorn_logs_a_websocket_url_with_key_then_the_record_is_clean() -> None:
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]',
                               ("127.0.0.1:5000", f"/api/v1/stream?key={KEY}"), None)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == '127.0.0.1:5000 - "WebSocket /api/v1/stream?<redacted>" [accepted]'
