"""What a book accepts and how it holds it: the checks on prices and sizes, and each book's scale.

A book holds prices and sizes as whole units (``fixed.py``): a price of units * 10**-price_places, a size
of units * 10**-size_places. ``Scale`` keeps those places and remembers the Decimals it saw lately, so that
a feed repeating a price or a size costs one dictionary lookup instead of a conversion. A price leads to
its ``PricePoint``, which holds the size resting there on each side: changing the size of a level the
feed names by a remembered price is that one lookup and a store, with no dictionary keyed by units.
"""

from decimal import Decimal
from typing import Final, final

from ordergate.domain.errors import ValidationFailed
from ordergate.domain.fixed import MAX_PLACES, from_units, places_of, to_units

_ZERO: Final = Decimal(0)
_LIMIT: Final = Decimal("1e15")  # above any real price or size; also keeps Infinity out
_REMEMBERED: Final = 4096  # Decimals remembered per kind; past this the memory starts again


def check_price(price: object, field: str = "price") -> Decimal:
    """Return ``price`` if it is a finite Decimal above zero, else raise ValidationFailed naming ``field``."""
    if type(price) is not Decimal or not price.is_finite() or not _ZERO < price < _LIMIT:
        raise ValidationFailed(field, "positive_decimal", f"must be a decimal above 0 and below 1e15, got {price!r}")
    return price


def check_size(size: object, field: str = "size") -> Decimal:
    """Return ``size`` if it is a finite Decimal of at least zero, else raise ValidationFailed naming ``field``."""
    if type(size) is not Decimal or not size.is_finite() or not _ZERO <= size < _LIMIT:
        raise ValidationFailed(field, "non_negative_decimal", f"must be a decimal from 0 to below 1e15, got {size!r}")
    return size


def check_places(value: Decimal, field: str, rule: str) -> int:
    """Return the places ``value`` needs, or raise ValidationFailed naming ``field`` when above MAX_PLACES."""
    places = places_of(value)
    if places > MAX_PLACES:
        raise ValidationFailed(field, rule, f"must have at most {MAX_PLACES} decimal places, got {value!r}")
    return places


@final
class PricePoint:
    """One price of a book, in units, and the size in units resting there on each side (0: no level)."""

    def __init__(self, units: int) -> None:
        self.units = units
        self.bid = 0
        self.ask = 0
        self.remembered = False  # whether ``Scale.prices`` leads to it (then it stays even when empty)


@final
class Scale:
    """The places of one book's prices and sizes, its price points, and the Decimals it saw lately.

    ``points`` holds every price that has a level on either side or is remembered, by its units.
    """

    def __init__(self) -> None:
        self.price_places = 0
        self.size_places = 0
        self.points: dict[int, PricePoint] = {}
        self.prices: dict[Decimal, PricePoint] = {}  # checked prices -> their point (units at price_places)
        self.sizes: dict[Decimal, int] = {}  # checked sizes -> units at size_places
        self.decimals: dict[int, Decimal] = {}  # the other way, for prices: the best one is read back often

    def price(self, units: int) -> Decimal:
        """Return the Decimal of a price in units."""
        found = self.decimals.get(units)
        return found if found is not None else from_units(units, self.price_places)

    def size(self, units: int) -> Decimal:
        """Return the Decimal of a size in units."""
        return from_units(units, self.size_places) if units else _ZERO

    def point(self, units: int) -> PricePoint:
        """Return the point of a price in units, made when there is none yet."""
        found = self.points.get(units)
        if found is None:
            found = self.points[units] = PricePoint(units)
        return found

    def drop_if_unused(self, point: PricePoint) -> None:
        """Forget a point that holds no level and is not remembered (so points stay as few as the levels)."""
        if not point.bid and not point.ask and not point.remembered and self.points.get(point.units) is point:
            del self.points[point.units]

    def known_price(self, price: object) -> int:
        """Return a price's units, or -1 when it is no price this scale can hold (so no level has it)."""
        if type(price) is int:
            price = Decimal(price)
        if type(price) is not Decimal or not price.is_finite() or price <= 0:
            return -1
        found = self.prices.get(price)
        if found is not None:
            return found.units
        return -1 if places_of(price) > self.price_places else to_units(price, self.price_places)

    def remember_price(self, price: Decimal, units: int) -> PricePoint:
        """Remember a checked price's units (at the current places); return its point."""
        if len(self.prices) >= _REMEMBERED:
            self.forget_prices()
        point = self.point(units)
        point.remembered = True
        self.prices[price] = point
        self.decimals[units] = price
        return point

    def forget_prices(self) -> None:
        """Forget the prices remembered (their units change when the places widen), and the empty points."""
        self.prices.clear()
        self.decimals.clear()
        points = {}
        for units, point in self.points.items():
            if point.bid or point.ask:
                point.remembered = False
                points[units] = point
        self.points = points

    def rescale(self, price_factor: int, size_factor: int) -> None:
        """Multiply every point's price and sizes by these factors (the places widened)."""
        for point in self.points.values():
            point.units *= price_factor
            point.bid *= size_factor
            point.ask *= size_factor
        if price_factor > 1:
            self.points = {point.units: point for point in self.points.values()}

    def remember_size(self, size: Decimal, units: int) -> None:
        """Remember a checked size's units (at the current places)."""
        if len(self.sizes) >= _REMEMBERED:
            self.sizes.clear()
        self.sizes[size] = units
