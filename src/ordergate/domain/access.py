"""Who may do what: a key's role grants permissions; its scope lists the accounts it may touch (or all)."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ordergate.domain.errors import DomainError


class Role(StrEnum):
    """What a key is for."""

    VIEWER = "viewer"  # read
    TRADER = "trader"  # read and trade
    RISK = "risk"  # read, limits, trading states, kill switch
    ADMIN = "admin"  # everything, including keys and accounts


class Permission(StrEnum):
    """What a route needs of the caller's role."""

    READ = "read"
    TRADE = "trade"
    RISK = "risk"
    ADMIN = "admin"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.TRADER: frozenset({Permission.READ, Permission.TRADE}),
    Role.RISK: frozenset({Permission.READ, Permission.RISK}),
    Role.ADMIN: frozenset(Permission),
}


class Forbidden(DomainError):
    """The caller's key may not do this: its role lacks the permission, or the account is outside its scope."""

    code = "forbidden"


@dataclass(frozen=True, slots=True)
class Caller:
    """The holder of a valid key: its id (recorded as who asked), name, role and accounts (None: every account)."""

    key_id: str
    name: str
    role: Role
    accounts: frozenset[str] | None = None

    def require(self, permission: Permission) -> None:
        """Raise Forbidden naming the role unless it grants the permission."""
        if permission not in GRANTS[self.role]:
            raise Forbidden(f"role {self.role.value!r} may not {permission.value}: needs a key with a role "
                            f"that grants it ({', '.join(r.value for r in Role if permission in GRANTS[r])})")

    def sees(self, account: str) -> bool:
        """Return whether the account is in this key's scope."""
        return self.accounts is None or account in self.accounts

    def require_account(self, account: str) -> None:
        """Raise Forbidden naming the account unless it is in this key's scope."""
        if not self.sees(account):
            raise Forbidden(f"account {account[:64]!r} is outside this key's scope")

    def require_all_accounts(self, what: str) -> None:
        """Raise Forbidden unless the key covers every account (firm-wide actions and views)."""
        if self.accounts is not None:
            raise Forbidden(f"{what} needs a key scoped to all accounts; this key has "
                            f"{', '.join(sorted(self.accounts))}")

    def visible(self, accounts: Iterable[str]) -> list[str]:
        """Return the accounts of those given that this key may see."""
        return [a for a in accounts if self.sees(a)]

    @property
    def requested_by(self) -> str:
        """Return how commands and events record this caller: the key's id (``keys list`` names its holder)."""
        return self.key_id
