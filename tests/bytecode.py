"""The package's bytecode, written once per test session for every process the suite starts.

Where ``PYTHONDONTWRITEBYTECODE`` is set (this machine's environment does), Python never writes the
``.pyc`` files of the editable install's sources: every server, CLI call and pytest worker compiled the
package's ~260 modules again, about 0.2 CPU-s of each server start. ``compileall`` writes them whatever
that variable says, and only those older than their source; a source edited later is compiled in memory
by each process (Python checks a ``.pyc`` against its source's mtime and size) until the next session.
"""

import compileall
from pathlib import Path

import ordergate

PACKAGE = Path(ordergate.__file__).resolve().parent


def compile_package() -> None:
    """Write the ``__pycache__`` files of every module of the package whose bytecode is missing or stale."""
    compileall.compile_dir(PACKAGE, quiet=1)
