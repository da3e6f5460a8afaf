"""The kill switch: one command halts an account (or the firm), cancels its working orders and can
flatten its positions with market orders; another resumes trading. Both are journaled with who and why.

It runs inside the engine as one message, so no order can slip in between the halt and the cancels.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderType, Side, TimeInForce, TradingState
from ordergate.domain.events import TradingStateChanged
from ordergate.domain.ids import AccountId, OrderId
from ordergate.domain.ledger import FIRM

if TYPE_CHECKING:
    from ordergate.service.engine import OrderEngine

KILL = "kill-switch"  # prefix of caused_by for what the switch does, so rate limits don't count it


@dataclass(slots=True)
class KillSwitchResult:
    """What pulling the switch did: the state set, the orders canceled and the flattening orders sent."""

    account: AccountId | None
    state: TradingState
    canceled: list[OrderId] = field(default_factory=list)
    flatten_orders: list[OrderId] = field(default_factory=list)


class KillSwitch:
    """Halt, cancel all and optionally flatten; resume."""

    def __init__(self, engine: "OrderEngine") -> None:
        self._engine = engine

    def engage(self, cmd: cmds.EngageKillSwitch) -> KillSwitchResult:
        """Halt the account (or the firm), cancel every working order in scope, then flatten if asked."""
        engine = self._engine
        if cmd.account is not None:
            engine.check_account(cmd.account)
        scope = cmd.account or FIRM
        # the state change is the switch's audit record: who (caused_by), when, why, and whether it flattened
        why = f"kill switch{' with flatten' if cmd.flatten else ''}: {cmd.reason}"
        engine.emit(TradingStateChanged(ts=engine.clock.now(), account=scope, caused_by=cmd.requested_by,
                                        state=TradingState.HALTED, reason=why))
        canceled = engine.cancel_all(cmds.CancelAllOrders(
            account=cmd.account, reason=f"kill switch: {cmd.reason}", requested_by=f"{KILL}:{cmd.requested_by}",
        ))
        result = KillSwitchResult(cmd.account, TradingState.HALTED, canceled.order_ids)
        if cmd.flatten:
            result.flatten_orders = self._flatten(cmd)
        return result

    def resume(self, cmd: cmds.ResumeTrading) -> KillSwitchResult:
        """Set the account (or the firm) back to active."""
        engine = self._engine
        if cmd.account is not None:
            engine.check_account(cmd.account)
        engine.emit(TradingStateChanged(ts=engine.clock.now(), account=cmd.account or FIRM,
                                        caused_by=cmd.requested_by, state=TradingState.ACTIVE,
                                        reason=f"resume: {cmd.reason}"))
        return KillSwitchResult(cmd.account, TradingState.ACTIVE)

    def _flatten(self, cmd: cmds.EngageKillSwitch) -> list[OrderId]:
        """Send a market order against every open position in scope (past risk: it only reduces)."""
        engine = self._engine
        ids = []
        for position in list(engine.ledger.positions_of(cmd.account)):
            if position.qty == 0 or position.symbol not in engine.instruments:
                continue
            order = cmds.SubmitOrder(
                account=position.account, symbol=position.symbol,
                side=Side.SELL if position.qty > 0 else Side.BUY, type=OrderType.MARKET, qty=abs(position.qty),
                tif=TimeInForce.DAY, requested_by=f"{KILL}:{cmd.requested_by}",
            )
            ids.append(engine.submit_unchecked(order).order.id)
        return ids
