"""Bookkeeping files of a campaign folder, written so that a kill leaves the old file or the new one."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_json(path: Path, data: Any) -> None:
    """``data`` as indented JSON with sorted keys, written atomically."""
    write_text(path, json.dumps(data, indent=1, sort_keys=True))


def write_text(path: Path, text: str) -> None:
    """Write by renaming a complete temporary file: a kill leaves the old file or the new one."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def fsync(path: Path) -> None:
    """Flush a file another process wrote (LAMMPS's restart) to disk before it is declared finished."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
