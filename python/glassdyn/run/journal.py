"""``journal.jsonl``: one JSON record per line for every stage start, failure and finish.

An append is not atomic: a kill or a full disk can leave the last line cut short. Such a torn
final line carries no information the stage folders do not hold (a stage is finished exactly
when its ``done.json`` exists), so it must never block a resume:

* :func:`append` first cuts a torn tail off (with a warning), so a new record never glues onto it;
* :func:`read` skips a torn final line (with a warning) but refuses a damaged line elsewhere,
  naming the file and the line, because that is not what an interrupted append leaves.
"""
from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

from glassdyn.run.errors import StateError

JOURNAL = "journal.jsonl"


def _torn_tail(data: bytes) -> int:
    """Length of the unfinished last line (0 when the file ends with a newline)."""
    if not data or data.endswith(b"\n"):
        return 0
    return len(data) - (data.rfind(b"\n") + 1)


def append(folder: Path, record: dict[str, Any]) -> None:
    """Add one record as one line, written with a single ``write`` and flushed to disk.

    Groups of ranks running temperatures side by side append from several threads or processes,
    so the check for a torn tail and the write happen under an exclusive ``flock``: a line that
    another writer is still writing must not be taken for a torn one.
    """
    import fcntl

    path = folder / JOURNAL
    line = (json.dumps(record) + "\n").encode()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        tail = _torn_tail(os.pread(fd, min(size, 65536), max(0, size - 65536)))
        if tail:
            warnings.warn(f"{path}: removed an unfinished last line ({tail} bytes) left by an interrupted write",
                          stacklevel=2)
            os.ftruncate(fd, size - tail)
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)  # releases the lock


def read(folder: Path) -> list[dict[str, Any]]:
    """Every record; a torn final line is skipped with a warning, any other bad line is refused."""
    path = folder / JOURNAL
    if not path.exists():
        return []
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    records = []
    for number, raw in enumerate(lines, start=1):
        try:
            record = json.loads(raw)
            if not isinstance(record, dict) or "stage" not in record or "event" not in record:
                raise ValueError("not a journal record")
        except ValueError:
            if number == len(lines) and not data.endswith(b"\n"):
                warnings.warn(f"{path}: ignored an unfinished last line (line {number}) left by an interrupted "
                              "write", stacklevel=2)
                break
            raise StateError(f"{path}, line {number}: damaged record; delete or repair that line (the stage "
                             "folders, not the journal, say what is finished)") from None
        records.append(record)
    return records
