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
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from glassdyn import _checks
from glassdyn.correlate._computed import Computed
from glassdyn.correlate._tables import DEFAULT_CATEGORIES, confidence_level, paired_tables

METHODS = ("pearson", "spearman")

#: Columns of the tidy coefficient table.
TABLE_COLUMNS = ("descriptor", "quantity", "method", "r", "ci_low", "ci_high", "p_value", "n", "n_groups")


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


def correlation_table(x: pd.DataFrame, y: pd.DataFrame, methods: Sequence[str], confidence: float,
                      n_groups: int) -> pd.DataFrame:
    """Tidy table of every (descriptor, quantity, method): r, its interval, p-value, n."""
    rows = []
    n = len(x)
    ranked_x, ranked_y = x.rank(), y.rank()
    for method in methods:
        xs, ys = (x, y) if method == "pearson" else (ranked_x, ranked_y)
        # Pearson of ranks is Spearman's rho (average ranks for ties); one matrix product for all pairs.
        xv = xs.to_numpy(dtype=float)
        yv = ys.to_numpy(dtype=float)
        xv = (xv - xv.mean(axis=0)) / xv.std(axis=0)
        yv = (yv - yv.mean(axis=0)) / yv.std(axis=0)
        r = np.clip(xv.T @ yv / n, -1.0, 1.0)
        for i, descriptor in enumerate(x.columns):
            for j, quantity in enumerate(y.columns):
                value = float(r[i, j])
                low, high = fisher_interval(value, n, confidence, method)
                t = value * math.sqrt(max(n - 2, 1) / max(1e-300, 1.0 - value * value))
                p = float(2.0 * stats.t.sf(abs(t), max(n - 2, 1))) if n > 2 else math.nan
                rows.append((descriptor, quantity, method, value, low, high, p, n, n_groups))
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
    row per (descriptor, quantity, method) with ``r``, ``ci_low``, ``ci_high``, ``p_value``, ``n``,
    ``n_groups``; :meth:`matrix` pivots it to descriptors x quantities.

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
            Window/sample label per row, or the name of an index level (only counted here).
        """
        tables = paired_tables(descriptors, dynamics, groups, categories=self.categories)
        table = correlation_table(tables.descriptors, tables.dynamics, self.methods, self.confidence,
                                  tables.n_groups)
        self._store(table=table)
        return self

    @property
    def table(self) -> pd.DataFrame:
        """One row per (descriptor, quantity, method): r, ci_low, ci_high, p_value, n, n_groups."""
        return self._get("table")

    def matrix(self, method: str = "pearson") -> pd.DataFrame:
        """r as a descriptors x quantities table for one method."""
        if method not in self.methods:
            raise ValueError(f"method must be one of the computed methods {self.methods}, got {method!r}")
        table = self.table
        rows = table[table["method"] == method]
        return rows.pivot(index="descriptor", columns="quantity", values="r").loc[
            pd.unique(rows["descriptor"]), pd.unique(rows["quantity"])]
