"""Pearson and Spearman coefficients of each descriptor with each per-atom dynamic quantity, with
confidence intervals from Fisher's z transform.

Pearson: z = artanh(r) is close to normal with standard error 1/sqrt(n - 3) (Fisher 1921,
Metron 1, 3-32). Spearman: the same transform with the Bonett-Wright standard error
sqrt((1 + r_s^2 / 2) / (n - 3)) (Bonett & Wright 2000, Psychometrika 65, 23-28, eq. 2 with
their recommended variance for Spearman's rho). Both intervals assume independent atoms; atoms
of one snapshot are spatially correlated, so the intervals are a lower bound on the uncertainty
(the held-out scores of :class:`~glassdyn.correlate.LinearPredictability` hold whole windows out).
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from glassdyn import _checks
from glassdyn.correlate._computed import Computed
from glassdyn.correlate._tables import DEFAULT_CATEGORIES, confidence_level, paired_tables

METHODS = ("pearson", "spearman")

#: Columns of the tidy coefficient table.
TABLE_COLUMNS = ("descriptor", "quantity", "method", "r", "ci_low", "ci_high", "p_value", "n", "n_groups",
                 "r_group_std")


def fisher_interval(r: float, n: int, confidence: float, method: str = "pearson") -> tuple[float, float]:
    """Confidence interval of a correlation coefficient r of n pairs by Fisher's z transform.

    ``method="spearman"`` uses the Bonett-Wright standard error sqrt((1 + r^2/2)/(n - 3)).
    Returns (nan, nan) for n <= 3, where the transform has no standard error.
    """
    if n <= 3:
        return math.nan, math.nan
    variance = 1.0 if method == "pearson" else 1.0 + r * r / 2.0
    half = stats.norm.ppf(0.5 + confidence / 2.0) * math.sqrt(variance / (n - 3))
    z = math.atanh(min(max(r, -1.0 + 1e-15), 1.0 - 1e-15))
    return math.tanh(z - half), math.tanh(z + half)


def _r_matrix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson r of every column of x with every column of y (nan where a column is constant)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        xs = (x - x.mean(axis=0)) / x.std(axis=0)
        ys = (y - y.mean(axis=0)) / y.std(axis=0)
        return np.clip(xs.T @ ys / len(x), -1.0, 1.0)


def _ranked(table: pd.DataFrame, method: str) -> np.ndarray:
    # Pearson of ranks is Spearman's rho (average ranks for ties).
    return (table if method == "pearson" else table.rank()).to_numpy(dtype=float)


def correlation_table(x: pd.DataFrame, y: pd.DataFrame, methods: Sequence[str], confidence: float,
                      groups: Optional[np.ndarray] = None) -> pd.DataFrame:
    """Tidy table of every (descriptor, quantity, method): r over all rows, its interval, p-value,
    n, n_groups, and ``r_group_std``: the spread (s.d.) of r computed within each group separately
    (nan with one group), a measure of the window-to-window variation the Fisher interval ignores."""
    rows = []
    n = len(x)
    groups = np.zeros(n, dtype=int) if groups is None else np.asarray(groups)
    labels = pd.unique(groups)
    for method in methods:
        r = _r_matrix(_ranked(x, method), _ranked(y, method))
        spread = np.full(r.shape, np.nan)
        if len(labels) > 1:
            per_group = np.array([_r_matrix(_ranked(x[groups == g], method), _ranked(y[groups == g], method))
                                  for g in labels])
            counted = np.isfinite(per_group).sum(axis=0)
            with warnings.catch_warnings():  # a column constant in all but one group: no spread, nan
                warnings.simplefilter("ignore", RuntimeWarning)
                deviation = np.nanstd(per_group, axis=0, ddof=1)
            spread = np.where(counted > 1, deviation, np.nan)
        for i, descriptor in enumerate(x.columns):
            for j, quantity in enumerate(y.columns):
                value = float(r[i, j])
                low, high = fisher_interval(value, n, confidence, method)
                t = value * math.sqrt(max(n - 2, 1) / max(1e-300, 1.0 - value * value))
                p = float(2.0 * stats.t.sf(abs(t), max(n - 2, 1))) if n > 2 else math.nan
                rows.append((descriptor, quantity, method, value, low, high, p, n, len(labels), float(spread[i, j])))
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def _methods(methods: Any) -> tuple[str, ...]:
    if isinstance(methods, str):
        methods = (methods,)
    methods = tuple(methods)
    wrong = [m for m in methods if m not in METHODS]
    if not methods or wrong:
        raise ValueError(f"methods must be a subset of {METHODS}, got {methods!r}")
    return methods


class DescriptorCorrelation(Computed):
    """Pearson and Spearman coefficients of each descriptor with each dynamic quantity.

    Parameters
    ----------
    methods : str or sequence of str
        ``"pearson"``, ``"spearman"`` or both (default both).
    confidence : float
        Level of the confidence intervals (default 0.95).
    categories : int
        A categorical descriptor column (e.g. the Voronoi index) becomes indicator columns of its
        this many most frequent values (default 5); their coefficients are point-biserial.

    Results (read-only, raise ``NotComputedError`` before ``compute()``): :attr:`table`, tidy, one
    row per (descriptor, quantity, method) with ``r`` (all rows pooled), ``ci_low``, ``ci_high``,
    ``p_value``, ``n``, ``n_groups`` and ``r_group_std`` (s.d. of r computed within each group; nan
    with one group); :meth:`matrix` pivots it to descriptors x quantities.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from glassdyn.correlate import DescriptorCorrelation
    >>> x = pd.DataFrame({"volume": [1.0, 2.0, 3.0, 4.0, 5.0]})
    >>> y = pd.DataFrame({"u": [0.1, 0.3, 0.2, 0.5, 0.6]})
    >>> DescriptorCorrelation(methods="spearman").compute(x, y).table["r"].round(2).tolist()
    [0.9]
    """

    def __init__(self, methods: Any = METHODS, confidence: float = 0.95,
                 categories: int = DEFAULT_CATEGORIES) -> None:
        self.methods = _methods(methods)
        self.confidence = confidence_level(confidence)
        self.categories = _checks.integer("categories", categories, at_least=1)

    def __repr__(self) -> str:
        return f"DescriptorCorrelation(methods={self.methods!r}, confidence={self.confidence})"

    def compute(self, descriptors: pd.DataFrame, dynamics: pd.DataFrame, groups: Any = None
                ) -> "DescriptorCorrelation":
        """Correlate every descriptor column with every dynamics column over all rows.

        Parameters
        ----------
        descriptors, dynamics : DataFrame
            The same rows (atoms of one or more snapshots); see :func:`paired_tables`.
        groups : array or str, optional
            Window/sample label per row, or the name of an index level (for ``n_groups`` and
            ``r_group_std``; r and its interval pool all rows).
        """
        tables = paired_tables(descriptors, dynamics, groups, categories=self.categories)
        table = correlation_table(tables.descriptors.reset_index(drop=True), tables.dynamics.reset_index(drop=True),
                                  self.methods, self.confidence, tables.groups)
        self._store(table=table)
        return self

    @property
    def table(self) -> pd.DataFrame:
        """One row per (descriptor, quantity, method): r, ci_low, ci_high, p_value, n, n_groups, r_group_std."""
        return self._get("table")

    def matrix(self, method: str = "pearson") -> pd.DataFrame:
        """r as a descriptors x quantities table for one method."""
        if method not in self.methods:
            raise ValueError(f"method must be one of the computed methods {self.methods}, got {method!r}")
        table = self.table
        rows = table[table["method"] == method]
        return rows.pivot(index="descriptor", columns="quantity", values="r").loc[
            pd.unique(rows["descriptor"]), pd.unique(rows["quantity"])]
