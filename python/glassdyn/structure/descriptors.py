"""Per-atom structural descriptors in one table, for structure-dynamics correlations."""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from glassdyn import _checks
from glassdyn.structure._input import SpeciesNames, as_structure, species_names
from glassdyn.structure.entropy import excess_entropy, neighbour_pairs
from glassdyn.structure.rdf import PartialRDF
from glassdyn.structure.soap import SOAPDescriptor
from glassdyn.structure.voronoi import VoronoiMotifs

#: Default shell edges of the per-atom partial-RDF profiles (Å: metal units; give your own for lj).
DEFAULT_PROFILE_EDGES = tuple(np.round(np.arange(2.0, 6.0 + 1e-9, 0.25), 6))


def per_atom_descriptors(frame: Any, *, species: SpeciesNames = None, coordination_cutoff: Optional[float] = None,
                         entropy_sigma: float = 0.2, entropy_cutoff: float = 6.0,
                         profile_edges: Optional[Sequence[float]] = DEFAULT_PROFILE_EDGES,
                         voronoi: Optional[VoronoiMotifs] = None, soap: Optional[SOAPDescriptor] = None) -> Any:
    """One row per atom (index: atom ID) of structural descriptors of ``frame``.

    Columns
    -------
    type, species
        Atom type and species name (``species`` maps types to names; default the type number).
    voronoi_volume, voronoi_index, voronoi_faces, five_fold_fraction
        Voronoi cell volume, label '<n3,n4,n5,n6>', number of faces (Voronoi coordination) and
        fraction of its faces with 5 edges (:class:`VoronoiMotifs`, options from ``voronoi``).
    coordination, coordination_<s>
        Neighbours (all, and of species s) closer than ``coordination_cutoff`` (default: the
        first minimum of the total g(r)).
    excess_entropy
        Two-body excess entropy per atom in k_B (:func:`excess_entropy`, Piaggi & Parrinello 2017).
    prdf_<s>_<k>
        Per-atom partial-RDF profile: number of species-s neighbours in shell k,
        [edges[k], edges[k+1]) (``df.attrs["profile_edges"]``); ``profile_edges=None`` omits them.
    soap_<k>
        SOAP components of every atom, when ``soap`` (a :class:`SOAPDescriptor`; its n_centers is
        ignored) is given.

    ``df.attrs`` records the settings (coordination_cutoff, entropy_sigma, entropy_cutoff,
    profile_edges). Lengths are in the units of the positions (defaults in Å, metal units).
    """
    pandas = _pandas()
    structure = as_structure(frame, "frame")
    names = species_names(species, structure.type_list)
    atom_species = np.array([names[int(t)] for t in structure.types])
    table: dict[str, Any] = {"type": structure.types, "species": atom_species}

    cells = (voronoi or VoronoiMotifs()).compute(structure)
    table.update(voronoi_volume=cells.volumes, voronoi_index=cells.labels, voronoi_faces=cells.faces,
                 five_fold_fraction=cells.five_fold_fraction)

    if coordination_cutoff is None:
        r_max = min(8.0, 0.49 * structure.shortest_height())
        coordination_cutoff = PartialRDF(r_max=r_max, bins=int(r_max / 0.05)).compute(structure).first_minimum()
    coordination_cutoff = _checks.real("coordination_cutoff", coordination_cutoff, above=0.0)
    edges = None if profile_edges is None else _checks.float_array("profile_edges", profile_edges, (None,),
                                                                      at_least=0.0)
    if edges is not None and (len(edges) < 2 or np.any(np.diff(edges) <= 0)):
        raise ValueError("profile_edges must be at least 2 increasing distances")
    reach = max(coordination_cutoff, 0.0 if edges is None else float(edges[-1]))
    i, j, distance = neighbour_pairs(structure, reach)
    n = len(structure)
    near = distance < coordination_cutoff
    table["coordination"] = np.bincount(i[near], minlength=n)
    species_list = sorted(set(names.values()))
    for s in species_list:
        table[f"coordination_{s}"] = np.bincount(i[near & (atom_species[j] == s)], minlength=n)

    table["excess_entropy"] = excess_entropy(structure, entropy_sigma, entropy_cutoff)

    if edges is not None:
        shell = np.searchsorted(edges, distance, side="right") - 1
        inside = (shell >= 0) & (shell < len(edges) - 1)
        for s in species_list:
            keep = inside & (atom_species[j] == s)
            counts = np.bincount(i[keep] * (len(edges) - 1) + shell[keep], minlength=n * (len(edges) - 1))
            for k, column in enumerate(counts.reshape(n, len(edges) - 1).T):
                table[f"prdf_{s}_{k}"] = column

    if soap is not None:
        if not isinstance(soap, SOAPDescriptor):
            raise TypeError(f"soap must be a SOAPDescriptor, got {type(soap).__name__}")
        vectors = soap.compute(structure, names, centers=np.arange(n)).vectors
        for k in range(vectors.shape[1]):
            table[f"soap_{k}"] = vectors[:, k]

    df = pandas.DataFrame(table, index=pandas.Index(structure.ids, name="id"))
    df.attrs.update(coordination_cutoff=coordination_cutoff, entropy_sigma=entropy_sigma,
                    entropy_cutoff=entropy_cutoff, profile_edges=None if edges is None else edges.tolist())
    return df


def _pandas() -> Any:
    from glassdyn.structure._input import optional_import

    return optional_import("pandas", "pandas")
