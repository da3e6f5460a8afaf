"""The Upstox venue: Indian equities through Upstox's order APIs, portfolio stream and market data feed."""
