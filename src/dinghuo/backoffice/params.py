"""What the back office's pages read from a query string or a form besides their forms."""


def int_param(value: str | None) -> int | None:
    """A positive whole number from a query or form value, else None (a number too large for
    an id is None too)."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None
