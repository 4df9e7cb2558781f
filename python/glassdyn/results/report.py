"""Figures of the reference study's panels (science.md §4) drawn from a campaign's results.

:func:`make_report` writes one PNG and one PDF per figure and a ``fits.json`` with T_alpha per DMS
period and T_g of the quench. Figures are drawn with matplotlib's object-oriented API (``Figure``
without pyplot), so neither the global backend nor pyplot's figure registry is touched.
"""
from __future__ import annotations

import json
import math
import warnings
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from glassdyn.results.campaign_data import CampaignResults
from glassdyn.results.harvest import JUMP_PREFIX
from glassdyn.results.pictures import report_strings_picture
from glassdyn.results.fits import AlphaPeak, GlassTransition, apparent_heat_capacity, fit_alpha_peak, glass_transition
from glassdyn.results.relaxation_report import relaxation_figure, relaxation_fits
from glassdyn.results.percolation_threshold import PercolationThreshold, percolation_threshold

#: p(u) is shown at the scan temperature nearest this fraction of T_alpha (the reference study's choice).
DISPLACEMENT_T_FRACTION = 0.85

#: Resolution of the PNG files.
PNG_DPI = 150

#: Energy unit of each LAMMPS unit style, for when the metadata does not name one.
ENERGY_UNITS = {"metal": "eV", "lj": "ε", "real": "kcal/mol", "si": "J", "electron": "Ha"}


class ReportWarning(UserWarning):
    """A figure, or part of one, could not be drawn from the data at hand."""


@dataclass(frozen=True)
class _Units:
    """Axis-label units, taken from the campaign metadata."""

    temperature: str
    pressure: str
    distance: str
    time: str
    energy: str
    modulus: str

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any]) -> "_Units":
        energy = metadata.get("energy_unit") or ENERGY_UNITS.get(str(metadata.get("units", "")).lower(), "energy")
        return cls(temperature=str(metadata.get("temperature_unit", "")),
                   pressure=str(metadata.get("pressure_unit", "")),
                   distance=str(metadata.get("distance_unit", "")),
                   time=str(metadata.get("time_unit", "")),
                   energy=str(energy),
                   modulus=str(metadata.get("modulus", "M")))

    def temperature_label(self) -> str:
        return f"T ({self.temperature})" if self.temperature else "T"


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
    units = _Units.from_metadata(results.metadata)
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

    written = [path for name, figure in figures.items() for path in _save(figure, outdir / name, formats)]
    written += report_strings_picture(results, outdir, chosen, peaks[chosen].t_alpha if peaks.get(chosen) else None)
    written.append(_write_fits(outdir / "fits.json", peaks, chosen, transition, units,
                               _percolation_thresholds(_rows_of_period(summary, chosen)) if chosen is not None
                               else None, relaxation))
    return written


# --------------------------------------------------------------------------------------------------
# selection and fits


def _rows_of_period(table: pd.DataFrame, period: float) -> pd.DataFrame:
    """Rows of one period; periods are floats that went through files, so compare with a tolerance."""
    if table.empty or "period" not in table:
        return table.iloc[0:0]
    return table[np.isclose(table["period"].to_numpy(dtype=float), period, rtol=1e-9, atol=0.0)]


def _choose_period(summary: pd.DataFrame, period: Optional[float]) -> Optional[float]:
    """The requested period as stored in the summary, or the longest one (the reference study's t_w = 100 ns)."""
    periods = sorted(summary["period"].unique().tolist()) if not summary.empty else []
    if period is None:
        return float(periods[-1]) if periods else None
    matches = [p for p in periods if math.isclose(p, period, rel_tol=1e-9)]
    if not matches:
        raise ValueError(f"period {period} is not in the results; periods: {periods}")
    return float(matches[0])


def _alpha_peaks(summary: pd.DataFrame) -> dict[float, Optional[AlphaPeak]]:
    """T_alpha of every period; None (with a warning) where the scan has too few temperatures."""
    peaks: dict[float, Optional[AlphaPeak]] = {}
    if summary.empty:
        return peaks
    for period, rows in summary.groupby("period"):
        try:
            peak = fit_alpha_peak(rows["temperature"], rows["loss"], _error_of_mean(rows, "loss"))
        except ValueError as error:
            warnings.warn(f"period {period:g}: no T_alpha ({error}); plotting against T instead of T/T_alpha",
                          ReportWarning, stacklevel=3)
            peak = None
        else:
            if peak.at_edge:
                warnings.warn(f"period {period:g}: the loss maximum is at the edge of the temperature scan "
                              f"(T = {peak.t_alpha:g}); T_alpha is only a bound", ReportWarning, stacklevel=3)
        peaks[float(period)] = peak
    return peaks


def _error_of_mean(rows: pd.DataFrame, column: str) -> Optional[pd.Series]:
    """Standard error of a summary mean, std / sqrt(n_cycles): the uncertainty of the plotted value that
    a fit should weight by (the std itself, the spread over cycles, is what the error bars show)."""
    name = f"{column}_std"
    if name not in rows:
        return None
    if "n_cycles" not in rows:
        return rows[name]               # the spread: a conservative stand-in for the error of the mean
    return rows[name] / np.sqrt(rows["n_cycles"].clip(lower=1))


# The quench is analysed against the thermostat set point, which falls linearly in time (the
# cooling programme): the instantaneous temperature of a few thousand atoms scatters by tens of K.
QUENCH_T = "target"


def _quench_rows(quench: pd.DataFrame) -> pd.DataFrame:
    if quench.empty or "stage" not in quench:
        return quench.iloc[0:0]
    return quench[quench["stage"] == "quench"].sort_values(QUENCH_T)


def _glass_transition_or_none(quench: pd.DataFrame) -> Optional[GlassTransition]:
    if quench.empty:
        return None
    try:
        return glass_transition(quench[QUENCH_T], quench["enthalpy"])
    except ValueError as error:
        warnings.warn(f"no T_g from the quench trace: {error}", ReportWarning, stacklevel=3)
        return None


# --------------------------------------------------------------------------------------------------
# figures


def _loss_figure(summary: pd.DataFrame, peaks: dict[float, Optional[AlphaPeak]], units: _Units) -> Figure:
    """M''/M''_max against T/T_alpha for every period, and M' below."""
    # One x axis for all periods: reduce by T_alpha only if every period has one.
    reduce = all(peak is not None for peak in peaks.values())
    figure = Figure(figsize=(6.4, 7.2), layout="constrained")
    ax_loss, ax_storage = figure.subplots(2, 1, sharex=True)
    m = units.modulus
    for period, rows in summary.groupby("period"):
        peak = peaks[float(period)]
        x, _ = _reduced_temperature(rows["temperature"], peak if reduce else None, units)
        # Normalised by the largest measured mean, so the curve peaks at 1 (a fitted height below a
        # noisy maximum would push points above 1).
        height = float(rows["loss"].max())
        label = _period_label(period, units) + (f": {_t_alpha_text(peak, units)}" if peak is not None else "")
        _errorbar(ax_loss, x, rows["loss"] / height, _std(rows, "loss", scale=1 / height), label=label)
        _errorbar(ax_storage, x, rows["storage"], _std(rows, "storage"), label=_period_label(period, units))

    x_label = r"$T/T_\alpha$" if reduce else units.temperature_label()
    if reduce:
        for ax in (ax_loss, ax_storage):
            ax.axvline(1.0, color="0.6", linestyle=":", linewidth=1)
    ax_loss.set_ylabel(rf"${m}''/{m}''_\mathrm{{max}}$")
    ax_storage.set_ylabel(_with_unit(rf"${m}'$", units.pressure))
    ax_storage.set_xlabel(x_label)
    ax_loss.legend(fontsize="small")
    title = f"Loss and storage modulus ${m}''$, ${m}'$"
    if any(peak is not None and peak.at_edge for peak in peaks.values()):
        title += "\nloss maximum at the scan edge"
    ax_loss.set_title(title)
    return figure


def _strings_figure(rows: pd.DataFrame, peak: Optional[AlphaPeak], period: float, units: _Units) -> Figure:
    """N_str/N_fast and N_long/N_str (the reference study's Fig. 2f,g); with both mobile-atom
    definitions (``jump_*`` columns, analysis.mobile = "both") one curve per definition."""
    figure = Figure(figsize=(9.6, 4.2), layout="constrained")
    x, x_label = _reduced_temperature(rows["temperature"], peak, units)
    both = f"{JUMP_PREFIX}str_fraction" in rows
    for ax, column, y_label in zip(figure.subplots(1, 2), ("str_fraction", "long_fraction"),
                                   (r"$N_\mathrm{str}/N_\mathrm{fast}$", r"$N_\mathrm{long}/N_\mathrm{str}$")):
        _errorbar(ax, x, rows[column], _std(rows, column), label="fraction" if both else None)
        if both:
            jump = JUMP_PREFIX + column
            _errorbar(ax, x, rows[jump], _std(rows, jump), label="jump range")
            ax.legend(fontsize="small", title="fast atoms")
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
    figure.suptitle(f"String-like motion, {_period_label(period, units)}")
    return figure


def _cages_figure(rows: pd.DataFrame, species: Iterable[str], period: float, units: _Units) -> Figure:
    """Fraction of atoms whose cage broke in a cycle: all atoms and per species."""
    figure = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = figure.subplots()
    _errorbar(ax, rows["temperature"], rows["fraction_broken"], _std(rows, "fraction_broken"), label="all")
    for name in species:
        column = f"fraction_broken_{name}"
        if column not in rows:
            warnings.warn(f"no column {column!r} in the summary: species {name} left out of the cage figure",
                          ReportWarning, stacklevel=3)
            continue
        _errorbar(ax, rows["temperature"], rows[column], _std(rows, column), label=name)
    ax.set_xlabel(units.temperature_label())
    ax.set_ylabel("cage-breaking fraction")
    ax.set_title(f"Cage breaking, {_period_label(period, units)}")
    ax.legend(fontsize="small")
    return figure


def _displacement_figure(rows: pd.DataFrame, peak: Optional[AlphaPeak], species: Sequence[str], period: float,
                         units: _Units, jump_range: Optional[Sequence[float]] = None,
                         r1: Optional[dict[float, float]] = None) -> Optional[Figure]:
    """p(u) and p(log10 u) per species at the scan temperature nearest 0.85 T_alpha; the jump
    region (analysis.jump_range, times the measured r1 of that temperature when ``r1`` is given)
    shaded when the campaign defines one."""
    if rows.empty:
        warnings.warn(f"no p(u) rows for period {period:g}: no displacement figure", ReportWarning, stacklevel=3)
        return None
    temperatures = np.sort(rows["temperature"].unique())
    if peak is None:
        # Without T_alpha the coldest temperature is the one closest to the glassy side of the scan.
        temperature = float(temperatures[0])
        where = f"T = {temperature:g} {units.temperature} (no $T_\\alpha$)"
    else:
        temperature = float(temperatures[np.argmin(np.abs(temperatures - DISPLACEMENT_T_FRACTION * peak.t_alpha))])
        where = rf"T = {temperature:g} {units.temperature} ($T/T_\alpha$ = {temperature / peak.t_alpha:.2f})"
    at_t = rows[rows["temperature"] == temperature]

    figure = Figure(figsize=(9.6, 4.2), layout="constrained")
    ax_u, ax_log = figure.subplots(1, 2)
    present = set(at_t["species"].astype(str))
    for name in ["all", *species]:
        if name not in present:
            continue
        curve = at_t[at_t["species"].astype(str) == name]
        ax_u.plot(curve["u"], curve["p_u"], label=name)
        ax_log.plot(curve["log10_u"], curve["p_log10_u"], label=name)
    scale = (r1.get(temperature, math.nan) if r1 else 1.0) if jump_range else math.nan
    if math.isfinite(scale):
        low, high = (float(v) * scale for v in jump_range)
        ax_u.axvspan(low, high, color="0.85", zorder=0, label="jump region")
        if low > 0:
            ax_log.axvspan(np.log10(low), np.log10(high), color="0.85", zorder=0)
    ax_u.set_xlabel(_with_unit("$u$", units.distance))
    ax_u.set_ylabel("$p(u)$")
    ax_log.set_xlabel(r"$\log_{10}u$" + (f" ({units.distance})" if units.distance else ""))
    ax_log.set_ylabel(r"$p(\log_{10}u)$")
    ax_u.legend(fontsize="small")
    figure.suptitle(f"Displacement distribution at {where}, {_period_label(period, units)}")
    return figure


def _quench_figure(quench: pd.DataFrame, transition: Optional[GlassTransition], units: _Units) -> Figure:
    """Potential energy and apparent heat capacity against temperature during the quench, with T_g."""
    figure = Figure(figsize=(6.4, 7.2), layout="constrained")
    ax_pe, ax_cp = figure.subplots(2, 1, sharex=True)
    ax_pe.plot(quench[QUENCH_T], quench["pe"], ".", markersize=2, color="C0")
    try:
        span = float(quench[QUENCH_T].max() - quench[QUENCH_T].min())
        t_mid, cp = apparent_heat_capacity(quench[QUENCH_T], quench["enthalpy"], window=span / 10)
    except ValueError as error:
        warnings.warn(f"no heat capacity from the quench trace: {error}", ReportWarning, stacklevel=3)
    else:
        ax_cp.plot(t_mid, cp, "o-", color="C1")
    if transition is not None:
        label = f"$T_g$ = {_format_with_error(transition.t_g, transition.t_g_err)} {units.temperature}"
        for ax in (ax_pe, ax_cp):
            ax.axvline(transition.t_g, color="0.3", linestyle="--", linewidth=1, label=label)
        ax_pe.legend(fontsize="small")
    ax_pe.set_ylabel(f"potential energy per atom ({units.energy})")
    ax_cp.set_ylabel(f"$dH/dT$ per atom ({units.energy}/{units.temperature})" if units.temperature
                     else f"$dH/dT$ per atom ({units.energy})")
    ax_cp.set_xlabel("thermostat set point " + units.temperature_label())
    ax_pe.set_title("Quench")
    return figure


# --------------------------------------------------------------------------------------------------
# small drawing and formatting helpers


PERCOLATION_CLASSES = ("immobile", "mobile")


def _percolation_thresholds(rows: pd.DataFrame) -> Optional[dict[str, Optional[PercolationThreshold]]]:
    """T_perc per class (None where P never crosses 1/2); None without percolation columns."""
    if rows.empty or any(f"{cls}_wraps_any" not in rows for cls in PERCOLATION_CLASSES):
        return None
    n = rows["n_cycles"] if "n_cycles" in rows else None
    return {cls: percolation_threshold(rows["temperature"], rows[f"{cls}_wraps_any"], _std(rows, f"{cls}_wraps_any"), n)
            for cls in PERCOLATION_CLASSES}


def _percolation_figure(rows: pd.DataFrame, peak: Optional[AlphaPeak],
                        thresholds: dict[str, Optional[PercolationThreshold]], period: float, units: _Units) -> Figure:
    """Double percolation: P_perc(T) of both classes with M''/M''_max, T_perc and T_alpha; d_f(T) below."""
    figure = Figure(figsize=(6.4, 7.2), layout="constrained")
    ax_p, ax_df = figure.subplots(2, 1, sharex=True)
    t = rows["temperature"].to_numpy(dtype=float)
    n = np.sqrt(np.maximum(rows["n_cycles"].to_numpy(dtype=float), 1.0)) if "n_cycles" in rows else 1.0
    colours = {"immobile": "tab:blue", "mobile": "tab:red"}
    for cls in PERCOLATION_CLASSES:
        std = _std(rows, f"{cls}_wraps_any")
        ax_p.errorbar(t, rows[f"{cls}_wraps_any"], yerr=None if std is None else std / n, marker="o", markersize=4,
                      capsize=3, color=colours[cls], label=f"{cls}")
        found = thresholds[cls]
        if found is not None:
            ax_p.axvspan(found.temperature - found.error, found.temperature + found.error, color=colours[cls],
                         alpha=0.15)
            ax_p.axvline(found.temperature, color=colours[cls], linestyle="--",
                         label=rf"$T_\mathrm{{perc}}$({cls}) = {_format_with_error(found.temperature, found.error)}")
        column = f"{cls}_fractal_dimension"
        if column in rows and rows[column].notna().any():
            _errorbar(ax_df, t, rows[column], _std(rows, column), label=cls)
    ax_p.axhline(0.5, color="grey", linewidth=0.8)
    if "loss" in rows and rows["loss"].notna().any():
        twin = ax_p.twinx()
        twin.plot(t, rows["loss"] / rows["loss"].max(), color="black", linewidth=1.0, label="loss")
        twin.set_ylabel(rf"${units.modulus}''/{units.modulus}''_\mathrm{{max}}$")
    if peak is not None:
        for ax in (ax_p, ax_df):
            ax.axvline(peak.t_alpha, color="black", linestyle=":", label=_t_alpha_text(peak, units) if ax is ax_p
                       else None)
    ax_p.set_ylabel("percolation probability over cycles")
    ax_p.legend(fontsize="small")
    ax_df.set_ylabel(r"fractal dimension $d_f$")
    ax_df.set_xlabel(units.temperature_label())
    if ax_df.has_data():
        ax_df.legend(fontsize="small")
    figure.suptitle(f"Double percolation, {_period_label(period, units)}")
    return figure


def _errorbar(ax: Axes, x: Any, y: Any, yerr: Any, label: Optional[str] = None) -> None:
    ax.errorbar(np.asarray(x, dtype=float), np.asarray(y, dtype=float), yerr=yerr, marker="o", markersize=4,
                capsize=3, label=label)


def _std(rows: pd.DataFrame, column: str, scale: float = 1.0) -> Optional[np.ndarray]:
    """Error bars of a summary column (its ``_std`` twin), or None when the table has none."""
    name = f"{column}_std"
    return None if name not in rows else rows[name].to_numpy(dtype=float) * scale


def _reduced_temperature(temperature: pd.Series, peak: Optional[AlphaPeak], units: _Units) -> tuple[np.ndarray, str]:
    """T/T_alpha and its axis label, or T itself when there is no T_alpha."""
    t = temperature.to_numpy(dtype=float)
    if peak is None:
        return t, units.temperature_label()
    return t / peak.t_alpha, r"$T/T_\alpha$"


def _period_label(period: float, units: _Units) -> str:
    return rf"$t_\omega$ = {period:g} {units.time}".rstrip()


def _t_alpha_text(peak: AlphaPeak, units: _Units) -> str:
    value = _format_with_error(peak.t_alpha, peak.t_alpha_err)
    return rf"$T_\alpha$ = {value} {units.temperature}" + (" (edge)" if peak.at_edge else "")


def _format_with_error(value: float, error: float) -> str:
    """'512 ± 3.1': the value rounded to the second significant digit of its error."""
    if not (math.isfinite(error) and error > 0):
        return f"{value:.4g}"
    decimals = max(1 - math.floor(math.log10(error)), 0)
    return f"{value:.{decimals}f} ± {error:.{decimals}f}"


def _with_unit(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


def _save(figure: Figure, stem: Path, formats: Sequence[str]) -> list[Path]:
    paths = []
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")
        figure.savefig(path, dpi=PNG_DPI)
        paths.append(path)
    return paths


def _write_fits(path: Path, peaks: dict[float, Optional[AlphaPeak]], chosen: Optional[float],
                transition: Optional[GlassTransition], units: _Units,
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
