"""What the portal's pages read from a query string or a form besides their forms."""


def positive_int(value: str | None) -> int | None:
    """A positive whole number from a query parameter, else None (a number too large for
    an id is None too: the database could not compare it)."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None
