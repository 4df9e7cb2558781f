"""Shared plumbing of the offline analysis classes."""
from __future__ import annotations

from typing import Any, Mapping, Optional

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
