"""Comparing a venue's cash with ours, currency by currency, for reconciliation.

A venue holds the money of one broker account; ordergate's accounts whose cash sits there are the open ones
that trade only at that venue (opened with that one venue). Their cash, added up per currency, is compared
with the venue's figure: with our cash, or with our cash less reservations for working orders when the
venue's figure already leaves out what its working orders block. A difference beyond the tolerance is a
``cash_mismatch``; nothing is changed (cash derives from fills only).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ordergate.domain.account import Account
from ordergate.domain.ids import VenueId
from ordergate.service.ports import VenueBalance
from ordergate.service.reconcile_report import Discrepancy

ZERO = Decimal(0)


@dataclass(slots=True, frozen=True)
class CashComparison:
    """One currency compared: our figure, the venue's, and the accounts ours adds up."""

    currency: str
    ours: Decimal
    venue: Decimal
    accounts: tuple[str, ...]
    matches: bool

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready view (amounts as strings, exact)."""
        return {"currency": self.currency, "ours": str(self.ours), "venue": str(self.venue),
                "difference": str(self.ours - self.venue), "accounts": list(self.accounts), "matches": self.matches}


def accounts_at(accounts: Iterable[Account], venue: VenueId) -> list[Account]:
    """Return the open accounts whose cash is held at ``venue``: those that trade there and nowhere else."""
    return [a for a in accounts if not a.closed and tuple(a.venues) == (venue,)]


def compare_cash(
    venue: VenueId, theirs: Sequence[VenueBalance], accounts: Sequence[Account], tolerance: Decimal,
) -> tuple[list[CashComparison], list[Discrepancy]]:
    """Compare each currency the venue reports with our accounts' cash there; return the comparisons and the
    mismatches (a difference larger than ``tolerance``)."""
    names = tuple(sorted(a.id for a in accounts))
    compared: list[CashComparison] = []
    found: list[Discrepancy] = []
    for held in sorted(theirs, key=lambda b: b.currency):
        ours = sum((_ours(a, held) for a in accounts), ZERO)
        matches = abs(ours - held.cash) <= tolerance
        compared.append(CashComparison(held.currency, ours, held.cash, names, matches))
        if not matches:
            basis = "cash less reservations" if held.net_of_orders else "cash"
            found.append(Discrepancy("cash_mismatch", venue, detail=(
                f"{held.currency} {basis}: {ours} here (accounts {', '.join(names)}), {held.cash} at the venue; "
                f"differs by {ours - held.cash}, tolerance {tolerance}")))
    return compared, found


def _ours(account: Account, held: VenueBalance) -> Decimal:
    balance = account.balances.get(held.currency)
    if balance is None:
        return ZERO
    return balance.available if held.net_of_orders else balance.cash
