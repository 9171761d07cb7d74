"""Money: Decimal only, rounded to the currency's ISO 4217 minor units at defined points."""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import list_currencies

# ISO 4217 minor units that are not 2. CLDR (and so Babel) differs from ISO for a few
# currencies (IQD, LBP, …: CLDR says 0 display digits), so the standard's table is kept here.
_MINOR_UNITS_NOT_TWO = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}
_KNOWN = frozenset(list_currencies())


def is_currency(code: str) -> bool:
    """Whether `code` is an ISO 4217 currency code (upper case)."""
    return code in _KNOWN and code.isupper()


def minor_units(currency: str) -> int:
    """Digits after the decimal point for `currency` (JPY 0, USD 2, KWD 3)."""
    return _MINOR_UNITS_NOT_TWO.get(currency, 2)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor units."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def format_amount(amount: Decimal, currency: str) -> str:
    """The decimal string the API shows for an amount: exactly the currency's minor units."""
    return str(round_money(amount, currency))


def format_unit_price(price: Decimal, currency: str) -> str:
    """A unit price as a string: the currency's minor units, more digits only where they matter."""
    rounded = round_money(price, currency)
    if rounded == price:
        return str(rounded)
    return str(price.normalize())
