"""String-like motion (Donati-Glotzer) over one window, offline."""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import numpy as np

from glassdyn import _checks, _core, schema
from glassdyn.analysis._results import ComputedResults, box_argument, frame_pair, per_atom_masses, window_atoms
from glassdyn.io import Box, DumpFrame

#: Names of the global vector of ``compute stringlike/atom``, in its order (:mod:`glassdyn.schema`).
GLOBAL_VECTOR = schema.names("stringlike/atom", "vector")
#: Names of the compute's per-atom array columns, in its order.
PER_ATOM = schema.names("stringlike/atom", "peratom")

# Result keys of the core binding that predate the schema's names, and their schema names; the
# results are kept under the schema's names only (old property names below are aliases).
_CORE_NAMES = {"n_string_atoms": "n_str", "n_long_atoms": "n_long", "mean_size_number": "xi_number",
               "mean_size_weight": "xi_weight", "string_fraction": "str_fraction", "size_histogram": "n_xi",
               "displacement": "u", "fast_by_type": "n_fast_by_type", "string_by_type": "n_str_by_type",
               "long_by_type": "n_long_by_type"}


class StringLike:
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
        low, high = u_range if u_range is not None else (0.0, 0.0)
        _core.validate_string_options(
            ntypes=max([1, *(t for pair in self.delta_pairs for t in pair)]), delta=self.delta,
            delta_pairs=self.delta_pairs, select_by_fraction=u_range is None, fraction=fraction or 0.0, u_low=low,
            u_high=high, long_threshold=self.long, maxsize=self.maxsize, remove_drift=self.remove_drift)
        self._results = ComputedResults(type(self).__name__)

    def __repr__(self) -> str:
        selection = f"fraction={self.fraction}" if self.u_range is None else f"u_range={self.u_range}"
        return (f"StringLike(delta={self.delta}, {selection}, delta_pairs={self.delta_pairs}, "
                f"remove_drift={self.remove_drift}, long={self.long}, maxsize={self.maxsize})")

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
        low, high = self.u_range if self.u_range is not None else (0.0, 0.0)
        values = _core.analyse_strings_py(
            box.as_core(), atoms.ids, atoms.types, per_atom_masses(atoms.types, masses), atoms.in_group,
            atoms.reference, atoms.current, ntypes=atoms.ntypes, delta=self.delta, delta_pairs=self.delta_pairs,
            select_by_fraction=self.u_range is None, fraction=self.fraction or 0.0, u_low=low, u_high=high,
            long_threshold=self.long, maxsize=self.maxsize, remove_drift=self.remove_drift)
        values = {_CORE_NAMES.get(name, name): value for name, value in values.items()}
        values["ids"] = atoms.ids
        self._results.store(values)
        return self

    def compute_frames(self, start: DumpFrame, end: DumpFrame, *, masses: Any = None, group: Any = None,
                       ntypes: Optional[int] = None) -> "StringLike":
        """Analyse the window between two dump frames (matched by atom ID)."""
        start, end = frame_pair(start, end)
        return self.compute(end.box, end["id"], end["type"], start.unwrapped_positions(),
                            end.unwrapped_positions(), masses=masses, group=group, ntypes=ntypes)

    # ---- per-atom results, in the order of the ids given to compute()
    @property
    def ids(self) -> np.ndarray:
        return self._results.get("ids")

    @property
    def mobile(self) -> np.ndarray:
        """bool (N,): the atom is mobile ("fast")."""
        return self._results.get("mobile")

    @property
    def string_id(self) -> np.ndarray:
        """int (N,): smallest atom ID of the atom's string; 0 if it is in no string."""
        return self._results.get("string_id")

    @property
    def string_size(self) -> np.ndarray:
        """int (N,): size xi of the atom's string; 1 for isolated mobile atoms, 0 otherwise."""
        return self._results.get("string_size")

    @property
    def u(self) -> np.ndarray:
        """float (N,): displacement u over the window (drift removed if asked)."""
        return self._results.get("u")

    @property
    def in_string(self) -> np.ndarray:
        """bool (N,): the atom is in a string (size >= 2)."""
        return self.string_id > 0

    @property
    def in_long(self) -> np.ndarray:
        """bool (N,): the atom is in a string of at least ``long`` atoms."""
        return self.in_string & (self.string_size >= self.long)

    @property
    def peratom(self) -> np.ndarray:
        """float (N, 6): the compute's per-atom array, columns :data:`PER_ATOM`."""
        return np.column_stack([np.asarray(getattr(self, name), dtype=float) for name in PER_ATOM])

    @property
    def drift(self) -> np.ndarray:
        """float (3,): removed centre-of-mass displacement of the group."""
        return self._results.get("drift")

    # ---- global results (names of the compute's global vector and array)
    @property
    def n_fast(self) -> int:
        """N_fast: number of mobile atoms."""
        return int(self._results.get("n_fast"))

    @property
    def n_str(self) -> int:
        """N_str: number of atoms in strings (size >= 2)."""
        return int(self._results.get("n_str"))

    @property
    def n_long(self) -> int:
        """N_long: number of atoms in strings of at least ``long`` atoms."""
        return int(self._results.get("n_long"))

    @property
    def n_strings(self) -> int:
        """Number of strings (size >= 2)."""
        return int(self._results.get("n_strings"))

    @property
    def xi_number(self) -> float:
        """Number-average string size <xi>_n."""
        return float(self._results.get("xi_number"))

    @property
    def xi_weight(self) -> float:
        """Weight-average string size L_w."""
        return float(self._results.get("xi_weight"))

    @property
    def str_fraction(self) -> float:
        """N_str / N_fast (0 if N_fast = 0)."""
        return float(self._results.get("str_fraction"))

    @property
    def long_fraction(self) -> float:
        """N_long / N_str (0 if N_str = 0)."""
        return float(self._results.get("long_fraction"))

    @property
    def n_xi(self) -> np.ndarray:
        """int (maxsize+1,): entry xi-1 counts clusters of size xi; the last counts sizes > maxsize."""
        return self._results.get("n_xi")

    @property
    def n_fast_by_type(self) -> np.ndarray:
        """int (ntypes,): mobile atoms per type (the array's ``n_fast`` column)."""
        return self._results.get("n_fast_by_type")

    @property
    def n_str_by_type(self) -> np.ndarray:
        """int (ntypes,): string atoms per type (the array's ``n_str`` column)."""
        return self._results.get("n_str_by_type")

    @property
    def n_long_by_type(self) -> np.ndarray:
        """int (ntypes,): long-string atoms per type (the array's ``n_long`` column)."""
        return self._results.get("n_long_by_type")

    @property
    def global_vector(self) -> np.ndarray:
        """The 8 values of the compute's global vector, in its order (:data:`GLOBAL_VECTOR`)."""
        return np.array([self._results.get(name) for name in GLOBAL_VECTOR], dtype=float)

    # ---- aliases: the names before the output schema (issue 11), kept for existing scripts
    @property
    def displacement(self) -> np.ndarray:
        """Alias of :attr:`u`."""
        return self.u

    @property
    def n_string_atoms(self) -> int:
        """Alias of :attr:`n_str`."""
        return self.n_str

    @property
    def n_long_atoms(self) -> int:
        """Alias of :attr:`n_long`."""
        return self.n_long

    @property
    def mean_size_number(self) -> float:
        """Alias of :attr:`xi_number`."""
        return self.xi_number

    @property
    def mean_size_weight(self) -> float:
        """Alias of :attr:`xi_weight`."""
        return self.xi_weight

    @property
    def string_fraction(self) -> float:
        """Alias of :attr:`str_fraction`."""
        return self.str_fraction

    @property
    def size_histogram(self) -> np.ndarray:
        """Alias of :attr:`n_xi`."""
        return self.n_xi

    @property
    def fast_by_type(self) -> np.ndarray:
        """Alias of :attr:`n_fast_by_type`."""
        return self.n_fast_by_type

    @property
    def string_by_type(self) -> np.ndarray:
        """Alias of :attr:`n_str_by_type`."""
        return self.n_str_by_type

    @property
    def long_by_type(self) -> np.ndarray:
        """Alias of :attr:`n_long_by_type`."""
        return self.n_long_by_type
