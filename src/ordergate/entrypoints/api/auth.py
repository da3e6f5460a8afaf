"""API-key authentication: keys are stored hashed (SHA-256); the key itself is shown once."""

import hashlib
import secrets


def hash_key(key: str) -> str:
    """Return the stored form of an API key."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """Return a fresh random API key."""
    return "og_" + secrets.token_urlsafe(32)


class ApiKeys:
    """The valid API keys, by hash, with the name of who holds each."""

    def __init__(self, names_by_hash: dict[str, str] | None = None) -> None:
        self._names = dict(names_by_hash or {})

    def add(self, key_hash: str, name: str) -> None:
        """Accept a key (by hash) from now on."""
        self._names[key_hash] = name

    def principal(self, key: str) -> str | None:
        """Return who holds this key, or None if it is not valid."""
        # Looked up by hash: timing can tell nothing about the key itself.
        return self._names.get(hash_key(key))
