"""Per-cycle storage and loss moduli from a sampled stress signal (offline twin of fix dms)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from glassdyn import _checks, _core, schema
from glassdyn.analysis._results import ComputedResults

#: Columns of :attr:`DMSFit.cycles`: fix dms's per-cycle array without its ``cycle`` column
#: (:mod:`glassdyn.schema`).
CYCLE_COLUMNS = tuple(name for name in schema.names("dms", "array") if name != "cycle")

# The core binding's cycle table order and result keys that predate the schema's names.
_CORE_CYCLE_COLUMNS = ("storage", "loss", "tan_delta", "r2", "r3", "offset")
_CORE_NAMES = {"harmonic2": "r2", "harmonic3": "r3"}


class DMSFit:
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

    def __init__(self, amplitude: float, period: float, *, t_start: float = 0.0, harmonics: int = 1,
                 discard: int = 1) -> None:
        # Types and finiteness here; the allowed values are checked once, by the core's
        # CycleFitOptions::validate() (the same check and message as fix dms).
        self.amplitude = _checks.real("amplitude", amplitude)
        self.period = _checks.real("period", period)
        self.t_start = _checks.real("t_start", t_start)
        self.harmonics = _checks.integer("harmonics", harmonics, at_most=_checks.MAX_INT)
        self.discard = _checks.integer("discard", discard, at_most=_checks.MAX_INT)
        _core.validate_cycle_fit_options(amplitude=self.amplitude, period=self.period, harmonics=self.harmonics,
                                         discard=self.discard)
        self._results = ComputedResults(type(self).__name__)

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
        values = _core.fit_cycles_py(time, stress, self.t_start, self.period, self.amplitude, self.harmonics,
                                     self.discard)
        if values["n_cycles"] == 0:
            span = (time[-1] - self.t_start) / self.period if len(time) else 0.0
            raise ValueError(f"no complete cycle is left to average: {len(values['cycles'])} complete cycle(s) of "
                             f"period {self.period:g} from t_start = {self.t_start:g} (the samples reach "
                             f"{span:.3g} periods), discard = {self.discard}")
        values = {_CORE_NAMES.get(name, name): value for name, value in values.items()}
        values["cycles"] = values["cycles"][:, [_CORE_CYCLE_COLUMNS.index(name) for name in CYCLE_COLUMNS]]
        self._results.store(values)
        return self

    @property
    def cycles(self) -> np.ndarray:
        """(n, 6): per complete cycle, columns ``CYCLE_COLUMNS``."""
        return self._results.get("cycles")

    @property
    def n_cycles(self) -> int:
        """Cycles averaged (complete cycles minus ``discard``)."""
        return int(self._results.get("n_cycles"))

    @property
    def storage(self) -> float:
        return float(self._results.get("storage"))

    @property
    def storage_std(self) -> float:
        return float(self._results.get("storage_std"))

    @property
    def loss(self) -> float:
        return float(self._results.get("loss"))

    @property
    def loss_std(self) -> float:
        return float(self._results.get("loss_std"))

    @property
    def tan_delta(self) -> float:
        return float(self._results.get("tan_delta"))

    @property
    def tan_delta_std(self) -> float:
        return float(self._results.get("tan_delta_std"))

    @property
    def r2(self) -> float:
        """Mean 2w ratio r2 (0 with ``harmonics=1``)."""
        return float(self._results.get("r2"))

    @property
    def r3(self) -> float:
        """Mean 3w ratio r3 (0 with ``harmonics=1``)."""
        return float(self._results.get("r3"))

    # ---- aliases: the names before the output schema (issue 11), kept for existing scripts
    @property
    def harmonic2(self) -> float:
        """Alias of :attr:`r2`."""
        return self.r2

    @property
    def harmonic3(self) -> float:
        """Alias of :attr:`r3`."""
        return self.r3
