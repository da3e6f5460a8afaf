"""Settings: flags over environment over .env over defaults, and a clear error for a bad value."""

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from ordergate.config import Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Run each test with no ORDERGATE_* variables, in an empty directory (where .env is read)."""
    import os

    for name in list(os.environ):
        if name.startswith("ORDERGATE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield


def _errors(**flags: object) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        Settings(**flags)  # type: ignore[arg-type]
    return [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in caught.value.errors()]


def test_defaults_when_nothing_set_then_sqlite_in_data_dir_on_8000(tmp_path: Path) -> None:
    settings = Settings()
    assert (settings.port, settings.host, settings.data_dir) == (8000, "127.0.0.1", Path("data"))
    assert settings.resolved_database_url() == f"sqlite:///{(tmp_path / 'data' / 'ordergate.db').resolve()}"
    assert settings.account.balances["USD"] == Decimal("1000000")


def test_dotenv_when_present_then_overrides_defaults(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ORDERGATE_PORT=9100\nORDERGATE_ENGINE__MAX_BATCH=64\n")
    settings = Settings()
    assert (settings.port, settings.engine.max_batch) == (9100, 64)


def test_env_when_set_then_overrides_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("ORDERGATE_PORT=9100\nORDERGATE_LOG_LEVEL=debug\n")
    monkeypatch.setenv("ORDERGATE_PORT", "9200")
    settings = Settings()
    assert (settings.port, settings.log_level) == (9200, "debug")


def test_flags_when_given_then_override_env_and_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("ORDERGATE_PORT=9100\n")
    monkeypatch.setenv("ORDERGATE_PORT", "9200")
    monkeypatch.setenv("ORDERGATE_DATA_DIR", "/srv/env-dir")
    settings = Settings(port=9300, data_dir=Path("/srv/flag-dir"))
    assert (settings.port, settings.data_dir) == (9300, Path("/srv/flag-dir"))


def test_nested_env_when_double_underscore_then_sets_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERGATE_ENGINE__EXPIRY_INTERVAL", "0.5")
    monkeypatch.setenv("ORDERGATE_PAPER__SEED", "42")
    settings = Settings()
    assert (settings.engine.expiry_interval, settings.paper.seed) == (0.5, 42)
    assert settings.engine.stuck_after == 10.0  # the rest of the section keeps its defaults


def test_database_url_when_set_then_used_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERGATE_DATABASE_URL", "postgresql://me@127.0.0.1:5432/og")
    assert Settings().resolved_database_url() == "postgresql://me@127.0.0.1:5432/og"


@pytest.mark.parametrize(("env", "value", "field"), [
    ("ORDERGATE_PORT", "70000", "port"),
    ("ORDERGATE_PORT", "eighty", "port"),
    ("ORDERGATE_LOG_LEVEL", "loud", "log_level"),
    ("ORDERGATE_ENGINE__MAX_BATCH", "0", "engine.max_batch"),
    ("ORDERGATE_ENGINE__EXPIRY_INTERVAL", "-1", "engine.expiry_interval"),
    ("ORDERGATE_ACCOUNT__ID", "has spaces", "account.id"),
    ("ORDERGATE_ADMIN_KEY", "short", "admin_key"),
    ("ORDERGATE_VENUE", "nasdaq", "venue"),
    ("ORDERGATE_REDIS_URL", "http://127.0.0.1:6379", "redis_url"),
    ("ORDERGATE_REDIS__KEY_PREFIX", "has spaces", "redis.key_prefix"),
    ("ORDERGATE_REDIS__STREAM_MAXLEN", "10", "redis.stream_maxlen"),
])
def test_env_when_value_bad_then_error_names_the_setting(monkeypatch: pytest.MonkeyPatch, env: str, value: str,
                                                         field: str) -> None:
    monkeypatch.setenv(env, value)
    assert field in [loc for loc, _ in _errors()]


def test_redis_url_when_unset_then_nothing_shared_and_when_set_then_used(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().redis_url is None
    monkeypatch.setenv("ORDERGATE_REDIS_URL", "redis://127.0.0.1:6379/0")
    assert Settings().redis_url == "redis://127.0.0.1:6379/0"


def test_nested_env_when_unknown_key_then_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERGATE_ENGINE__MAX_BACH", "5")
    assert any(loc.startswith("engine") for loc, _ in _errors())


def test_flag_when_bad_then_error_names_flag_and_rule() -> None:
    [(field, message)] = _errors(port=-1)
    assert field == "port"
    assert "greater than or equal to 0" in message


def test_admin_key_when_set_then_hidden_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERGATE_ADMIN_KEY", "s3cret-admin-key-value")
    settings = Settings()
    assert settings.admin_key is not None
    assert settings.admin_key.get_secret_value() == "s3cret-admin-key-value"
    assert "s3cret" not in repr(settings)


def test_settings_when_built_then_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.port = 1  # type: ignore[misc]
