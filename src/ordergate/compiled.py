"""The hot modules the package build compiles with mypyc, and the switch that runs them as pure Python.

They are the order book (``fixed``, ``book_scale``, ``book_side``, ``book``) and what every print on the
tape goes through (``session_day``, ``trade_stats``, ``bars``).

``setup.py`` compiles ``HOT_MODULES`` when it can (mypyc and a C compiler), else installs them as they are,
with a warning. The same source runs either way: with ``ORDERGATE_PURE_PYTHON=1`` in the environment the
compiled modules are skipped and the ``.py`` files beside them are imported instead (``make test`` runs
the book's tests both ways). A source file edited after the build (newer than its compiled module) is
also imported as source, all hot modules together, with a warning, so stale compiled code never runs;
``make install`` compiles them again. Stdlib only: ``setup.py`` reads this file before the install.
"""

import os
import sys
import warnings
from collections.abc import Sequence
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from importlib.util import spec_from_file_location
from types import ModuleType

HOT_MODULES = (
    "ordergate.domain.fixed",
    "ordergate.domain.book_scale",
    "ordergate.domain.book_side",
    "ordergate.domain.book",
    "ordergate.domain.session_day",
    "ordergate.domain.trade_stats",
    "ordergate.domain.bars",
)
GROUP_LIBRARY = "ordergate_hot__mypyc"  # the compiled code of them all (mypyc's group), beside the package
PURE_ENV = "ORDERGATE_PURE_PYTHON"
_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def pure_python_asked() -> bool:
    """Return whether the environment asks for the hot modules as pure Python."""
    return os.environ.get(PURE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def _files(name: str) -> tuple[str, list[str]]:
    """Return a hot module's source file and the compiled modules beside it."""
    base = os.path.join(os.path.dirname(_PACKAGE), *name.split("."))
    return base + ".py", [base + suffix for suffix in EXTENSION_SUFFIXES if os.path.exists(base + suffix)]


def stale_modules() -> list[str]:
    """Return the hot modules whose source is newer than their compiled module (edited since the build)."""
    if os.path.basename(os.path.dirname(_PACKAGE)) in ("site-packages", "dist-packages"):
        return []  # installed, not edited in place (an unpacked wheel's times say nothing)
    # The build rewrites the modules' shared library each time, their small stubs only when they change.
    _, library = _files(GROUP_LIBRARY)
    stale = []
    for name in HOT_MODULES:
        source, built = _files(name)
        if built and os.path.exists(source) and os.path.getmtime(source) > max(map(os.path.getmtime,
                                                                                    built + library)) + 1:
            stale.append(name)
    return stale


class SourceFinder:
    """Find the hot modules' ``.py`` files, ahead of the compiled modules beside them."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        """Return the spec of the hot module's source file, or None for any other module."""
        if fullname not in HOT_MODULES:
            return None
        source, _ = _files(fullname)
        return spec_from_file_location(fullname, source) if os.path.isfile(source) else None


def use_pure_python_if_asked() -> None:
    """Import the hot modules from source when ORDERGATE_PURE_PYTHON asks for it or the build is stale."""
    if any(isinstance(finder, SourceFinder) for finder in sys.meta_path):
        return
    stale = [] if pure_python_asked() else stale_modules()
    if stale:
        warnings.warn(f"ordergate: {', '.join(stale)} changed since compiled: running the hot modules as pure "
                      "Python until `make install` (or pip install -e .) compiles them again", stacklevel=2)
    if stale or pure_python_asked():
        sys.meta_path.insert(0, SourceFinder())


def compiled_modules() -> dict[str, bool]:
    """Return each hot module's name and whether it runs compiled (importing them)."""
    out = {}
    for name in HOT_MODULES:
        module = __import__(name, fromlist=["_"])
        out[name] = not (module.__file__ or "").endswith(".py")
    return out


def main() -> None:
    """Print whether the hot modules run compiled, with a warning when they do not (``make install``)."""
    modules = compiled_modules()
    if all(modules.values()):
        print(f"ordergate: {len(modules)} hot modules compiled with mypyc")
    elif pure_python_asked():
        print(f"ordergate: hot modules as pure Python ({PURE_ENV} is set)")
    else:
        pure = ", ".join(name for name, compiled in modules.items() if not compiled)
        print(f"WARNING: ordergate: running as pure Python (slower), not compiled: {pure}; "
              "the install's build log says why (pip install -v)", file=sys.stderr)


if __name__ == "__main__":
    main()
