"""The demo data of a believable wholesaler: `dinghuo demo` loads it (see `loader.load_demo`)."""

HISTORY_DAYS = 120  # how far back the first demo order was placed; stock arrived the day before


class DemoRefused(Exception):
    """The demo cannot be loaded as asked; nothing was written."""
