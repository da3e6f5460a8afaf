"""The Redis service for tests: its URL, and a key prefix of each test's own.

Tests that need Redis use the real service (``ORDERGATE_TEST_REDIS_URL``, default 127.0.0.1:6379). Without
it they skip with the reason, except in CI (``CI`` set), where a missing service is a failure. Each test
uses keys under a prefix of its own, so tests never see each other's keys; the keys are deleted after.
"""

import os
import uuid

import pytest
import redis

REDIS_URL = os.environ.get("ORDERGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_problem() -> str | None:
    """Return why Redis can't be used, or None if it answers."""
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2) as client:
            client.ping()
    except (redis.RedisError, OSError) as e:
        return f"Redis not reachable at {REDIS_URL}: {e}"
    return None


def require_redis() -> str:
    """Return the Redis URL; skip the test without Redis (fail in CI, where .ci/run must have started it)."""
    problem = redis_problem()
    if problem is None:
        return REDIS_URL
    if os.environ.get("CI"):
        pytest.fail(problem)
    pytest.skip(problem)


def new_prefix() -> str:
    """Return a key prefix no other test uses."""
    return f"ogtest:{uuid.uuid4().hex[:12]}:"


def delete_keys(prefix: str) -> None:
    """Delete every key under ``prefix``."""
    with redis.Redis.from_url(REDIS_URL) as client:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
