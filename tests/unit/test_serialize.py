"""What the API shows for the largest figures the books can reach: every one of them, exactly."""

from decimal import Decimal

from ordergate.domain.account import Account, Balance
from ordergate.domain.enums import Side
from ordergate.domain.ids import AccountId, Symbol
from ordergate.domain.position import Position
from ordergate.entrypoints.api.serialize import account_dict, position_dict

D = Decimal


def test_account_when_amounts_beyond_1e20_then_shown_at_the_currencys_precision() -> None:
    account = Account(id=AccountId("ACC"), balances={"USD": Balance(
        deposited=D("1000000"), cash=D("2000000000000000000000000.01"), reserved=D("1e24"))})

    shown = account_dict(account, {"USD": D("-1000000000000000000000000.004")})["balances"]["USD"]

    assert (shown["cash"], shown["reserved"]) == ("2000000000000000000000000.01", "1000000000000000000000000.00")
    assert shown["buying_power"] == "1000000000000000000000000.01"
    assert shown["positions_value"] == "-1000000000000000000000000.00"
    assert shown["equity"] == "1000000000000000000000000.01"


def test_position_when_cost_beyond_1e20_then_shown() -> None:
    position = Position(account=AccountId("ACC"), symbol=Symbol("AAPL"), currency="USD")
    position.apply_fill(Side.BUY, D("1e12"), D("999999999999.99"), D(0))

    shown = position_dict(position, D("1000000000000.00"))

    assert shown["cost_basis"] == "999999999999990000000000.00"
    assert shown["unrealized_pnl"] == "10000000000.00"
    assert shown["avg_cost"] == "999999999999.99"
