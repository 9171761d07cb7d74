"""GS1 identification keys: the check digit that ends a GLN (13 digits, a place or a party)
and a GTIN (8, 12, 13 or 14 digits, an article). The same modulo-10 rule for both: the
digits before the check digit are weighted 3, 1, 3, … from the right."""

GTIN_LENGTHS = frozenset({8, 12, 13, 14})


def check_digit(body: str) -> int:
    """The check digit GS1 appends to the digits `body`."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def _valid(key: str, lengths: frozenset[int]) -> bool:
    if len(key) not in lengths or not key.isascii() or not key.isdigit():
        return False
    return check_digit(key[:-1]) == int(key[-1])


def is_gln(key: str) -> bool:
    """A Global Location Number: 13 digits whose last is the right check digit."""
    return _valid(key, frozenset({13}))


def is_gtin(key: str) -> bool:
    """A Global Trade Item Number (GTIN-8, -12, -13 or -14) with the right check digit."""
    return _valid(key, GTIN_LENGTHS)


def is_sscc(key: str) -> bool:
    """A Serial Shipping Container Code: 18 digits whose last is the right check digit."""
    return _valid(key, frozenset({18}))
