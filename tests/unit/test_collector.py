"""collector_paused: no collections while long-lived objects are made, those objects frozen after."""

import gc
from collections.abc import Iterator

import pytest

from ordergate.collector import collector_paused


@pytest.fixture
def collecting() -> Iterator[None]:
    """Run the test with the collector on, and leave it as it was."""
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_when_inside_then_collector_off_and_back_on_after(collecting: None) -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_paused_when_objects_made_inside_then_they_are_frozen_after(collecting: None) -> None:
    before = gc.get_freeze_count()
    with collector_paused():
        made = [[i] for i in range(1000)]  # lists: tracked by the collector
    assert gc.get_freeze_count() >= before + len(made)


def test_paused_when_the_body_raises_then_collector_back_on(collecting: None) -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("import failed")
    assert gc.isenabled()


def test_paused_when_collector_was_off_then_stays_off(collecting: None) -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
