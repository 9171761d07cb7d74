"""What the portal's pages read from a query string or a form besides their forms."""


def positive_int(value: str | None) -> int | None:
    """A positive whole number from a query parameter, else None."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None
