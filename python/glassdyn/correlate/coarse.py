"""Correlation of coarse-grained descriptors with per-atom dynamics as a function of the radius R,
and the structural correlation length: the R where |r| is largest."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from glassdyn import _checks
from glassdyn.correlate._computed import Computed
from glassdyn.correlate._tables import DEFAULT_CATEGORIES, confidence_level, paired_tables
from glassdyn.correlate.coefficients import _methods, correlation_table
from glassdyn.correlate.neighbours import check_radii, neighbour_averages
from glassdyn.io import Box

#: Radii (in the run's distance unit, Å for metal units) used when none are given.
DEFAULT_RADII = (0.0, 1.5, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0, 8.0)


def _positions(positions: Any, index: pd.Index) -> np.ndarray:
    if isinstance(positions, pd.DataFrame):
        missing = [c for c in ("x", "y", "z") if c not in positions.columns]
        if missing:
            raise ValueError(f"positions has no column {missing}; give x, y, z per atom (unwrapped or wrapped)")
        if not positions.index.equals(index):
            raise ValueError("positions must have the same rows (index) as descriptors")
        positions = positions[["x", "y", "z"]].to_numpy(dtype=float)
    return _checks.float_array("positions", positions, (len(index), 3))


def _box_of(box: Any, group: Any) -> Box:
    if isinstance(box, Box):
        return box
    if isinstance(box, Mapping):
        if group not in box:
            raise ValueError(f"box has no entry for group {group}; give one Box per group (window/sample)")
        chosen = box[group]
        if isinstance(chosen, Box):
            return chosen
        raise TypeError(f"box[{group}] must be a glassdyn.io.Box, got {type(chosen).__name__}")
    raise TypeError(f"box must be a glassdyn.io.Box or a mapping group -> Box, got {type(box).__name__}")


class CoarseGrainedCorrelation(Computed):
    """Correlation of descriptors averaged over a sphere of radius R with per-atom dynamics.

    The coarse-grained descriptor of an atom is the plain mean of the descriptor over the atom and
    every atom within R of it (periodic images through the box; R = 0 is the atom's own value).
    Neighbourhoods never cross snapshots: each group (window/sample) is averaged in its own box.
    The coefficients are those of :class:`DescriptorCorrelation` applied to the coarse-grained
    descriptors, per R.

    The structural correlation length of a (descriptor, quantity) pair is the R of the given grid
    where |r| is largest (``length``; its resolution is the grid's spacing), reported with r there
    and at R = 0. A length of 0 means coarse-graining does not help.

    Parameters
    ----------
    radii : sequence of float
        Radii, distinct, >= 0 and below half the smallest periodic box width (default
        :data:`DEFAULT_RADII`, Å-scale); R = 0 is always added.
    method : str
        ``"pearson"`` (default) or ``"spearman"``.
    confidence : float
        Level of the Fisher-z confidence intervals (default 0.95).
    categories : int
        Indicator columns per categorical descriptor (its most frequent values); their
        coarse-grained value is the local fraction of that class.

    Results: :attr:`table` (``radius``, then the columns of :attr:`DescriptorCorrelation.table`),
    :attr:`correlation_length` and :meth:`curve`.
    """

    def __init__(self, radii: Sequence[float] = DEFAULT_RADII, method: str = "pearson", confidence: float = 0.95,
                 categories: int = DEFAULT_CATEGORIES) -> None:
        self.radii = np.union1d(check_radii(radii), [0.0])
        if not isinstance(method, str):
            raise TypeError(f"method must be one name, 'pearson' or 'spearman', got {method!r}")
        self.method = _methods(method)[0]
        self.confidence = confidence_level(confidence)
        self.categories = _checks.integer("categories", categories, at_least=1)

    def __repr__(self) -> str:
        return f"CoarseGrainedCorrelation(radii={self.radii.tolist()}, method={self.method!r})"

    def compute(self, descriptors: pd.DataFrame, dynamics: pd.DataFrame, positions: Any, box: Any,
                groups: Any = None) -> "CoarseGrainedCorrelation":
        """Coarse-grain the descriptors over each radius and correlate them with the dynamics.

        Parameters
        ----------
        descriptors, dynamics : DataFrame
            The same rows (atoms); see :func:`glassdyn.correlate.paired_tables`.
        positions : array (N, 3) or DataFrame with x, y, z
            Positions of the rows' atoms in the snapshot the descriptors describe.
        box : glassdyn.io.Box or mapping group -> Box
            The box of each snapshot (one Box serves all groups).
        groups : array or str, optional
            Snapshot (window/sample) label per row, or the name of an index level.
        """
        tables = paired_tables(descriptors, dynamics, groups, categories=self.categories)
        xyz = _positions(positions, tables.descriptors.index)
        values = tables.descriptors.to_numpy()
        averaged = np.empty((len(self.radii),) + values.shape)
        for group in tables.group_names:
            rows = np.flatnonzero(tables.groups == group)
            averaged[:, rows, :] = neighbour_averages(values[rows], xyz[rows], _box_of(box, group), self.radii)
        parts = []
        for k, radius in enumerate(self.radii):
            coarse = pd.DataFrame(averaged[k], columns=tables.descriptors.columns)
            constant = [c for c in coarse.columns if np.ptp(coarse[c].to_numpy()) == 0.0]
            table = correlation_table(coarse.drop(columns=constant), tables.dynamics.reset_index(drop=True),
                                      (self.method,), self.confidence, tables.groups)
            table.insert(0, "radius", float(radius))
            parts.append(table)
        table = pd.concat(parts, ignore_index=True)
        self._store(table=table, correlation_length=_lengths(table))
        return self

    @property
    def table(self) -> pd.DataFrame:
        """One row per (radius, descriptor, quantity): r, ci_low, ci_high, p_value, n, n_groups.
        A descriptor that coarse-grains to a constant (e.g. R spanning the box) has no row at that R."""
        return self._get("table")

    @property
    def correlation_length(self) -> pd.DataFrame:
        """Per (descriptor, quantity): ``length`` (R of the largest |r|), ``r_at_length``, ``r_at_zero``."""
        return self._get("correlation_length")

    def curve(self, descriptor: str, quantity: str) -> pd.DataFrame:
        """r(R) with its interval for one pair, ordered by R."""
        table = self.table
        rows = table[(table["descriptor"] == descriptor) & (table["quantity"] == quantity)]
        if rows.empty:
            raise ValueError(f"no coefficients for descriptor {descriptor!r} and quantity {quantity!r}; have "
                             f"{sorted(set(table['descriptor']))} x {sorted(set(table['quantity']))}")
        return rows[["radius", "r", "ci_low", "ci_high"]].sort_values("radius").reset_index(drop=True)


def _lengths(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (descriptor, quantity), part in table.groupby(["descriptor", "quantity"], sort=False):
        part = part.sort_values("radius")
        best = part.iloc[int(np.argmax(np.abs(part["r"].to_numpy())))]
        at_zero = part[part["radius"] == 0.0]["r"]
        rows.append((descriptor, quantity, float(best["radius"]), float(best["r"]),
                     float(at_zero.iloc[0]) if len(at_zero) else np.nan))
    return pd.DataFrame(rows, columns=["descriptor", "quantity", "length", "r_at_length", "r_at_zero"])
