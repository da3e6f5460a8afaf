"""The image tests: skipped unless asked for (they build an image); the image is built once per session."""

import os

import pytest

from tests.container import engine
from tests.container.redis_ping import redis_problem

REDIS_URL = os.environ.get("ORDERGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip every test of this folder unless ORDERGATE_TEST_CONTAINER=1, saying how to run them."""
    if engine.enabled():
        return
    skip = pytest.mark.skip(reason=f"builds and runs the Docker image (minutes): set {engine.ENABLE_VARIABLE}=1, "
                                   "or run .ci/container/run, which prepares a Docker engine and a base image first")
    for item in items:
        if "tests/container/" in str(item.path).replace("\\", "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def image() -> str:
    """Build the image once (fail with the reason if no Docker engine or no Redis answers)."""
    problem = engine.engine_problem() or redis_problem(REDIS_URL)
    if problem:
        pytest.fail(f"{problem} (.ci/container/run starts a Docker engine)")
    return engine.build_image()
