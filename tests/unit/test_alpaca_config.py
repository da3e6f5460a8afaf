"""Alpaca settings: paper and the iex feed by default, live only when asked, both keys or none, keys hidden."""

import pytest
from pydantic import SecretStr, ValidationError

from ordergate.adapters.venues.alpaca.config import LIVE_URL, PAPER_URL, AlpacaConfig
from ordergate.config import Settings


def test_defaults_then_paper_account_iex_feed_and_off_without_keys() -> None:
    config = AlpacaConfig()
    assert (config.enabled, config.live, config.data_feed) == (False, False, "iex")
    assert config.trading_url() == PAPER_URL
    assert config.trade_stream_url() == "wss://paper-api.alpaca.markets/stream"
    assert config.market_stream_url() == "wss://stream.data.alpaca.markets/v2/iex"


def test_live_when_set_explicitly_then_the_live_urls() -> None:
    config = AlpacaConfig(key_id=SecretStr("K"), secret_key=SecretStr("S"), live=True)
    assert (config.enabled, config.trading_url()) == (True, LIVE_URL)
    assert config.trade_stream_url() == "wss://api.alpaca.markets/stream"


def test_one_key_without_the_other_then_refused_naming_both() -> None:
    with pytest.raises(ValidationError, match="key_id and secret_key must be set together"):
        AlpacaConfig(key_id=SecretStr("K"))


def test_keys_from_the_environment_then_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERGATE_VENUES__ALPACA__KEY_ID", "PKTESTKEY")
    monkeypatch.setenv("ORDERGATE_VENUES__ALPACA__SECRET_KEY", "very-secret")
    config = Settings().venues.alpaca
    assert config.headers() == {"APCA-API-KEY-ID": "PKTESTKEY", "APCA-API-SECRET-KEY": "very-secret"}
    shown = repr(config) + str(config.model_dump()) + config.model_dump_json()
    assert "very-secret" not in shown and "PKTESTKEY" not in shown
