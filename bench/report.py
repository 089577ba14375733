"""Measurements, percentiles and the markdown tables the benchmarks print and save."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0–100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float) -> str:
    """Seconds as milliseconds, to a sensible precision."""
    value = seconds * 1000
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


@dataclass
class Table:
    """One benchmark's results: a title, columns, rows, and notes under it."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(cell) for cell in cells])

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", "| " + " | ".join(self.columns) + " |",
                 "|" + "|".join("---" for _ in self.columns) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def verdict(ok: bool) -> str:
    """A goal's outcome as shown in the tables."""
    return "met" if ok else "**missed**"


def machine() -> str:
    """CPU count, Python version, platform and date: the header of every results file."""
    return (f"{os.cpu_count()} CPU(s) · Python {sys.version.split()[0]} · "
            f"{platform.system()} {platform.release()} · "
            f"{datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}")


def write_results(path: Path, tables: list[Table], *, command: str, preface: str = "") -> str:
    """Write the tables to ``path`` as markdown (and return the text)."""
    text = "\n".join([
        "# Benchmark results", "",
        f"Machine: {machine()}  ", f"Command: `{command}`", "",
        *([preface, ""] if preface else []),
        *(table.markdown() for table in tables),
    ])
    path.write_text(text, encoding="utf-8")
    return text
