"""Axis-level drawing shared by the single-campaign report and the comparison of campaigns.

Each ``plot_*`` function draws one campaign's curves into axes it is given, with matplotlib style
keywords (``color``, ``linestyle``, ``marker``) passed through, so the same code draws one campaign
(:func:`glassdyn.results.report.make_report`) or several overlaid in one colour each
(:mod:`glassdyn.comparison`).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from glassdyn.results.fits import AlphaPeak, GlassTransition, apparent_heat_capacity

#: Resolution of the PNG files.
PNG_DPI = 150

#: Energy unit of each LAMMPS unit style, for when the metadata does not name one.
ENERGY_UNITS = {"metal": "eV", "lj": "ε", "real": "kcal/mol", "si": "J", "electron": "Ha"}

# The quench is analysed against the thermostat set point, which falls linearly in time (the
# cooling programme): the instantaneous temperature of a few thousand atoms scatters by tens of K.
QUENCH_T = "target"


class ReportWarning(UserWarning):
    """A figure, or part of one, could not be drawn from the data at hand."""


@dataclass(frozen=True)
class Units:
    """Axis-label units, taken from the campaign metadata."""

    temperature: str
    pressure: str
    distance: str
    time: str
    energy: str
    modulus: str

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any]) -> "Units":
        energy = metadata.get("energy_unit") or ENERGY_UNITS.get(str(metadata.get("units", "")).lower(), "energy")
        return cls(temperature=str(metadata.get("temperature_unit", "")),
                   pressure=str(metadata.get("pressure_unit", "")),
                   distance=str(metadata.get("distance_unit", "")),
                   time=str(metadata.get("time_unit", "")),
                   energy=str(energy),
                   modulus=str(metadata.get("modulus", "M")))

    def temperature_label(self) -> str:
        return f"T ({self.temperature})" if self.temperature else "T"


# --------------------------------------------------------------------------------------------------
# curves of one campaign


def plot_normalised_loss(ax: Axes, rows: pd.DataFrame, peak: Optional[AlphaPeak], units: Units,
                         label: Optional[str] = None, **style: Any) -> None:
    """M''/M''_max of one period against T/T_alpha (against T without ``peak``), with std error bars.

    Normalised by the largest measured mean, so the curve peaks at 1 (a fitted height below a noisy
    maximum would push points above 1).
    """
    x, _ = reduced_temperature(rows["temperature"], peak, units)
    height = float(rows["loss"].max())
    errorbar(ax, x, rows["loss"] / height, summary_std(rows, "loss", scale=1 / height), label=label, **style)


def plot_column(ax: Axes, x: Any, rows: pd.DataFrame, column: str, label: Optional[str] = None,
                **style: Any) -> None:
    """A summary column against ``x`` with its std over cycles as error bars."""
    errorbar(ax, x, rows[column], summary_std(rows, column), label=label, **style)


def nearest_temperature(temperatures: Sequence[float], peak: Optional[AlphaPeak], fraction: float,
                        units: Units) -> tuple[float, str]:
    """The scan temperature nearest ``fraction`` T_alpha (the coldest without T_alpha) and a caption."""
    temperatures = np.sort(np.asarray(temperatures, dtype=float))
    if peak is None:
        # Without T_alpha the coldest temperature is the one closest to the glassy side of the scan.
        temperature = float(temperatures[0])
        return temperature, f"T = {temperature:g} {units.temperature} (no $T_\\alpha$)"
    temperature = float(temperatures[np.argmin(np.abs(temperatures - fraction * peak.t_alpha))])
    return temperature, rf"T = {temperature:g} {units.temperature} ($T/T_\alpha$ = {temperature / peak.t_alpha:.2f})"


def plot_displacement(ax_u: Axes, ax_log: Axes, at_t: pd.DataFrame, names: Sequence[str],
                      label_prefix: str = "", linestyles: Optional[Sequence[str]] = None, **style: Any) -> None:
    """p(u) (left) and p(log10 u) (right) of each species present in ``at_t`` (one temperature)."""
    present = set(at_t["species"].astype(str))
    for k, name in enumerate(names):
        if name not in present:
            continue
        curve = at_t[at_t["species"].astype(str) == name]
        line = dict(style)
        if linestyles is not None:
            line["linestyle"] = linestyles[k % len(linestyles)]
        ax_u.plot(curve["u"], curve["p_u"], label=f"{label_prefix}{name}", **line)
        ax_log.plot(curve["log10_u"], curve["p_log10_u"], label=f"{label_prefix}{name}", **line)


def plot_quench(ax_pe: Axes, ax_cp: Axes, quench: pd.DataFrame, transition: Optional[GlassTransition], units: Units,
                column: str = "pe", label: Optional[str] = None, color: Optional[str] = None,
                t_g_label: bool = True) -> None:
    """Energy per atom (``column``) and apparent heat capacity dH/dT against the quench's set point,
    with T_g from the hinge fit as a dashed line."""
    ax_pe.plot(quench[QUENCH_T], quench[column], ".", markersize=2, color=color or "C0", label=label)
    try:
        span = float(quench[QUENCH_T].max() - quench[QUENCH_T].min())
        t_mid, cp = apparent_heat_capacity(quench[QUENCH_T], quench["enthalpy"], window=span / 10)
    except ValueError as error:
        warnings.warn(f"no heat capacity from the quench trace: {error}", ReportWarning, stacklevel=4)
    else:
        ax_cp.plot(t_mid, cp, "o-", color=color or "C1")
    if transition is not None:
        text = f"$T_g$ = {format_with_error(transition.t_g, transition.t_g_err)} {units.temperature}"
        for ax in (ax_pe, ax_cp):
            ax.axvline(transition.t_g, color=color or "0.3", linestyle="--", linewidth=1,
                       label=text if t_g_label and ax is ax_pe else None)


# --------------------------------------------------------------------------------------------------
# small helpers


def errorbar(ax: Axes, x: Any, y: Any, yerr: Any, label: Optional[str] = None, **style: Any) -> None:
    options = {"marker": "o", "markersize": 4, "capsize": 3, **style}
    ax.errorbar(np.asarray(x, dtype=float), np.asarray(y, dtype=float), yerr=yerr, label=label, **options)


def summary_std(rows: pd.DataFrame, column: str, scale: float = 1.0) -> Optional[np.ndarray]:
    """Error bars of a summary column (its ``_std`` twin), or None when the table has none."""
    name = f"{column}_std"
    return None if name not in rows else rows[name].to_numpy(dtype=float) * scale


def error_of_mean(rows: pd.DataFrame, column: str) -> Optional[pd.Series]:
    """Standard error of a summary mean, std / sqrt(n_cycles): the uncertainty of the plotted value that
    a fit should weight by (the std itself, the spread over cycles, is what the error bars show)."""
    name = f"{column}_std"
    if name not in rows:
        return None
    if "n_cycles" not in rows:
        return rows[name]               # the spread: a conservative stand-in for the error of the mean
    return rows[name] / np.sqrt(rows["n_cycles"].clip(lower=1))


def reduced_temperature(temperature: pd.Series, peak: Optional[AlphaPeak], units: Units) -> tuple[np.ndarray, str]:
    """T/T_alpha and its axis label, or T itself when there is no T_alpha."""
    t = np.asarray(temperature, dtype=float)
    if peak is None:
        return t, units.temperature_label()
    return t / peak.t_alpha, r"$T/T_\alpha$"


def period_label(period: float, units: Units) -> str:
    return rf"$t_\omega$ = {period:g} {units.time}".rstrip()


def t_alpha_text(peak: AlphaPeak, units: Units) -> str:
    value = format_with_error(peak.t_alpha, peak.t_alpha_err)
    return rf"$T_\alpha$ = {value} {units.temperature}" + (" (edge)" if peak.at_edge else "")


def format_with_error(value: float, error: float) -> str:
    """'512 ± 3.1': the value rounded to the second significant digit of its error."""
    if not (math.isfinite(error) and error > 0):
        return f"{value:.4g}"
    decimals = max(1 - math.floor(math.log10(error)), 0)
    return f"{value:.{decimals}f} ± {error:.{decimals}f}"


def with_unit(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


def save_figure(figure: Figure, stem: Path, formats: Sequence[str]) -> list[Path]:
    paths = []
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")
        figure.savefig(path, dpi=PNG_DPI)
        paths.append(path)
    return paths
