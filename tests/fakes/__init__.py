"""Fakes for the service ports, used by unit tests and benchmarks (the real adapters are used elsewhere)."""
