"""Figures of the reference study's panels (science.md §4) drawn from a campaign's results.

:func:`make_report` writes one PNG and one PDF per figure and a ``fits.json`` with T_alpha per DMS
period and T_g of the quench. Figures are drawn with matplotlib's object-oriented API (``Figure``
without pyplot), so neither the global backend nor pyplot's figure registry is touched.
"""
from __future__ import annotations

import json
import math
import warnings
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from glassdyn.results.campaign_data import CampaignResults
from glassdyn.results.harvest import JUMP_PREFIX
from glassdyn.results.fits import AlphaPeak, GlassTransition
from glassdyn.results.pictures import report_strings_picture
from glassdyn.results.structure_dynamics import report_structure_dynamics
from glassdyn.results.panels import (ReportWarning, Units, errorbar, format_with_error, nearest_temperature,
                                     period_label, plot_column, plot_displacement, plot_normalised_loss, plot_quench,
                                     reduced_temperature, save_figure, summary_std, t_alpha_text, with_unit)
from glassdyn.results.relaxation_report import relaxation_figure, relaxation_fits
from glassdyn.results.selection import PERCOLATION_CLASSES
from glassdyn.results.selection import alpha_peaks as _alpha_peaks
from glassdyn.results.selection import glass_transition_or_none as _glass_transition_or_none
from glassdyn.results.selection import percolation_thresholds as _percolation_thresholds
from glassdyn.results.selection import quench_rows as _quench_rows
from glassdyn.results.selection import rows_of_period as _rows_of_period
from glassdyn.results.percolation_threshold import PercolationThreshold

__all__ = ["DISPLACEMENT_T_FRACTION", "ReportWarning", "make_report"]

#: p(u) is shown at the scan temperature nearest this fraction of T_alpha (the reference study's choice).
DISPLACEMENT_T_FRACTION = 0.85

def make_report(results: CampaignResults, outdir: str | Path, *, period: Optional[float] = None,
                formats: Sequence[str] = ("png", "pdf")) -> list[Path]:
    """Draw the reference study's panels for a campaign and save them with the fitted T_alpha and T_g.

    Figures (each saved as ``<outdir>/<name>.<format>``):

    ``loss_modulus``
        M''/M''_max against T/T_alpha for every period, and the storage modulus M' below. T_alpha comes
        from :func:`fit_alpha_peak` weighted by the error of each mean, std/sqrt(n_cycles); the error
        bars show the std over cycles.
    ``strings``
        N_str/N_fast and N_long/N_str against T/T_alpha.
    ``cages``
        Cage-breaking fraction against T, for all atoms and per species.
    ``displacement``
        p(u) and p(log10 u) per species at the scan temperature nearest 0.85 T_alpha.
    ``percolation``
        Double percolation (compute percolation/atom): the percolation probability over cycles of the
        immobile and mobile classes against T with T_perc of each (where it crosses 1/2, interpolated,
        error from the cycle-to-cycle spread; :func:`percolation_threshold`), M''/M''_max and T_alpha;
        below, d_f of both classes. Only for campaigns with percolation columns; T_perc per class also
        goes to ``fits.json`` (``percolation_temperatures``).
    ``relaxation``
        Campaigns with a ``[relaxation]`` stage: tau_alpha(T) and D(T) per species against 1/T with
        Arrhenius (and, from 4 temperatures, VFT) fits; the dotted lines tau = P/(2 pi) of each DMS
        period with T_alpha of its loss peak marked; <xi> against the string window length with t*
        of each temperature. The fits and, per period, the temperature where omega tau_alpha = 1 (VFT
        if fitted, else Arrhenius) beside T_alpha go to ``fits.json`` (``relaxation``).
    ``quench``
        Potential energy per atom and apparent heat capacity dH/dT against T during the quench, with T_g
        from :func:`glass_transition`.
    ``strings_snapshot.png``
        Campaigns with ``[snapshots]``: the strings of the thermal snapshot nearest 0.85 T_alpha
        (:func:`glassdyn.results.pictures.report_strings_picture`), PNG only.
    ``structure_dynamics/``
        Campaigns with ``[snapshots]``: the structure-dynamics page of their snapshots
        (:func:`glassdyn.results.structure_dynamics.report_structure_dynamics`, docs/correlate.md).

    All but ``loss_modulus`` show one DMS period. Missing data never raises: the figure (or curve) that
    needs it is skipped, or drawn against T instead of T/T_alpha, with a :class:`ReportWarning`.

    Parameters
    ----------
    results : CampaignResults
        The harvested campaign (:func:`glassdyn.load`).
    outdir : str or Path
        Folder for the figures and ``fits.json``; created if needed.
    period : float, optional
        DMS period of the single-period figures; default the longest period of ``results.summary``.
    formats : sequence of str
        File formats to write each figure in (matplotlib format names).

    Returns
    -------
    list of Path
        The files written: the figures in the order above, each in every format, then ``fits.json``.

    Raises
    ------
    ValueError
        If ``period`` is given but is not one of the summary's periods.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    units = Units.from_metadata(results.metadata)
    species = [str(name) for name in results.metadata.get("species", [])]
    summary = results.summary
    if not summary.empty:
        summary = summary.sort_values(["period", "temperature"])

    peaks = _alpha_peaks(summary)
    chosen = _choose_period(summary, period)
    figures: dict[str, Figure] = {}
    if chosen is None:
        warnings.warn("the summary table is empty: no loss, string, cage or displacement figure",
                      ReportWarning, stacklevel=2)
    else:
        rows = _rows_of_period(summary, chosen)
        peak = peaks[chosen]
        figures["loss_modulus"] = _loss_figure(summary, peaks, units)
        figures["strings"] = _strings_figure(rows, peak, chosen, units)
        figures["cages"] = _cages_figure(rows, species, chosen, units)
        displacement_rows = _rows_of_period(results.displacement, chosen)
        r1 = dict(zip(rows["temperature"], rows["r1"])) if "r1" in rows else None
        displacement = _displacement_figure(displacement_rows, peak, species, chosen, units,
                                            results.metadata.get("jump_range") or None, r1)
        if displacement is not None:
            figures["displacement"] = displacement
        thresholds = _percolation_thresholds(rows)
        if thresholds is not None:   # campaigns harvested before percolation/atom have no columns
            figures["percolation"] = _percolation_figure(rows, peak, thresholds, chosen, units)

    relaxation = None
    if len(results.relaxation_times):
        relaxation = relaxation_fits(results.relaxation_times, peaks)
        figures["relaxation"] = relaxation_figure(results.relaxation_times, results.string_windows, relaxation, peaks,
                                                  units.temperature_label(), units.time)

    quench = _quench_rows(results.quench)
    transition = _glass_transition_or_none(quench)
    if quench.empty:
        warnings.warn("no quench samples: no quench figure", ReportWarning, stacklevel=2)
    else:
        figures["quench"] = _quench_figure(quench, transition, units)

    written = [path for name, figure in figures.items() for path in save_figure(figure, outdir / name, formats)]
    written += report_strings_picture(results, outdir, chosen, peaks[chosen].t_alpha if peaks.get(chosen) else None)
    written += report_structure_dynamics(results, outdir, formats)
    written.append(_write_fits(outdir / "fits.json", peaks, chosen, transition, units,
                               _percolation_thresholds(_rows_of_period(summary, chosen)) if chosen is not None
                               else None, relaxation))
    return written


# --------------------------------------------------------------------------------------------------
# selection (the rest is in glassdyn.results.selection, shared with the comparison)


def _choose_period(summary: pd.DataFrame, period: Optional[float]) -> Optional[float]:
    """The requested period as stored in the summary, or the longest one (the reference study's t_w = 100 ns)."""
    periods = sorted(summary["period"].unique().tolist()) if not summary.empty else []
    if period is None:
        return float(periods[-1]) if periods else None
    matches = [p for p in periods if math.isclose(p, period, rel_tol=1e-9)]
    if not matches:
        raise ValueError(f"period {period} is not in the results; periods: {periods}")
    return float(matches[0])


# --------------------------------------------------------------------------------------------------
# figures


def _loss_figure(summary: pd.DataFrame, peaks: dict[float, Optional[AlphaPeak]], units: Units) -> Figure:
    """M''/M''_max against T/T_alpha for every period, and M' below."""
    # One x axis for all periods: reduce by T_alpha only if every period has one.
    reduce = all(peak is not None for peak in peaks.values())
    figure = Figure(figsize=(6.4, 7.2), layout="constrained")
    ax_loss, ax_storage = figure.subplots(2, 1, sharex=True)
    m = units.modulus
    for period, rows in summary.groupby("period"):
        peak = peaks[float(period)]
        x, _ = reduced_temperature(rows["temperature"], peak if reduce else None, units)
        label = period_label(period, units) + (f": {t_alpha_text(peak, units)}" if peak is not None else "")
        plot_normalised_loss(ax_loss, rows, peak if reduce else None, units, label=label)
        plot_column(ax_storage, x, rows, "storage", label=period_label(period, units))

    x_label = r"$T/T_\alpha$" if reduce else units.temperature_label()
    if reduce:
        for ax in (ax_loss, ax_storage):
            ax.axvline(1.0, color="0.6", linestyle=":", linewidth=1)
    ax_loss.set_ylabel(rf"${m}''/{m}''_\mathrm{{max}}$")
    ax_storage.set_ylabel(with_unit(rf"${m}'$", units.pressure))
    ax_storage.set_xlabel(x_label)
    ax_loss.legend(fontsize="small")
    title = f"Loss and storage modulus ${m}''$, ${m}'$"
    if any(peak is not None and peak.at_edge for peak in peaks.values()):
        title += "\nloss maximum at the scan edge"
    ax_loss.set_title(title)
    return figure


def _strings_figure(rows: pd.DataFrame, peak: Optional[AlphaPeak], period: float, units: Units) -> Figure:
    """N_str/N_fast and N_long/N_str (the reference study's Fig. 2f,g); with both mobile-atom
    definitions (``jump_*`` columns, analysis.mobile = "both") one curve per definition."""
    figure = Figure(figsize=(9.6, 4.2), layout="constrained")
    x, x_label = reduced_temperature(rows["temperature"], peak, units)
    both = f"{JUMP_PREFIX}str_fraction" in rows
    for ax, column, y_label in zip(figure.subplots(1, 2), ("str_fraction", "long_fraction"),
                                   (r"$N_\mathrm{str}/N_\mathrm{fast}$", r"$N_\mathrm{long}/N_\mathrm{str}$")):
        plot_column(ax, x, rows, column, label="fraction" if both else None)
        if both:
            plot_column(ax, x, rows, JUMP_PREFIX + column, label="jump range")
            ax.legend(fontsize="small", title="fast atoms")
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
    figure.suptitle(f"String-like motion, {period_label(period, units)}")
    return figure


def _cages_figure(rows: pd.DataFrame, species: Iterable[str], period: float, units: Units) -> Figure:
    """Fraction of atoms whose cage broke in a cycle: all atoms and per species."""
    figure = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = figure.subplots()
    errorbar(ax, rows["temperature"], rows["fraction_broken"], summary_std(rows, "fraction_broken"), label="all")
    for name in species:
        column = f"fraction_broken_{name}"
        if column not in rows:
            warnings.warn(f"no column {column!r} in the summary: species {name} left out of the cage figure",
                          ReportWarning, stacklevel=3)
            continue
        errorbar(ax, rows["temperature"], rows[column], summary_std(rows, column), label=name)
    ax.set_xlabel(units.temperature_label())
    ax.set_ylabel("cage-breaking fraction")
    ax.set_title(f"Cage breaking, {period_label(period, units)}")
    ax.legend(fontsize="small")
    return figure


def _displacement_figure(rows: pd.DataFrame, peak: Optional[AlphaPeak], species: Sequence[str], period: float,
                         units: Units, jump_range: Optional[Sequence[float]] = None,
                         r1: Optional[dict[float, float]] = None) -> Optional[Figure]:
    """p(u) and p(log10 u) per species at the scan temperature nearest 0.85 T_alpha; the jump
    region (analysis.jump_range, times the measured r1 of that temperature when ``r1`` is given)
    shaded when the campaign defines one."""
    if rows.empty:
        warnings.warn(f"no p(u) rows for period {period:g}: no displacement figure", ReportWarning, stacklevel=3)
        return None
    temperature, where = nearest_temperature(rows["temperature"].unique(), peak, DISPLACEMENT_T_FRACTION, units)
    at_t = rows[rows["temperature"] == temperature]

    figure = Figure(figsize=(9.6, 4.2), layout="constrained")
    ax_u, ax_log = figure.subplots(1, 2)
    plot_displacement(ax_u, ax_log, at_t, ["all", *species])
    scale = (r1.get(temperature, math.nan) if r1 else 1.0) if jump_range else math.nan
    if math.isfinite(scale):
        low, high = (float(v) * scale for v in jump_range)
        ax_u.axvspan(low, high, color="0.85", zorder=0, label="jump region")
        if low > 0:
            ax_log.axvspan(np.log10(low), np.log10(high), color="0.85", zorder=0)
    ax_u.set_xlabel(with_unit("$u$", units.distance))
    ax_u.set_ylabel("$p(u)$")
    ax_log.set_xlabel(r"$\log_{10}u$" + (f" ({units.distance})" if units.distance else ""))
    ax_log.set_ylabel(r"$p(\log_{10}u)$")
    ax_u.legend(fontsize="small")
    figure.suptitle(f"Displacement distribution at {where}, {period_label(period, units)}")
    return figure


def _quench_figure(quench: pd.DataFrame, transition: Optional[GlassTransition], units: Units) -> Figure:
    """Potential energy and apparent heat capacity against temperature during the quench, with T_g."""
    figure = Figure(figsize=(6.4, 7.2), layout="constrained")
    ax_pe, ax_cp = figure.subplots(2, 1, sharex=True)
    plot_quench(ax_pe, ax_cp, quench, transition, units)
    if transition is not None:
        ax_pe.legend(fontsize="small")
    ax_pe.set_ylabel(f"potential energy per atom ({units.energy})")
    ax_cp.set_ylabel(f"$dH/dT$ per atom ({units.energy}/{units.temperature})" if units.temperature
                     else f"$dH/dT$ per atom ({units.energy})")
    ax_cp.set_xlabel("thermostat set point " + units.temperature_label())
    ax_pe.set_title("Quench")
    return figure


# --------------------------------------------------------------------------------------------------
# small drawing and formatting helpers


def _percolation_figure(rows: pd.DataFrame, peak: Optional[AlphaPeak],
                        thresholds: dict[str, Optional[PercolationThreshold]], period: float, units: Units) -> Figure:
    """Double percolation: P_perc(T) of both classes with M''/M''_max, T_perc and T_alpha; d_f(T) below."""
    figure = Figure(figsize=(6.4, 7.2), layout="constrained")
    ax_p, ax_df = figure.subplots(2, 1, sharex=True)
    t = rows["temperature"].to_numpy(dtype=float)
    n = np.sqrt(np.maximum(rows["n_cycles"].to_numpy(dtype=float), 1.0)) if "n_cycles" in rows else 1.0
    colours = {"immobile": "tab:blue", "mobile": "tab:red"}
    for cls in PERCOLATION_CLASSES:
        std = summary_std(rows, f"{cls}_wraps_any")
        ax_p.errorbar(t, rows[f"{cls}_wraps_any"], yerr=None if std is None else std / n, marker="o", markersize=4,
                      capsize=3, color=colours[cls], label=f"{cls}")
        found = thresholds[cls]
        if found is not None:
            ax_p.axvspan(found.temperature - found.error, found.temperature + found.error, color=colours[cls],
                         alpha=0.15)
            ax_p.axvline(found.temperature, color=colours[cls], linestyle="--",
                         label=rf"$T_\mathrm{{perc}}$({cls}) = {format_with_error(found.temperature, found.error)}")
        column = f"{cls}_fractal_dimension"
        if column in rows and rows[column].notna().any():
            errorbar(ax_df, t, rows[column], summary_std(rows, column), label=cls)
    ax_p.axhline(0.5, color="grey", linewidth=0.8)
    if "loss" in rows and rows["loss"].notna().any():
        twin = ax_p.twinx()
        twin.plot(t, rows["loss"] / rows["loss"].max(), color="black", linewidth=1.0, label="loss")
        twin.set_ylabel(rf"${units.modulus}''/{units.modulus}''_\mathrm{{max}}$")
    if peak is not None:
        for ax in (ax_p, ax_df):
            ax.axvline(peak.t_alpha, color="black", linestyle=":", label=t_alpha_text(peak, units) if ax is ax_p
                       else None)
    ax_p.set_ylabel("percolation probability over cycles")
    ax_p.legend(fontsize="small")
    ax_df.set_ylabel(r"fractal dimension $d_f$")
    ax_df.set_xlabel(units.temperature_label())
    if ax_df.has_data():
        ax_df.legend(fontsize="small")
    figure.suptitle(f"Double percolation, {period_label(period, units)}")
    return figure


def _write_fits(path: Path, peaks: dict[float, Optional[AlphaPeak]], chosen: Optional[float],
                transition: Optional[GlassTransition], units: Units,
                thresholds: Optional[dict[str, Optional[PercolationThreshold]]] = None,
                relaxation: Optional[dict[str, Any]] = None) -> Path:
    """fits.json; nan (an unknown error) is written as null, which strict JSON readers accept."""
    alpha = []
    for period, peak in peaks.items():
        values = asdict(peak) if peak is not None else {field.name: None for field in fields(AlphaPeak)}
        alpha.append({"period": period, **values})
    record = {
        "temperature_unit": units.temperature,
        "time_unit": units.time,
        "report_period": chosen,
        "alpha_peaks": alpha,
        "glass_transition": asdict(transition) if transition is not None else None,
    }
    if thresholds is not None:   # T_perc of each class at the report period (null: no crossing)
        record["percolation_temperatures"] = {cls: asdict(value) if value is not None else None
                                              for cls, value in thresholds.items()}
    if relaxation is not None:   # Arrhenius/VFT of tau_alpha and D, and omega tau_alpha = 1 per period
        record["relaxation"] = {key: value for key, value in relaxation.items() if not key.startswith("_")}
    path.write_text(json.dumps(_nan_to_none(record), indent=2) + "\n")
    return path


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _nan_to_none(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nan_to_none(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
