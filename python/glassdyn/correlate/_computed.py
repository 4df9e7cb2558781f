"""The freud-like result holder of the correlation classes: ``compute()`` stores results, the
read-only properties hand out copies and raise :class:`NotComputedError` before (the result store
of glassdyn.analysis, with tables handed out as copies)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from glassdyn.analysis._results import ComputedResults, NotComputedError

__all__ = ["Computed", "NotComputedError"]


class Computed:
    """Base of the correlation classes: results are kept in one store set by ``compute()``."""

    def _results(self) -> ComputedResults:
        store = self.__dict__.get("_result_store")
        if store is None:
            store = self.__dict__["_result_store"] = ComputedResults(type(self).__name__)
        return store

    def _store(self, **values: Any) -> None:
        self._results().store(values)

    def _get(self, name: str) -> Any:
        value = self._results().get(name)
        return value.copy() if isinstance(value, (pd.DataFrame, pd.Series)) else value

    @property
    def computed(self) -> bool:
        """True once ``compute()`` succeeded."""
        return self._results().ready
