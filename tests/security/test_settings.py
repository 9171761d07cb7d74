"""Production settings (DINGHUO_PRODUCTION=1): Django's deployment checks pass, and nothing
loads without a secret key or with DEBUG on."""

import secrets
from pathlib import Path

from tests.security.served import dinghuo, dinghuo_env


def _production(var_dir: Path, **extra: str) -> dict[str, str]:
    return dinghuo_env(
        var_dir,
        DINGHUO_PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="shop.example.com",
        **extra,
    )


def test_check_deploy_finds_nothing_in_production(tmp_path: Path) -> None:
    done = dinghuo(_production(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    # The one silenced check is HSTS preload, the operator's choice (settings.py says why).
    assert done.stdout.strip() == "System check identified no issues (1 silenced)."
    assert done.stderr == ""


def test_check_deploy_warns_outside_production(tmp_path: Path) -> None:
    """The control: the same check does find the development settings unfit."""
    done = dinghuo(dinghuo_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 1
    for warning in ("security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr


def test_production_refuses_to_load_without_a_secret_key(tmp_path: Path) -> None:
    env = _production(tmp_path)
    del env["SECRET_KEY"]
    done = dinghuo(env, "check")
    assert done.returncode == 1
    assert "DINGHUO_PRODUCTION is set but there is no secret key" in done.stderr
    # A key kept in var/ is enough.
    assert dinghuo(dinghuo_env(tmp_path), "secret_key").returncode == 0
    assert dinghuo(env, "check").returncode == 0


def test_production_refuses_debug(tmp_path: Path) -> None:
    done = dinghuo(_production(tmp_path, DEBUG="1"), "check")
    assert done.returncode == 1
    assert "DEBUG must be off in production" in done.stderr
