"""Figures as a Markdown table, the ratios to the floor, the targets, and the results file."""

import math
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench.catalog import CatalogOutcome
from bench.driver import Outcome
from bench.page_figures import PagesOutcome
from bench.prices import PricesOutcome

# The targets the lead set (docs/performance.md explains them).
RATIO_TARGET = 0.30
RATIO_CLIENTS = (4, 16)
P99_TARGET_MS = 150.0
RSS_TARGET_MB = 200.0
CATALOG_P95_TARGET_MS = 30.0


@dataclass
class Results:
    """Everything one run measured."""

    machine: dict[str, str]
    load_seconds: float
    scale: str
    outcomes: list[Outcome] = field(default_factory=list)
    rss_mb: dict[int, dict[int, float]] = field(default_factory=dict)  # workers → pid → MB
    catalog: CatalogOutcome | None = None
    prices: PricesOutcome | None = None
    pages: PagesOutcome | None = None
    failed: dict[str, str] = field(default_factory=dict)  # phase → why it failed

    def api(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.scenario.target == "api"]

    def floor(self, api: Outcome) -> Outcome | None:
        """The floor measured right after this API run."""
        a = api.scenario
        for o in self.outcomes:
            s = o.scenario
            if s.target == "sql" and (s.mix, s.clients, s.workers) == (a.mix, a.clients, a.workers):
                return o
        return None

    def ratio(self, api: Outcome) -> float:
        floor = self.floor(api)
        if floor is None or floor.orders_per_s == 0:
            return float("nan")
        return api.orders_per_s / floor.orders_per_s

    @property
    def server_errors(self) -> int:
        return sum(o.server_errors for o in self.outcomes)

    @property
    def unexpected(self) -> int:
        return sum(o.unexpected for o in self.outcomes)


def machine() -> dict[str, str]:
    """What ran the bench: CPUs, memory, Python, PostgreSQL, gunicorn."""
    info = {"nproc": str(os.cpu_count()), "python": platform.python_version()}
    # Other work on the machine (tests, builds) lowers every figure: say how busy it was.
    info["load average at start"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    try:
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=5
        ) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            info["postgresql"] = str(row[0]) if row else "?"
    except psycopg.Error as exc:
        info["postgresql"] = f"unreachable ({exc.__class__.__name__})"
    info["source"] = _source_version()
    version = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True, check=False
    )
    info["gunicorn"] = (
        (version.stdout or version.stderr).strip().split()[-1].strip("()")
        if version.returncode == 0
        else "?"
    )
    return info


def _source_version() -> str:
    """The commit under test and how many files of src/ differ from it (read-only git)."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    # Workers import the code at their first request: a tree being edited during the run
    # means different scenarios may measure different code.
    return f"{head} + {len(changed)} changed files in src/" if changed else head


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1f}"


def _pct(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0%}"


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def orders_table(results: Results) -> list[str]:
    """One row per scenario: the API, then the floor measured right after it."""
    head = ["scenario", "orders/s", "p50 ms", "p99 ms", "201", "409", "503"]
    head += ["5xx/conn", "other 4xx", "API / floor", "others' CPU", "IO stall"]
    lines = [_row(*head), "|" + "---|" * len(head)]
    order = sorted(
        results.outcomes,
        key=lambda o: (o.scenario.workers, o.scenario.mix, o.scenario.clients, o.scenario.target),
    )
    for o in order:
        c = o.counts
        ratio = _pct(results.ratio(o)) if o.scenario.target == "api" else ""
        lines.append(
            _row(
                o.scenario.label,
                f"{o.orders_per_s:.0f}",
                _ms(o.percentile(50)),
                _ms(o.percentile(99)),
                c["201"],
                c["409"],
                c["503"],
                o.server_errors,
                o.unexpected,
                ratio,
                _pct(o.other_cpu),
                _pct(o.io_stall),
            )
        )
    return lines


def ratio_lines(results: Results) -> list[str]:
    """`ratio API/plain-SQL …` per scenario (the smoke test looks for these)."""
    out = []
    for o in results.api():
        s = o.scenario
        floor = results.floor(o)
        floor_rate = floor.orders_per_s if floor else float("nan")
        out.append(
            f"ratio API/plain-SQL {s.mix} c={s.clients} workers={s.workers}: "
            f"{_pct(results.ratio(o))} ({o.orders_per_s:.0f} vs {floor_rate:.0f} orders/s)"
        )
    return out


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT MET")


def target_lines(results: Results) -> list[str]:
    """Each target with the figure it was judged on and whether it is met."""
    out = [_row("target", "figure", "verdict"), "|---|---|---|"]
    for workers in sorted({o.scenario.workers for o in results.api()}):
        mine = [o for o in results.api() if o.scenario.workers == workers]
        judged = [o for o in mine if o.scenario.clients in RATIO_CLIENTS]
        target = f"API ≥ {RATIO_TARGET:.0%} of floor at 4 and 16 clients ({workers} workers)"
        if judged:
            worst = min(judged, key=results.ratio)
            value = results.ratio(worst)
            where = f"{worst.scenario.mix} c={worst.scenario.clients}"
            ok = not math.isnan(value) and value >= RATIO_TARGET
            out.append(_row(target, f"worst {_pct(value)} ({where})", _verdict(ok)))
        else:
            out.append(_row(target, "not run", "n/a"))
        slowest = max(mine, key=lambda o: -1 if math.isnan(o.percentile(99)) else o.percentile(99))
        p99 = slowest.percentile(99)
        where = f"{slowest.scenario.mix} c={slowest.scenario.clients}"
        out.append(
            _row(
                f"p99 < {P99_TARGET_MS:.0f} ms ({workers} workers)",
                f"worst {_ms(p99)} ms ({where})",
                _verdict(not math.isnan(p99) and p99 < P99_TARGET_MS),
            )
        )
        rss = results.rss_mb.get(workers, {})
        top = max(rss.values(), default=float("nan"))
        out.append(
            _row(
                f"worker RSS < {RSS_TARGET_MB:.0f} MB ({workers} workers)",
                f"max {_ms(top)} MB",
                _verdict(None if not rss else top < RSS_TARGET_MB),
            )
        )
    cat = results.catalog
    target = f"catalogue page of 50 p95 < {CATALOG_P95_TARGET_MS:.0f} ms"
    if cat is None or cat.skipped:
        out.append(_row(target, _absent(results, "catalogue", cat.skipped if cat else None), "n/a"))
    else:
        p95 = cat.percentile(95)
        ok = not math.isnan(p95) and p95 < CATALOG_P95_TARGET_MS and not cat.failures
        out.append(_row(target, f"p95 {_ms(p95)} ms", _verdict(ok)))
    return out


def _absent(results: Results, phase: str, skipped: str | None) -> str:
    """What the report says for a phase with no figures: it failed, it was skipped on
    purpose (and why), or it never started because the phase it runs in failed."""
    if phase in results.failed:
        return f"**FAILED**: {results.failed[phase]}"
    if skipped:
        return f"not measured ({skipped})"
    return "not run: the phase it runs in failed (see Failed phases)"


def _section(
    results: Results, phase: str, outcome: PagesOutcome | PricesOutcome | None, flag: str
) -> str:
    """A phase's figures, FAILED with why (and what it measured), or not run on purpose."""
    failed = f"**FAILED**: {results.failed[phase]}" if phase in results.failed else ""
    if outcome is not None:
        return "\n\n".join(text for text in (failed, outcome.render()) if text)
    return failed or f"- not run ({flag})"


def render(results: Results) -> str:
    """The whole report as Markdown."""
    m = results.machine
    lines = [
        f"# Dinghuo benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in m.items()),
        f"Data: {results.scale}; loaded in {results.load_seconds:.1f} s",
        "",
    ]
    if results.failed:
        lines += ["## Failed phases", ""]
        # A child's traceback runs over several lines: kept inside its item.
        lines += [
            f"- **{name}**: " + why.replace("\n", "\n  ") for name, why in results.failed.items()
        ]
        lines.append("")
    lines += [
        "## Placing orders (POST /api/v1/orders) against the plain-SQL floor",
        "",
        "Latencies are of placed orders (201). 503 = busy (lock timeout); "
        "5xx/conn = other 5xx and broken connections.",
        "Others' CPU: share of the machine used by processes other than the bench and its",
        "database sessions during the measured window; above ~10% that row's figures are",
        "lower than on a quiet machine. IO stall: share of the window in which some task waited",
        "for IO (Linux PSI); commits wait for WAL flushes, other databases' included.",
        "",
        *orders_table(results),
        "",
        *ratio_lines(results),
        "",
        "## Worker memory (VmRSS after the run)",
        "",
    ]
    for workers, rss in sorted(results.rss_mb.items()):
        values = ", ".join(f"{mb:.0f}" for mb in rss.values())
        top = max(rss.values(), default=float("nan"))
        lines.append(f"- {workers} workers: max {top:.0f} MB ({values})")
    lines += ["", "## Catalogue page (GET /api/v1/catalog?company_id=…&limit=50)", ""]
    cat = results.catalog
    if cat is None or cat.skipped:
        lines.append(_absent(results, "catalogue", cat.skipped if cat else None))
    else:
        p50, p95 = _ms(cat.percentile(50)), _ms(cat.percentile(95))
        failures = f"; **FAILED**: {cat.failure}" if cat.failure else ""
        lines.append(f"{len(cat.latencies_ms)} pages: p50 {p50} ms, p95 {p95} ms{failures}")
    lines += ["", "## Pages (server-side, signed-in buyers and staff, the bench catalogue)", ""]
    lines.append(_section(results, "pages", results.pages, "--no-pages"))
    lines += ["", "## Customer prices (group, company, contract, tiers, promotions)", ""]
    lines.append(_section(results, "prices", results.prices, "--no-prices"))
    lines += ["", "## Targets", "", *target_lines(results), ""]
    lines.append(f"server errors (5xx other than 503, broken connections): {results.server_errors}")
    lines.append(f"unexpected 4xx (bench bug): {results.unexpected}")
    samples = [
        f"- {o.scenario.label} {k}: {v}" for o in results.outcomes for k, v in o.samples.items()
    ]
    if samples:
        lines += ["", "## First answer of each kind other than 201", "", *samples]
    return "\n".join(lines) + "\n"
