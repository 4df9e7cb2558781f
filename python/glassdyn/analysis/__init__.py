"""Offline analysis of trajectories with the same C++ code as the LAMMPS plugin.

Classes follow freud's shape: configure in the constructor, ``compute(...)`` returns
``self``, results are read-only properties that raise until something was computed.
"""
from glassdyn.analysis.cages import Cages
from glassdyn.analysis.correlations import Correlations
from glassdyn.analysis.displacement_distribution import DisplacementDistribution
from glassdyn.analysis.dms_fit import DMSFit
from glassdyn.analysis.percolation import Percolation
from glassdyn.analysis.string_like import StringLike

__all__ = ["Cages", "Correlations", "DMSFit", "DisplacementDistribution", "Percolation", "StringLike"]
