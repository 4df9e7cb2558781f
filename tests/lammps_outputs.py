"""Reading what the test inputs make LAMMPS write (fix ave/time files)."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def read_ave_time_scalars(path: Path) -> dict[int, np.ndarray]:
    """fix ave/time in scalar mode: step -> values."""
    rows = {}
    for line in Path(path).read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split()
        rows[int(fields[0])] = np.array([float(v) for v in fields[1:]])
    return rows


def read_ave_time_vectors(path: Path) -> dict[int, np.ndarray]:
    """fix ave/time in vector mode: step -> (rows, columns) array (row index column dropped)."""
    blocks: dict[int, np.ndarray] = {}
    lines = [line for line in Path(path).read_text().splitlines() if line.strip() and not line.startswith("#")]
    k = 0
    while k < len(lines):
        step, nrows = (int(v) for v in lines[k].split()[:2])
        table = np.array([[float(v) for v in line.split()[1:]] for line in lines[k + 1:k + 1 + nrows]])
        blocks[step] = table
        k += 1 + nrows
    return blocks
