"""Accounts managed by an operator: opened with cash, funded and drawn on; each change journaled with who and why."""

from decimal import Decimal
from typing import TYPE_CHECKING

from ordergate.domain import commands as cmds
from ordergate.domain.errors import AccountStateConflict, ValidationFailed
from ordergate.domain.events import AccountClosed, CashAdjusted

if TYPE_CHECKING:
    from ordergate.service.context import EngineContext


class CashDesk:
    """Handle AdjustCash (a deposit, or a withdrawal of no more than the cash not held for working orders) and
    CloseAccount."""

    def __init__(self, ctx: "EngineContext") -> None:
        self._ctx = ctx

    def adjust(self, cmd: cmds.AdjustCash) -> Decimal:
        """Apply the deposit or withdrawal; return the currency's cash after it."""
        ctx = self._ctx
        ctx.check_account(cmd.account)
        if ctx.ledger.accounts[cmd.account].closed:
            raise AccountStateConflict(f"account {cmd.account} is closed")
        if not cmd.amount.is_finite() or cmd.amount == 0:
            raise ValidationFailed("amount", "non_zero", f"must be a non-zero amount, got {cmd.amount}")
        balance = ctx.ledger.accounts[cmd.account].balances.get(cmd.currency)
        available = balance.available if balance is not None else Decimal(0)
        if cmd.amount < 0 and -cmd.amount > available:
            raise ValidationFailed("amount", "available_cash", f"cannot withdraw {-cmd.amount} {cmd.currency}: "
                                   f"{available} is available (cash not held for working orders)")
        ctx.emit(CashAdjusted(ts=ctx.clock.now(), account=cmd.account, caused_by=cmd.requested_by,
                                 currency=cmd.currency, amount=cmd.amount, reason=cmd.reason))
        return ctx.ledger.accounts[cmd.account].balances[cmd.currency].cash

    def close(self, cmd: cmds.CloseAccount) -> None:
        """Close an account with no positions and no working orders (it keeps its cash and its history)."""
        ctx = self._ctx
        ctx.check_account(cmd.account)
        account = ctx.ledger.accounts[cmd.account]
        if account.closed:
            raise AccountStateConflict(f"account {cmd.account} is already closed")
        working = [o.id for o in ctx.ledger.open_orders.values() if o.account == cmd.account]
        if working:
            raise AccountStateConflict(f"account {cmd.account} has {len(working)} working orders: cancel them first")
        held = sorted(p.symbol for p in ctx.ledger.positions_of(cmd.account) if p.qty)
        if held:
            raise AccountStateConflict(f"account {cmd.account} holds positions in {', '.join(held)}: close them first")
        ctx.emit(AccountClosed(ts=ctx.clock.now(), account=cmd.account, caused_by=cmd.requested_by, reason=cmd.reason))
