"""The cyclic garbage collector paused while long-lived objects are made, and those objects frozen after."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic GC while long-lived objects are made, then freeze them out of later collections.

    Two such times: building a fold (millions of objects, no cycles: the collector's full passes over a
    growing heap would cost more than the fold itself), and importing the server (about 240,000 objects:
    modules, classes, pydantic and FastAPI models; the collections during the import took about a fifth of
    its CPU and freed about 1,400 objects). What was made lives as long as the process: frozen before
    collecting again, or the first young collection would scan all of it at once.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
