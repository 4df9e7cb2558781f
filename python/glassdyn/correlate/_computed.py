"""The freud-like result holder of the correlation classes: ``compute()`` stores results, the
read-only properties hand out copies and raise :class:`NotComputedError` before."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

from glassdyn._core import NotComputedError

__all__ = ["Computed", "NotComputedError"]


class Computed:
    """Base of the correlation classes: results are kept in one dict set by ``compute()``."""

    _values: Optional[dict[str, Any]] = None

    def _store(self, **values: Any) -> None:
        self._values = values

    def _get(self, name: str) -> Any:
        if self._values is None:
            raise NotComputedError(f"{type(self).__name__}.{name} is not available: call compute() first")
        value = self._values[name]
        if isinstance(value, (pd.DataFrame, pd.Series)):
            return value.copy()
        if isinstance(value, np.ndarray):
            value = value.copy()
            value.flags.writeable = False
        return value

    @property
    def computed(self) -> bool:
        """True once ``compute()`` succeeded."""
        return self._values is not None
