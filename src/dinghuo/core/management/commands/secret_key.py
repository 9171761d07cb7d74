"""`dinghuo secret_key`: keep a secret key in var/secret_key for a server without SECRET_KEY."""

import os
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Keep a new random secret key in SECRET_KEY_FILE (var/secret_key) unless one is kept "
        "there already; the settings read it when SECRET_KEY is not set."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.SECRET_KEY_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: never overwrite a kept key (that would sign everyone out), even if two
            # commands race; 0600: only this user may read it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            if options["verbosity"] >= 1:
                self.stdout.write(f"A secret key is kept in {path} already.")
            return
        with os.fdopen(fd, "w") as kept:
            kept.write(secrets.token_urlsafe(50) + "\n")
        if options["verbosity"] >= 1:
            self.stdout.write(f"Kept a new secret key in {path}.")
