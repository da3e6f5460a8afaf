"""Market buys are checked, and hold cash, at the far side of the book walked for their size, plus a
buffer, plus commission."""

from decimal import Decimal

from ordergate.domain.book import OrderBook
from ordergate.domain.ids import Symbol
from ordergate.domain.risk.pricing import MarketPricing
from tests.unit.risk.conftest import ACC, Desk, only

D = Decimal
FEES = MarketPricing(buffer_pct=D("0.5"), commission_per_share=D("0.005"), commission_minimum=D(1))


class Books:
    """A book per symbol, set by the test."""

    def __init__(self) -> None:
        self.books: dict[str, OrderBook] = {}

    def book(self, symbol: Symbol) -> OrderBook | None:
        """Return the symbol's book."""
        return self.books.get(symbol)


def thin_aapl_desk(cash: str) -> Desk:
    books = Books()
    book = books.books["AAPL"] = OrderBook("AAPL")
    book.apply_snapshot([(D("229.90"), D(100))], [(D("230.00"), D(50)), (D("230.50"), D(50)), (D("231.00"), D(500))])
    desk = Desk(cash=cash, books=books, pricing=FEES)
    desk.limits(enforce_buying_power=True)
    return desk


def test_market_buy_when_it_walks_the_book_then_checked_at_the_worst_level_plus_buffer_and_commission() -> None:
    desk = thin_aapl_desk("23300")
    # 100 reach 230.50; x 1.005 = 231.6525; 23,165.25 + commission 1.00 = 23,166.25
    assert desk.check(type="market", qty="100") == []
    denial = only(desk.check(type="market", qty="101"))  # reaches 231.00: 101 x 232.155 = 23,447.66 + 1.00
    assert (denial.rule, denial.limit, denial.actual) == ("enforce_buying_power", "23300.00", "23448.66")


def test_market_buy_when_accepted_then_holds_the_same_amount_the_check_used() -> None:
    desk = thin_aapl_desk("100000")
    desk.submit(type="market", qty="100")
    assert desk.ledger.accounts[ACC].balance("USD").reserved == D("23166.25")


def test_limit_buy_when_commission_does_not_fit_then_denied() -> None:
    desk = thin_aapl_desk("2300.50")
    denial = only(desk.check(qty="10", price="230.00"))  # 2,300 + 1.00 minimum commission
    assert (denial.rule, denial.actual) == ("enforce_buying_power", "2301.00")
