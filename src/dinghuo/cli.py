"""The `dinghuo` command: Django's management commands under the product's name."""

import os
import sys


def main() -> None:
    """Run a management command (`dinghuo demo`, `dinghuo apikey create`, `dinghuo serve`, …)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    from django.core.management import execute_from_command_line

    from dinghuo.core import actors

    # The audit log names the command as the actor of what it writes (the worker, an
    # import run and a request name themselves more precisely inside it).
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    with actors.acting_as(actors.Actor("command", label=command, via="command")):
        execute_from_command_line(["dinghuo", *sys.argv[1:]])


if __name__ == "__main__":
    main()
