"""Build hook: compile the order book's hot modules with mypyc; without mypyc or a C compiler, leave them pure.

Everything else about the package is in pyproject.toml. The modules compiled are those of
``src/ordergate/compiled.py``; the same source runs uncompiled when this build cannot compile it (a
warning says why) or when ORDERGATE_PURE_PYTHON=1 is set at build time.
"""

import os
import runpy
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
_COMPILED = runpy.run_path(str(HERE / "src" / "ordergate" / "compiled.py"))


def _warn(message: str) -> None:
    print(f"WARNING: ordergate: {message}; the hot modules stay pure Python (slower, same behaviour)",
          file=sys.stderr)


def _ext_modules() -> list[Any]:
    if _COMPILED["pure_python_asked"]():
        return []
    try:
        from mypyc.build import mypycify
    except ImportError as error:
        _warn(f"mypyc is not installed ({error})")
        return []
    paths = [os.path.join("src", *name.split(".")) + ".py" for name in _COMPILED["HOT_MODULES"]]
    try:
        # No project config: its mypy plugins need the runtime dependencies, which a build need not have.
        group = _COMPILED["GROUP_LIBRARY"].removesuffix("__mypyc")
        return list(mypycify(["--config-file=", "--strict", *paths], opt_level="3", group_name=group))
    except (Exception, SystemExit) as error:  # mypyc exits on a type error
        _warn(f"mypyc could not compile them ({error!r})")
        return []


class OptionalBuildExt(build_ext):
    """Build the compiled modules, or remove what was built and warn when the C compiler fails."""

    def run(self) -> None:
        """Build every extension; on any failure, leave none (a half-built set would not import)."""
        try:
            super().run()
            self._touch()
        except Exception as error:
            _warn(f"the C build failed ({error!r})")
            for ext in self.extensions:
                for path in {self.get_ext_fullpath(ext.name), *self.get_outputs()}:
                    if os.path.exists(path):
                        os.remove(path)
            self.extensions = []

    def _touch(self) -> None:
        """Date the compiled modules now, even those the build found up to date: the package runs a hot module
        from source when its ``.py`` is newer than what was compiled (``compiled.py``)."""
        for ext in self.extensions:
            for path in {self.get_ext_fullpath(ext.name), *self._in_place(ext)}:
                if os.path.exists(path):
                    os.utime(path)

    def _in_place(self, ext: Any) -> list[str]:
        inplace = getattr(self, "_get_inplace_equivalent", None)  # setuptools' copy for editable installs
        return [inplace(self.get_finalized_command("build_py"), ext)[0]] if inplace is not None else []


setup(ext_modules=_ext_modules(), cmdclass={"build_ext": OptionalBuildExt})
