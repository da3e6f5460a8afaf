"""The kill switch: one command halts an account (or the firm), cancels its working orders and can
flatten its positions with market orders; another resumes trading. Both are journaled with who and why.

It runs inside the engine as one message, so no order can slip in between the halt and the cancels.
"""

from dataclasses import dataclass, field

from ordergate.domain import commands as cmds
from ordergate.domain.enums import TradingState
from ordergate.domain.events import TradingStateChanged
from ordergate.domain.ids import AccountId, OrderId
from ordergate.domain.ledger import FIRM
from ordergate.service.context import EngineContext
from ordergate.service.flatten import KILL, Flattener
from ordergate.service.order_changes import OrderChanges
from ordergate.service.submit import SubmitHandler


@dataclass(slots=True)
class KillSwitchResult:
    """What pulling the switch did: the state set, the orders canceled and the flattening orders sent."""

    account: AccountId | None
    state: TradingState
    canceled: list[OrderId] = field(default_factory=list)
    flatten_orders: list[OrderId] = field(default_factory=list)


class KillSwitch:
    """Halt, cancel all and optionally flatten; resume."""

    def __init__(self, ctx: EngineContext, changes: OrderChanges, submits: SubmitHandler) -> None:
        self._ctx = ctx
        self._changes = changes
        self._submits = submits
        self.flattener = Flattener(ctx, lambda order: submits.submit(order, checked=False).order.id)

    def engage(self, cmd: cmds.EngageKillSwitch) -> KillSwitchResult:
        """Halt the account (or the firm), cancel every working order in scope, then flatten if asked."""
        ctx = self._ctx
        if cmd.account is not None:
            ctx.check_account(cmd.account)
        scope = cmd.account or FIRM
        # the state change is the switch's audit record: who (caused_by), when, why, and whether it flattened
        why = f"kill switch{' with flatten' if cmd.flatten else ''}: {cmd.reason}"
        ctx.emit(TradingStateChanged(ts=ctx.clock.now(), account=scope, caused_by=cmd.requested_by,
                                        state=TradingState.HALTED, reason=why))
        canceled = self._changes.cancel_all(cmds.CancelAllOrders(
            account=cmd.account, reason=f"kill switch: {cmd.reason}", requested_by=f"{KILL}:{cmd.requested_by}",
        ))
        result = KillSwitchResult(cmd.account, TradingState.HALTED, canceled.order_ids)
        if cmd.flatten:
            result.flatten_orders = self.flattener.flatten(cmd.account, f"{KILL}:{cmd.requested_by}")
        return result

    def flatten(self, cmd: cmds.FlattenPositions) -> KillSwitchResult:
        """Close the account's open positions with market orders past the halt (an operator finishing a flatten).

        Symbols whose flattening order still works are left to it.
        """
        ctx = self._ctx
        ctx.check_account(cmd.account)
        ids = self.flattener.flatten(cmd.account, f"{KILL}:{cmd.requested_by}")
        return KillSwitchResult(cmd.account, ctx.ledger.trading_state(cmd.account), flatten_orders=ids)

    def resume(self, cmd: cmds.ResumeTrading) -> KillSwitchResult:
        """Set the account (or the firm) back to active."""
        ctx = self._ctx
        if cmd.account is not None:
            ctx.check_account(cmd.account)
        ctx.emit(TradingStateChanged(ts=ctx.clock.now(), account=cmd.account or FIRM,
                                        caused_by=cmd.requested_by, state=TradingState.ACTIVE,
                                        reason=f"resume: {cmd.reason}"))
        return KillSwitchResult(cmd.account, TradingState.ACTIVE)
