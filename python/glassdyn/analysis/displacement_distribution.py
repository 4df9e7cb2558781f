"""p(u): displacement distributions per atom type over one window, offline."""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import numpy as np

from glassdyn import _checks, _core, schema
from glassdyn.analysis._results import Results, SchemaAnalysis

#: The compute's outputs (:mod:`glassdyn.schema`): values of each set (all atoms, then each type)
#: in its global vector, and the columns of its global array (per-set columns repeat per set).
SET_VALUES = schema.names("displacement/distribution", "vector")
ARRAY_COLUMNS = schema.layout("displacement/distribution", "array").columns


class DisplacementDistribution(SchemaAnalysis):
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

    Results are read-only properties (each raises ``NotComputedError`` before ``compute()``),
    named as the compute's outputs in :mod:`glassdyn.schema`: one per value of its global vector
    (:data:`SET_VALUES`, each an array over the sets all atoms, type 1, ...) and per column of its
    global array (``u``, ``p_u``, ``log10_u``, ``p_log10_u``); ``global_vector`` and
    ``global_array`` are those outputs as the compute presents them.

    Examples
    --------
    >>> from glassdyn.analysis import DisplacementDistribution
    >>> d = DisplacementDistribution(bins=4, u_max=2.0).compute([0.1, 0.6, 0.7, 1.9], [1, 1, 2, 2])
    >>> d.density[0].tolist()            # all atoms, bins of width 0.5
    [0.5, 1.0, 0.0, 0.5]
    >>> d.mean.round(3).tolist()         # all, type 1, type 2
    [0.825, 0.35, 1.3]
    """

    CORE = _core.DisplacementHistogram
    RESULTS = (Results("displacement/distribution", "vector"), Results("displacement/distribution", "array"))
    #: The names before the output schema (issue 11), kept for existing scripts.
    ALIASES = {"u_centres": "u", "log_centres": "log10_u", "density": "p_u", "log_density": "p_log10_u",
               "mean": "u_mean", "most_probable": "u_most_probable", "fraction_beyond": "u_beyond_fraction",
               "fraction_over": "u_outside_fraction"}

    def __init__(self, bins: int = 200, u_max: float = 4.0, log_min: Optional[float] = None,
                 beyond: Optional[float] = None) -> None:
        # Types and finiteness here; the allowed values are checked once, by the core's
        # HistogramSpec::validate() (the same check and message as compute displacement/distribution).
        bins = _checks.integer("bins", bins, at_most=_checks.MAX_INT)
        u_max = _checks.real("u_max", u_max)
        usable = u_max > 0.0   # the defaults follow u_max; validate() names a bad one
        log_min = (math.log10(u_max) - 3.0 if usable else 0.0) if log_min is None else _checks.real("log_min", log_min)
        beyond = (0.5 * u_max if usable else 0.0) if beyond is None else _checks.real("beyond", beyond)
        # The core object owns the histogram spec, checked once by HistogramSpec::validate().
        self._core = _core.DisplacementHistogram(bins=bins, u_max=u_max, log_min=log_min, beyond=beyond)
        self.bins, self.u_max, self.log_min, self.beyond = bins, u_max, log_min, beyond

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
        self._computed = False
        self._core.compute(u, types, ntypes)
        self._finish()
        return self

    def compute_from(self, strings: Any, types: Sequence[int], *, ntypes: Optional[int] = None,
                     group: Any = None) -> "DisplacementDistribution":
        """p(u) of the displacements a computed :class:`~glassdyn.analysis.StringLike` found."""
        from glassdyn.analysis.string_like import StringLike  # sibling class; imported here to avoid a cycle

        if not isinstance(strings, StringLike):
            raise TypeError(f"strings must be a computed StringLike, got {type(strings).__name__}")
        u = strings.u
        types = _checks.int_array("types", types, len(u), at_least=1, at_most=_checks.MAX_TYPES)
        keep = np.ones(len(u), dtype=bool) if group is None else _checks.bool_array("group", group, len(u))
        return self.compute(u[keep], types[keep], ntypes=ntypes)
