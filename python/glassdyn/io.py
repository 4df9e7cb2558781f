"""Reading LAMMPS text dump files.

Examples
--------
>>> from glassdyn.io import read_dump
>>> frames = read_dump("dump.atoms")            # doctest: +SKIP
>>> frames[0].timestep, frames[0].box.lengths   # doctest: +SKIP
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional, Union

import numpy as np

from glassdyn import _checks

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
    dimension : int
        3, or 2 for a LAMMPS ``dimension 2`` system: z is then not a direction of the system
        (every atom has the same z, the box is a thin slab), so the analyses neither wrap nor
        image along z and do not compare their distances with the z width.

    Raises
    ------
    ValueError, TypeError
        Unless bounds and tilts are finite, every hi exceeds its lo, and dimension is 2 or 3.
    """

    lo: tuple[float, float, float]
    hi: tuple[float, float, float]
    tilt: tuple[float, float, float] = (0.0, 0.0, 0.0)
    periodic: tuple[bool, bool, bool] = (True, True, True)
    dimension: int = 3

    def __post_init__(self) -> None:
        checked = _checks.box_fields(self.lo, self.hi, self.tilt, self.periodic, self.dimension)
        for name, value in zip(("lo", "hi", "tilt", "periodic", "dimension"), checked):
            object.__setattr__(self, name, value)  # frozen: set once, checked

    @property
    def lengths(self) -> np.ndarray:
        return np.asarray(self.hi) - np.asarray(self.lo)

    @property
    def matrix(self) -> np.ndarray:
        """Edge vectors a, b, c as the columns of an upper-triangular 3x3 matrix."""
        lx, ly, lz = self.lengths
        xy, xz, yz = self.tilt
        return np.array([[lx, xy, xz], [0.0, ly, yz], [0.0, 0.0, lz]])


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


class DumpFormatError(ValueError):
    """A file that is not a well-formed LAMMPS text dump; the message names the file and line.

    Attributes
    ----------
    path : str
    line : int
        1-based line number where reading stopped (0 for the file as a whole).
    """

    def __init__(self, path: PathLike, line: int, message: str) -> None:
        self.path, self.line = str(path), line
        super().__init__(f"{path}, line {line}: {message}")


#: Columns stored as integers; each must hold whole numbers.
INTEGER_COLUMNS = frozenset({"id", "type", "ix", "iy", "iz", "mol", "proc"})
#: Columns glassdyn interprets as numbers (positions, masses): each must be finite. Other
#: float columns (a compute's output, say) are read as written.
FINITE_COLUMNS = frozenset({"x", "y", "z", "xu", "yu", "zu", "xs", "ys", "zs", "xsu", "ysu", "zsu", "mass"})
#: Sections LAMMPS may write before ``ITEM: TIMESTEP`` (``dump_modify units/time yes``).
_PREAMBLE_ITEMS = ("ITEM: UNITS", "ITEM: TIME")
#: No text dump line is this long; a longer one means the file is not a text dump.
_MAX_LINE_BYTES = 1 << 20


def _is_integer_column(name: str) -> bool:
    return name in INTEGER_COLUMNS or name.startswith("i_")


class _Lines:
    """A dump file read line by line, with the line number and the bytes still unread."""

    def __init__(self, path: PathLike, handle: Any) -> None:
        self.path, self.handle, self.number, self.at_end = path, handle, 0, False
        self.size = os.fstat(handle.fileno()).st_size

    def error(self, message: str, line: Optional[int] = None) -> DumpFormatError:
        return DumpFormatError(self.path, self.number if line is None else line, message)

    def _readline(self) -> bytes:
        raw = self.handle.readline(_MAX_LINE_BYTES)
        if not raw:
            self.at_end = True
            return raw
        self.number += 1
        if len(raw) == _MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise self.error(f"a line longer than {_MAX_LINE_BYTES} bytes: this is not a LAMMPS text dump")
        return raw

    def next(self) -> Optional[str]:
        raw = self._readline()
        return raw.decode("utf-8", errors="replace") if raw else None

    def rows(self, count: int) -> list[bytes]:
        """Up to ``count`` raw lines; fewer if the file ends or an ``ITEM:`` line comes first
        (that line is then the current one, ``number``, for the error message)."""
        out = []
        for _ in range(count):
            raw = self._readline()
            if not raw or raw.startswith(b"ITEM:"):
                break
            out.append(raw)
        return out

    def expect(self, what: str) -> str:
        line = self.next()
        if line is None:
            raise self.error(f"the file ends where {what} should follow (truncated dump)")
        return line

    def remaining_bytes(self) -> int:
        return self.size - self.handle.tell()


def _is_number(word: str) -> bool:
    try:
        float(word)
        return True
    except ValueError:
        return False


def _number(lines: _Lines, text: str, what: str, kind: type = float) -> Any:
    try:
        return kind(text.strip())
    except ValueError:
        raise lines.error(f"{what} must be {'an integer' if kind is int else 'a number'}, got {text.strip()!r}") \
            from None


def _read_box(lines: _Lines, header: str, dimension: int) -> Box:
    words = header.split()
    triclinic = "xy" in words
    flags = [w for w in words[3:] if w not in ("xy", "xz", "yz")]
    expected = 3 if triclinic else 2
    bounds = []
    for axis in "xyz":
        fields = lines.expect(f"the {axis} bounds of the box").split()
        if len(fields) != expected:
            raise lines.error(f"box line for {axis} must hold {expected} numbers, got {len(fields)}")
        values = [_number(lines, f, f"box bound of {axis}") for f in fields]
        if not all(np.isfinite(values)):
            raise lines.error(f"box bounds and tilts must be finite, got {values} for {axis}")
        bounds.append(values)
    array = np.array(bounds)
    tilt = (0.0, 0.0, 0.0)
    if triclinic:  # the file holds the bounding box and the tilts
        xy, xz, yz = array[:, 2]
        tilt = (xy, xz, yz)
        array = array[:, :2].copy()
        array[0, 0] -= min(0.0, xy, xz, xy + xz)
        array[0, 1] -= max(0.0, xy, xz, xy + xz)
        array[1, 0] -= min(0.0, yz)
        array[1, 1] -= max(0.0, yz)
    periodic = tuple(f == "pp" for f in flags[-3:]) if len(flags) >= 3 else (True, True, True)
    try:
        return Box(lo=tuple(array[:, 0]), hi=tuple(array[:, 1]), tilt=tilt, periodic=periodic,  # type: ignore
                   dimension=dimension)
    except ValueError as error:
        raise lines.error(f"invalid box: {error}") from None


def _read_rows(lines: _Lines, natoms: int, names: list[str], count_line: int, timestep: int) -> np.ndarray:
    """The frame's table (natoms, ncols), read only as far as rows really exist."""
    ncols = len(names)
    # Each row needs at least one character and one separator per column: a declared count
    # that cannot fit in the rest of the file fails here, before anything is allocated.
    if natoms * 2 * ncols > lines.remaining_bytes():
        raise lines.error(f"the frame at step {timestep} declares {natoms} atoms, but only "
                          f"{lines.remaining_bytes()} bytes follow; at most {lines.remaining_bytes() // (2 * ncols)} "
                          f"rows of {ncols} columns fit", count_line)
    first_row = lines.number + 1
    rows = lines.rows(natoms)
    if len(rows) < natoms:
        where = "the file ends" if lines.at_end else f"line {lines.number} starts a new section"
        raise lines.error(f"the frame at step {timestep} declares {natoms} atoms (line {count_line}) but holds "
                          f"only {len(rows)} rows: {where} (truncated frame or wrong count)")
    if natoms == 0:
        return np.zeros((0, ncols))
    text = [row.decode("utf-8", errors="replace") for row in rows]
    try:  # numpy's C parser; it also refuses rows of unequal length and words that are not numbers
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a blank row shows up as a short table, refused below
            table = np.loadtxt(text, ndmin=2, dtype=np.float64, comments=None)
        if table.shape == (natoms, ncols):
            return table
    except ValueError:
        pass
    for k, row in enumerate(text):  # the slow search runs only for a bad file, to name the line
        words = row.split()
        if len(words) != ncols:
            raise lines.error(f"row has {len(words)} values, the ITEM: ATOMS line names {ncols} columns {names}",
                              first_row + k)
        for name, word in zip(names, words):
            if not _is_number(word):
                raise lines.error(f"{word!r} in column {name!r} is not a number", first_row + k)
    raise lines.error("the rows of this frame cannot be read as numbers", first_row)


def _check_columns(lines: _Lines, table: np.ndarray, names: list[str], first_row: int) -> dict[str, np.ndarray]:
    """Columns by name, integer columns as int64; non-finite or fractional values are refused."""
    ids = table[:, names.index("id")] if "id" in names else None

    def refuse(rows: np.ndarray, name: str, problem: str) -> DumpFormatError:
        k = int(np.flatnonzero(rows)[0])
        atom = f"atom id {ids[k]:.0f}, " if ids is not None and np.isfinite(ids[k]) else ""
        return lines.error(f"{atom}column {name!r} {problem}, got {table[k, names.index(name)]}", first_row + k)

    columns = {}
    for k, name in enumerate(names):
        values = table[:, k]
        if _is_integer_column(name) or name in FINITE_COLUMNS:
            bad = ~np.isfinite(values)
            if bad.any():
                raise refuse(bad, name, "must be finite")
        if _is_integer_column(name):
            bad = (values != np.round(values)) | (np.abs(values) > 2.0**53)
            if bad.any():
                raise refuse(bad, name, "must hold whole numbers")
            values = values.astype(np.int64)
        columns[name] = values
    for name in ("id", "type"):
        if name in columns and len(columns[name]) and columns[name].min() < 1:
            raise refuse(columns[name] < 1, name, "must be >= 1")
    if "id" in columns:
        order = np.argsort(columns["id"], kind="stable")
        columns = {name: values[order] for name, values in columns.items()}
        repeated = np.flatnonzero(np.diff(columns["id"]) == 0)
        if len(repeated):
            raise lines.error(f"atom id {columns['id'][repeated[0]]} occurs twice in the frame ending here")
    return columns


def _read_frame(lines: _Lines, first: str, dimension: int, previous: Optional[tuple[int, int]]) -> DumpFrame:
    line = first
    while line.strip() in _PREAMBLE_ITEMS:
        lines.expect(f"the value of {line.strip()}")
        line = lines.expect("ITEM: TIMESTEP")
    if line.strip() != "ITEM: TIMESTEP":
        if previous is None:
            raise lines.error(f"this is not a LAMMPS text dump: expected 'ITEM: TIMESTEP', got {line.strip()[:60]!r}")
        looks_like_row = all(_is_number(word) for word in line.split())
        reason = (f": that frame holds more rows than the {previous[1]} it declares" if looks_like_row else "")
        raise lines.error(f"expected 'ITEM: TIMESTEP' after the frame at step {previous[0]}, got "
                          f"{line.strip()[:60]!r}{reason}")
    timestep = _number(lines, lines.expect("the timestep"), "the timestep", int)
    if lines.expect("ITEM: NUMBER OF ATOMS").strip() != "ITEM: NUMBER OF ATOMS":
        raise lines.error(f"expected 'ITEM: NUMBER OF ATOMS' in the frame at step {timestep}")
    natoms = _number(lines, lines.expect("the number of atoms"), "the number of atoms", int)
    count_line = lines.number
    if natoms < 0:
        raise lines.error(f"the number of atoms must be >= 0, got {natoms}")
    header = lines.expect("ITEM: BOX BOUNDS")
    if not header.startswith("ITEM: BOX BOUNDS"):
        raise lines.error(f"expected 'ITEM: BOX BOUNDS' in the frame at step {timestep}, got {header.strip()[:60]!r}")
    box = _read_box(lines, header, dimension)
    atoms_header = lines.expect("ITEM: ATOMS")
    names = atoms_header.split()[2:]
    if not atoms_header.startswith("ITEM: ATOMS") or not names:
        raise lines.error("expected 'ITEM: ATOMS' followed by column names")
    if len(set(names)) != len(names):
        raise lines.error(f"the ITEM: ATOMS line names a column twice: {names}")
    first_row = lines.number + 1
    table = _read_rows(lines, natoms, names, count_line, timestep)
    return DumpFrame(timestep=timestep, box=box, columns=_check_columns(lines, table, names, first_row))


def iter_dump(path: PathLike, *, dimension: int = 3) -> Iterator[DumpFrame]:
    """Yield the frames of a LAMMPS text dump one at a time.

    Parameters
    ----------
    path : str or Path
    dimension : int
        3 (default) or 2 for a ``dimension 2`` LAMMPS run; stored in every frame's
        :class:`Box` so the analyses ignore the thin z direction.

    Raises
    ------
    DumpFormatError
        (a ValueError) naming the file and line, for anything that is not a well-formed dump:
        no ``ITEM: TIMESTEP`` header, a declared atom count that differs from the rows present
        (checked before any memory is allocated from it), a truncated frame, a row with the
        wrong number of values or a word that is not a number, non-finite box bounds, tilts,
        positions or masses, fractional or non-positive ids and types, duplicate ids.
    """
    dimension = _checks.integer("dimension", dimension, at_least=2, at_most=3)
    with open(path, "rb") as handle:
        lines = _Lines(path, handle)
        previous: Optional[tuple[int, int]] = None
        while True:
            line = lines.next()
            if line is None:
                if previous is None:
                    raise lines.error("the file is empty: this is not a LAMMPS text dump")
                return
            if not line.strip() and previous is not None:
                continue  # blank lines between frames carry nothing
            frame = _read_frame(lines, line, dimension, previous)
            previous = (frame.timestep, len(frame))
            yield frame


def read_dump(path: PathLike, *, dimension: int = 3) -> list[DumpFrame]:
    """Read every frame of a LAMMPS text dump; see :func:`iter_dump` for the arguments and errors."""
    return list(iter_dump(path, dimension=dimension))
