"""The harvested results of one campaign, as NumPy/pandas objects (what :func:`glassdyn.load` returns).

Every table is *tidy*: one observation per row, identified by its columns, so that
``df.groupby(["temperature", "period"])`` or ``df.query("species == 'Cu'")`` does what one expects.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import pandas as pd

from glassdyn import schema
from glassdyn.results.snapshots import Snapshot, select

#: The percolation/atom values summarised per class: the mean of ``*_wraps_any`` over cycles is the
#: class's percolation probability; d_f is averaged over the cycles with >= 3 clusters in its fit.
PERCOLATION_QUANTITIES = tuple(f"{cls}_{name}" for cls in ("mobile", "immobile")
                               for name in ("wraps_any", "largest_fraction", "largest_group_fraction",
                                            "susceptibility", "fractal_dimension"))

#: Per-cycle quantities of the cycles table that are summarised as mean and std over used cycles:
#: the fix dms cycle row, the stringlike/atom and cage/atom global vectors and the mean u
#: (names from :mod:`glassdyn.schema`).
CYCLE_QUANTITIES = (
    tuple(name for name in schema.names("dms", "array") if name != "cycle")
    + schema.names("stringlike/atom", "vector") + schema.names("cage/atom", "vector") + ("u_mean",)
    + PERCOLATION_QUANTITIES
)


@dataclass
class CampaignResults:
    """Results of a campaign.

    Attributes
    ----------
    metadata : dict
        Campaign name, ``units`` ("metal" or "lj"), ``species`` (atom type order), ``composition``
        (species -> atom fraction), ``natoms``, ``potential``, ``modulus`` ("M" uniaxial or "G" shear),
        ``axis``, ``amplitude``, ``discard``, ``pressure_unit`` (e.g. "GPa"), ``temperature_unit``,
        ``time_unit``, ``distance_unit``, ``versions`` (glassdyn, lammps, deepmd) and the ``config`` text.
    cycles : DataFrame
        One row per (temperature, period, cycle). Columns: ``temperature``, ``period``, ``cycle``
        (1-based), ``used`` (False for the discarded transient cycles), then under the names of
        :mod:`glassdyn.schema`: the fix dms cycle row ``storage``, ``loss`` (in ``pressure_unit``),
        ``tan_delta``, ``r2``, ``r3`` (2w and 3w ratios), ``offset`` (mean stress); the
        stringlike/atom global vector ``n_fast``, ``n_str``, ``n_long``, ``n_strings``, ``xi_number``
        (<xi>_n), ``xi_weight`` (L_w), ``str_fraction`` (N_str/N_fast), ``long_fraction``
        (N_long/N_str); the cage/atom global vector ``fraction_broken`` (fraction of all atoms),
        ``mean_lost`` (<n_lost>), ``mean_cage`` (<n_cage>); the displacement/distribution vector of
        all atoms ``u_mean``, ``u_most_probable``, ``u_beyond_fraction``, ``u_outside_fraction``; the
        percolation/atom global vector (``mobile_*`` and ``immobile_*``: ``fraction``, ``n_clusters``,
        ``largest_fraction``, ``largest_group_fraction``, ``wraps_x/y/z/any``, ``susceptibility``,
        ``fractal_dimension`` (0, as the compute writes it, when fewer than 3 clusters entered the fit;
        the summary leaves those cycles out), its error and ``fractal_clusters``).
    cage_types : DataFrame
        One row per (temperature, period, cycle, species): ``used`` and the cage/atom array columns
        ``n_analysed``, ``fraction_broken`` (fraction of that species with a broken cage),
        ``mean_lost`` (<n_lost>), ``mean_cage``.
    string_sizes : DataFrame
        One row per (temperature, period, cycle, xi) with ``n_xi``, the number of strings of size xi
        (xi = 1 counts isolated mobile atoms, the last xi is the overflow bin), and ``used``.
    displacement : DataFrame
        p(u) averaged over the used cycles: one row per (temperature, period, species, bin) with
        ``u`` (bin centre), ``p_u``, ``log10_u`` (bin centre), ``p_log10_u``. ``species`` is "all"
        or a species name.
    summary : DataFrame
        One row per (temperature, period): with a relaxation stage also the columns of that
        temperature's relaxation (``tau_alpha``, ``D``, ``t_star``, ``chi4_peak`` of all atoms, the same
        with ``_<species>`` per species, and ``xi_peak_window``; after the others), and for every name in :data:`CYCLE_QUANTITIES` its mean over
        the used cycles (``mobile_wraps_any`` / ``immobile_wraps_any``: the percolation probability) and ``<name>_std`` (sample standard deviation), ``n_cycles`` used, and
        ``fraction_broken_<species>`` / ``fraction_broken_<species>_std`` per species.
    relaxation : DataFrame
        Campaigns with a ``[relaxation]`` stage (else empty): one row per (temperature, species, lag)
        with the fix dynamics/correlate array columns ``lag`` (steps), ``time``, ``msd``, ``alpha2``,
        ``fs``, ``overlap``, ``chi4``, ``n_origins``; ``species`` is "all" or a species name.
    relaxation_times : DataFrame
        One row per (temperature, species): the fix's derived vector ``tau_alpha``, ``diffusion`` (D),
        ``diffusive_from``, ``diffusive_to``, ``t_star``, ``alpha2_peak``, ``chi4_peak``, ``chi4_time``.
    string_windows : DataFrame
        One row per (temperature, window): the stringlike/atom global vector averaged over the
        finished windows of that length (``window`` in time units, ``window_steps``, ``n_windows``).
    quench : DataFrame
        The preparation trace, one row per sample: ``stage`` ("melt", "quench" or "anneal"), ``step``,
        ``time``, ``temperature`` (instantaneous, averaged over the sample interval), ``target``
        (thermostat set point), ``pe`` and ``enthalpy`` per atom (energy units), ``volume`` per atom.
    snapshots : list of Snapshot
        Campaigns with ``[snapshots]`` (else empty): the per-atom snapshots (thermal, inherent,
        dynamics) of the chosen cycles, ordered by temperature, period, cycle and kind; pick one
        with :meth:`snapshot`.
    """

    metadata: dict[str, Any]
    cycles: pd.DataFrame
    cage_types: pd.DataFrame
    string_sizes: pd.DataFrame
    displacement: pd.DataFrame
    summary: pd.DataFrame
    quench: pd.DataFrame
    inputs: dict[str, str] = field(default_factory=dict)
    relaxation: pd.DataFrame = field(default_factory=pd.DataFrame)
    relaxation_times: pd.DataFrame = field(default_factory=pd.DataFrame)
    string_windows: pd.DataFrame = field(default_factory=pd.DataFrame)
    snapshots: list[Snapshot] = field(default_factory=list)

    def snapshot(self, temperature: Optional[float] = None, period: Optional[float] = None, *,
                 cycle: Optional[int] = None, kind: str = "thermal") -> Snapshot:
        """The snapshot at one scan point (keys left out must not be needed to make it unique);
        ``kind`` is ``"thermal"``, ``"inherent"`` or ``"dynamics"``. KeyError lists what exists."""
        return select(self.snapshots, temperature=temperature, period=period, cycle=cycle, kind=kind)

    @property
    def temperatures(self) -> list[float]:
        return sorted(self.summary["temperature"].unique().tolist())

    @property
    def periods(self) -> list[float]:
        return sorted(self.summary["period"].unique().tolist())

    def __repr__(self) -> str:
        return (f"CampaignResults({self.metadata.get('name', '?')!r}, {len(self.temperatures)} temperatures x "
                f"{len(self.periods)} periods, {len(self.cycles)} cycles)")
