"""Cage breaking over one window, offline (twin of compute cage/atom)."""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from glassdyn import _checks, _core, schema
from glassdyn.analysis._results import Results, SchemaAnalysis, box_argument, frame_pair, window_atoms
from glassdyn.io import Box, DumpFrame

#: Names of ``compute cage/atom``'s outputs, in their order (:mod:`glassdyn.schema`).
GLOBAL_VECTOR = schema.names("cage/atom", "vector")
TYPE_TABLE = schema.names("cage/atom", "array")
PER_ATOM = schema.names("cage/atom", "peratom")


class Cages(SchemaAnalysis):
    """Neighbours lost from each atom's cage between a reference frame and a later frame.

    The cage of atom i is every atom closer than ``cutoff`` (per type pair if given) at the
    window start; a neighbour is lost when it is farther than ``cutoff * (1 + hysteresis)`` at
    the window end; the cage is broken when at least ``nlost`` neighbours are lost. The same
    C++ code as ``compute cage/atom`` runs here.

    Parameters
    ----------
    cutoff : float
        Cage radius, typically the first minimum of g(r).
    cutoff_pairs : mapping (type_i, type_j) -> float, optional
        Per type pair overrides of ``cutoff``.
    hysteresis : float
        Relative margin h (default 0.1) that keeps vibrations at the shell edge from counting.
    nlost : int
        Neighbours that must be lost for a broken cage (default 1).

    Input is checked before the core runs: a misuse raises one ``ValueError`` or ``TypeError``
    naming the argument (non-finite numbers, ids < 1 or repeated, types < 1, wrong shapes,
    frames with different atoms, positions far outside the box).

    Two-dimensional systems: give boxes with ``dimension=2`` (``Box(..., dimension=2)`` or
    ``read_dump(path, dimension=2)``). z is then not a direction of the system: it is not
    wrapped, imaged or compared with the box width, so the usual thin z slab of a LAMMPS
    ``dimension 2`` run is accepted; every atom must have the same z in both frames.

    Results are read-only properties (each raises ``NotComputedError`` before ``compute()``),
    named as the compute's outputs in :mod:`glassdyn.schema`: one per column of its global
    vector (:data:`GLOBAL_VECTOR`) and per-atom array (:data:`PER_ATOM`), ``type_table`` (its
    global array) and ``ids``; ``global_vector`` and ``peratom`` stack them as the compute does.

    Examples
    --------
    >>> import numpy as np
    >>> from glassdyn.analysis import Cages
    >>> from glassdyn.io import Box
    >>> box = Box(lo=(0, 0, 0), hi=(10, 10, 10))
    >>> r0 = np.array([[1.0, 1, 1], [2, 1, 1], [6, 6, 6]])
    >>> r1 = np.array([[1.0, 1, 1], [3.5, 1, 1], [6, 6, 6]])   # atom 2 leaves atom 1's cage
    >>> c = Cages(cutoff=1.5).compute(box, box, [1, 2, 3], [1, 1, 1], r0, r1)
    >>> c.n_cage.tolist(), c.n_lost.tolist(), c.broken.tolist()
    ([1, 1, 0], [1, 1, 0], [True, True, False])
    """

    CORE = _core.CageAnalysis
    RESULTS = (Results("cage/atom", "vector"), Results("cage/atom", "peratom"))
    EXTRA_RESULTS = {"ids": "int (N,): the atom IDs given to compute(), in their order",
                     "type_table": "float (ntypes, 5): the compute's global array, columns :data:`TYPE_TABLE` "
                                   "(type, analysed atoms, fraction broken, mean lost, mean cage size)"}

    def __init__(self, cutoff: float, *, cutoff_pairs: Optional[Mapping[tuple[int, int], float]] = None,
                 hysteresis: float = 0.1, nlost: int = 1) -> None:
        # Types and finiteness here; the allowed values are checked once, by the core's
        # CageOptions::validate() (the same check and message as compute cage/atom).
        self.cutoff = _checks.real("cutoff", cutoff)
        self.cutoff_pairs = _checks.pair_values("cutoff_pairs", cutoff_pairs)
        self.hysteresis = _checks.real("hysteresis", hysteresis)
        self.nlost = _checks.integer("nlost", nlost)
        # The core object owns the options, checked once by CageOptions::validate().
        self._core = self._core_for(max([1, *(t for pair in self.cutoff_pairs for t in pair)]))

    def __repr__(self) -> str:
        return (f"Cages(cutoff={self.cutoff}, cutoff_pairs={self.cutoff_pairs}, hysteresis={self.hysteresis}, "
                f"nlost={self.nlost})")

    def _core_for(self, ntypes: int) -> _core.CageAnalysis:
        """The core analysis with these options for atom types 1..ntypes (the cutoff table's size)."""
        return _core.CageAnalysis(ntypes=ntypes, cutoff=self.cutoff, cutoff_pairs=self.cutoff_pairs,
                                  hysteresis=self.hysteresis, nlost=self.nlost)

    def compute(self, start_box: Box, end_box: Box, ids: Sequence[int], types: Sequence[int], reference: Any,
                current: Any, *, group: Any = None, ntypes: Optional[int] = None) -> "Cages":
        """Analyse one window.

        Parameters
        ----------
        start_box, end_box : Box
            Boxes at the window start (cages) and end (losses).
        ids, types : array-like of int, shape (N,)
        reference, current : array-like, shape (N, 3)
            Positions at the window start and end (wrapped or unwrapped).
        group : array-like of bool (N,), optional
            Atoms whose cages are analysed (default all); all atoms count as neighbours.
        ntypes : int, optional
            Number of atom types (default: the largest type present).
        """
        boxes = [box_argument("start_box", start_box), box_argument("end_box", end_box)]
        atoms = window_atoms(boxes, ids, types, reference, current, group, ntypes, self.cutoff_pairs, "cutoff_pairs")
        if self._core.ntypes != atoms.ntypes:
            self._core = self._core_for(atoms.ntypes)
        self._computed = False
        self._core.compute(start_box, end_box, atoms.ids, atoms.types, atoms.reference, atoms.current,
                           group=atoms.in_group)
        self._finish()
        return self

    def compute_frames(self, start: DumpFrame, end: DumpFrame, *, group: Any = None,
                       ntypes: Optional[int] = None) -> "Cages":
        """Analyse the window between two dump frames (matched by atom ID)."""
        start, end = frame_pair(start, end)
        return self.compute(start.box, end.box, end["id"], end["type"], start.unwrapped_positions(),
                            end.unwrapped_positions(), group=group, ntypes=ntypes)
