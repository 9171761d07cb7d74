"""Tests that read pages in Chinese need the compiled catalogs (the .mo are not in git)."""

from django.utils.translation import trans_real

from dinghuo.core.management import catalogs


def use_compiled_catalogs() -> None:
    """Compile the catalogs if a .mo is missing or stale, and make Django read them afresh."""
    problems = catalogs.compile_if_stale()
    assert not problems, problems
    # Django caches each language's catalog per process; one loaded before compiling would
    # miss our texts.
    trans_real._translations = {}
    trans_real._default = None
