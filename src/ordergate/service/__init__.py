"""Orchestration: the engine, its ports and background work. No HTTP and no SQL here."""
