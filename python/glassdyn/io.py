"""Reading LAMMPS text dump files.

Examples
--------
>>> from glassdyn.io import read_dump
>>> frames = read_dump("dump.atoms")            # doctest: +SKIP
>>> frames[0].timestep, frames[0].box.lengths   # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Union

import numpy as np

PathLike = Union[str, Path]


@dataclass(frozen=True)
class Box:
    """A LAMMPS simulation box (orthogonal or triclinic).

    Attributes
    ----------
    lo, hi : tuple of float
        Box bounds ``xlo ylo zlo`` and ``xhi yhi zhi`` (not the bounding box of a tilted box).
    tilt : tuple of float
        Tilt factors ``xy xz yz``.
    periodic : tuple of bool
        Periodicity along x, y, z.
    """

    lo: tuple[float, float, float]
    hi: tuple[float, float, float]
    tilt: tuple[float, float, float] = (0.0, 0.0, 0.0)
    periodic: tuple[bool, bool, bool] = (True, True, True)

    @property
    def lengths(self) -> np.ndarray:
        return np.asarray(self.hi) - np.asarray(self.lo)

    @property
    def matrix(self) -> np.ndarray:
        """Edge vectors a, b, c as the columns of an upper-triangular 3x3 matrix."""
        lx, ly, lz = self.lengths
        xy, xz, yz = self.tilt
        return np.array([[lx, xy, xz], [0.0, ly, yz], [0.0, 0.0, lz]])

    def as_core(self) -> dict:
        return {"lo": tuple(self.lo), "hi": tuple(self.hi), "tilt": tuple(self.tilt), "periodic": tuple(self.periodic)}


@dataclass
class DumpFrame:
    """One snapshot of a LAMMPS ``dump custom``/``dump atom`` text file.

    ``columns`` maps each column name of the ``ITEM: ATOMS`` line to an array; rows are
    sorted by atom ID when an ``id`` column exists.
    """

    timestep: int
    box: Box
    columns: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self.columns[name]
        except KeyError:
            raise KeyError(f"dump frame at step {self.timestep} has no column {name!r}; "
                           f"it has {sorted(self.columns)}") from None

    def unwrapped_positions(self) -> np.ndarray:
        """Unwrapped positions (N, 3): ``xu yu zu`` if dumped, else ``x y z`` with ``ix iy iz``."""
        if all(c in self.columns for c in ("xu", "yu", "zu")):
            return np.column_stack([self.columns["xu"], self.columns["yu"], self.columns["zu"]])
        if all(c in self.columns for c in ("x", "y", "z", "ix", "iy", "iz")):
            wrapped = np.column_stack([self.columns["x"], self.columns["y"], self.columns["z"]])
            images = np.column_stack([self.columns["ix"], self.columns["iy"], self.columns["iz"]]).astype(float)
            return wrapped + images @ self.box.matrix.T
        raise ValueError(f"dump frame at step {self.timestep} lacks unwrapped coordinates: dump 'xu yu zu', "
                         "or 'x y z ix iy iz'")


def _parse_box(header: str, lines: list[str]) -> Box:
    flags = header.split()[3:]
    bounds = np.array([[float(v) for v in line.split()] for line in lines])
    tilt = (0.0, 0.0, 0.0)
    if bounds.shape[1] == 3:  # triclinic: the file holds the bounding box and the tilts
        xy, xz, yz = bounds[:, 2]
        tilt = (xy, xz, yz)
        bounds = bounds[:, :2].copy()
        bounds[0, 0] -= min(0.0, xy, xz, xy + xz)
        bounds[0, 1] -= max(0.0, xy, xz, xy + xz)
        bounds[1, 0] -= min(0.0, yz)
        bounds[1, 1] -= max(0.0, yz)
    periodic = tuple(f == "pp" for f in flags[-3:]) if len(flags) >= 3 else (True, True, True)
    return Box(lo=tuple(bounds[:, 0]), hi=tuple(bounds[:, 1]), tilt=tilt, periodic=periodic)  # type: ignore[arg-type]


def iter_dump(path: PathLike) -> Iterator[DumpFrame]:
    """Yield the frames of a LAMMPS text dump one at a time."""
    with open(path) as handle:
        while True:
            line = handle.readline()
            if not line:
                return
            if not line.startswith("ITEM: TIMESTEP"):
                continue
            timestep = int(handle.readline())
            if not handle.readline().startswith("ITEM: NUMBER OF ATOMS"):
                raise ValueError(f"{path}: malformed frame at step {timestep}")
            natoms = int(handle.readline())
            box_header = handle.readline()
            box = _parse_box(box_header, [handle.readline() for _ in range(3)])
            names = handle.readline().split()[2:]
            rows = [handle.readline() for _ in range(natoms)]
            table = np.loadtxt(rows, ndmin=2) if natoms else np.zeros((0, len(names)))
            columns = {}
            for k, name in enumerate(names):
                values = table[:, k]
                integral = name in {"id", "type", "ix", "iy", "iz", "mol", "proc"} or name.startswith("i_")
                columns[name] = values.astype(np.int64) if integral else values
            if "id" in columns:
                order = np.argsort(columns["id"], kind="stable")
                columns = {name: values[order] for name, values in columns.items()}
            yield DumpFrame(timestep=timestep, box=box, columns=columns)


def read_dump(path: PathLike) -> list[DumpFrame]:
    """Read every frame of a LAMMPS text dump."""
    return list(iter_dump(path))
