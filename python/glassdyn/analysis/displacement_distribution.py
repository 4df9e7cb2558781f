"""p(u): displacement distributions per atom type over one window, offline."""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import numpy as np

from glassdyn import _core
from glassdyn.analysis._results import ComputedResults


class DisplacementDistribution:
    """Normalised histograms of displacements u, for all atoms and per atom type.

    The same C++ histogram as ``compute displacement/distribution`` runs here. ``density``
    integrates over [0, u_max) to 1 minus the fraction of atoms with u >= u_max.

    Parameters
    ----------
    bins : int
        Number of bins of both the linear and the log10 histogram (default 200).
    u_max : float
        Upper end of the linear histogram (default 4, in the run's distance units).
    log_min : float, optional
        Lower end of the log10(u) histogram (default log10(u_max) - 3).
    beyond : float, optional
        Report the fraction of atoms with u > beyond (default u_max / 2).

    Examples
    --------
    >>> from glassdyn.analysis import DisplacementDistribution
    >>> d = DisplacementDistribution(bins=4, u_max=2.0).compute([0.1, 0.6, 0.7, 1.9], [1, 1, 2, 2])
    >>> d.density[0].tolist()            # all atoms, bins of width 0.5
    [0.5, 1.0, 0.0, 0.5]
    >>> d.mean.round(3).tolist()         # all, type 1, type 2
    [0.825, 0.35, 1.3]
    """

    def __init__(self, bins: int = 200, u_max: float = 4.0, log_min: Optional[float] = None,
                 beyond: Optional[float] = None) -> None:
        if bins < 1:
            raise ValueError(f"bins must be >= 1, got {bins}")
        if not u_max > 0:
            raise ValueError(f"u_max must be > 0, got {u_max}")
        log_min = math.log10(u_max) - 3.0 if log_min is None else float(log_min)
        if not log_min < math.log10(u_max):
            raise ValueError(f"log_min must be < log10(u_max) = {math.log10(u_max):.4g}, got {log_min}")
        beyond = 0.5 * u_max if beyond is None else float(beyond)
        if beyond < 0:
            raise ValueError(f"beyond must be >= 0, got {beyond}")
        self.bins, self.u_max, self.log_min, self.beyond = int(bins), float(u_max), log_min, beyond
        self._results = ComputedResults(type(self).__name__)

    def __repr__(self) -> str:
        return (f"DisplacementDistribution(bins={self.bins}, u_max={self.u_max}, log_min={self.log_min}, "
                f"beyond={self.beyond})")

    def compute(self, u: Sequence[float], types: Sequence[int], *, ntypes: Optional[int] = None
                ) -> "DisplacementDistribution":
        """Histogram the displacements ``u`` of atoms of the given ``types`` (1..ntypes)."""
        u = np.asarray(u, dtype=float)
        types = np.asarray(types, dtype=np.intc)
        if u.shape != types.shape or u.ndim != 1:
            raise ValueError(f"u and types must be 1-D of equal length, got {u.shape} and {types.shape}")
        if np.any(u < 0):
            raise ValueError("displacements must be >= 0")
        ntypes = int(ntypes if ntypes is not None else (types.max() if len(types) else 1))
        self._results.store(_core.displacement_histogram_py(u, types, ntypes, self.bins, self.u_max, self.log_min,
                                                            self.beyond))
        return self

    def compute_from(self, strings: Any, types: Sequence[int], *, ntypes: Optional[int] = None,
                     group: Any = None) -> "DisplacementDistribution":
        """p(u) of the displacements a computed :class:`~glassdyn.analysis.StringLike` found."""
        keep = np.ones(len(types), dtype=bool) if group is None else np.asarray(group, dtype=bool)
        return self.compute(np.asarray(strings.displacement)[keep], np.asarray(types)[keep], ntypes=ntypes)

    @property
    def u_centres(self) -> np.ndarray:
        return self._results.get("u_centres")

    @property
    def log_centres(self) -> np.ndarray:
        return self._results.get("log_centres")

    @property
    def density(self) -> np.ndarray:
        """(ntypes+1, bins): p(u) of all atoms (row 0) and of each type."""
        return self._results.get("density")

    @property
    def log_density(self) -> np.ndarray:
        """(ntypes+1, bins): p(log10 u) per unit of log10 u."""
        return self._results.get("log_density")

    @property
    def mean(self) -> np.ndarray:
        return self._results.get("mean")

    @property
    def most_probable(self) -> np.ndarray:
        return self._results.get("most_probable")

    @property
    def fraction_beyond(self) -> np.ndarray:
        return self._results.get("fraction_beyond")

    @property
    def fraction_over(self) -> np.ndarray:
        return self._results.get("fraction_over")

    @property
    def global_vector(self) -> np.ndarray:
        """The compute's global vector: per set (all, type 1, ...) mean, most probable, fraction
        beyond, fraction over u_max."""
        return np.column_stack([self.mean, self.most_probable, self.fraction_beyond, self.fraction_over]).ravel()

    @property
    def global_array(self) -> np.ndarray:
        """The compute's global array: u centre, p(u) per set, log10 u centre, p(log10 u) per set."""
        return np.column_stack([self.u_centres, self.density.T, self.log_centres, self.log_density.T])
