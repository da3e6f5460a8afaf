"""The few NSE instruments the fake lists, with the price each starts at."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class FakeInstrument:
    """One instrument in the fake's master list."""

    key: str  # instrument key, SEGMENT|ISIN
    symbol: str  # trading symbol
    exchange: str
    last_price: Decimal

    @property
    def quote_key(self) -> str:
        """Return the key REST quotes are keyed by: SEGMENT:TRADING_SYMBOL."""
        return f"{self.key.split('|', 1)[0]}:{self.symbol}"


INSTRUMENTS = {
    i.key: i for i in (
        FakeInstrument("NSE_EQ|INE002A01018", "RELIANCE", "NSE", Decimal("1300.00")),
        FakeInstrument("NSE_EQ|INE009A01021", "INFY", "NSE", Decimal("1600.00")),
        FakeInstrument("NSE_EQ|INE467B01029", "TCS", "NSE", Decimal("3500.00")),
        FakeInstrument("NSE_EQ|INE848E01016", "NHPC", "NSE", Decimal("80.00")),
        FakeInstrument("NSE_INDEX|Nifty 50", "Nifty 50", "NSE", Decimal("24000.00")),
    )
}
