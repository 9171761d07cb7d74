"""What a person types or reads: a 6-digit code, a recovery code, a secret in groups.

Plain rules, no database.
"""

import re

RECOVERY_CODES = 10
"""How many recovery codes a person gets at a time; each works once."""

TOTP_DIGITS = 6
_SEPARATORS = re.compile(r"[\s\-]+")
_TOTP = re.compile(r"\d{6}")
# django-otp's static tokens: 8 characters of lowercase base32.
_RECOVERY = re.compile(r"[a-z2-7]{8}")


def cleaned(typed: str) -> str:
    """The code as typed without spaces and dashes (people copy "1234 56", "abcd-efgh"),
    lowercased."""
    return _SEPARATORS.sub("", typed).lower()


def is_authenticator_code(code: str) -> bool:
    """Whether a cleaned code has the shape of a 6-digit authenticator code."""
    return _TOTP.fullmatch(code) is not None


def is_recovery_code(code: str) -> bool:
    """Whether a cleaned code has the shape of a recovery code."""
    return _RECOVERY.fullmatch(code) is not None


def shown_recovery_code(code: str) -> str:
    """A recovery code as people read it: two groups of four ("abcd-efgh")."""
    return f"{code[:4]}-{code[4:]}"


def grouped_secret(secret: str) -> str:
    """A base32 secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
