"""A phase that fails makes the bench fail: never a crash reported as "not measured"."""

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from bench.phases import PhaseFailed

from bench import pages, prices

ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.mark.parametrize("measure", [pages.measure, prices.measure], ids=["pages", "prices"])
def test_a_phase_whose_set_up_fails_raises_with_the_childs_error(
    measure: Callable[[str, Path], object], tmp_path: Path
) -> None:
    # No such database and no world file: the child that sets the phase up fails at once.
    with pytest.raises(PhaseFailed) as failed:
        measure("dinghuo_bench_no_such_database", tmp_path / "missing-world.json")
    assert re.search(r"child exited with 1:\n.*Error", str(failed.value), re.S), failed.value


@pytest.mark.postgres
def test_a_failing_phase_makes_the_run_exit_1_and_says_which() -> None:
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432 ({exc.__class__.__name__})")
    # The smallest run that has phases before the failing one: they pass, the run must not.
    cmd = [sys.executable, "-m", "bench.run", "--quick", "--duration", "0.5", "--warmup", "0"]
    cmd += ["--concurrency", "1", "--mix", "uniform", "--catalog-requests", "5", "--no-prices"]
    cmd += ["--database", "dinghuo_bench_failing"]
    env = {**os.environ, "BENCH_FAIL_PHASE": "pages"}
    done = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-4000:]
    assert re.search(r"^ratio API/plain-SQL uniform c=1 workers=\d+: \d+%", done.stdout, re.M), (
        output
    )
    failed = "phase pages FAILED: made to fail by BENCH_FAIL_PHASE=pages"
    assert done.stderr.rstrip().endswith(failed), done.stderr[-4000:]
    assert "- **pages**: made to fail by BENCH_FAIL_PHASE=pages" in done.stdout, output
    assert "not measured" not in output, output
