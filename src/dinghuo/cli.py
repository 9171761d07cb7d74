"""The `dinghuo` command: Django's management commands under the product's name."""

import os
import sys


def main() -> None:
    """Run a management command (`dinghuo demo`, `dinghuo apikey create`, `dinghuo serve`, …)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dinghuo", *sys.argv[1:]])


if __name__ == "__main__":
    main()
