"""Progress of running stages: a bar per stage with the estimated time left.

The bar follows the step numbers LAMMPS writes to the stage's log (thermo lines are flushed),
so it works the same for subprocess and in-process runs. On a terminal the bars of all running
stages share one refreshed line; otherwise (a batch job's output file) a line is written at
every quarter of a stage.
"""
from __future__ import annotations

import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Optional

_THERMO_LINE = re.compile(r"^\s*(\d+)\s+[-+0-9.eE]")


def last_step(log: Path) -> Optional[int]:
    """The step of the last thermo line of a log (None before the first one)."""
    try:
        with open(log, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 8192))
            tail = handle.read().decode(errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(tail):
        match = _THERMO_LINE.match(line)
        if match:
            return int(match.group(1))
    return None


def format_seconds(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


@dataclass
class _Task:
    label: str
    log: Path
    steps: int
    started: float = field(default_factory=time.monotonic)
    first: Optional[int] = None
    fraction: float = 0.0
    reported_quarter: int = 0

    def update(self) -> None:
        step = last_step(self.log)
        if step is None:
            return
        if self.first is None or step < self.first:
            self.first = step  # the minimisation of the melt restarts the step count
        if self.steps > 0:
            self.fraction = min(1.0, (step - self.first) / self.steps)

    def eta(self) -> str:
        elapsed = time.monotonic() - self.started
        if self.fraction <= 0.01:
            return "--:--"
        return format_seconds(elapsed * (1 - self.fraction) / self.fraction)

    def bar(self, width: int = 20) -> str:
        filled = int(round(self.fraction * width))
        return f"{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.fraction:4.0%} ETA {self.eta()}"


class Progress:
    """Shows the progress of the stages that are running; thread-safe."""

    def __init__(self, stream: Optional[IO[str]] = None, enabled: bool = True, interval: float = 1.0,
                 live: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.interval = interval
        # Only one process may redraw a terminal line; the others write whole lines.
        self.live = live and enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._tasks: dict[str, _Task] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def __enter__(self) -> "Progress":
        if self.enabled:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self._clear()

    def start(self, label: str, log: Path, steps: int) -> None:
        with self._lock:
            self._tasks[label] = _Task(label, log, steps)

    def finish(self, label: str) -> None:
        with self._lock:
            self._tasks.pop(label, None)

    def message(self, text: str) -> None:
        """A permanent line (a finished stage, a temperature summary)."""
        if not self.enabled:
            return
        with self._lock:
            self._clear()
            print(text, file=self.stream, flush=True)

    def _clear(self) -> None:
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                for task in self._tasks.values():
                    task.update()
                if self.live:
                    self.stream.write("\r\033[K" + "  ".join(t.bar() for t in self._tasks.values()))
                    self.stream.flush()
                else:
                    for task in self._tasks.values():
                        quarter = int(task.fraction * 4)
                        if quarter > task.reported_quarter and quarter < 4:
                            task.reported_quarter = quarter
                            print(task.bar(), file=self.stream, flush=True)
