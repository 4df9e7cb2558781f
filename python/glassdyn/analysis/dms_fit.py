"""Per-cycle storage and loss moduli from a sampled stress signal (offline twin of fix dms)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from glassdyn import _checks, _core, schema
from glassdyn.analysis._results import Results, SchemaAnalysis

#: Columns of :attr:`DMSFit.cycles`: fix dms's per-cycle array without its ``cycle`` column
#: (:mod:`glassdyn.schema`).
CYCLE_COLUMNS = tuple(name for name in schema.names("dms", "array") if name != "cycle")


class DMSFit(SchemaAnalysis):
    """Fit sigma(t) = c0 + a sin(wt) + b cos(wt) (+ 2w, 3w terms) over each complete cycle.

    For a strain eps(t) = amplitude * sin(2 pi (t - t_start) / period), the storage modulus is
    M' = a / amplitude, the loss modulus M'' = b / amplitude and tan(delta) = M'' / M'. The same
    C++ code as ``fix dms`` fits each cycle [t_start + kT, t_start + (k+1)T) by least squares, so
    a stress series sampled from ``fix deform ... wiggle`` can be compared with ``fix dms``.
    LAMMPS's ``wiggle`` counts time from the start of the run and changes the box at the end
    of each step, so the stress sampled at step n was computed at the strain of step n-1:
    pass t_start = (first step of the run + 1) * dt to fit such a series.

    Parameters
    ----------
    amplitude : float
        Strain amplitude eps_A, in (0, 0.2] as for fix dms.
    period : float
        Oscillation period, in the units of the time values given to :meth:`compute`.
    t_start : float
        Time of zero strain with rising strain (start of the first cycle).
    harmonics : int
        1 (default) fits the fundamental; 3 adds the 2w and 3w terms.
    discard : int
        Cycles dropped as transient before averaging (default 1).

    Every argument is checked (finite numbers, positive amplitude and period, increasing
    times); a misuse raises one ``ValueError`` or ``TypeError`` naming the argument.

    Results are read-only properties (each raises ``NotComputedError`` before ``compute()``),
    named as fix dms's outputs in :mod:`glassdyn.schema`: one per value of its global vector
    except the current ``strain`` and ``stress`` (``storage``, ``storage_std``, ``loss``, ...,
    ``n_cycles``, ``r2``, ``r3``), and ``cycles`` (its per-cycle array without ``cycle``).

    Examples
    --------
    >>> import numpy as np
    >>> from glassdyn.analysis import DMSFit
    >>> t = np.arange(0, 30, 0.01)
    >>> w = 2 * np.pi / 10
    >>> stress = 0.01 * (50 * np.sin(w * t) + 5 * np.cos(w * t))   # M' = 50, M'' = 5
    >>> fit = DMSFit(amplitude=0.01, period=10).compute(t, stress)
    >>> round(fit.storage, 6), round(fit.loss, 6), fit.n_cycles
    (50.0, 5.0, 2)
    """

    CORE = _core.CycleFit
    # fix dms's vector without the current strain and stress sample (there is no oscillation here).
    RESULTS = (Results("dms", "vector", skip=("strain", "stress")),)
    EXTRA_RESULTS = {"cycles": "float (n, 6): per complete cycle, columns :data:`CYCLE_COLUMNS`"}
    #: The names before the output schema (issue 11), kept for existing scripts.
    ALIASES = {"harmonic2": "r2", "harmonic3": "r3"}

    def __init__(self, amplitude: float, period: float, *, t_start: float = 0.0, harmonics: int = 1,
                 discard: int = 1) -> None:
        # Types and finiteness here; the allowed values are checked once, by the core's
        # CycleFitOptions::validate() (the same check and message as fix dms).
        self.amplitude = _checks.real("amplitude", amplitude)
        self.period = _checks.real("period", period)
        self.t_start = _checks.real("t_start", t_start)
        self.harmonics = _checks.integer("harmonics", harmonics, at_most=_checks.MAX_INT)
        self.discard = _checks.integer("discard", discard, at_most=_checks.MAX_INT)
        # The core object owns the options, checked once by CycleFitOptions::validate().
        self._core = _core.CycleFit(amplitude=self.amplitude, period=self.period, harmonics=self.harmonics,
                                    discard=self.discard, t_start=self.t_start)

    def __repr__(self) -> str:
        return (f"DMSFit(amplitude={self.amplitude}, period={self.period}, t_start={self.t_start}, "
                f"harmonics={self.harmonics}, discard={self.discard})")

    def compute(self, time: Sequence[float], stress: Sequence[float]) -> "DMSFit":
        """Fit a stress series sampled at increasing times (at least 2H+1 samples per cycle).

        Raises ``ValueError`` for non-finite or non-increasing times, non-finite stresses, and
        when no complete cycle is left after ``discard`` (moduli of zero cycles are not numbers).
        """
        time = _checks.float_array("time", time, (None,))
        stress = _checks.float_array("stress", stress, (len(time),))
        if np.any(np.diff(time) <= 0):
            raise ValueError("time must increase strictly")
        self._computed = False
        self._core.compute(time, stress)
        if self._core.n_cycles == 0:
            span = (time[-1] - self.t_start) / self.period if len(time) else 0.0
            raise ValueError(f"no complete cycle is left to average: {len(self._core.cycles)} complete cycle(s) of "
                             f"period {self.period:g} from t_start = {self.t_start:g} (the samples reach "
                             f"{span:.3g} periods), discard = {self.discard}")
        self._finish()
        return self
