"""p(u): displacement distributions per atom type over one window, offline."""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import numpy as np

from glassdyn import _checks, _core
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

    Every argument is checked (finite numbers, u >= 0, types >= 1, equal lengths); a misuse
    raises one ``ValueError`` or ``TypeError`` naming the argument.

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
        # Types and finiteness here; the allowed values are checked once, by the core's
        # HistogramSpec::validate() (the same check and message as compute displacement/distribution).
        bins = _checks.integer("bins", bins, at_most=_checks.MAX_INT)
        u_max = _checks.real("u_max", u_max)
        usable = u_max > 0.0   # the defaults follow u_max; validate() names a bad one
        log_min = (math.log10(u_max) - 3.0 if usable else 0.0) if log_min is None else _checks.real("log_min", log_min)
        beyond = (0.5 * u_max if usable else 0.0) if beyond is None else _checks.real("beyond", beyond)
        _core.validate_histogram_options(bins=bins, u_max=u_max, log_min=log_min, beyond=beyond)
        self.bins, self.u_max, self.log_min, self.beyond = bins, u_max, log_min, beyond
        self._results = ComputedResults(type(self).__name__)

    def __repr__(self) -> str:
        return (f"DisplacementDistribution(bins={self.bins}, u_max={self.u_max}, log_min={self.log_min}, "
                f"beyond={self.beyond})")

    def compute(self, u: Sequence[float], types: Sequence[int], *, ntypes: Optional[int] = None
                ) -> "DisplacementDistribution":
        """Histogram the displacements ``u`` (finite, >= 0) of atoms of the given ``types`` (1..ntypes)."""
        u = _checks.float_array("u", u, (None,), at_least=0.0)
        types = _checks.int_array("types", types, len(u), at_least=1, at_most=_checks.MAX_TYPES)
        largest = int(types.max()) if len(types) else 1
        ntypes = _checks.integer("ntypes", largest if ntypes is None else ntypes, at_least=largest,
                                 at_most=_checks.MAX_TYPES)
        self._results.store(_core.displacement_histogram_py(u, types.astype(np.intc), ntypes, self.bins, self.u_max,
                                                            self.log_min, self.beyond))
        return self

    def compute_from(self, strings: Any, types: Sequence[int], *, ntypes: Optional[int] = None,
                     group: Any = None) -> "DisplacementDistribution":
        """p(u) of the displacements a computed :class:`~glassdyn.analysis.StringLike` found."""
        from glassdyn.analysis.string_like import StringLike  # sibling class; imported here to avoid a cycle

        if not isinstance(strings, StringLike):
            raise TypeError(f"strings must be a computed StringLike, got {type(strings).__name__}")
        u = strings.displacement
        types = _checks.int_array("types", types, len(u), at_least=1, at_most=_checks.MAX_TYPES)
        keep = np.ones(len(u), dtype=bool) if group is None else _checks.bool_array("group", group, len(u))
        return self.compute(u[keep], types[keep], ntypes=ntypes)

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
