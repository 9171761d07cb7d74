"""The demo data of a believable wholesaler: `dinghuo demo` loads it (see `loader.load_demo`)."""


class DemoRefused(Exception):
    """The demo cannot be loaded as asked; nothing was written."""
