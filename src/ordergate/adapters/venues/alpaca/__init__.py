"""Alpaca (US equities): the Trading API v2 over REST, its ``trade_updates`` stream, and its market data."""
