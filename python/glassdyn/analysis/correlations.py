"""Time correlations with staggered origins, offline (twin of fix dynamics/correlate)."""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import numpy as np

from glassdyn import _checks, _core, schema
from glassdyn.analysis._results import ComputedResults, per_atom_masses
from glassdyn.io import DumpFrame

#: Names of ``fix dynamics/correlate``'s outputs (:mod:`glassdyn.schema`).
TABLE = schema.names("dynamics/correlate", "array")
GLOBAL_VECTOR = schema.names("dynamics/correlate", "vector")


class Correlations:
    """MSD, non-Gaussian parameter, F_s(q,t), overlap and chi4 with staggered time origins.

    An origin starts at every frame whose timestep is a multiple of ``every`` (at most
    ``origins`` alive at once); at each lag of each live origin the displacements
    dr = |r(t0 + lag) - r(t0) - drift| of the group's atoms contribute, per atom type and for
    all atoms, to <dr^2>, <dr^4>, <sin(q dr)/(q dr)> and <w(dr)> (w = 1 for dr < ``overlap``).
    chi4(t) = N (<Q^2> - <Q>^2) over origins, with Q the per-origin overlap (keyword
    ``overlap``) or F_s. tau_alpha (F_s = 1/e, linear in ln t), D (least-squares MSD slope / 6
    over the diffusive lags: from the earliest lag whose ln MSD - ln t chord to the last lag has
    a slope within 10 % of 1, as have the chords of all later lags at least 2x shorter than the
    last) and t* (peak of alpha2) follow. The same C++ code as
    ``fix dynamics/correlate`` runs here, in the same order, so the results agree with the
    fix's to rounding when the frames hold every step it evaluates (:meth:`needed_steps`).

    Parameters
    ----------
    every : int
        Steps between origins.
    origins : int
        K, origins alive at once; the longest lag must be <= origins * every.
    lags : sequence of int, optional
        Lags in steps, strictly increasing.
    lags_log : (int, int, int), optional
        ``(MIN, MAX, COUNT)``: log-spaced lags as the fix's ``lags log MIN MAX COUNT``.
    q : float
        Wave number of F_s (1/length), usually the first peak of S(q).
    overlap : float, optional
        Cutoff a of the overlap (default: no overlap, chi4 from the per-origin F_s).
    drift : bool
        Remove the group's mass-weighted mean displacement per origin (default True).

    Examples
    --------
    >>> import numpy as np
    >>> from glassdyn.analysis import Correlations
    >>> steps = np.arange(0, 40, 10)
    >>> r = np.zeros((4, 2, 3)); r[:, 0, 0] = [0, 1, 2, 3]   # atom 1 moves 1 per 10 steps
    >>> c = Correlations(every=10, origins=2, lags=[10, 20], q=1.0, drift=False)
    >>> c.compute_arrays(steps, [1, 1], r, dt=0.1).msd[:, 0].tolist()   # all atoms: (1 + 0) / 2, (4 + 0) / 2
    [0.5, 2.0]
    """

    def __init__(self, *, every: int, origins: int, q: float, lags: Optional[Sequence[int]] = None,
                 lags_log: Optional[Sequence[int]] = None, overlap: Optional[float] = None,
                 drift: bool = True) -> None:
        if (lags is None) == (lags_log is None):
            raise ValueError("give exactly one of lags (a list of steps) and lags_log (MIN, MAX, COUNT)")
        if lags_log is not None:
            if len(lags_log) != 3:
                raise ValueError(f"lags_log must be (MIN, MAX, COUNT), got {lags_log!r}")
            lags = _core.TimeCorrelationsCore.log_spaced_lags(*(_checks.integer("lags_log", v) for v in lags_log))
        self.lags = np.array([_checks.integer("lags", v) for v in lags], dtype=np.int64)
        self.every = _checks.integer("every", every)
        self.origins = _checks.integer("origins", origins)
        self.q = _checks.real("q", q)
        self.overlap = 0.0 if overlap is None else _checks.real("overlap", overlap, above=0.0)
        self.drift = _checks.flag("drift", drift)
        self._core_options = dict(every=self.every, origins=self.origins, lags=self.lags, q=self.q,
                                  overlap=self.overlap, remove_drift=self.drift)
        _core.TimeCorrelationsCore(**self._core_options)    # the core's validate(): one check, one message
        self._results = ComputedResults(type(self).__name__)

    def __repr__(self) -> str:
        return (f"Correlations(every={self.every}, origins={self.origins}, lags={self.lags.tolist()}, q={self.q}, "
                f"overlap={self.overlap or None}, drift={self.drift})")

    def needed_steps(self, first: int, last: int) -> np.ndarray:
        """Steps in [first, last] at which an origin starts or reaches a lag (the frames to dump)."""
        starts = np.arange(-(-first // self.every) * self.every, last + 1, self.every)
        steps = np.union1d(starts, (starts[:, None] + self.lags[None, :]).ravel())
        return steps[(steps >= first) & (steps <= last)]

    def compute(self, frames: Sequence[DumpFrame], *, dt: float, masses: Any = None, group: Any = None,
                ntypes: Optional[int] = None) -> "Correlations":
        """Correlate dump frames (columns id, type and xu yu zu, or x y z with ix iy iz) in timestep order.

        The first frame plays the step at which the fix was set up. Every step in
        :meth:`needed_steps` from the first to the last frame must be present.

        Parameters
        ----------
        frames : sequence of DumpFrame
            The same atoms in every frame, increasing timesteps.
        dt : float
            Timestep size (lag time = lag * dt).
        masses : mapping type -> mass, or array (N,), optional
            Masses for the drift (default 1 for every atom).
        group : array-like of bool (N,), optional
            Atoms analysed (default all), in the frames' (ID-sorted) order.
        ntypes : int, optional
            Number of atom types (default: the largest type present).
        """
        frames = list(frames)
        if not frames:
            raise ValueError("frames is empty; give at least one dump frame")
        for k, frame in enumerate(frames):
            if not isinstance(frame, DumpFrame):
                raise TypeError(f"frames[{k}] must be a glassdyn.io.DumpFrame, got {type(frame).__name__}")
            if "id" not in frame.columns or "type" not in frame.columns:
                raise ValueError(f"frames[{k}] (step {frame.timestep}) has no id or type column; dump 'id type xu yu zu'")
            if not np.array_equal(frame["id"], frames[0]["id"]):
                raise ValueError(f"frames[{k}] (step {frame.timestep}) holds other atoms than frames[0]; dump the same "
                                 "group at every step")
        positions = np.stack([frame.unwrapped_positions() for frame in frames])
        return self.compute_arrays([f.timestep for f in frames], frames[0]["type"], positions, dt=dt, masses=masses,
                                   group=group, ntypes=ntypes)

    def compute_arrays(self, steps: Sequence[int], types: Any, positions: Any, *, dt: float, masses: Any = None,
                       group: Any = None, ntypes: Optional[int] = None) -> "Correlations":
        """Correlate unwrapped positions ``positions[f, i, :]`` of atom i at timestep ``steps[f]``."""
        steps = _checks.int_array("steps", steps, None, at_least=0)
        if np.any(np.diff(steps) <= 0):
            raise ValueError("steps must increase strictly (frames in timestep order)")
        types = _checks.int_array("types", types, None, at_least=1, at_most=_checks.MAX_TYPES)
        n = len(types)
        positions = _checks.float_array("positions", positions, (len(steps), n, 3))
        dt = _checks.real("dt", dt, above=0.0)
        largest = int(types.max()) if n else 1
        ntypes = largest if ntypes is None else _checks.integer("ntypes", ntypes, at_least=max(1, largest),
                                                                at_most=_checks.MAX_TYPES)
        mass = per_atom_masses(types, masses)
        in_group = np.ones(n, dtype=bool) if group is None else _checks.bool_array("group", group, n)
        missing = np.setdiff1d(self.needed_steps(int(steps[0]), int(steps[-1])), steps)
        if missing.size:
            raise ValueError(f"steps: no frame at step(s) {missing[:5].tolist()}{' ...' if missing.size > 5 else ''}, "
                             "where an origin starts or reaches a lag; dump at needed_steps(first, last)")

        core = _core.TimeCorrelationsCore(**self._core_options, ntypes=ntypes)
        live: dict[int, list] = {}      # origin step -> [next lag index, reference positions]
        for frame, step in enumerate(steps.tolist()):
            for start in sorted(live):  # oldest first, as the fix
                next_lag, reference = live[start]
                if start + self.lags[next_lag] != step:
                    continue
                core.add(next_lag, core.sample(reference, positions[frame], types, mass, in_group))
                live[start][0] += 1
                if live[start][0] == len(self.lags):
                    del live[start]
            if step % self.every == 0 and step not in live:
                live[step] = [0, positions[frame].copy()]
        table = core.table(dt)
        self._results.store({"table": table, "global_vector": core.summary(dt), "sets": ntypes + 1})
        return self

    # ---- results
    def _column(self, name: str) -> np.ndarray:
        """One column of the table, or (lags, sets) for a per-set quantity."""
        lay = schema.layout("dynamics/correlate", "array")
        ntypes = self._results.get("sets") - 1
        first = lay.index(name, ntypes=ntypes) - 1
        if not lay.column(name).per_set:
            return self.table[:, first]
        return self.table[:, first:first + ntypes + 1]

    @property
    def table(self) -> np.ndarray:
        """(lags, columns): the fix's global array, columns :data:`TABLE` expanded per set."""
        return self._results.get("table")

    @property
    def global_vector(self) -> np.ndarray:
        """The fix's global vector: :data:`GLOBAL_VECTOR` for all atoms, then for each type."""
        return self._results.get("global_vector")

    @property
    def time(self) -> np.ndarray:
        """Lag times (lags * dt)."""
        return self._column("time")

    @property
    def msd(self) -> np.ndarray:
        """(lags, sets): <dr^2>; set 0 is all atoms, set t is type t."""
        return self._column("msd")

    @property
    def alpha2(self) -> np.ndarray:
        """(lags, sets): non-Gaussian parameter."""
        return self._column("alpha2")

    @property
    def fs(self) -> np.ndarray:
        """(lags, sets): self-intermediate scattering function F_s(q, t)."""
        return self._column("fs")

    @property
    def overlap_mean(self) -> np.ndarray:
        """(lags, sets): mean overlap <w(dr)> (0 without ``overlap``)."""
        return self._column("overlap")

    @property
    def chi4(self) -> np.ndarray:
        """(lags, sets): four-point susceptibility."""
        return self._column("chi4")

    @property
    def n_origins(self) -> np.ndarray:
        """(lags, sets): origins averaged."""
        return self._column("n_origins")

    def _derived(self, name: str) -> np.ndarray:
        width = len(GLOBAL_VECTOR)
        return self.global_vector[GLOBAL_VECTOR.index(name)::width]

    @property
    def tau_alpha(self) -> np.ndarray:
        """(sets,): tau_alpha (0 if F_s did not cross 1/e)."""
        return self._derived("tau_alpha")

    @property
    def diffusion(self) -> np.ndarray:
        """(sets,): D (0 without a diffusive range)."""
        return self._derived("diffusion")

    @property
    def diffusive_range(self) -> np.ndarray:
        """(sets, 2): first and last lag time of the range D was fitted over."""
        return np.column_stack([self._derived("diffusive_from"), self._derived("diffusive_to")])

    @property
    def t_star(self) -> np.ndarray:
        """(sets,): lag time of the largest alpha2."""
        return self._derived("t_star")

    @property
    def chi4_peak(self) -> np.ndarray:
        """(sets,): largest chi4."""
        return self._derived("chi4_peak")
