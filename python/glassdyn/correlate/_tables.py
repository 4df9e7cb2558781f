"""Checks and conversion of the plain tables the correlation classes take.

Every class of :mod:`glassdyn.correlate` reads the same inputs: a descriptor table (rows = atoms of
one or more snapshots, numeric columns, at most one categorical column such as a Voronoi index
class), a dynamics table with the same rows (u, in_string, xi, cage_broken, ...), and one group
label per row (the window, sample or campaign the row belongs to). :func:`paired_tables` checks
them once and returns float tables with the categorical column expanded into indicator columns.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import pandas as pd

from glassdyn import _checks

#: Indicator columns made from a categorical descriptor: one per most frequent category.
DEFAULT_CATEGORIES = 5


@dataclass(frozen=True)
class PairedTables:
    """Checked inputs: float descriptors X, float dynamics Y (same rows), and group labels."""

    descriptors: pd.DataFrame
    dynamics: pd.DataFrame
    groups: np.ndarray
    #: Constant descriptor columns left out (``drop_constant=True`` only).
    dropped: tuple[str, ...] = ()

    @property
    def group_names(self) -> np.ndarray:
        return pd.unique(self.groups)

    @property
    def n_groups(self) -> int:
        return len(self.group_names)


def _frame(name: str, table: Any) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame (rows = atoms), got {type(table).__name__}")
    if table.shape[1] == 0:
        raise ValueError(f"{name} has no columns")
    if len(table) == 0:
        raise ValueError(f"{name} has no rows")
    if not table.columns.is_unique:
        raise ValueError(f"{name} has repeated column names {sorted(set(table.columns[table.columns.duplicated()]))}")
    return table


def _expand_categorical(table: pd.DataFrame, categories: int) -> pd.DataFrame:
    """Numeric and boolean columns as float; the one categorical column as indicators of its most
    frequent ``categories`` values, named ``column=value`` (a point-biserial correlation then
    measures how the atoms of that class differ)."""
    categorical = [c for c in table.columns if not (pd.api.types.is_numeric_dtype(table[c])
                                                   or pd.api.types.is_bool_dtype(table[c]))]
    if len(categorical) > 1:
        raise ValueError(f"descriptors may have one categorical column, got {categorical}; encode the others "
                         "as numbers")
    columns = {}
    for column in table.columns:
        if column in categorical:
            values = table[column].astype(str)
            for value in values.value_counts().index[:categories]:
                columns[f"{column}={value}"] = (values == value).to_numpy(dtype=float)
        else:
            columns[str(column)] = table[column].to_numpy(dtype=float)
    return pd.DataFrame(columns, index=table.index)


def _finite(name: str, table: pd.DataFrame) -> None:
    values = table.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = (int(k[0]) for k in np.nonzero(bad))
        raise ValueError(f"{name}[{table.columns[col]!r}] is not finite at row {row} (index {table.index[row]!r}): "
                         f"{values[row, col]}; drop or fill such atoms first")


def _varying(name: str, table: pd.DataFrame) -> None:
    constant = [c for c in table.columns if np.ptp(table[c].to_numpy()) == 0.0]
    if constant:
        raise ValueError(f"{name} columns {constant} are constant: no correlation is defined; drop them")


def group_labels(groups: Any, index: pd.Index, n: int) -> np.ndarray:
    """One label per row: None (all rows one group), the name of an index level, or an array of n labels."""
    if groups is None:
        return np.zeros(n, dtype=int)
    if isinstance(groups, str):
        if groups not in (index.names or []):
            raise ValueError(f"groups={groups!r} names no index level of the tables (levels: {list(index.names)})")
        return index.get_level_values(groups).to_numpy()
    labels = np.asarray(groups)
    if labels.shape != (n,):
        raise ValueError(f"groups must hold one label per row ({n}), got shape {labels.shape}")
    if pd.isna(pd.Series(labels)).any():
        raise ValueError("groups has missing labels; give every row its window/sample label")
    return labels


def paired_tables(descriptors: Any, dynamics: Any, groups: Any = None, *,
                  categories: int = DEFAULT_CATEGORIES, drop_constant: bool = False) -> PairedTables:
    """Check a descriptor and a dynamics table of the same rows and expand a categorical descriptor.

    The two tables must have the same index: identical (same order), or both unique and holding the
    same labels (dynamics is then reordered to the descriptors' rows). Every value must be finite,
    and every column must vary (a constant column has no correlation); with ``drop_constant`` constant
    descriptor columns (an RDF bin inside the core, say) are left out instead and named in ``dropped``.
    """
    descriptors = _frame("descriptors", descriptors)
    dynamics = _frame("dynamics", dynamics)
    if not descriptors.index.equals(dynamics.index):
        same = (descriptors.index.is_unique and dynamics.index.is_unique and len(descriptors) == len(dynamics)
                and descriptors.index.isin(dynamics.index).all())
        if not same:
            raise ValueError("descriptors and dynamics must have the same rows (index): the same atoms of the same "
                             "snapshots, e.g. a (window, atom id) index on both")
        dynamics = dynamics.loc[descriptors.index]
    categories = _checks.integer("categories", categories, at_least=1)
    x = _expand_categorical(descriptors, categories)
    non_numeric = [c for c in dynamics.columns if not (pd.api.types.is_numeric_dtype(dynamics[c])
                                                      or pd.api.types.is_bool_dtype(dynamics[c]))]
    if non_numeric:
        raise ValueError(f"dynamics columns {non_numeric} are not numeric; per-atom dynamics must be numbers or booleans")
    y = pd.DataFrame({str(c): dynamics[c].to_numpy(dtype=float) for c in dynamics.columns}, index=descriptors.index)
    _finite("descriptors", x)
    _finite("dynamics", y)
    dropped: tuple[str, ...] = ()
    if drop_constant:
        dropped = tuple(c for c in x.columns if np.ptp(x[c].to_numpy()) == 0.0)
        x = x.drop(columns=list(dropped))
        if x.shape[1] == 0:
            raise ValueError("descriptors: every column is constant; nothing can predict the dynamics")
    _varying("descriptors", x)
    _varying("dynamics", y)
    labels = group_labels(groups, descriptors.index, len(x))
    return PairedTables(x, y, labels, dropped)


def require_groups(owner: str, tables: PairedTables, at_least: int) -> None:
    """Refuse held-out scores that would reuse atoms of the training snapshots."""
    if tables.n_groups < at_least:
        raise ValueError(
            f"{owner} needs atoms of at least {at_least} groups (windows/samples) to hold out whole groups, got "
            f"{tables.n_groups}: held-out atoms of the same snapshot are spatially correlated with the training "
            "atoms and would overstate the predictability; pass groups= with one label per window/sample")


def confidence_level(value: Any) -> float:
    return _checks.real("confidence", value, above=0.0, below=1.0)


def optional_seed(value: Optional[int]) -> Optional[int]:
    return None if value is None else _checks.integer("random_state", value, at_least=0, at_most=2**32 - 1)
