"""What the report and the comparison select and fit from a campaign's tables: the rows of one
period, T_alpha of every period, the quench segment and its T_g, and T_perc of both percolation
classes. Missing or too little data gives None with a :class:`ReportWarning`, never an exception."""
from __future__ import annotations

import warnings
from typing import Optional

import numpy as np
import pandas as pd

from glassdyn.results.fits import AlphaPeak, GlassTransition, fit_alpha_peak, glass_transition
from glassdyn.results.panels import QUENCH_T, ReportWarning, error_of_mean, summary_std
from glassdyn.results.percolation_threshold import PercolationThreshold, percolation_threshold


def rows_of_period(table: pd.DataFrame, period: float) -> pd.DataFrame:
    """Rows of one period; periods are floats that went through files, so compare with a tolerance."""
    if table.empty or "period" not in table:
        return table.iloc[0:0]
    return table[np.isclose(table["period"].to_numpy(dtype=float), period, rtol=1e-9, atol=0.0)]


def alpha_peaks(summary: pd.DataFrame) -> dict[float, Optional[AlphaPeak]]:
    """T_alpha of every period; None (with a warning) where the scan has too few temperatures."""
    peaks: dict[float, Optional[AlphaPeak]] = {}
    if summary.empty:
        return peaks
    for period, rows in summary.groupby("period"):
        try:
            peak = fit_alpha_peak(rows["temperature"], rows["loss"], error_of_mean(rows, "loss"))
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


def quench_rows(quench: pd.DataFrame) -> pd.DataFrame:
    """The quench segment of the preparation trace, by increasing thermostat set point."""
    if quench.empty or "stage" not in quench:
        return quench.iloc[0:0]
    return quench[quench["stage"] == "quench"].sort_values(QUENCH_T)


def glass_transition_or_none(quench: pd.DataFrame) -> Optional[GlassTransition]:
    """T_g of the quench segment (:func:`glass_transition`), or None with a warning."""
    if quench.empty:
        return None
    try:
        return glass_transition(quench[QUENCH_T], quench["enthalpy"])
    except ValueError as error:
        warnings.warn(f"no T_g from the quench trace: {error}", ReportWarning, stacklevel=3)
        return None


PERCOLATION_CLASSES = ("immobile", "mobile")


def percolation_thresholds(rows: pd.DataFrame) -> Optional[dict[str, Optional[PercolationThreshold]]]:
    """T_perc per class (None where P never crosses 1/2); None without percolation columns."""
    if rows.empty or any(f"{cls}_wraps_any" not in rows for cls in PERCOLATION_CLASSES):
        return None
    n = rows["n_cycles"] if "n_cycles" in rows else None
    return {cls: percolation_threshold(rows["temperature"], rows[f"{cls}_wraps_any"],
                                       summary_std(rows, f"{cls}_wraps_any"), n)
            for cls in PERCOLATION_CLASSES}
