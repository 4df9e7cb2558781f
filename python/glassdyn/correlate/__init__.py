"""Structure-dynamics correlation: how much of the per-atom dynamics per-atom geometry predicts.

Inputs are plain tables: descriptors (rows = atoms of one or more snapshots, numeric columns and
at most one categorical column), dynamics of the same rows (u, in_string, xi, cage_broken, ...),
a group label per row (window/sample), and for coarse-graining the positions and box. Classes
follow freud's shape: configure in the constructor, ``compute(...)`` returns ``self``, results are
read-only properties that raise ``NotComputedError`` until computed. See docs/correlate.md.
"""
from glassdyn.correlate._computed import NotComputedError
from glassdyn.correlate._tables import PairedTables, paired_tables
from glassdyn.correlate.coarse import CoarseGrainedCorrelation
from glassdyn.correlate.coefficients import DescriptorCorrelation, fisher_interval
from glassdyn.correlate.linear import LinearPredictability
from glassdyn.correlate.report import (CorrelationResults, comparison_sentences, correlation_report,
                                       predictability_sentences)

__all__ = ["CoarseGrainedCorrelation", "CorrelationResults", "DescriptorCorrelation", "LinearPredictability",
           "NotComputedError", "PairedTables", "comparison_sentences", "correlation_report", "fisher_interval",
           "paired_tables", "predictability_sentences"]
