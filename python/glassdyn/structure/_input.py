"""The one input of every structure analysis: a periodic 3-D configuration (box, positions,
types, ids), from a dump frame or from arrays, checked once; plus the optional-library imports."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np

from glassdyn import _checks
from glassdyn.io import Box, DumpFrame

__all__ = ["Structure", "SpeciesNames", "as_structure", "optional_import", "species_names"]

#: Types to species names: a mapping {type: name} or a sequence (type k is entry k-1).
SpeciesNames = Union[Mapping[int, str], Sequence[str], None]


def optional_import(module: str, package: str) -> Any:
    """Import an optional dependency, or fail with one line naming the pip package to install."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"glassdyn.structure needs the '{package}' package ({error}); "
                          f"pip install '{package}' or pip install 'glassdyn[structure]'") from None


@dataclass(frozen=True, eq=False, repr=False)
class Structure:
    """One periodic 3-D configuration, checked: positions wrapped into the box.

    Parameters
    ----------
    box : glassdyn.io.Box
        Periodic along x, y and z, ``dimension=3`` (orthogonal or triclinic).
    positions : array-like (N, 3)
        Positions (wrapped or unwrapped; stored wrapped into the box).
    types : array-like of int (N,)
        LAMMPS atom types, >= 1.
    ids : array-like of int (N,), optional
        Atom IDs (default 1..N), unique and >= 1.
    """

    box: Box
    positions: np.ndarray
    types: np.ndarray
    ids: np.ndarray

    def __init__(self, box: Box, positions: Any, types: Any, ids: Any = None) -> None:
        if not isinstance(box, Box):
            raise TypeError(f"box must be a glassdyn.io.Box, got {type(box).__name__}")
        if box.dimension != 3 or not all(box.periodic):
            raise ValueError(f"box: the structure analyses need a periodic 3-D box, got dimension={box.dimension}, "
                             f"periodic={box.periodic}")
        positions = _checks.float_array("positions", positions, (None, 3))
        n = len(positions)
        if n < 2:
            raise ValueError(f"positions: a structure needs at least 2 atoms, got {n}")
        types = _checks.int_array("types", types, n, at_least=1, at_most=_checks.MAX_TYPES)
        ids = np.arange(1, n + 1) if ids is None else _checks.int_array("ids", ids, n, at_least=1, unique=True)
        fractional = np.linalg.solve(box.matrix, (positions - np.asarray(box.lo)).T).T
        fractional -= np.floor(fractional)
        fractional[fractional >= 1.0] = 0.0  # -1e-17 wraps to exactly 1.0 in floating point
        wrapped = fractional @ box.matrix.T + np.asarray(box.lo)
        for name, value in (("box", box), ("positions", wrapped), ("types", types.astype(np.int64)),
                            ("ids", ids.astype(np.int64))):
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
            object.__setattr__(self, name, value)

    @classmethod
    def from_frame(cls, frame: DumpFrame) -> "Structure":
        """A dump frame with columns ``id type`` and ``x y z`` (or ``xu yu zu``, or ``xs ys zs``)."""
        if not isinstance(frame, DumpFrame):
            raise TypeError(f"frame must be a glassdyn.io.DumpFrame, got {type(frame).__name__}")
        columns = frame.columns
        if "type" not in columns:
            raise ValueError(f"frame (step {frame.timestep}) has no 'type' column; dump 'id type x y z'")
        for names in (("x", "y", "z"), ("xu", "yu", "zu")):
            if all(c in columns for c in names):
                positions = np.column_stack([columns[c] for c in names])
                break
        else:
            if not all(c in columns for c in ("xs", "ys", "zs")):
                raise ValueError(f"frame (step {frame.timestep}) has no positions: dump 'x y z', 'xu yu zu' or "
                                 f"'xs ys zs'; it has {sorted(columns)}")
            scaled = np.column_stack([columns[c] for c in ("xs", "ys", "zs")])
            positions = scaled @ frame.box.matrix.T + np.asarray(frame.box.lo)
        return cls(frame.box, positions, columns["type"], columns.get("id"))

    def __len__(self) -> int:
        return len(self.positions)

    def __repr__(self) -> str:
        return f"Structure(<{len(self)} atoms, types {self.type_list}>, box={self.box!r})"

    @property
    def volume(self) -> float:
        return float(abs(np.linalg.det(self.box.matrix)))

    @property
    def number_density(self) -> float:
        return len(self) / self.volume

    @property
    def type_list(self) -> list[int]:
        """The atom types present, sorted."""
        return sorted(int(t) for t in np.unique(self.types))

    def concentrations(self) -> dict[int, float]:
        """Number fraction of each type present."""
        return {t: float(np.mean(self.types == t)) for t in self.type_list}

    def shortest_height(self) -> float:
        """Smallest distance between opposite faces of the box (neighbour searches stay below half of it)."""
        m = self.box.matrix
        a, b, c = m[:, 0], m[:, 1], m[:, 2]
        volume = self.volume
        return float(min(volume / np.linalg.norm(np.cross(b, c)), volume / np.linalg.norm(np.cross(c, a)),
                         volume / np.linalg.norm(np.cross(a, b))))

    def freud_system(self) -> tuple[Any, np.ndarray]:
        """(freud.box.Box, positions in freud's origin-centred frame)."""
        freud = optional_import("freud", "freud-analysis")
        fbox = freud.box.Box.from_matrix(self.box.matrix)
        fractional = np.linalg.solve(self.box.matrix, (self.positions - np.asarray(self.box.lo)).T).T
        return fbox, np.ascontiguousarray(fbox.make_absolute(fractional), dtype=np.float32)


def as_structure(source: Any, name: str = "structure") -> Structure:
    """A :class:`Structure` from a Structure or a :class:`glassdyn.io.DumpFrame`."""
    if isinstance(source, Structure):
        return source
    if isinstance(source, DumpFrame):
        return Structure.from_frame(source)
    raise TypeError(f"{name} must be a glassdyn.structure.Structure or a glassdyn.io.DumpFrame, "
                    f"got {type(source).__name__}")


def species_names(species: SpeciesNames, types: Sequence[int], *, required: bool = False,
                  name: str = "species") -> dict[int, str]:
    """Type -> species name for each type in ``types``; without ``species`` the names are the type
    numbers as text (or an error if ``required``)."""
    if species is None:
        if required:
            raise ValueError(f"{name} is required here: give the element of each atom type, e.g. {{1: 'Cu', 2: 'Zr'}}")
        return {int(t): str(int(t)) for t in types}
    if isinstance(species, Mapping):
        table = {_checks.integer(f"{name} key", t, at_least=1): s for t, s in species.items()}
    elif isinstance(species, (list, tuple)):
        table = {k + 1: s for k, s in enumerate(species)}
    else:
        raise TypeError(f"{name} must be a mapping type -> name or a sequence of names, got {type(species).__name__}")
    for t, s in table.items():
        if not isinstance(s, str) or not s:
            raise TypeError(f"{name}[{t}] must be a non-empty string, got {s!r}")
    missing = sorted(set(int(t) for t in types) - set(table))
    if missing:
        raise ValueError(f"{name} names no species for atom types {missing}")
    return {int(t): table[int(t)] for t in types}
