"""The figures of the pages phase (`bench.pages`): each page at each number of clients, and
the pages that failed."""

import math
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class PageRun:
    """One page at one number of clients: latencies of the 200s, counts of every answer."""

    page: str
    clients: int
    duration: float
    target_ms: float
    latencies_ms: list[float] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)
    other_cpu: float = float("nan")  # share of the machine others used during the window

    @property
    def ok(self) -> int:
        return self.counts["200"]

    @property
    def errors(self) -> int:
        """Answers other than 200, and broken connections."""
        return sum(n for kind, n in self.counts.items() if kind != "200")

    @property
    def per_s(self) -> float:
        return self.ok / self.duration if self.duration else float("nan")

    def percentile(self, q: float) -> float:
        return PagesOutcome.percentile(self.latencies_ms, q)

    @property
    def met(self) -> bool:
        p95 = self.percentile(95)
        return not math.isnan(p95) and p95 < self.target_ms and not self.errors

    def line(self) -> str:
        """One line for the console while the bench runs."""
        p95 = self.percentile(95)
        errors = ", ".join(f"{k}={n}" for k, n in sorted(self.counts.items()) if k != "200")
        return (
            f"  {self.page:<32} c={self.clients:<3} {self.per_s:7.1f} pages/s"
            f"  p50 {self.percentile(50):7.1f}  p95 {p95:7.1f}  p99 {self.percentile(99):7.1f} ms"
            f"  errors {self.errors}{f' ({errors})' if errors else ''}"
            f"  p95 {_ratio(p95, self.target_ms)} of {self.target_ms:.0f} ms:"
            f" {'met' if self.met else 'MISSED'}  others' CPU {_pct(self.other_cpu)}"
        )


def _pct(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0%}"


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1f}"


def _ratio(value: float, target: float) -> str:
    return "–" if math.isnan(value) else f"{value / target:.0%}"


@dataclass
class PagesOutcome:
    """Every page at every number of clients, and the pages that failed."""

    workers: int  # gunicorn sync workers
    company: str  # the code of the buyer's company
    runs: list[PageRun] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def percentile(data: list[float], q: float) -> float:
        """Nearest-rank value at quantile `q` (0–100); NaN when there is none."""
        ordered = sorted(data)
        if not ordered:
            return float("nan")
        return ordered[max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5))) - 1]

    @property
    def errors(self) -> int:
        return sum(run.errors for run in self.runs)

    @property
    def failure(self) -> str | None:
        """Why the phase failed (pages left out, answers other than 200); None when it did not."""
        why = [f"{name} failed: {reason}" for name, reason in self.failures.items()]
        if self.errors:
            why.append(f"{self.errors} answers other than 200 or broken connections")
        return "; ".join(why) or None

    def render(self) -> str:
        """The figures as Markdown for the report: a table, then what missed its target."""
        head = ["page", "clients", "requests", "pages/s", "p50 ms", "p95 ms", "p99 ms", "errors"]
        head += ["p95 / target", "verdict", "others' CPU"]
        lines = [
            f"{self.workers} sync workers; closed loop, each client one request at a time;"
            f" the buyer is of company {self.company}.",
            "",
            "| " + " | ".join(head) + " |",
            "|" + "---|" * len(head),
        ]
        for run in self.runs:
            p95 = run.percentile(95)
            cells = [
                run.page,
                run.clients,
                run.ok,
                f"{run.per_s:.1f}",
                _ms(run.percentile(50)),
                _ms(p95),
                _ms(run.percentile(99)),
                run.errors,
                f"{_ratio(p95, run.target_ms)} of < {run.target_ms:.0f} ms",
                "met" if run.met else "**MISSED**",
                _pct(run.other_cpu),
            ]
            lines.append("| " + " | ".join(str(c) for c in cells) + " |")
        lines.append("")
        missed = [run for run in self.runs if not run.met]
        lines.append(
            f"p95 within target: {len(self.runs) - len(missed)} of {len(self.runs)}"
            f"; pages answered other than 200 or broken: {self.errors}"
        )
        lines += [
            f"- {run.page} c={run.clients} first {kind}: {sample}"
            for run in self.runs
            for kind, sample in run.samples.items()
        ]
        lines += [f"- {name} FAILED: {why}" for name, why in self.failures.items()]
        return "\n".join(lines)
