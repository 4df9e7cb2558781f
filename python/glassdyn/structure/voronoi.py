"""Voronoi indices, motifs and volumes per atom (OVITO's Voronoi analysis, voro++ underneath)."""
from __future__ import annotations

from collections import Counter
from typing import Any, Optional

import numpy as np

from glassdyn import _checks
from glassdyn._ovito import import_ovito
from glassdyn.structure._input import Structure, as_structure, optional_import
from glassdyn.structure._results import computed, results_of

#: The full icosahedron's label.
FULL_ICOSAHEDRON = "<0,0,12,0>"


def index_label(n3: int, n4: int, n5: int, n6: int) -> str:
    """The conventional Voronoi index label ``<n3,n4,n5,n6>``."""
    return f"<{n3},{n4},{n5},{n6}>"


class VoronoiMotifs:
    """Voronoi cell of every atom: index <n3,n4,n5,n6>, volume, faces, most frequent motifs.

    n_k counts the faces of an atom's Voronoi polyhedron that have k edges (the Voronoi index of
    Finney, Proc. R. Soc. A 319, 479 (1970)); <0,0,12,0> is the full icosahedron whose frequency
    around Cu measures icosahedral order in Cu-Zr glasses (Cheng, Sheng & Ma, PRB 78, 064202
    (2008)). The tessellation is OVITO's ``VoronoiAnalysisModifier`` (Stukowski, Modelling Simul.
    Mater. Sci. Eng. 18, 015012 (2010); voro++ by Rycroft), plain (not radical) Voronoi.
    Labels use n3..n6 only: faces with 7 or more edges count in ``faces`` and ``face_counts``
    but not in the label (the common convention for metallic glasses).

    Parameters
    ----------
    edge_threshold : float
        Edges shorter than this (length units) are dropped from the indices (default 0: none).
        Thermal snapshots have many tiny edges; 0.1 Å-ish thresholds or inherent structures
        (energy-minimised) give cleaner indices.
    face_threshold : float
        Faces of smaller area are ignored (default 0).

    Results: ``ids``, ``types``, ``indices`` (N, 4: n3..n6), ``face_counts`` (N, kmax+1: column k =
    faces with k edges), ``labels`` (N,), ``volumes`` (N,), ``faces`` (N,: number of faces, the
    Voronoi coordination), ``five_fold_fraction`` (N,: n5 / faces).
    """

    ids = computed("ids", "int (N,): atom IDs")
    types = computed("types", "int (N,): atom types")
    indices = computed("indices", "int (N, 4): Voronoi index n3, n4, n5, n6 of each atom")
    face_counts = computed("face_counts", "int (N, kmax + 1): column k = faces with k edges")
    labels = computed("labels", "str (N,): '<n3,n4,n5,n6>'")
    volumes = computed("volumes", "float (N,): Voronoi volume (length^3)")
    faces = computed("faces", "int (N,): faces of the Voronoi cell (Voronoi coordination)")
    five_fold_fraction = computed("five_fold_fraction", "float (N,): fraction of the cell's faces with 5 edges")

    def __init__(self, edge_threshold: float = 0.0, face_threshold: float = 0.0) -> None:
        self.edge_threshold = _checks.real("edge_threshold", edge_threshold, at_least=0.0)
        self.face_threshold = _checks.real("face_threshold", face_threshold, at_least=0.0)

    def __repr__(self) -> str:
        return f"VoronoiMotifs(edge_threshold={self.edge_threshold}, face_threshold={self.face_threshold})"

    def compute(self, structure: Any) -> "VoronoiMotifs":
        """Tessellate ``structure`` (a :class:`Structure` or a dump frame)."""
        structure = as_structure(structure)
        counts, volumes, faces = _ovito_voronoi(structure, self.edge_threshold, self.face_threshold)
        padded = np.zeros((len(structure), max(7, counts.shape[1])), dtype=np.int64)
        padded[:, :counts.shape[1]] = counts
        indices = padded[:, 3:7]
        labels = np.array([index_label(*row) for row in indices.tolist()])
        with np.errstate(invalid="ignore", divide="ignore"):
            five = np.where(faces > 0, indices[:, 2] / np.maximum(faces, 1), 0.0)
        results_of(self).store({"ids": structure.ids.copy(), "types": structure.types.copy(), "indices": indices,
                                "face_counts": padded, "labels": labels, "volumes": volumes,
                                "faces": faces, "five_fold_fraction": five})
        return self

    def motif_fractions(self, centre_type: Optional[int] = None, top: int = 10) -> list[tuple[str, float]]:
        """The ``top`` most frequent labels among atoms of ``centre_type`` (all atoms if None),
        with their fractions, most frequent first (ties by label)."""
        labels = self._centred(centre_type)
        top = _checks.integer("top", top, at_least=1)
        counts = Counter(labels.tolist())
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
        return [(label, count / len(labels)) for label, count in ranked]

    def fraction(self, label: str, centre_type: Optional[int] = None) -> float:
        """Fraction of atoms (of ``centre_type``, or all) whose label is ``label``."""
        return float(np.mean(self._centred(centre_type) == label))

    def full_icosahedron_fraction(self, centre_type: Optional[int] = None) -> float:
        """Fraction of atoms (of ``centre_type``, or all) at the centre of a full icosahedron <0,0,12,0>."""
        return self.fraction(FULL_ICOSAHEDRON, centre_type)

    def _centred(self, centre_type: Optional[int]) -> np.ndarray:
        labels = self.labels
        if centre_type is None:
            return labels
        centre_type = _checks.integer("centre_type", centre_type, at_least=1)
        mask = self.types == centre_type
        if not mask.any():
            raise ValueError(f"centre_type {centre_type}: no atoms of this type (types: {sorted(set(self.types))})")
        return labels[mask]


def _ovito_voronoi(structure: Structure, edge_threshold: float, face_threshold: float
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """OVITO's Voronoi analysis: (face counts with column k = k edges, volumes, faces)."""
    try:
        import_ovito()  # first: a plain import of ovito would change the process's locale
    except ImportError:
        optional_import("ovito", "ovito")  # raises the one-line message naming the package
    from ovito.data import DataCollection
    from ovito.modifiers import VoronoiAnalysisModifier
    from ovito.pipeline import Pipeline, StaticSource

    data = DataCollection()
    cell = np.column_stack([structure.box.matrix, np.asarray(structure.box.lo)])
    data.create_cell(cell, pbc=(True, True, True))
    particles = data.create_particles(count=len(structure))
    particles.create_property("Position", data=structure.positions)
    pipeline = Pipeline(source=StaticSource(data=data))
    pipeline.modifiers.append(VoronoiAnalysisModifier(compute_indices=True, edge_threshold=edge_threshold,
                                                      face_threshold=face_threshold))
    out = pipeline.compute()
    ovito_index = np.asarray(out.particles["Voronoi Index"], dtype=np.int64)
    # OVITO's column k counts faces with k + 1 edges; shift so column k counts k edges.
    counts = np.zeros((len(structure), ovito_index.shape[1] + 1), dtype=np.int64)
    counts[:, 1:] = ovito_index
    volumes = np.array(out.particles["Atomic Volume"], dtype=float)
    faces = np.array(out.particles["Coordination"], dtype=np.int64)
    return counts, volumes, faces
