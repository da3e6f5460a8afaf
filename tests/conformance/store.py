"""SQLite stores for kit runs: migrated once per process, then copied (a migration per example is too slow)."""

import atexit
import shutil
import tempfile
from pathlib import Path

from ordergate.adapters.store.migrate import upgrade_to_head

_template: Path | None = None


def fresh_store(directory: Path) -> str:
    """Return the URL of a new SQLite database at the newest migration, in ``directory``."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="ordergate-kit-"))
        atexit.register(shutil.rmtree, folder, True)
        upgrade_to_head(f"sqlite:///{folder / 'template.db'}")
        _template = folder / "template.db"
    target = directory / "kit.db"
    shutil.copyfile(_template, target)
    return f"sqlite:///{target}"
