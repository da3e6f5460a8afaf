"""Venues: the built-in paper exchange and the brokers, each behind the Venue port."""
