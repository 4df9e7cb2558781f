"""Read-only results of a structure analysis: stored by compute(), handed out as properties that
raise NotComputedError before it (the convention of glassdyn.analysis)."""
from __future__ import annotations

from typing import Any

import numpy as np

from glassdyn.analysis._results import ComputedResults, NotComputedError

__all__ = ["NotComputedError", "computed", "results_of"]


def results_of(owner: Any) -> ComputedResults:
    """The result store of an analysis object (made on first use)."""
    store = owner.__dict__.get("_results")
    if store is None:
        store = ComputedResults(type(owner).__name__)
        owner.__dict__["_results"] = store
    return store


def computed(name: str, doc: str) -> property:
    """A read-only result property named ``name``."""
    return property(lambda self: results_of(self).get(name), doc=doc)


def frozen(array: Any) -> np.ndarray:
    value = np.array(array, copy=True)
    value.flags.writeable = False
    return value
