"""The output layouts of glassdyn's LAMMPS styles, as declared once in C++ (``src/core/schema/``).

Every global vector, global array and per-atom array of ``compute stringlike/atom``, ``compute
cage/atom``, ``compute displacement/distribution`` and ``fix dms`` is a list of columns with a
name, a meaning and a unit kind. The plugin fills them in that order, and everything on the
Python side takes names and positions from here: the analysis classes' result names, the column
references in the campaign's LAMMPS inputs, the harvest, the HDF5 and CSV names, and the tables
of the doc pages (``tests/test_schema.py`` compares them).

Examples
--------
>>> from glassdyn import schema
>>> schema.names("stringlike/atom", "vector")[:3]
('n_fast', 'n_str', 'n_long')
>>> schema.column_index("dms", "vector", "strain")      # 1-based, as in f_ID[10]
10
>>> schema.layout("displacement/distribution", "array").width(ntypes=2)
8
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

from glassdyn import _core

#: Unit kinds a column may have; readers turn them into real units (bar, Angstrom, ...).
UNIT_KINDS = ("1", "count", "fraction", "flag", "index", "length", "1/length", "pressure", "stress*volume",
              "time", "length^2", "length^2/time")


@dataclass(frozen=True)
class Column:
    """One output column: its name (the same in C++, Python, HDF5 and CSV), meaning and unit kind."""

    name: str
    meaning: str
    unit: str
    per_set: bool = False   #: repeated once per set (all atoms, then each atom type)


@dataclass(frozen=True)
class Layout:
    """One output (a global vector, global array or per-atom array) of one style.

    Attributes
    ----------
    style : str
        The LAMMPS style, e.g. ``"stringlike/atom"`` or ``"dms"`` (fix dms).
    output : str
        ``"vector"``, ``"array"`` or ``"peratom"``.
    rows : str
        What a row of a global array is ("" otherwise).
    block_per_set : bool
        The whole column list repeats once per set (value k of set s at ``len(columns) * s + k``).
    columns : tuple of Column
    """

    style: str
    output: str
    rows: str
    block_per_set: bool
    columns: tuple[Column, ...]

    @property
    def key(self) -> str:
        return f"{self.style} {self.output}"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def has_sets(self) -> bool:
        return self.block_per_set or any(c.per_set for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.key} has no column {name!r}; it has {', '.join(self.names)}")

    def index(self, name: str, *, ntypes: Optional[int] = None, set: int = 0) -> int:
        """1-based LAMMPS index of column ``name`` (of set ``set`` for per-set columns)."""
        self.column(name)
        sets = self._sets(ntypes)
        if self.block_per_set:
            return set * len(self.columns) + self.names.index(name) + 1
        position = 1
        for c in self.columns:
            if c.name == name:
                return position + (set if c.per_set else 0)
            position += sets if c.per_set else 1
        raise AssertionError("unreachable")

    def width(self, ntypes: Optional[int] = None) -> int:
        """Number of values (vector) or columns (arrays) with per-set columns expanded."""
        sets = self._sets(ntypes)
        if self.block_per_set:
            return len(self.columns) * sets
        return sum(sets if c.per_set else 1 for c in self.columns)

    def expanded_names(self, set_names: Sequence[str] = ()) -> list[str]:
        """Names of all values in order; per-set values get ``_<set name>`` appended."""
        if self.has_sets and not set_names:
            raise ValueError(f"{self.key} repeats per set: give the set names (all, then each type)")
        if self.block_per_set:
            return [f"{c.name}_{s}" for s in set_names for c in self.columns]
        out: list[str] = []
        for c in self.columns:
            out += [f"{c.name}_{s}" for s in set_names] if c.per_set else [c.name]
        return out

    def references(self, prefix: str, names: Optional[Sequence[str]] = None, *,
                   ntypes: Optional[int] = None) -> list[str]:
        """LAMMPS references such as ``c_gd_str[3]``: of the named columns, or of every value."""
        if names is None:
            return [f"{prefix}[{k}]" for k in range(1, self.width(ntypes) + 1)]
        return [f"{prefix}[{self.index(name, ntypes=ntypes)}]" for name in names]

    def _sets(self, ntypes: Optional[int]) -> int:
        if not self.has_sets:
            return 1
        if ntypes is None:
            raise ValueError(f"{self.key} has one set per atom type: give ntypes")
        return ntypes + 1


@lru_cache(maxsize=None)
def layouts() -> dict[str, Layout]:
    """Every layout, keyed ``"STYLE OUTPUT"`` (e.g. ``"cage/atom array"``), from the C++ declaration."""
    out = {}
    for key, raw in _core.output_schema().items():
        columns = tuple(Column(name, meaning, unit, per_set) for name, meaning, unit, per_set in raw["columns"])
        out[key] = Layout(raw["style"], raw["output"], raw["rows"], raw["block_per_set"], columns)
    return out


def layout(style: str, output: str) -> Layout:
    """The layout of one output, e.g. ``layout("stringlike/atom", "vector")``."""
    key = f"{style} {output}"
    try:
        return layouts()[key]
    except KeyError:
        raise KeyError(f"no output layout {key!r}; known: {', '.join(layouts())}") from None


def names(style: str, output: str) -> tuple[str, ...]:
    """Column names of one output, in order."""
    return layout(style, output).names


def column_index(style: str, output: str, name: str, *, ntypes: Optional[int] = None, set: int = 0) -> int:
    """1-based LAMMPS index of a column (``c_ID[k]``, ``f_ID[k]``, ``c_ID[I][k]``)."""
    return layout(style, output).index(name, ntypes=ntypes, set=set)


def _position(lay: Layout, column: Column) -> str:
    """The doc table's position of a column: a number, or a pattern in ntypes and s (per set)."""
    if lay.block_per_set:
        return str(lay.names.index(column.name) + 1)
    shared = per_set = 0
    for c in lay.columns:
        if c.name == column.name:
            break
        if c.per_set:
            per_set += 1
        else:
            shared += 1
    constant = 1 + shared + per_set
    terms = [] if per_set == 0 else ["ntypes" if per_set == 1 else f"{per_set} ntypes"]
    terms.append(str(constant))
    if column.per_set:
        terms.append("s")
    return " + ".join(terms)


def markdown_table(style: str, output: str) -> str:
    """The doc-page table of one output (the doc pages hold exactly this; a test checks it)."""
    lay = layout(style, output)
    first = {"vector": "index", "array": "column", "peratom": "column"}[lay.output]
    value = "value in row I" if lay.output == "array" else "value"
    if lay.block_per_set:
        first, value = "k", "value for the set"
    lines = [f"| {first} | name | unit | {value} |", "|---|---|---|---|"]
    lines += [f"| {_position(lay, c)} | `{c.name}` | {c.unit} | {c.meaning} |" for c in lay.columns]
    return "\n".join(lines)
