"""T_perc: where a class's percolation probability over cycles crosses 1/2 in a temperature scan."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class PercolationThreshold:
    """The temperature where the percolation probability P(T) crosses 1/2.

    Attributes
    ----------
    temperature : float
        Linear interpolation of P(T) = 1/2 between the two scan temperatures that bracket it.
    error : float
        From the cycle-to-cycle spread: the standard errors of P at the two bracketing temperatures
        (std over cycles / sqrt(n_cycles)), propagated through the interpolation. When both are 0
        (every cycle agreed) the error is half the bracket, the resolution of the scan.
    rising_on_cooling : bool
        True if P is larger on the cold side of the crossing (the class percolates below T_perc).
    """

    temperature: float
    error: float
    rising_on_cooling: bool


def percolation_threshold(temperature: ArrayLike, probability: ArrayLike, std: Optional[ArrayLike] = None,
                          n_cycles: Optional[ArrayLike] = None) -> Optional[PercolationThreshold]:
    """The first crossing of P = 1/2 from the cold end of the scan, or None if P never crosses it.

    Parameters
    ----------
    temperature, probability : array-like
        The scan (any order) and P(T), the fraction of cycles in which the class percolated.
    std, n_cycles : array-like, optional
        Standard deviation of the per-cycle 0/1 flag and the number of cycles at each temperature
        (default: no spread, so the error is the half bracket).
    """
    t = np.asarray(temperature, dtype=float)
    p = np.asarray(probability, dtype=float)
    s = np.zeros_like(p) if std is None else np.nan_to_num(np.asarray(std, dtype=float))
    n = np.ones_like(p) if n_cycles is None else np.asarray(n_cycles, dtype=float)
    keep = np.isfinite(t) & np.isfinite(p)
    order = np.argsort(t[keep])
    t, p, sem = t[keep][order], p[keep][order], (s[keep] / np.sqrt(np.maximum(n[keep], 1.0)))[order]
    for k in range(len(t) - 1):
        below, above = p[k] - 0.5, p[k + 1] - 0.5
        if below == 0.0:
            return PercolationThreshold(float(t[k]), _error(t, sem, k, 0.0, p), bool(p[k + 1] < p[k]))
        if below * above < 0.0:
            w = below / (below - above)          # position of the crossing between t[k] and t[k+1]
            crossing = t[k] + w * (t[k + 1] - t[k])
            return PercolationThreshold(float(crossing), _error(t, sem, k, w, p), bool(p[k] > p[k + 1]))
    if len(t) and p[-1] == 0.5:
        return PercolationThreshold(float(t[-1]), _error(t, sem, len(t) - 2, 1.0, p), bool(p[-2] > p[-1]))
    return None


def _error(t: np.ndarray, sem: np.ndarray, k: int, w: float, p: np.ndarray) -> float:
    if k < 0 or k + 1 >= len(t):
        return math.nan
    dt = t[k + 1] - t[k]
    slope = (p[k + 1] - p[k]) / dt
    spread = math.hypot((1.0 - w) * sem[k], w * sem[k + 1])
    if spread == 0.0 or slope == 0.0:
        return float(dt / 2.0)
    return float(spread / abs(slope))
