"""Accounts in the engine: where one may trade, and closing one."""

from decimal import Decimal

import pytest

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus
from ordergate.domain.errors import AccountStateConflict, ValidationFailed
from ordergate.domain.ids import AccountId
from tests.unit.builders import ACCOUNT, buy, fill_report, make_engine, status_report

DESK = AccountId("DESK")


def test_order_when_its_venue_is_not_one_the_account_may_use_then_refused_naming_the_account() -> None:
    engine = make_engine()
    engine.handle(cmds.OpenAccount(account=DESK, balances={"USD": Decimal(1000)}, venues=["alpaca"]))
    order = buy("1")
    order.account = DESK
    with pytest.raises(ValidationFailed) as refused:
        engine.handle(order)
    assert (refused.value.field, refused.value.rule) == ("account", "account_venue")
    assert not engine.ledger.open_orders


def test_close_when_a_position_is_held_then_refused_and_when_flat_then_closed_and_new_orders_refused() -> None:
    engine = make_engine()
    order = engine.handle(buy("2")).reply.order
    engine.handle(status_report(order.id, OrderStatus.NEW))
    engine.handle(fill_report(order.id, "2"))
    with pytest.raises(AccountStateConflict, match="holds positions in AAPL"):
        engine.handle(cmds.CloseAccount(account=ACCOUNT, reason="x"))
    sell = engine.handle(buy("2", side=buy().side.__class__("sell"))).reply.order
    engine.handle(status_report(sell.id, OrderStatus.NEW))
    engine.handle(fill_report(sell.id, "2", fill_id="f2"))
    engine.handle(cmds.CloseAccount(account=ACCOUNT, reason="done"))
    assert engine.ledger.accounts[ACCOUNT].closed
    with pytest.raises(ValidationFailed) as refused:
        engine.handle(buy("1"))
    assert refused.value.rule == "open_account"
