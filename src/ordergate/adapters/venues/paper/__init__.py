"""The built-in paper exchange: a seeded simulated market and a price-time matching engine."""
