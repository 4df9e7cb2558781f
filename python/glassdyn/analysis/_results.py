"""Shared plumbing of the offline analysis classes: result properties derived from the output
schema (:class:`SchemaAnalysis`) and the one check of a window's input (built from the helpers
of :mod:`glassdyn._checks`).

Example: ``StringLike`` declares ``RESULTS = (Results("stringlike/atom", "vector"), ...)`` and
thereby has the properties ``n_fast``, ``n_str``, ... ``long_fraction`` (one per column of the
compute's global vector, documented by the column's meaning) and ``global_vector``; each reads
the same-named property of ``glassdyn._core.StringAnalysis``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Iterable, Mapping, Optional, Sequence

import numpy as np

from glassdyn import _checks, schema
from glassdyn._core import NotComputedError
from glassdyn.io import Box, DumpFrame

__all__ = ["ComputedResults", "NotComputedError", "Results", "SchemaAnalysis", "box_argument", "frame_pair", "per_atom_masses",
           "window_atoms"]


@dataclass(frozen=True)
class Results:
    """Columns of one declared output layout that an analysis class exposes as properties.

    Parameters
    ----------
    style, output : str
        The layout (:func:`glassdyn.schema.layout`), e.g. ``("stringlike/atom", "vector")``.
    columns : tuple of str, optional
        Only these columns (default: every column, and then the whole output as one stacked
        property too: ``global_vector``, ``global_array`` or ``peratom``).
    skip : tuple of str
        Columns the offline twin cannot have (e.g. fix dms's current strain).
    suffix : str
        Appended to the property name, for per-type columns that share a name with a scalar
        (``n_fast`` of the array is ``n_fast_by_type``).
    """

    style: str
    output: str
    columns: Optional[tuple[str, ...]] = None
    skip: tuple[str, ...] = ()
    suffix: str = ""

    def selected(self) -> list[schema.Column]:
        lay = schema.layout(self.style, self.output)
        names = lay.names if self.columns is None else self.columns
        return [lay.column(name) for name in names if name not in self.skip]

    @property
    def whole(self) -> bool:
        return self.columns is None and not self.skip


#: Name of the property that stacks a whole output, as the style presents it.
_STACKED = {"vector": "global_vector", "array": "global_array", "peratom": "peratom"}


class SchemaAnalysis:
    """Base of the offline analysis classes: result properties derived from the output schema.

    A subclass sets ``CORE`` (the :mod:`glassdyn._core` class it runs), ``RESULTS`` (the
    declared layouts it exposes), and optionally ``EXTRA_RESULTS`` (name -> docstring of core
    results outside the layouts) and ``ALIASES`` (old name -> current name). Each gets a
    read-only property that raises :class:`NotComputedError` before ``compute()`` and reads
    the core object's attribute of the same name; a name the core class lacks is an error at
    import. ``compute()`` runs the core object and calls :meth:`_finish`.
    """

    CORE: ClassVar[type]
    RESULTS: ClassVar[tuple[Results, ...]] = ()
    EXTRA_RESULTS: ClassVar[Mapping[str, str]] = {}
    ALIASES: ClassVar[Mapping[str, str]] = {}
    #: Every generated result property (set per subclass): layout columns, then EXTRA_RESULTS.
    result_names: ClassVar[tuple[str, ...]] = ()
    _core: Any = None
    _computed: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names: list[str] = []
        for part in cls.RESULTS:
            for column in part.selected():
                names.append(column.name + part.suffix)
                cls._add(column.name + part.suffix, f"{column.meaning} [{column.unit}]")
            if part.whole:
                setattr(cls, _STACKED[part.output], _stacked_property(part))
        for name, doc in cls.EXTRA_RESULTS.items():
            names.append(name)
            cls._add(name, doc)
        for old, new in cls.ALIASES.items():
            setattr(cls, old, property(lambda self, new=new: getattr(self, new), doc=f"Alias of :attr:`{new}`."))
        cls.result_names = tuple(names)

    @classmethod
    def _add(cls, name: str, doc: str) -> None:
        if not hasattr(cls.CORE, name):
            raise TypeError(f"{cls.__name__}: glassdyn._core.{cls.CORE.__name__} has no result {name!r}; add the "
                            "property there (the binding names every declared column)")
        setattr(cls, name, property(lambda self: self._result(name), doc=doc))

    def _result(self, name: str) -> Any:
        if not self._computed:
            raise NotComputedError(f"{type(self).__name__}.{name} is not available: call compute() first")
        return _read_only(getattr(self._core, name))

    def _finish(self) -> None:
        """Accept the core object's results, refusing them all if a float result is not finite.

        Inputs are checked to be finite first, so a non-finite result can only come from
        arithmetic overflow of extreme (finite) input; it is never handed out as a number.
        """
        self._computed = False
        for name in self.result_names:
            value = getattr(self._core, name)
            if isinstance(value, (float, np.ndarray)) and np.asarray(value).dtype.kind == "f" \
                    and not np.isfinite(value).all():
                raise ValueError(f"{type(self).__name__}: the result {name!r} is not finite: the input values are "
                                 "too large to combine in double precision; rescale them")
        self._computed = True

    @property
    def computed(self) -> bool:
        """True once ``compute()`` succeeded."""
        return self._computed


class ComputedResults:
    """Holds the results of the last ``compute()`` of an analysis whose results are not the
    columns of one declared layout (Percolation's per-class blocks and two modes), and hands
    out read-only copies; a float result that is not finite is refused, as in
    :meth:`SchemaAnalysis._finish`."""

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._values: Optional[dict[str, Any]] = None

    def store(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            if isinstance(value, (float, np.ndarray)) and np.asarray(value).dtype.kind == "f" \
                    and not np.isfinite(value).all():
                raise ValueError(f"{self._owner}: the result {name!r} is not finite: the input values are too "
                                 "large to combine in double precision; rescale them")
        frozen = {}
        for name, value in values.items():
            if isinstance(value, np.ndarray):
                value = value.copy()
                value.flags.writeable = False
            frozen[name] = value
        self._values = frozen

    @property
    def ready(self) -> bool:
        return self._values is not None

    def get(self, name: str) -> Any:
        if self._values is None:
            raise NotComputedError(f"{self._owner}.{name} is not available: call compute() first")
        return self._values[name]


def _read_only(value: Any) -> Any:
    """Arrays handed out as results cannot be written to (each is a fresh copy of the core's result)."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    return value


def _stacked_property(part: Results) -> property:
    """The whole output as the style presents it: the vector's values in order (set-major for
    per-set blocks), the per-atom array (N, columns), or the global array with per-set columns
    expanded in place."""
    lay = schema.layout(part.style, part.output)

    def stacked(self: SchemaAnalysis) -> np.ndarray:
        values = [self._result(c.name) for c in lay.columns]
        if lay.output == "vector":
            if lay.block_per_set:
                return _read_only(np.column_stack(values).ravel())
            return _read_only(np.array(values, dtype=float))
        if lay.output == "peratom":
            return _read_only(np.column_stack([np.asarray(v, dtype=float) for v in values]))
        return _read_only(np.column_stack([v.T if c.per_set else v for c, v in zip(lay.columns, values)]))

    return property(stacked, doc=f"The {part.style} {part.output} as the style presents it, columns "
                                 f"{', '.join(lay.names)}.")


def box_argument(name: str, box: Any) -> Box:
    if not isinstance(box, Box):
        raise TypeError(f"{name} must be a glassdyn.io.Box, got {type(box).__name__}")
    return box


def per_atom_masses(types: np.ndarray, masses: Any) -> np.ndarray:
    """Masses per atom from None (all 1), a per-type mapping, or a per-atom array; each finite and > 0."""
    if masses is None:
        return np.ones(len(types))
    if isinstance(masses, Mapping):
        by_type = {_checks.integer("masses key", t, at_least=1): _checks.real(f"masses[{t!r}]", m, above=0.0)
                   for t, m in masses.items()}
        missing = sorted(set(int(t) for t in np.unique(types)) - set(by_type))
        if missing:
            raise ValueError(f"masses has no entry for atom types {missing}; give a mass for every type")
        return np.array([by_type[int(t)] for t in types], dtype=float)
    return _checks.float_array("masses", masses, (len(types),), above=0.0)


@dataclass
class WindowAtoms:
    """Per-atom input of one analysis window, checked and converted for the core."""

    ids: np.ndarray
    types: np.ndarray
    reference: np.ndarray
    current: np.ndarray
    in_group: np.ndarray
    ntypes: int


def _positions(name: str, values: Any, n: int, box: Box) -> np.ndarray:
    """Finite (n, 3) positions within MAX_BOX_LENGTHS box lengths of ``box`` (so wrapping keeps precision)."""
    positions = _checks.float_array(name, values, (n, 3))
    fractional = np.linalg.solve(box.matrix, (positions - np.asarray(box.lo)).T).T
    far = ~(np.abs(fractional) <= _checks.MAX_BOX_LENGTHS)
    if far.any():
        row = int(np.flatnonzero(far.any(axis=1))[0])
        raise ValueError(f"{name}[{row}] = {positions[row].tolist()} lies more than {_checks.MAX_BOX_LENGTHS:g} box "
                         "lengths from the box: check the units and the box")
    return positions


def window_atoms(boxes: Sequence[Box], ids: Any, types: Any, reference: Any, current: Any, group: Any,
                 ntypes: Optional[int], pair_overrides: Iterable[tuple[int, int]], overrides_name: str) -> WindowAtoms:
    """Check the input of one window: ids >= 1 and unique, types in 1..ntypes, positions finite and
    near the box (``boxes`` = start and end box, or one box for both), group a mask, and for a
    2-D box every atom at the same z."""
    start_box, end_box = boxes[0], boxes[-1]
    if start_box.dimension != end_box.dimension:
        raise ValueError(f"start_box and end_box differ in dimension ({start_box.dimension} and {end_box.dimension})")
    ids = _checks.int_array("ids", ids, None, at_least=1, unique=True)
    n = len(ids)
    types = _checks.int_array("types", types, n, at_least=1, at_most=_checks.MAX_TYPES)
    reference = _positions("reference", reference, n, start_box)
    current = _positions("current", current, n, end_box)
    in_group = np.ones(n, dtype=bool) if group is None else _checks.bool_array("group", group, n)
    largest = int(types.max()) if n else 1
    if ntypes is None:
        ntypes = largest
    ntypes = _checks.integer("ntypes", ntypes, at_least=max(1, largest), at_most=_checks.MAX_TYPES)
    for (type_i, type_j) in pair_overrides:
        if not (1 <= type_i <= ntypes and 1 <= type_j <= ntypes):
            raise ValueError(f"{overrides_name} names type pair ({type_i}, {type_j}) outside 1..{ntypes}")
    if start_box.dimension == 2 and n:
        z = np.concatenate([reference[:, 2], current[:, 2]])
        if np.ptp(z) != 0.0:
            raise ValueError(f"reference/current: a 2-D box (dimension=2) needs every atom at the same z in both "
                             f"frames, got z from {z.min():g} to {z.max():g}")
    return WindowAtoms(ids, types.astype(np.intc), reference, current, in_group, ntypes)


def frame_pair(start: Any, end: Any) -> tuple[DumpFrame, DumpFrame]:
    """Two dump frames of one window: frames with id and type columns and the same atoms
    (the reader sorts rows by ID, so equal id columns mean row k is the same atom in both)."""
    for name, frame in (("start", start), ("end", end)):
        if not isinstance(frame, DumpFrame):
            raise TypeError(f"{name} must be a glassdyn.io.DumpFrame, got {type(frame).__name__}")
        missing = [c for c in ("id", "type") if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} frame (step {frame.timestep}) has no column {missing}; dump 'id type xu yu zu'")
    if not np.array_equal(start["id"], end["id"]):
        raise ValueError("start and end frames hold different atoms; dump the same group at both steps")
    return start, end
