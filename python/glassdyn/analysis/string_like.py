"""String-like motion (Donati-Glotzer) over one window, offline."""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from glassdyn import _checks, _core, schema
from glassdyn.analysis._results import (Results, SchemaAnalysis, box_argument, frame_pair, per_atom_masses,
                                        window_atoms)
from glassdyn.io import Box, DumpFrame

#: Names of the global vector of ``compute stringlike/atom``, in its order (:mod:`glassdyn.schema`).
GLOBAL_VECTOR = schema.names("stringlike/atom", "vector")
#: Names of the compute's per-atom array columns, in its order.
PER_ATOM = schema.names("stringlike/atom", "peratom")


class StringLike(SchemaAnalysis):
    """Strings of mobile atoms between a reference frame and a later frame.

    The same C++ code as ``compute stringlike/atom`` runs here, so given the positions the
    compute saw at the start and end of a window, the results are the same.

    Parameters
    ----------
    delta : float
        Pair-test distance: mobile atoms i, j are linked when one is now within ``delta``
        of the other's position at the window start.
    fraction : float, optional
        Mobile atoms are this fraction of the group with the largest displacement
        (default 0.05; ties go to the smaller atom ID). Excludes ``u_range``.
    u_range : (float, float), optional
        Mobile atoms are those with ``u_range[0] <= u <= u_range[1]`` instead.
    delta_pairs : mapping (type_i, type_j) -> float, optional
        Per type pair overrides of ``delta``.
    remove_drift : bool
        Remove the group's centre-of-mass displacement (default True).
    long : int
        Strings of at least this size count as long (default 6).
    maxsize : int
        Largest string size with its own entry in :attr:`size_histogram` (default 50).

    Input is checked before the core runs: a misuse raises one ``ValueError`` or ``TypeError``
    naming the argument (non-finite numbers, ids < 1 or repeated, types < 1, wrong shapes,
    masses <= 0, positions far outside the box).

    Two-dimensional systems: give a box with ``dimension=2`` (``Box(..., dimension=2)`` or
    ``read_dump(path, dimension=2)``). z is then not a direction of the system: it is not
    wrapped, imaged or compared with the box width, so the usual thin z slab of a LAMMPS
    ``dimension 2`` run is accepted; every atom must have the same z in both frames.

    Results are read-only properties (each raises ``NotComputedError`` before ``compute()``),
    named as the compute's outputs in :mod:`glassdyn.schema`: one per column of its global
    vector (:data:`GLOBAL_VECTOR`) and per-atom array (:data:`PER_ATOM`), ``n_xi`` and
    ``n_fast_by_type``, ``n_str_by_type``, ``n_long_by_type`` of its global array, and ``ids``,
    ``drift``; ``global_vector`` and ``peratom`` are those outputs as the compute presents them.

    Examples
    --------
    >>> import numpy as np
    >>> from glassdyn.analysis import StringLike
    >>> from glassdyn.io import Box
    >>> box = Box(lo=(0, 0, 0), hi=(10, 10, 10))
    >>> r0 = np.array([[1.0, 1, 1], [2, 1, 1], [3, 1, 1], [7, 7, 7]])
    >>> r1 = np.array([[2.0, 1, 1], [3, 1, 1], [4, 1, 1], [7, 7, 7]])  # a chain of 3 hops
    >>> s = StringLike(delta=0.5, u_range=(0.5, 2.0), remove_drift=False)
    >>> s.compute(box, ids=[1, 2, 3, 4], types=[1, 1, 1, 1], reference=r0, current=r1).string_size
    array([3, 3, 3, 0])
    """

    CORE = _core.StringAnalysis
    RESULTS = (Results("stringlike/atom", "vector"), Results("stringlike/atom", "peratom"),
               Results("stringlike/atom", "array", columns=("n_xi",)),
               Results("stringlike/atom", "array", columns=("n_fast", "n_str", "n_long"), suffix="_by_type"))
    EXTRA_RESULTS = {"ids": "int (N,): the atom IDs given to compute(), in their order",
                     "drift": "float (3,): removed centre-of-mass displacement of the group"}
    #: The names before the output schema (issue 11), kept for existing scripts.
    ALIASES = {"displacement": "u", "n_string_atoms": "n_str", "n_long_atoms": "n_long",
               "mean_size_number": "xi_number", "mean_size_weight": "xi_weight", "string_fraction": "str_fraction",
               "size_histogram": "n_xi", "fast_by_type": "n_fast_by_type", "string_by_type": "n_str_by_type",
               "long_by_type": "n_long_by_type"}

    def __init__(self, delta: float, *, fraction: Optional[float] = None,
                 u_range: Optional[Sequence[float]] = None,
                 delta_pairs: Optional[Mapping[tuple[int, int], float]] = None,
                 remove_drift: bool = True, long: int = 6, maxsize: int = 50) -> None:
        # Types and finiteness here; the allowed values are checked once, by the core's
        # StringOptions::validate() (the same check and message as compute stringlike/atom).
        self.delta = _checks.real("delta", delta)
        if fraction is not None and u_range is not None:
            raise ValueError("give either fraction or u_range, not both")
        if u_range is None and fraction is None:
            fraction = 0.05
        if fraction is not None:
            fraction = _checks.real("fraction", fraction)
        if u_range is not None:
            if isinstance(u_range, (str, bytes)) or not hasattr(u_range, "__len__") or len(u_range) != 2:
                raise TypeError(f"u_range must be a pair (ulo, uhi), got {u_range!r}")
            u_range = (_checks.real("u_range[0]", u_range[0]), _checks.real("u_range[1]", u_range[1]))
        self.fraction = fraction
        self.u_range = u_range
        self.delta_pairs = _checks.pair_values("delta_pairs", delta_pairs)
        self.remove_drift = _checks.flag("remove_drift", remove_drift)
        self.long = _checks.integer("long", long)
        self.maxsize = _checks.integer("maxsize", maxsize)
        # The core object owns the options, checked once by StringOptions::validate().
        self._core = self._core_for(max([1, *(t for pair in self.delta_pairs for t in pair)]))

    def __repr__(self) -> str:
        selection = f"fraction={self.fraction}" if self.u_range is None else f"u_range={self.u_range}"
        return (f"StringLike(delta={self.delta}, {selection}, delta_pairs={self.delta_pairs}, "
                f"remove_drift={self.remove_drift}, long={self.long}, maxsize={self.maxsize})")

    def _core_for(self, ntypes: int) -> _core.StringAnalysis:
        """The core analysis with these options for atom types 1..ntypes (the pair table's size)."""
        low, high = self.u_range if self.u_range is not None else (0.0, 0.0)
        return _core.StringAnalysis(
            ntypes=ntypes, delta=self.delta, delta_pairs=self.delta_pairs, select_by_fraction=self.u_range is None,
            fraction=self.fraction or 0.0, u_low=low, u_high=high, long_threshold=self.long, maxsize=self.maxsize,
            remove_drift=self.remove_drift)

    def compute(self, box: Box, ids: Sequence[int], types: Sequence[int], reference: Any, current: Any, *,
                masses: Any = None, group: Any = None, ntypes: Optional[int] = None) -> "StringLike":
        """Analyse one window.

        Parameters
        ----------
        box : Box
            The box at the window end (used to wrap positions and build periodic images).
        ids, types : array-like of int, shape (N,)
        reference, current : array-like, shape (N, 3)
            Unwrapped positions at the window start and end, rows in the order of ``ids``.
        masses : None, mapping type -> mass, or array (N,)
            Weights of the drift removal; LAMMPS uses the atom masses (None: all equal).
        group : array-like of bool (N,), optional
            Atoms to analyse (default all).
        ntypes : int, optional
            Number of atom types (default: the largest type present).

        Returns
        -------
        StringLike
            ``self``, with results available as properties.
        """
        box = box_argument("box", box)
        atoms = window_atoms([box], ids, types, reference, current, group, ntypes, self.delta_pairs, "delta_pairs")
        if self._core.ntypes != atoms.ntypes:
            self._core = self._core_for(atoms.ntypes)
        self._computed = False
        self._core.compute(box, atoms.ids, atoms.types, atoms.reference, atoms.current,
                           masses=per_atom_masses(atoms.types, masses), group=atoms.in_group)
        self._finish()
        return self

    def compute_frames(self, start: DumpFrame, end: DumpFrame, *, masses: Any = None, group: Any = None,
                       ntypes: Optional[int] = None) -> "StringLike":
        """Analyse the window between two dump frames (matched by atom ID)."""
        start, end = frame_pair(start, end)
        return self.compute(end.box, end["id"], end["type"], start.unwrapped_positions(),
                            end.unwrapped_positions(), masses=masses, group=group, ntypes=ntypes)
