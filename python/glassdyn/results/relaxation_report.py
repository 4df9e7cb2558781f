"""The relaxation part of the report: tau_alpha(T) and D(T) per species with Arrhenius and VFT
fits, the temperature where omega tau_alpha = 1 for each DMS period against T_alpha of the loss
peak, and <xi> against the string window length with t* marked (science.md §8, §9).
"""
from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any, Optional

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from glassdyn.results.fits import ActivatedFit, AlphaPeak, fit_arrhenius, fit_vft, temperature_of_unit_product

#: The quantities fitted: column of the relaxation times table -> (sign of the law, label).
FITTED = {"tau_alpha": (1, r"$\tau_\alpha$"), "diffusion": (-1, "$D$")}


def _best(fits: dict[str, Optional[ActivatedFit]]) -> Optional[ActivatedFit]:
    """The VFT fit when there is one (enough temperatures), else Arrhenius."""
    return fits.get("vft") or fits.get("arrhenius")


def relaxation_fits(times: pd.DataFrame, peaks: dict[float, Optional[AlphaPeak]]) -> dict[str, Any]:
    """Arrhenius and VFT fits of tau_alpha and D per species ("all" included), and per DMS period
    the temperature where omega tau_alpha(all) = 1 beside T_alpha of the loss peak.

    A temperature whose tau_alpha or D the fix reports as 0 (F_s never fell below 1/e, or no
    diffusive range) is left out of that fit.
    """
    fitted: dict[str, dict[str, dict[str, Optional[ActivatedFit]]]] = {}
    for column, (sign, _) in FITTED.items():
        fitted[column] = {}
        for species, rows in times.groupby("species", sort=False):
            rows = rows[rows[column] > 0]
            fitted[column][str(species)] = {"arrhenius": fit_arrhenius(rows["temperature"], rows[column], sign=sign),
                                            "vft": fit_vft(rows["temperature"], rows[column], sign=sign)}
    tau = _best(fitted["tau_alpha"].get("all", {}))
    crossings = []
    for period, peak in peaks.items():
        crossings.append({"period": period, "omega_tau_alpha_1_temperature":
                          temperature_of_unit_product(tau, period) if tau is not None else None,
                          "law": tau.law if tau is not None else None,
                          "t_alpha_loss_peak": peak.t_alpha if peak is not None else None})
    return {"fits": {column: {species: {law: asdict(fit) if fit is not None else None for law, fit in laws.items()}
                              for species, laws in per_species.items()}
                     for column, per_species in fitted.items()},
            "omega_tau_alpha_1": crossings, "_objects": fitted}


def relaxation_figure(times: pd.DataFrame, windows: pd.DataFrame, record: dict[str, Any],
                      peaks: dict[float, Optional[AlphaPeak]], temperature_label: str, time_unit: str) -> Figure:
    """tau_alpha and D against 1/T with their fits, and <xi> against the window length with t*."""
    figure = Figure(figsize=(12.8, 4.4), layout="constrained")
    ax_tau, ax_d, ax_xi = figure.subplots(1, 3)
    fitted = record["_objects"]
    for ax, (column, (_, label)) in zip((ax_tau, ax_d), FITTED.items()):
        for k, (species, rows) in enumerate(times.groupby("species", sort=False)):
            rows = rows[rows[column] > 0].sort_values("temperature")
            if rows.empty:
                continue
            color = f"C{k}"
            ax.semilogy(1.0 / rows["temperature"], rows[column], "o", color=color, label=str(species))
            grid = np.linspace(rows["temperature"].min(), rows["temperature"].max(), 50)
            for law, style in (("arrhenius", "-"), ("vft", "--")):
                fit = fitted[column][str(species)][law]
                if fit is not None:
                    ax.semilogy(1.0 / grid, fit(grid), style, color=color, linewidth=1)
        ax.set_xlabel(f"1/{temperature_label}")
        ax.set_ylabel(label)
        ax.legend(fontsize="small", title="lines: Arrhenius (—), VFT (--)", title_fontsize="x-small")
    # omega tau_alpha = 1: tau_alpha = period / 2 pi; marked at T_alpha of the loss peak.
    for k, crossing in enumerate(record["omega_tau_alpha_1"]):
        tau = crossing["period"] / (2 * math.pi)
        ax_tau.axhline(tau, color="0.6", linestyle=":", linewidth=1)
        crossed = crossing["omega_tau_alpha_1_temperature"]
        if crossed is not None and math.isfinite(crossed) and crossed > 0:
            ax_tau.plot([1.0 / crossed], [tau], "o", mfc="none", color="k", markersize=9,
                        label=r"fit: $\omega\tau_\alpha = 1$" if k == 0 else None)
        t_alpha = crossing["t_alpha_loss_peak"]
        if t_alpha is not None and math.isfinite(t_alpha):
            ax_tau.plot([1.0 / t_alpha], [tau], "*", color="k", markersize=10,
                        label=r"$T_\alpha$ (loss peak), $\tau = P/2\pi$" if k == 0 else None)
    ax_tau.set_title(r"$\tau_\alpha(T)$; dotted: $\omega\tau_\alpha = 1$ per period")
    ax_tau.legend(fontsize="small", title="lines: Arrhenius (—), VFT (--)", title_fontsize="x-small")
    ax_d.set_title("$D(T)$")
    for k, (temperature, rows) in enumerate(windows.groupby("temperature", sort=True)):
        rows = rows.sort_values("window")
        color = f"C{k}"
        ax_xi.plot(rows["window"], rows["xi_number"], "o-", color=color, label=f"T = {temperature:g}")
        t_star = times[(times["temperature"] == temperature) & (times["species"] == "all")]["t_star"]
        if len(t_star):
            ax_xi.axvline(float(t_star.iloc[0]), color=color, linestyle="--", linewidth=1)
    if not windows.empty:
        ax_xi.set_xscale("log")
        ax_xi.legend(fontsize="small", title="dashed: t*", title_fontsize="x-small")
    ax_xi.set_xlabel(f"string window ({time_unit})" if time_unit else "string window")
    ax_xi.set_ylabel(r"$\langle\xi\rangle$")
    ax_xi.set_title(r"$\langle\xi\rangle$ against window length")
    return figure
