"""Clusters and percolation of occupied sites, and of the mobile and immobile atoms of a window,
offline (twin of compute percolation/atom)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np

from glassdyn import _checks, _core, schema
from glassdyn.analysis._results import ComputedResults, box_argument
from glassdyn.io import Box, DumpFrame

#: Names of ``compute percolation/atom``'s outputs, in their order (:mod:`glassdyn.schema`).
GLOBAL_VECTOR = schema.names("percolation/atom", "vector")
SIZE_TABLE = schema.names("percolation/atom", "array")
PER_ATOM = schema.names("percolation/atom", "peratom")
_CLASS_COLUMNS = tuple(name[len("mobile_"):] for name in GLOBAL_VECTOR if name.startswith("mobile_"))

#: A class criterion: a fraction F, or ``("fraction", F)``, ``("above", U)`` (mobile), ``("below", U)`` (immobile).
Criterion = Union[float, tuple[str, float]]


@dataclass(frozen=True)
class ClassPercolation:
    """The global observables of one class of sites (the compute's global vector block of a class).

    Attributes
    ----------
    fraction : float
        Sites of the class / sites of the group.
    n_clusters : int
        Clusters, isolated sites included.
    largest_fraction, largest_group_fraction : float
        Size of the largest cluster / sites of the class, / sites of the group.
    wraps : numpy.ndarray of bool, shape (3,)
        Some cluster wraps along box vector a (x), b (y), c (z).
    susceptibility : float
        Weight-average size of the clusters other than the largest, sum' s^2 n_s / sum' s n_s.
    fractal_dimension, fractal_dimension_error : float
        d_f of N_s ∝ R_g^d_f (least squares of log R_g on log N_s, d_f = 1/slope) and its standard error, over the non-wrapping clusters
        with N_s >= ``fractal_min_size``; NaN when fewer than 3 clusters enter.
    fractal_clusters : int
        Clusters in that fit.
    size_distribution : numpy.ndarray of int, shape (maxsize,)
        Clusters of size 1..maxsize; the last entry also counts larger clusters.
    size_radius : numpy.ndarray of float, shape (maxsize,)
        Mean R_g of the non-wrapping clusters of each entry (0 if none).
    """

    fraction: float
    n_clusters: int
    largest_fraction: float
    largest_group_fraction: float
    wraps: np.ndarray
    susceptibility: float
    fractal_dimension: float
    fractal_dimension_error: float
    fractal_clusters: int
    size_distribution: np.ndarray
    size_radius: np.ndarray

    @property
    def percolates(self) -> bool:
        """Some cluster wraps along some box vector."""
        return bool(self.wraps.any())

    @property
    def vector(self) -> np.ndarray:
        """The class's block of the compute's global vector (0 for an absent d_f, as on the fly)."""
        values = {"fraction": self.fraction, "n_clusters": self.n_clusters, "largest_fraction": self.largest_fraction,
                  "largest_group_fraction": self.largest_group_fraction, "wraps_x": self.wraps[0],
                  "wraps_y": self.wraps[1], "wraps_z": self.wraps[2], "wraps_any": self.percolates,
                  "susceptibility": self.susceptibility,
                  "fractal_dimension": np.nan_to_num(self.fractal_dimension),
                  "fractal_dimension_error": np.nan_to_num(self.fractal_dimension_error),
                  "fractal_clusters": self.fractal_clusters}
        return np.array([float(values[name]) for name in _CLASS_COLUMNS])

    @classmethod
    def _from_core(cls, s: Mapping[str, Any]) -> "ClassPercolation":
        fitted = s["fractal_clusters"] >= 3 and s["fractal_dimension"] != 0.0
        wraps = np.array(s["wraps"], dtype=bool)
        wraps.flags.writeable = False
        return cls(float(s["fraction"]), int(s["n_clusters"]), float(s["largest_fraction"]),
                   float(s["largest_group_fraction"]), wraps, float(s["susceptibility"]),
                   float(s["fractal_dimension"]) if fitted else float("nan"),
                   float(s["fractal_dimension_error"]) if fitted else float("nan"), int(s["fractal_clusters"]),
                   _frozen(s["size_counts"]), _frozen(s["size_radius"]))


def _frozen(values: Any) -> np.ndarray:
    array = np.array(values)
    array.flags.writeable = False
    return array


def _criterion(name: str, value: Criterion, threshold: str) -> tuple[str, float]:
    if isinstance(value, tuple):
        if len(value) != 2 or value[0] not in ("fraction", threshold):
            raise ValueError(f"{name} must be a fraction F, ('fraction', F) or ('{threshold}', U), got {value!r}")
        return str(value[0]), _checks.real(name, value[1])
    return "fraction", _checks.real(name, value)


class Percolation:
    """Clusters of occupied sites in a periodic box and whether they wrap around it.

    Two sites are bonded when some periodic image of one lies closer than ``cutoff`` (per type
    pair if given) to the other. A cluster *wraps* (percolates) along a box vector when it
    reaches its own periodic image along it: union-find keeps each site's integer image shift
    relative to its cluster's root, and a bond closing a cycle with a non-zero net shift wraps
    along the non-zero components. The same C++ code as ``compute percolation/atom`` runs here.

    Parameters
    ----------
    cutoff : float
        Bond distance RC (the cage cutoff, about the first minimum of g(r), for atoms; the
        nearest-neighbour distance for lattice sites). Must be below every periodic box width.
    cutoff_pairs : mapping (type_i, type_j) -> float, optional
        Per type pair overrides of ``cutoff``.
    maxsize : int
        Entries of the cluster-size distribution (default 50); the last also counts larger ones.
    fractal_min_size : int
        Smallest cluster in the d_f fit (default 10): below ~10 sites R_g reflects the bond
        length and local packing rather than the cluster's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from glassdyn.analysis import Percolation
    >>> from glassdyn.io import Box
    >>> box = Box(lo=(0, 0, 0), hi=(5, 5, 5))
    >>> chain = np.array([[x + 0.5, 2.5, 2.5] for x in range(5)])     # spans x, closes through the boundary
    >>> p = Percolation(cutoff=1.1).compute(box, chain, np.ones(5, bool))
    >>> p.wraps.tolist(), p.percolates, p.cluster_sizes.tolist()
    ([True, False, False], True, [5])
    """

    def __init__(self, cutoff: float, *, cutoff_pairs: Optional[Mapping[tuple[int, int], float]] = None,
                 maxsize: int = 50, fractal_min_size: int = 10) -> None:
        self.cutoff = _checks.real("cutoff", cutoff)
        self.cutoff_pairs = _checks.pair_values("cutoff_pairs", cutoff_pairs)
        self.maxsize = _checks.integer("maxsize", maxsize)
        self.fractal_min_size = _checks.integer("fractal_min_size", fractal_min_size)
        self._core(self._ntypes(1))    # the core's PercolationOptions::validate(), as the compute's
        self._results = ComputedResults(type(self).__name__)

    def __repr__(self) -> str:
        return (f"Percolation(cutoff={self.cutoff}, cutoff_pairs={self.cutoff_pairs}, maxsize={self.maxsize}, "
                f"fractal_min_size={self.fractal_min_size})")

    def _ntypes(self, largest: int) -> int:
        return max([1, largest, *(t for pair in self.cutoff_pairs for t in pair)])

    def _core(self, ntypes: int, mobile: tuple[str, float] = ("fraction", 0.15),
              immobile: tuple[str, float] = ("fraction", 0.15)) -> Any:
        return _core.PercolationCore(ntypes=ntypes, cutoff=self.cutoff, cutoff_pairs=self.cutoff_pairs,
                                     mobile=mobile, immobile=immobile, maxsize=self.maxsize,
                                     fractal_min_size=self.fractal_min_size)

    def compute(self, box: Box, positions: Any, occupied: Any, types: Any = None, ids: Any = None) -> "Percolation":
        """Clusters of the occupied sites.

        Parameters
        ----------
        box : Box
        positions : array-like, shape (N, 3)
            Every site (occupied or not), any periodic image.
        occupied : array-like of bool, shape (N,)
        types : array-like of int (N,), optional
            Site types for ``cutoff_pairs`` (default all 1).
        ids : array-like of int (N,), optional
            Site ids >= 1, unique (default 1..N); a cluster's label is its smallest id.

        Returns
        -------
        Percolation
            ``self``; the per-site results follow the rows of ``positions``.
        """
        box = box_argument("box", box)
        positions = _checks.float_array("positions", positions, (None, 3))
        n = len(positions)
        occupied = _checks.bool_array("occupied", occupied, n)
        types = np.ones(n, dtype=np.int64) if types is None else _checks.int_array(
            "types", types, n, at_least=1, at_most=_checks.MAX_TYPES)
        ids = np.arange(1, n + 1, dtype=np.int64) if ids is None else _checks.int_array(
            "ids", ids, n, at_least=1, unique=True)
        core = self._core(self._ntypes(int(types.max()) if n else 1))
        found = core.clusters(box, ids[occupied], types[occupied], positions[occupied], n)
        cluster_id = np.zeros(n, dtype=np.int64)
        cluster_size = np.zeros(n, dtype=np.int64)
        site_wraps = np.zeros(n, dtype=bool)
        of_site = found["cluster_of_site"]
        cluster_id[occupied] = found["labels"][of_site]
        cluster_size[occupied] = found["sizes"][of_site]
        site_wraps[occupied] = found["wraps"].any(axis=1)[of_site]
        self._results.store({"summary": ClassPercolation._from_core(found["summary"]),
                             "cluster_labels": found["labels"], "cluster_sizes": found["sizes"],
                             "cluster_wraps": found["wraps"],
                             # NaN for wrapping clusters: kept in a tuple, out of the finiteness check
                             "radius_of_gyration": (_frozen(found["radius_of_gyration"]),),
                             "cluster_id": cluster_id, "cluster_size": cluster_size, "site_wraps": site_wraps,
                             "mode": "sites"})
        return self

    def compute_from(self, strings: Any, frame_t0: DumpFrame, *, mobile: Criterion = 0.15,
                     immobile: Criterion = 0.15, group: Any = None) -> "Percolation":
        """The mobile and immobile classes of a window, clustered at its start.

        Parameters
        ----------
        strings : glassdyn.analysis.StringLike
            A computed window: its ``ids`` and displacements ``u`` (the compute's SOURCE).
        frame_t0 : DumpFrame
            The frame at the window start (its box and positions give the bonds); matched by id.
        mobile : float or tuple
            The largest-u fraction F, ``("fraction", F)`` or ``("above", U)`` (u > U).
        immobile : float or tuple
            The smallest-u fraction F, ``("fraction", F)`` or ``("below", U)`` (u < U).
        group : array-like of bool, optional
            Analysed atoms, in the order of ``strings.ids`` (default all).

        Returns
        -------
        Percolation
            ``self``; per-atom results follow ``strings.ids``, class results are :attr:`mobile`
            and :attr:`immobile`. Ties of u go to the smaller id, as on the fly.
        """
        if not isinstance(frame_t0, DumpFrame):
            raise TypeError(f"frame_t0 must be a glassdyn.io.DumpFrame, got {type(frame_t0).__name__}")
        ids = np.asarray(strings.ids, dtype=np.int64)
        u = np.asarray(strings.u, dtype=float)
        order = np.argsort(frame_t0["id"])
        at = np.searchsorted(frame_t0["id"], ids, sorter=order)
        at = np.minimum(at, len(order) - 1)
        rows = order[at]
        if len(ids) and not np.array_equal(frame_t0["id"][rows], ids):
            raise ValueError("frame_t0 does not hold every atom id of the strings analysis")
        types = frame_t0["type"][rows].astype(np.int64)
        reference = frame_t0.unwrapped_positions()[rows]
        in_group = np.ones(len(ids), dtype=bool) if group is None else _checks.bool_array("group", group, len(ids))
        core = self._core(self._ntypes(int(types.max()) if len(types) else 1),
                          _criterion("mobile", mobile, "above"), _criterion("immobile", immobile, "below"))
        values = core.analyse(frame_t0.box, ids, types, in_group, reference, u)
        self._results.store({"ids": ids, "u": np.where(in_group, u, 0.0), "atom_class": values["atom_class"],
                             "cluster_id": values["cluster_id"], "cluster_size": values["cluster_size"],
                             "site_wraps": values["wraps"],
                             "mobile": ClassPercolation._from_core(values["mobile"]),
                             "immobile": ClassPercolation._from_core(values["immobile"]), "mode": "classes"})
        return self

    # ---- results of compute(): one class, the occupied sites
    def _sites(self) -> ClassPercolation:
        if self._results.get("mode") != "sites":
            raise AttributeError("Percolation: after compute_from() the results are per class: use .mobile and "
                                 ".immobile")
        return self._results.get("summary")

    @property
    def summary(self) -> ClassPercolation:
        """All global observables of the occupied sites (after :meth:`compute`)."""
        return self._sites()

    @property
    def wraps(self) -> np.ndarray:
        """bool (3,): some cluster wraps along box vector a (x), b (y), c (z)."""
        return self._sites().wraps

    @property
    def percolates(self) -> bool:
        """Some cluster wraps along some box vector."""
        return self._sites().percolates

    @property
    def largest_cluster_fraction(self) -> float:
        """Size of the largest cluster / number of occupied sites."""
        return self._sites().largest_fraction

    @property
    def susceptibility(self) -> float:
        """Mean cluster size without the largest cluster, sum' s^2 n_s / sum' s n_s."""
        return self._sites().susceptibility

    @property
    def fractal_dimension(self) -> float:
        """d_f over the non-wrapping clusters of >= fractal_min_size sites (NaN if fewer than 3)."""
        return self._sites().fractal_dimension

    @property
    def fractal_dimension_error(self) -> float:
        """Standard error of :attr:`fractal_dimension`."""
        return self._sites().fractal_dimension_error

    @property
    def cluster_sizes(self) -> np.ndarray:
        """int (n_clusters,): sizes, clusters ordered by label."""
        self._sites()
        return self._results.get("cluster_sizes")

    @property
    def cluster_labels(self) -> np.ndarray:
        """int (n_clusters,): smallest site id of each cluster, ascending."""
        self._sites()
        return self._results.get("cluster_labels")

    @property
    def cluster_wraps(self) -> np.ndarray:
        """bool (n_clusters, 3): which box vectors each cluster wraps along."""
        self._sites()
        return self._results.get("cluster_wraps")

    @property
    def radius_of_gyration(self) -> np.ndarray:
        """float (n_clusters,): R_g of each cluster from its unwrapped sites (NaN if it wraps)."""
        self._sites()
        return self._results.get("radius_of_gyration")[0]

    # ---- results of compute_from(): two classes
    def _classes(self, name: str) -> Any:
        if self._results.get("mode") != "classes":
            raise AttributeError(f"Percolation.{name} exists after compute_from(); compute() has one class of sites")
        return self._results.get(name)

    @property
    def mobile(self) -> ClassPercolation:
        """Global observables of the mobile class (after :meth:`compute_from`)."""
        return self._classes("mobile")

    @property
    def immobile(self) -> ClassPercolation:
        """Global observables of the immobile class (after :meth:`compute_from`)."""
        return self._classes("immobile")

    @property
    def atom_class(self) -> np.ndarray:
        """int (N,): 1 mobile, -1 immobile, 0 neither (after :meth:`compute_from`)."""
        return self._classes("atom_class")

    @property
    def u(self) -> np.ndarray:
        """float (N,): the window displacement used (0 outside the group)."""
        return self._classes("u")

    @property
    def global_vector(self) -> np.ndarray:
        """The compute's global vector, :data:`GLOBAL_VECTOR` (mobile block, then immobile)."""
        return np.concatenate([self.mobile.vector, self.immobile.vector])

    @property
    def size_table(self) -> np.ndarray:
        """(maxsize, 5): the compute's global array, columns :data:`SIZE_TABLE`."""
        m, i = self.mobile, self.immobile
        return np.column_stack([np.arange(1, self.maxsize + 1), m.size_distribution, i.size_distribution,
                                m.size_radius, i.size_radius]).astype(float)

    @property
    def peratom(self) -> np.ndarray:
        """float (N, 5): the compute's per-atom array, columns :data:`PER_ATOM`."""
        return np.column_stack([self.atom_class, self.cluster_id, self.cluster_size, self.wraps_of_atoms,
                                self.u]).astype(float)

    # ---- per site / atom, both modes
    @property
    def cluster_id(self) -> np.ndarray:
        """int (N,): label of the site's cluster (smallest id), 0 if unoccupied / in no class."""
        return self._results.get("cluster_id")

    @property
    def cluster_size(self) -> np.ndarray:
        """int (N,): size of the site's cluster, 0 if unoccupied / in no class."""
        return self._results.get("cluster_size")

    @property
    def wraps_of_atoms(self) -> np.ndarray:
        """bool (N,): the site's cluster wraps along some box vector."""
        return self._results.get("site_wraps")
