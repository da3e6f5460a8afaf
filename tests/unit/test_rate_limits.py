"""Rate limits: per key (429 with Retry-After), and failed authentications per client address."""

from datetime import UTC, datetime

from ordergate.config import ApiConfig
from ordergate.domain.access import Role
from ordergate.entrypoints.api.gate import Admission
from ordergate.entrypoints.api.limits import Buckets
from ordergate.service.keys import KeyStore


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _scope(token: str, address: str = "10.0.0.1") -> dict[str, object]:
    return {"type": "http", "headers": [(b"authorization", f"Bearer {token}".encode())], "client": (address, 5000)}


def test_bucket_when_burst_spent_then_waits_the_refill_time_and_refills_with_time() -> None:
    clock = Clock()
    buckets = Buckets(rate=2, burst=3, clock=clock)
    assert [buckets.take("k") for _ in range(3)] == [0, 0, 0]
    assert buckets.take("k") == 0.5
    clock.now += 0.5
    assert buckets.take("k") == 0 and buckets.take("other") == 0


async def test_admission_when_key_over_its_rate_then_429_with_retry_after() -> None:
    keys = KeyStore()
    _, secret = keys.create("desk", Role.TRADER, None, "test", datetime.now(UTC))
    admission = Admission(ApiConfig(rate_per_key=1, burst_per_key=2))
    answers = [(await admission.admit(_scope(secret), keys))[1] for _ in range(3)]
    assert answers[:2] == [None, None]
    refusal = answers[2]
    assert refusal is not None and refusal.status_code == 429 and refusal.headers["retry-after"] == "1"
    assert b"rate_limited" in refusal.body


async def test_admission_when_not_counted_here_then_the_key_keeps_its_tokens() -> None:
    keys = KeyStore()
    _, secret = keys.create("desk", Role.TRADER, None, "test", datetime.now(UTC))
    admission = Admission(ApiConfig(rate_per_key=1, burst_per_key=1))
    for _ in range(3):  # a standby forwarding commands: the leader counts them
        assert (await admission.admit(_scope(secret), keys, counted=False))[1] is None
    assert (await admission.admit(_scope(secret), keys))[1] is None  # its one token is still there
    assert (await admission.admit(_scope(secret), keys))[1] is not None


async def test_admission_when_address_fails_too_often_then_429_even_for_a_right_key_from_there() -> None:
    keys = KeyStore()
    _, secret = keys.create("desk", Role.VIEWER, None, "test", datetime.now(UTC))
    admission = Admission(ApiConfig(failed_auth_per_minute=3))
    for _ in range(3):
        assert (await admission.admit(_scope("guess-0123456789"), keys)) == (None, None)
    caller, refusal = await admission.admit(_scope(secret), keys)
    assert caller is None and refusal is not None and refusal.status_code == 429
    assert int(refusal.headers["retry-after"]) == 20
    assert (await admission.admit(_scope(secret, "10.0.0.2"), keys))[0] is not None  # another address is not held back
