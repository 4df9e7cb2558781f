"""Structure of glasses, offline, on dump frames or arrays: partial g_ab(r) and coordination
numbers, Faber-Ziman S(q) with X-ray/neutron weights, Voronoi motifs, SOAP similarity of
structures, and per-atom descriptors for structure-dynamics work (docs/structure.md).

Needs the optional group ``pip install 'glassdyn[structure]'`` (freud-analysis, ovito, dscribe,
periodictable); each library is imported only by the analysis that uses it.

Examples
--------
>>> from glassdyn.io import read_dump                          # doctest: +SKIP
>>> from glassdyn.structure import PartialRDF, Structure, VoronoiMotifs
>>> s = Structure.from_frame(read_dump("glass.dump")[0])        # doctest: +SKIP
>>> PartialRDF(r_max=8.0).compute(s).coordination(1, 1)         # doctest: +SKIP
>>> VoronoiMotifs().compute(s).full_icosahedron_fraction(centre_type=1)   # doctest: +SKIP
"""
from glassdyn.structure._input import Structure
from glassdyn.structure._results import NotComputedError
from glassdyn.structure.descriptors import per_atom_descriptors
from glassdyn.structure.entropy import excess_entropy
from glassdyn.structure.rdf import PartialRDF
from glassdyn.structure.soap import (SOAPAverage, SOAPDescriptor, StructuralSimilarity, similarity_along,
                                     similarity_matrix)
from glassdyn.structure.structure_factor import StructureFactor
from glassdyn.structure.voronoi import FULL_ICOSAHEDRON, VoronoiMotifs

__all__ = ["FULL_ICOSAHEDRON", "NotComputedError", "PartialRDF", "SOAPAverage", "SOAPDescriptor",
           "StructuralSimilarity", "Structure", "StructureFactor", "VoronoiMotifs", "excess_entropy",
           "per_atom_descriptors", "similarity_along", "similarity_matrix"]
