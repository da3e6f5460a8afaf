"""Fault knobs: what the fake does wrong on purpose, by count ("the next N") or by chance (seeded)."""

import random
import threading
from dataclasses import dataclass, field


@dataclass
class Faults:
    """Set these on a running fake (``fake.faults``) or with ``POST /_fake/faults``; all off by default."""

    seed: int = 0
    # A place that creates the order and then loses its answer: "hang" answers after the client gave up
    # (``hang_seconds``), "error" answers 500.
    lost_place_answers: int = 0
    lost_place_chance: float = 0.0
    lost_place_mode: str = "hang"
    # Requests refused before they do anything: 429 UDAPI10005, 5xx, or a hang then 504.
    http_429: int = 0
    http_5xx: int = 0
    timeouts: int = 0
    http_429_chance: float = 0.0
    http_5xx_chance: float = 0.0
    timeout_chance: float = 0.0
    hang_seconds: float = 3.0
    # The portfolio stream: updates sent twice, updates held back behind the next one, a drop after N sent.
    duplicate_chance: float = 0.0
    reorder_chance: float = 0.0
    drop_stream_after: int | None = None
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def update(self, **knobs: object) -> None:
        """Set knobs by name (unknown names are an error); a new ``seed`` reseeds the chances."""
        for name, value in knobs.items():
            if name.startswith("_") or not hasattr(self, name):
                raise ValueError(f"unknown fault knob {name!r}")
            setattr(self, name, value)
        if "seed" in knobs:
            self._rng.seed(self.seed)

    def chance(self, p: float) -> bool:
        """Return True with probability ``p`` (seeded)."""
        if p <= 0:
            return False
        with self._lock:
            return self._rng.random() < p

    def take(self, counter: str, chance: float = 0.0) -> bool:
        """Consume one of a "next N" counter, or roll its chance; return whether the fault fires now."""
        with self._lock:
            left = getattr(self, counter)
            if left > 0:
                setattr(self, counter, left - 1)
                return True
        return self.chance(chance)

    def request_fault(self) -> str | None:
        """Return the fault for an incoming request, if any: "429", "5xx" or "timeout"."""
        if self.take("http_429", self.http_429_chance):
            return "429"
        if self.take("http_5xx", self.http_5xx_chance):
            return "5xx"
        if self.take("timeouts", self.timeout_chance):
            return "timeout"
        return None

    def lose_place_answer(self) -> bool:
        """Return whether this place loses its answer."""
        return self.take("lost_place_answers", self.lost_place_chance)
