"""The headline numbers of one campaign for the comparison table, each with its error or the reason
it is missing (science.md §4, §5, §9)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from glassdyn.comparison.checks import Campaign
from glassdyn.results.fits import (ActivationEnergy, AlphaPeak, Decoupling, Fragility, GlassTransition, LossPeaks,
                                   activation_energy, decoupling_exponent, fit_loss_peaks, fragility)
from glassdyn.results.panels import Units, error_of_mean
from glassdyn.results.selection import (alpha_peaks, glass_transition_or_none, percolation_thresholds, quench_rows,
                                        rows_of_period)

NAN = float("nan")


@dataclass(frozen=True)
class Quantity:
    """A number with its one-sigma error (nan: unknown) or, when missing, the reason (``note``)."""

    value: float = NAN
    error: float = NAN
    note: str = ""

    @property
    def present(self) -> bool:
        return math.isfinite(self.value)


def missing(note: str) -> Quantity:
    return Quantity(note=note)


@dataclass
class CampaignNumbers:
    """Everything the table and the figures need from one campaign, at the comparison's period.

    ``species`` keeps the campaign's type order: per-species quantities of different campaigns are
    paired by position.
    """

    campaign: Campaign
    units: Units
    period: float
    peaks: dict[float, Optional[AlphaPeak]]
    beta: dict[float, Optional[LossPeaks]]
    e_alpha: Quantity
    e_alpha_fit: Optional[ActivationEnergy]
    e_beta: Quantity
    t_g: Quantity
    transition: Optional[GlassTransition]
    t_perc: dict[str, Quantity]
    t_perc_separation: Quantity
    reduced_temperature: Quantity          # the T/T_alpha of the scan temperature nearest the requested one
    temperature_at: float                  # that scan temperature (nan without T_alpha)
    str_fraction: Quantity
    cage: list[Quantity]                   # all atoms, then each species in type order
    species: list[str]
    fragility: Optional[Fragility] = None
    decoupling: Optional[Decoupling] = None
    relaxation: pd.DataFrame = field(default_factory=pd.DataFrame)   # species "all", tau_alpha and D > 0

    @property
    def label(self) -> str:
        return self.campaign.label

    @property
    def peak(self) -> Optional[AlphaPeak]:
        return self.peaks.get(self.period)

    def rows(self) -> pd.DataFrame:
        """Summary rows of the comparison's period, by temperature."""
        return rows_of_period(self.campaign.results.summary, self.period).sort_values("temperature")


def campaign_numbers(campaign: Campaign, periods: Sequence[float], period: float,
                     reduced_temperature: float) -> CampaignNumbers:
    """The fits of one campaign over the common ``periods``; single-period values at ``period``."""
    results = campaign.results
    units = Units.from_metadata(results.metadata)
    style = str(results.metadata.get("units", "metal"))
    summary = results.summary.sort_values(["period", "temperature"])
    local = {p: _matching(p, results.periods) for p in periods}
    all_peaks = alpha_peaks(summary)
    peaks = {p: all_peaks.get(local[p]) for p in periods}
    beta = {p: _beta(rows_of_period(summary, local[p])) for p in periods}

    e_alpha_fit, e_alpha = _activation([(p, pk.t_alpha, pk.t_alpha_err) for p, pk in peaks.items()
                                        if pk is not None and not pk.at_edge], style, "T_alpha", len(periods))
    _, e_beta = _activation([(p, b.t_beta, b.t_beta_err) for p, b in beta.items() if b is not None and b.resolved],
                            style, "resolved T_beta", len(periods))

    transition = glass_transition_or_none(quench_rows(results.quench))
    t_g = Quantity(transition.t_g, transition.t_g_err) if transition is not None else missing("no T_g from the quench trace")

    rows = rows_of_period(summary, local[period]).sort_values("temperature")
    t_perc, separation = _percolation(rows)
    peak = peaks[period]
    species = [str(s) for s in results.metadata.get("species", [])]
    if peak is None:
        reduced = missing("no T_alpha at this period")
        at_t, str_fraction = NAN, missing("no T_alpha at this period")
        cage = [missing("no T_alpha at this period")] * (1 + len(species))
    else:
        temperatures = rows["temperature"].to_numpy(dtype=float)
        at_t = float(temperatures[np.argmin(np.abs(temperatures - reduced_temperature * peak.t_alpha))])
        ratio_err = at_t * peak.t_alpha_err / peak.t_alpha ** 2 if math.isfinite(peak.t_alpha_err) else NAN
        reduced = Quantity(at_t / peak.t_alpha, ratio_err)
        row = rows[rows["temperature"] == at_t]
        str_fraction = _mean_of(row, "str_fraction")
        cage = [_mean_of(row, "fraction_broken")] + [_mean_of(row, f"fraction_broken_{name}") for name in species]

    numbers = CampaignNumbers(campaign=campaign, units=units, period=period, peaks=peaks, beta=beta,
                              e_alpha=e_alpha, e_alpha_fit=e_alpha_fit, e_beta=e_beta, t_g=t_g, transition=transition,
                              t_perc=t_perc, t_perc_separation=separation, reduced_temperature=reduced,
                              temperature_at=at_t, str_fraction=str_fraction, cage=cage, species=species)
    _relaxation(numbers, style)
    return numbers


def _matching(period: float, periods: Sequence[float]) -> float:
    return next(p for p in periods if math.isclose(p, period, rel_tol=1e-9))


def _beta(rows: pd.DataFrame) -> Optional[LossPeaks]:
    if rows.empty:
        return None
    return fit_loss_peaks(rows["temperature"], rows["loss"], error_of_mean(rows, "loss"))


def _activation(points: list[tuple[float, float, float]], style: str, what: str,
                n_periods: int) -> tuple[Optional[ActivationEnergy], Quantity]:
    if n_periods < 2:
        return None, missing(f"one common period only: no E from {what}")
    if len(points) < 2:
        return None, missing(f"{what} at fewer than 2 periods: no activation energy")
    periods, temperatures, errors = (np.array(column, dtype=float) for column in zip(*points))
    fit = activation_energy(periods, temperatures, errors, units=style)
    if fit is None:
        return None, missing(f"{what}: no Arrhenius fit")
    return fit, Quantity(fit.energy, fit.energy_err)


def _mean_of(row: pd.DataFrame, column: str) -> Quantity:
    """Mean over cycles with the standard error of the mean, std / sqrt(n_cycles)."""
    if row.empty or column not in row:
        return missing(f"no {column} in the summary")
    error = error_of_mean(row, column)
    return Quantity(float(row[column].iloc[0]), float(error.iloc[0]) if error is not None else NAN)


def _percolation(rows: pd.DataFrame) -> tuple[dict[str, Quantity], Quantity]:
    thresholds = percolation_thresholds(rows)
    if thresholds is None:
        note = "no percolation columns (campaign harvested without percolation/atom)"
        return {"immobile": missing(note), "mobile": missing(note)}, missing(note)
    t_perc = {cls: Quantity(found.temperature, found.error) if found is not None
              else missing(f"{cls} percolation probability never crosses 1/2 in the scan")
              for cls, found in thresholds.items()}
    immobile, mobile = t_perc["immobile"], t_perc["mobile"]
    if immobile.present and mobile.present:
        separation = Quantity(immobile.value - mobile.value, math.hypot(immobile.error, mobile.error))
    else:
        separation = missing("needs both T_perc")
    return t_perc, separation


def _relaxation(numbers: CampaignNumbers, style: str) -> None:
    """Fragility and decoupling from the [relaxation] stage's tau_alpha(T) and D(T) of all atoms."""
    times = numbers.campaign.results.relaxation_times
    if times is None or times.empty:
        return
    rows = times[times["species"].astype(str) == "all"].sort_values("temperature")
    numbers.relaxation = rows[["temperature", "tau_alpha", "diffusion"]].reset_index(drop=True)
    numbers.decoupling = decoupling_exponent(rows["tau_alpha"], rows["diffusion"])
    numbers.fragility = fragility(rows["temperature"], rows["tau_alpha"], units=style)


def refit_fragility(numbers: CampaignNumbers, reference_time: float) -> None:
    """Fragility at a common reference time (so that every campaign's m is at the same time scale)."""
    rows = numbers.relaxation
    if rows.empty:
        return
    style = str(numbers.campaign.results.metadata.get("units", "metal"))
    numbers.fragility = fragility(rows["temperature"], rows["tau_alpha"], reference_time=reference_time, units=style)


def longest_tau(numbers: CampaignNumbers) -> float:
    rows = numbers.relaxation
    tau = rows["tau_alpha"].to_numpy(dtype=float) if not rows.empty else np.array([])
    tau = tau[np.isfinite(tau) & (tau > 0)]
    return float(tau.max()) if tau.size else NAN


def relaxation_range(numbers: CampaignNumbers, column: str) -> Optional[tuple[float, float]]:
    """The range of T/T_alpha over which ``column`` (tau_alpha or diffusion) was measured (> 0)."""
    rows = numbers.relaxation
    if rows.empty or numbers.peak is None:
        return None
    x = rows.loc[rows[column] > 0, "temperature"].to_numpy(dtype=float) / numbers.peak.t_alpha
    return (float(x.min()), float(x.max())) if x.size >= 2 else None


def interpolate_log(numbers: CampaignNumbers, column: str, reduced: float) -> Quantity:
    """``column`` at T/T_alpha = ``reduced``, by linear interpolation of its logarithm in T/T_alpha."""
    rows = numbers.relaxation
    if rows.empty:
        return missing("no [relaxation] stage")
    if numbers.peak is None:
        return missing("no T_alpha at this period")
    rows = rows[rows[column] > 0]
    x = rows["temperature"].to_numpy(dtype=float) / numbers.peak.t_alpha
    if x.size < 2 or not (x.min() - 1e-12 <= reduced <= x.max() + 1e-12):
        return missing(f"T/T_alpha = {reduced:.3g} outside the measured {column} range")
    return Quantity(float(np.exp(np.interp(reduced, x, np.log(rows[column].to_numpy(dtype=float))))), NAN)


def species_rows(numbers: Sequence[CampaignNumbers]) -> list[list[Optional[str]]]:
    """The per-species rows and panels of a comparison: for each row, every campaign's species name
    in it (None where a campaign has no species for it).

    Campaigns that hold the same species, whatever their type order (a model's type map may list Zr
    first), put each element next to itself. Otherwise species are paired by their position in the
    type order (Cu with Ni for Pd-Cu-P against Pd-Ni-P, the reference study's pairing).
    """
    names = [list(n.species) for n in numbers]
    if all(sorted(other) == sorted(names[0]) for other in names[1:]):
        return [[name] * len(numbers) for name in names[0]]
    depth = max(len(other) for other in names)
    return [[other[k] if k < len(other) else None for other in names] for k in range(depth)]
