"""Several campaigns side by side: comparability checks, the headline numbers with errors
(``comparison.csv``/``.md``) and the report's panels overlaid in one colour per campaign.

The entry point is :func:`glassdyn.compare` (``glassdyn compare A B`` on the command line); see
docs/compare.md.
"""
from glassdyn.comparison.checks import CompareWarning, NotComparable
from glassdyn.comparison.entry import compare

__all__ = ["CompareWarning", "NotComparable", "compare"]
