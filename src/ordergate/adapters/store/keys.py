"""SqlKeyRepository: API keys in the ``api_keys`` table (hashes only, never a secret)."""

from datetime import datetime

import orjson
from sqlalchemy import Engine, Row, select, update

from ordergate.adapters.store import tables as t
from ordergate.domain.access import Role
from ordergate.service.keys import StoredKey


class SqlKeyRepository:
    """Load, insert and revoke keys; each change is its own committed transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def load_keys(self) -> list[StoredKey]:
        """Return every key, revoked ones too."""
        with self._engine.connect() as conn:
            return [_key(row) for row in conn.execute(select(t.api_keys))]

    def insert_key(self, key: StoredKey) -> None:
        """Store a new key."""
        accounts = None if key.accounts is None else orjson.dumps(list(key.accounts)).decode()
        with self._engine.begin() as conn:
            conn.execute(t.api_keys.insert().values(
                id=key.id, hash=key.hash, name=key.name, role=key.role.value, accounts=accounts,
                created_at=key.created_at, created_by=key.created_by, revoked_at=key.revoked_at,
            ))

    def revoke_key(self, key_id: str, at: datetime) -> None:
        """Mark a key revoked."""
        with self._engine.begin() as conn:
            conn.execute(update(t.api_keys).where(t.api_keys.c.id == key_id).values(revoked_at=at))


def _key(row: Row[tuple[object, ...]]) -> StoredKey:
    m = row._mapping
    accounts = None if m["accounts"] is None else tuple(orjson.loads(m["accounts"]))
    return StoredKey(id=m["id"], hash=m["hash"], name=m["name"], role=Role(m["role"]), accounts=accounts,
                     created_at=m["created_at"], created_by=m["created_by"], revoked_at=m["revoked_at"])
