"""What went wrong in a LAMMPS run: the one parser of LAMMPS's ``ERROR`` lines.

LAMMPS reports a fatal error as a line ``ERROR: ...`` (or ``ERROR on proc N: ...`` from one
rank), in its log and on its screen. Every launcher, and every caller that reads a run's output,
takes the message from :func:`error_line`.
"""
from __future__ import annotations

from pathlib import Path


class StageFailed(RuntimeError):
    """A LAMMPS run stopped with an error; ``message`` is LAMMPS's ERROR line.

    ``stage`` names the run (a campaign stage folder, or any label the caller gave).
    """

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(stage, message)  # both in args, so the exception survives pickling (MPI bcast)
        self.stage = stage
        self.message = message

    def __str__(self) -> str:
        return f"stage {self.stage} failed: {self.message}"


def error_line(text: str) -> str:
    """The first LAMMPS error line of ``text``, or an empty string.

    A line that starts with ``ERROR`` is LAMMPS's own; failing that, the first line that contains
    it (the screen output of several ranks may interleave within a line).
    """
    lines = text.splitlines()
    for line in lines:
        if line.startswith("ERROR"):
            return line
    for line in lines:
        if "ERROR" in line:
            return line
    return ""


def first_error(log: Path) -> str:
    """The ERROR line of a LAMMPS log, or its last lines when there is none."""
    if not log.exists():
        return "LAMMPS wrote no log"
    text = log.read_text(errors="replace")
    line = error_line(text)
    if line.startswith("ERROR"):
        return line
    return " / ".join(text.splitlines()[-5:]) or "LAMMPS stopped without a message"
