"""Playing one schedule step: a command to the engine, an action of the venue, or a delivery."""

from decimal import Decimal
from typing import TYPE_CHECKING

from ordergate.domain import commands as cmds
from ordergate.domain.enums import TimeInForce
from ordergate.domain.errors import DomainError
from ordergate.domain.ids import ClientOrderId, OrderId, Symbol
from ordergate.domain.reports import Report
from ordergate.service.submit import SubmitResult
from tests.conformance import schedule as sc
from tests.unit.builders import ACCOUNT

if TYPE_CHECKING:
    from tests.conformance.harness import KitRun

TICK = Decimal("0.01")


def submit_command(i: int, spec: sc.OrderSpec) -> cmds.SubmitOrder:
    """Return the command that submits order ``i`` of a schedule (good till canceled, in account ACC)."""
    return cmds.SubmitOrder(account=ACCOUNT, symbol=Symbol(spec.symbol), side=spec.side, type=spec.type,
                            qty=spec.qty, limit_price=spec.limit_price, tif=TimeInForce.GTC,
                            client_order_id=ClientOrderId(f"kit-{i}"))


class StepRunner:
    """Play the steps of one schedule against a running kit."""

    def __init__(self, run: "KitRun", schedule: sc.Schedule) -> None:
        self._run = run
        self._schedule = schedule

    async def play(self, step: sc.Step) -> None:
        """Play one step; a step about an order the engine does not have (yet) is skipped."""
        if isinstance(step, sc.CLIENT_STEPS):
            await self._client(step)
        elif isinstance(step, sc.Deliver | sc.Duplicate | sc.Drop):
            await self._delivery(step)
        elif isinstance(step, sc.LoseRequest):
            self._run.scriptable.lose_requests += 1
        elif isinstance(step, sc.Restart):
            await self._run.restart()
        elif isinstance(step, sc.Reconnect):
            self._run.scriptable.reconnect()
            await self._run.barrier()
        else:
            self._venue(step)

    async def _client(self, step: sc.ClientStep) -> None:
        command = self._command(step)
        if command is None:
            return
        try:
            reply = await self._run.loop.execute(command)
        except DomainError as e:
            self._run.refused.append(f"{step}: {e}")
            return
        if isinstance(step, sc.Submit) and isinstance(reply, SubmitResult):
            if reply.order.denials:
                self._run.refused.append(f"{step}: denied: {reply.order.reason}")
            else:
                self._run.ids[step.i] = reply.order.id

    def _command(self, step: sc.ClientStep) -> object | None:
        if isinstance(step, sc.Submit):
            if step.i in self._run.ids or step.i >= len(self._schedule.orders):
                return None
            return submit_command(step.i, self._schedule.orders[step.i])
        if isinstance(step, sc.CancelAll):
            return cmds.CancelAllOrders(reason="kit cancel all", requested_by="kit")
        if isinstance(step, sc.KillSwitch):
            return cmds.EngageKillSwitch(account=None, reason="kit", requested_by="kit")
        if isinstance(step, sc.Resume):
            return cmds.ResumeTrading(account=None, reason="kit", requested_by="kit")
        order_id = self._run.ids.get(step.i)
        if order_id is None:
            return None
        if isinstance(step, sc.Cancel):
            return cmds.CancelOrder(order_id=order_id, requested_by="kit")
        order = self._run.ledger.orders[order_id]
        limit = None if order.limit_price is None else max(TICK, order.limit_price + step.ticks * TICK)
        return cmds.ReplaceOrder(order_id=order_id, qty=step.qty, limit_price=limit, requested_by="kit")

    def _venue(self, step: sc.VenueStep) -> None:
        order_id = self._run.ids.get(step.i)
        if order_id is None:
            return
        self._run.scriptable.act(self._venue_reports(step, order_id))

    def _venue_reports(self, step: sc.VenueStep, order_id: OrderId) -> list[Report]:
        book = self._run.scriptable.book
        if isinstance(step, sc.Ack):
            return book.ack(order_id)
        if isinstance(step, sc.Reject):
            return book.reject(order_id)
        if isinstance(step, sc.Fill):
            return book.fill(order_id, step.qty, step.improve)
        if isinstance(step, sc.AnswerCancel):
            return book.answer_cancel(order_id, step.accept)
        if isinstance(step, sc.AnswerReplace):
            return book.answer_replace(order_id, step.accept)
        if isinstance(step, sc.Expire):
            return book.expire(order_id)
        return book.tell_status(order_id)

    async def _delivery(self, step: sc.DeliveryStep) -> None:
        venue = self._run.scriptable
        if not venue.outbox:
            return
        if isinstance(step, sc.Drop):
            venue.drop(step.k)
            return
        index = min(step.k, len(venue.outbox) - 1)
        self._run.note_delivery(venue.outbox[index])
        venue.deliver(index, keep=isinstance(step, sc.Duplicate))
        await self._run.barrier()
