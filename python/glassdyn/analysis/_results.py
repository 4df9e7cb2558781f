"""Shared plumbing of the offline analysis classes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

import numpy as np


class NotComputedError(RuntimeError):
    """A result was asked for before ``compute()`` ran."""


class ComputedResults:
    """Holds the results of the last ``compute()`` call and hands out read-only copies."""

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._values: Optional[dict[str, Any]] = None

    def store(self, values: Mapping[str, Any]) -> None:
        frozen = {}
        for name, value in values.items():
            if isinstance(value, np.ndarray):
                value = value.copy()
                value.flags.writeable = False
            frozen[name] = value
        self._values = frozen

    @property
    def ready(self) -> bool:
        return self._values is not None

    def get(self, name: str) -> Any:
        if self._values is None:
            raise NotComputedError(f"{self._owner}.{name} is not available: call compute() first")
        return self._values[name]


def per_atom_masses(types: np.ndarray, masses: Any) -> np.ndarray:
    """Masses per atom from None (all 1), a per-type mapping, or a per-atom array."""
    if masses is None:
        return np.ones(len(types))
    if isinstance(masses, Mapping):
        missing = sorted(set(int(t) for t in np.unique(types)) - set(int(k) for k in masses))
        if missing:
            raise ValueError(f"masses has no entry for atom types {missing}; give a mass for every type")
        return np.array([masses[int(t)] for t in types], dtype=float)
    result = np.asarray(masses, dtype=float)
    if result.shape != (len(types),):
        raise ValueError(f"masses must be a mapping type -> mass or one value per atom ({len(types)}), "
                         f"got shape {result.shape}")
    return result


@dataclass
class WindowAtoms:
    """Per-atom input of one analysis window, checked and converted for the core."""

    ids: np.ndarray
    types: np.ndarray
    reference: np.ndarray
    current: np.ndarray
    in_group: np.ndarray
    ntypes: int


def window_atoms(ids: Any, types: Any, reference: Any, current: Any, group: Any, ntypes: Optional[int],
                 pair_overrides: Iterable[tuple[int, int]], overrides_name: str) -> WindowAtoms:
    """Check the arrays of a window (shapes, unique ids, types of per-pair overrides)."""
    ids = np.asarray(ids, dtype=np.int64)
    types = np.asarray(types, dtype=np.intc)
    n = len(ids)
    reference = np.asarray(reference, dtype=float)
    current = np.asarray(current, dtype=float)
    if reference.shape != (n, 3) or current.shape != (n, 3):
        raise ValueError(f"reference and current must have shape ({n}, 3), got {reference.shape} and {current.shape}")
    if types.shape != (n,):
        raise ValueError(f"types must have one entry per atom ({n}), got shape {types.shape}")
    if len(np.unique(ids)) != n:
        raise ValueError("atom ids must be unique")
    in_group = np.ones(n, dtype=bool) if group is None else np.asarray(group, dtype=bool)
    ntypes = int(ntypes if ntypes is not None else (types.max() if n else 1))
    for (type_i, type_j) in pair_overrides:
        if not (1 <= type_i <= ntypes and 1 <= type_j <= ntypes):
            raise ValueError(f"{overrides_name} names type pair ({type_i}, {type_j}) outside 1..{ntypes}")
    return WindowAtoms(ids, types, reference, current, in_group, ntypes)


def check_same_atoms(start: Any, end: Any) -> None:
    """Two dump frames of one window must hold the same atoms (sorted by ID by the reader)."""
    if not np.array_equal(start["id"], end["id"]):
        raise ValueError("the two frames hold different atoms; dump the same group at both steps")
