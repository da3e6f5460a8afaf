"""The API keys: made, listed, revoked and rotated; held in memory by hash, stored through a repository.

A key's secret is shown once, when it is made; only its SHA-256 hash is stored. Looking a key up is one
dict access, cheap enough for every request.
"""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from ordergate.domain.access import Caller, Role
from ordergate.domain.errors import DomainError, ValidationFailed

KEY_PREFIX = "og_"
ENV_ADMIN_ID = "admin"  # the id of the key given by the ORDERGATE_ADMIN_KEY setting
GENERATED_BY = "bootstrap"  # created_by of the admin key made at first start


def hash_key(key: str) -> str:
    """Return the stored form of an API key."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_secret() -> str:
    """Return a fresh random API key."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def new_key_id() -> str:
    """Return a fresh public key id (safe to show and to log)."""
    return "k_" + secrets.token_hex(6)


class UnknownKey(DomainError):
    """No live key has this id."""

    code = "unknown_key"


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A key as stored: never its secret, only the secret's hash."""

    id: str
    hash: str
    name: str
    role: Role
    accounts: tuple[str, ...] | None
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None

    def caller(self) -> Caller:
        """Return the caller this key authenticates."""
        return Caller(self.id, self.name, self.role, None if self.accounts is None else frozenset(self.accounts))


class KeyRepository(Protocol):
    """Where keys are kept (the database)."""

    def load_keys(self) -> list[StoredKey]:
        """Return every key, revoked ones too."""
        ...

    def insert_key(self, key: StoredKey) -> None:
        """Store a new key."""
        ...

    def revoke_key(self, key_id: str, at: datetime) -> None:
        """Mark a key revoked."""
        ...


class KeyStore:
    """The live keys by hash; changes go to the repository first, then take effect here."""

    def __init__(self, repository: KeyRepository | None = None) -> None:
        self._repository = repository
        self._by_hash: dict[str, Caller] = {}
        self._keys: dict[str, StoredKey] = {}
        for key in repository.load_keys() if repository is not None else ():
            self._remember(key)

    def _remember(self, key: StoredKey) -> None:
        self._keys[key.id] = key
        if key.revoked_at is None:
            self._by_hash[key.hash] = key.caller()
        else:
            self._by_hash.pop(key.hash, None)

    def reload(self) -> None:
        """Take the stored keys again (a standby: the leader creates, rotates and revokes them)."""
        if self._repository is None:
            return
        for key in self._repository.load_keys():
            self._remember(key)

    def caller(self, secret: str) -> Caller | None:
        """Return who holds this key, or None if it is not a live key."""
        # Looked up by hash: timing can tell nothing about the key itself.
        return self._by_hash.get(hash_key(secret))

    def accept(self, secret: str, caller: Caller) -> None:
        """Accept a key that is not stored (the one the settings give) for this process's life."""
        self._by_hash[hash_key(secret)] = caller

    def keys(self, include_revoked: bool = False) -> list[StoredKey]:
        """Return the stored keys, oldest first."""
        keys = sorted(self._keys.values(), key=lambda k: (k.created_at, k.id))
        return keys if include_revoked else [k for k in keys if k.revoked_at is None]

    def count(self) -> int:
        """Return how many stored keys are live."""
        return len(self.keys())

    def create(self, name: str, role: Role, accounts: Iterable[str] | None, by: str, now: datetime) -> tuple[
            StoredKey, str]:
        """Make and store a key; return it and its secret (the only time the secret exists outside the caller)."""
        if not name or len(name) > 200:
            raise ValidationFailed("name", "length", "must be 1 to 200 characters")
        scope = None if accounts is None else tuple(sorted(set(accounts)))
        if scope is not None and not scope:
            raise ValidationFailed("accounts", "not_empty", "list at least one account, or null for all")
        secret = new_secret()
        key = StoredKey(new_key_id(), hash_key(secret), name, role, scope, now, by)
        if self._repository is not None:
            self._repository.insert_key(key)
        self._remember(key)
        return key, secret

    def revoke(self, key_id: str, now: datetime) -> StoredKey:
        """Revoke a live key: it stops working at once."""
        key = self._keys.get(key_id)
        if key is None or key.revoked_at is not None:
            raise UnknownKey(f"no live key with id {key_id[:64]!r}")
        if self._repository is not None:
            self._repository.revoke_key(key_id, now)
        revoked = replace(key, revoked_at=now)
        self._remember(revoked)
        return revoked

    def rotate(self, key_id: str, by: str, now: datetime) -> tuple[StoredKey, str]:
        """Replace a live key by a new one with the same name, role and scope; the old one stops working."""
        old = self._keys.get(key_id)
        if old is None or old.revoked_at is not None:
            raise UnknownKey(f"no live key with id {key_id[:64]!r}")
        key, secret = self.create(old.name, old.role, old.accounts, by, now)
        self.revoke(key_id, now)
        return key, secret

    def revoke_generated(self, now: datetime) -> list[str]:
        """Revoke the admin keys made at first start (the settings now give the admin key); return their ids."""
        ids = [k.id for k in self.keys() if k.created_by == GENERATED_BY]
        for key_id in ids:
            self.revoke(key_id, now)
        return ids
