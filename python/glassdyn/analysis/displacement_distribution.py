"""p(u): displacement distributions per atom type over one window, offline."""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import numpy as np

from glassdyn import _checks, _core, schema
from glassdyn.analysis._results import ComputedResults

#: The compute's outputs (:mod:`glassdyn.schema`): values of each set (all atoms, then each type)
#: in its global vector, and the columns of its global array (per-set columns repeat per set).
SET_VALUES = schema.names("displacement/distribution", "vector")
ARRAY_COLUMNS = schema.layout("displacement/distribution", "array").columns

# Result keys of the core binding that predate the schema's names, and their schema names.
_CORE_NAMES = {"u_centres": "u", "log_centres": "log10_u", "density": "p_u", "log_density": "p_log10_u",
               "mean": "u_mean", "most_probable": "u_most_probable", "fraction_beyond": "u_beyond_fraction",
               "fraction_over": "u_outside_fraction"}


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
        values = _core.displacement_histogram_py(u, types.astype(np.intc), ntypes, self.bins, self.u_max,
                                                 self.log_min, self.beyond)
        self._results.store({_CORE_NAMES.get(name, name): value for name, value in values.items()})
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

    @property
    def u(self) -> np.ndarray:
        """(bins,): u at the linear bin centres."""
        return self._results.get("u")

    @property
    def log10_u(self) -> np.ndarray:
        """(bins,): log10 u at the log bin centres."""
        return self._results.get("log10_u")

    @property
    def p_u(self) -> np.ndarray:
        """(ntypes+1, bins): p(u) of all atoms (row 0) and of each type."""
        return self._results.get("p_u")

    @property
    def p_log10_u(self) -> np.ndarray:
        """(ntypes+1, bins): p(log10 u) per unit of log10 u."""
        return self._results.get("p_log10_u")

    @property
    def u_mean(self) -> np.ndarray:
        """(ntypes+1,): mean u of all atoms, then of each type."""
        return self._results.get("u_mean")

    @property
    def u_most_probable(self) -> np.ndarray:
        """(ntypes+1,): centre of the fullest linear bin (lowest on ties)."""
        return self._results.get("u_most_probable")

    @property
    def u_beyond_fraction(self) -> np.ndarray:
        """(ntypes+1,): fraction of atoms with u > ``beyond``."""
        return self._results.get("u_beyond_fraction")

    @property
    def u_outside_fraction(self) -> np.ndarray:
        """(ntypes+1,): fraction of atoms with u >= ``u_max`` (outside the linear histogram)."""
        return self._results.get("u_outside_fraction")

    @property
    def global_vector(self) -> np.ndarray:
        """The compute's global vector: per set (all, type 1, ...) the values :data:`SET_VALUES`."""
        return np.column_stack([getattr(self, name) for name in SET_VALUES]).ravel()

    @property
    def global_array(self) -> np.ndarray:
        """The compute's global array: u centre, p(u) per set, log10 u centre, p(log10 u) per set."""
        return np.column_stack([getattr(self, c.name).T if c.per_set else getattr(self, c.name)
                                for c in ARRAY_COLUMNS])

    # ---- aliases: the names before the output schema (issue 11), kept for existing scripts
    @property
    def u_centres(self) -> np.ndarray:
        """Alias of :attr:`u`."""
        return self.u

    @property
    def log_centres(self) -> np.ndarray:
        """Alias of :attr:`log10_u`."""
        return self.log10_u

    @property
    def density(self) -> np.ndarray:
        """Alias of :attr:`p_u`."""
        return self.p_u

    @property
    def log_density(self) -> np.ndarray:
        """Alias of :attr:`p_log10_u`."""
        return self.p_log10_u

    @property
    def mean(self) -> np.ndarray:
        """Alias of :attr:`u_mean`."""
        return self.u_mean

    @property
    def most_probable(self) -> np.ndarray:
        """Alias of :attr:`u_most_probable`."""
        return self.u_most_probable

    @property
    def fraction_beyond(self) -> np.ndarray:
        """Alias of :attr:`u_beyond_fraction`."""
        return self.u_beyond_fraction

    @property
    def fraction_over(self) -> np.ndarray:
        """Alias of :attr:`u_outside_fraction`."""
        return self.u_outside_fraction
