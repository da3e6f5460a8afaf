"""The data directory is its owner's only (0700); the database and key files are 0600; the settings' admin key
replaces the generated one."""

import stat
from pathlib import Path

from ordergate.bootstrap import start, stop
from ordergate.config import Settings

KEY = "settings-admin-key-0123456789"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _settings(data_dir: Path, admin_key: str | None = None) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, admin_key=admin_key)  # the default SQLite file


async def test_first_start_then_data_dir_0700_and_database_and_key_files_0600(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    container = await start(_settings(data_dir))
    await stop(container)
    assert _mode(data_dir) == 0o700
    files = [p for p in data_dir.iterdir() if p.name.startswith(("ordergate.db", "admin.key"))]
    assert {p.name for p in files} >= {"ordergate.db", "admin.key"}
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}


async def test_start_when_database_file_was_world_readable_then_made_0600(tmp_path: Path) -> None:
    (tmp_path / "ordergate.db").touch(mode=0o644)
    (tmp_path / "ordergate.db").chmod(0o644)
    await stop(await start(_settings(tmp_path, KEY)))
    assert _mode(tmp_path / "ordergate.db") == 0o600


async def test_admin_key_setting_when_a_key_was_generated_before_then_the_generated_key_stops_working(
    tmp_path: Path,
) -> None:
    first = await start(_settings(tmp_path))
    generated = first.generated_admin_key
    await stop(first)
    assert generated is not None

    again = await start(_settings(tmp_path, KEY))
    try:
        assert again.keys.caller(generated) is None
        assert again.keys.caller(KEY) is not None
        assert not (tmp_path / "admin.key").exists()
        assert [k.revoked_at is not None for k in again.keys.keys(include_revoked=True)] == [True]
    finally:
        await stop(again)
