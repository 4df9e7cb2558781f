"""SOAP descriptors (DScribe) and the average-kernel structural similarity of structures.

The mean SOAP vector of a structure is estimated from a random subset of centres when
``n_centers`` is given (the SOAP of one centre costs ~4 ms with the defaults, so a 32 000-atom
snapshot in full takes ~2 min on one core); its error comes from a bootstrap over the chosen
centres, times the finite-population correction sqrt((N - m) / (N - 1)) so that it estimates
the difference from the average over every atom (zero when every atom is a centre).
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from glassdyn import _checks
from glassdyn.structure._input import SpeciesNames, as_structure, optional_import, species_names
from glassdyn.structure._results import computed, results_of


class SOAPDescriptor:
    """Species-resolved SOAP power spectra of (a random subset of) the atoms of a structure.

    The smooth overlap of atomic positions (Bartók, Kondor & Csányi, PRB 87, 184115 (2013)) as
    computed by DScribe (Himanen et al., Comput. Phys. Commun. 247, 106949 (2020); Laakso et al.,
    J. Chem. Phys. 158, 234802 (2023)): Gaussian densities of width ``sigma`` of each species
    within ``r_cut``, expanded in ``n_max`` radial (GTO) and ``l_max`` + 1 angular channels, and
    the rotationally invariant power spectrum of every species pair. The feature count is
    S n_max (S n_max + 1) / 2 (l_max + 1) for S species (952 for 2 species with the defaults).

    Parameters
    ----------
    species : sequence of str
        Every species name the compared structures may contain, e.g. ``["Cu", "Zr"]`` (names are
        labels only: the descriptor has no chemistry in it, so "A", "B" work for LJ models).
    r_cut : float
        Cutoff radius (default 6.0: 6 Å as in the reference study, metal units).
    n_max, l_max : int
        Radial and angular resolution (defaults 8 and 6).
    sigma : float
        Width of the atomic Gaussians (default 0.5, length units).
    n_centers : int, optional
        Number of centres drawn at random without replacement (default: every atom).
    n_bootstrap : int
        Bootstrap resamples of the centres for the errors (default 200; 0 disables them).
    seed : int
        Seed of the centre draw and the bootstrap (the same structure gives the same result).

    Results: ``vectors`` (m, features), ``centers`` (indices into the structure's atoms),
    ``ids``, ``mean`` (features,), ``bootstrap_means`` (n_bootstrap, features), ``n_atoms``.
    """

    vectors = computed("vectors", "float (m, features): SOAP of each chosen centre")
    centers = computed("centers", "int (m,): row of each centre in the structure")
    ids = computed("ids", "int (m,): atom ID of each centre")
    mean = computed("mean", "float (features,): mean SOAP vector over the centres")
    bootstrap_means = computed("bootstrap_means", "float (n_bootstrap, features): means over bootstrap resamples "
                                                  "of the centres, shrunk towards the mean by the finite-population "
                                                  "correction")
    n_atoms = computed("n_atoms", "int: atoms of the structure")

    def __init__(self, species: Sequence[str], r_cut: float = 6.0, n_max: int = 8, l_max: int = 6,
                 sigma: float = 0.5, n_centers: Optional[int] = None, n_bootstrap: int = 200, seed: int = 0) -> None:
        if isinstance(species, str) or not isinstance(species, Sequence) or not species:
            raise TypeError(f"species must be a non-empty sequence of species names, got {species!r}")
        if len(set(species)) != len(species) or not all(isinstance(s, str) and s for s in species):
            raise ValueError(f"species must be distinct non-empty strings, got {list(species)}")
        self.species = list(species)
        self.r_cut = _checks.real("r_cut", r_cut, above=0.0)
        self.n_max = _checks.integer("n_max", n_max, at_least=1, at_most=20)
        self.l_max = _checks.integer("l_max", l_max, at_least=0, at_most=20)
        self.sigma = _checks.real("sigma", sigma, above=0.0)
        self.n_centers = None if n_centers is None else _checks.integer("n_centers", n_centers, at_least=2)
        self.n_bootstrap = _checks.integer("n_bootstrap", n_bootstrap, at_least=0)
        self.seed = _checks.integer("seed", seed, at_least=0)

    def __repr__(self) -> str:
        return (f"SOAPDescriptor(species={self.species}, r_cut={self.r_cut}, n_max={self.n_max}, l_max={self.l_max}, "
                f"sigma={self.sigma}, n_centers={self.n_centers}, n_bootstrap={self.n_bootstrap}, seed={self.seed})")

    @property
    def n_features(self) -> int:
        s = len(self.species) * self.n_max
        return s * (s + 1) // 2 * (self.l_max + 1)

    def _dscribe(self) -> Any:
        optional_import("dscribe", "dscribe")
        from dscribe.descriptors import SOAP

        # Species enter DScribe as atomic numbers 1..S: labels only (SOAP has no chemistry).
        return SOAP(species=list(range(1, len(self.species) + 1)), r_cut=self.r_cut, n_max=self.n_max,
                    l_max=self.l_max, sigma=self.sigma, periodic=True, sparse=False)

    def compute(self, structure: Any, species_of_types: SpeciesNames = None,
                centers: Optional[Sequence[int]] = None) -> "SOAPDescriptor":
        """SOAP of the centres of ``structure``.

        Parameters
        ----------
        structure : Structure or DumpFrame
        species_of_types : mapping type -> species or sequence, optional
            Species of each atom type (default: type k is ``species[k - 1]``).
        centers : sequence of int, optional
            Rows of the atoms to use as centres (default: ``n_centers`` drawn at random, or all).
        """
        structure = as_structure(structure)
        names = species_names(self.species if species_of_types is None else species_of_types, structure.type_list,
                              name="species_of_types")
        unknown = sorted(set(names.values()) - set(self.species))
        if unknown:
            raise ValueError(f"species_of_types: species {unknown} are not in the descriptor's species {self.species}")
        number = {s: k + 1 for k, s in enumerate(self.species)}
        numbers = np.array([number[names[int(t)]] for t in structure.types])
        n = len(structure)
        rng = np.random.default_rng(self.seed)
        if centers is not None:
            chosen = _checks.int_array("centers", centers, None, at_least=0, at_most=n - 1, unique=True)
        elif self.n_centers is None or self.n_centers >= n:
            chosen = np.arange(n)
        else:
            chosen = np.sort(rng.choice(n, size=self.n_centers, replace=False))
        ase = optional_import("ase", "ase")
        atoms = ase.Atoms(numbers=numbers, positions=structure.positions - np.asarray(structure.box.lo),
                          cell=structure.box.matrix.T, pbc=True)
        vectors = np.asarray(self._dscribe().create(atoms, centers=chosen.tolist()), dtype=float)
        vectors = vectors.reshape(len(chosen), -1)
        mean = vectors.mean(axis=0)
        results_of(self).store({"vectors": vectors, "centers": chosen, "ids": structure.ids[chosen], "mean": mean,
                                "bootstrap_means": _bootstrap(vectors, n, self.n_bootstrap, rng),
                                "n_atoms": n})
        return self

    def average(self) -> "SOAPAverage":
        """The mean vector and its bootstrap replicates (what the similarity needs), detached."""
        return SOAPAverage(self.mean.copy(), self.bootstrap_means.copy(), len(self.centers), self.n_atoms)


class SOAPAverage:
    """Mean SOAP vector of one structure with bootstrap replicates (see :class:`SOAPDescriptor`)."""

    def __init__(self, mean: np.ndarray, bootstrap_means: np.ndarray, n_centers: int, n_atoms: int) -> None:
        self.mean, self.bootstrap_means, self.n_centers, self.n_atoms = mean, bootstrap_means, n_centers, n_atoms

    @classmethod
    def from_vectors(cls, vectors: Any, n_atoms: int, n_bootstrap: int = 200, seed: int = 0) -> "SOAPAverage":
        """The estimator from the SOAP vectors of m centres drawn at random from ``n_atoms`` atoms
        (what :meth:`SOAPDescriptor.compute` does with its chosen centres)."""
        vectors = _checks.float_array("vectors", vectors, (None, None))
        n_atoms = _checks.integer("n_atoms", n_atoms, at_least=len(vectors))
        rng = np.random.default_rng(_checks.integer("seed", seed, at_least=0))
        boot = _bootstrap(vectors, n_atoms, _checks.integer("n_bootstrap", n_bootstrap, at_least=0), rng)
        return cls(vectors.mean(axis=0), boot, len(vectors), n_atoms)


def _bootstrap(vectors: np.ndarray, n_atoms: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Means over bootstrap resamples of the rows, shrunk towards the sample mean by the
    finite-population correction (so their spread estimates the error against the full mean)."""
    m = len(vectors)
    if resamples == 0:
        return np.empty((0, vectors.shape[1]))
    weights = rng.multinomial(m, np.full(m, 1.0 / m), size=resamples) / m
    means = weights @ vectors
    centre = vectors.mean(axis=0)
    correction = np.sqrt(max(n_atoms - m, 0) / max(n_atoms - 1, 1))
    return centre + correction * (means - centre)


def kernel(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Normalised average (linear) kernel p.q / sqrt((p.p)(q.q)) along the last axis."""
    return np.sum(p * q, axis=-1) / np.sqrt(np.sum(p * p, axis=-1) * np.sum(q * q, axis=-1))


def _pair(a: SOAPAverage, b: SOAPAverage) -> tuple[float, float]:
    value = float(kernel(a.mean, b.mean))
    count = min(len(a.bootstrap_means), len(b.bootstrap_means))
    if count < 2:
        return value, float("nan")
    replicas = kernel(a.bootstrap_means[:count], b.bootstrap_means[:count])
    return value, float(np.std(replicas, ddof=1))


class StructuralSimilarity:
    """Average-kernel SOAP similarity of two structures, K = p_A.p_B / sqrt((p_A.p_A)(p_B.p_B)).

    p_X is the mean SOAP vector of structure X (over every atom, or a random subset of centres),
    so K = 1 for a structure with itself and for any rotation, translation or renumbering of it
    (DScribe's AverageKernel with the linear metric, normalised; used in the reference study
    with r_cut = 6 Å). ``error`` is the bootstrap standard error of K from the finite centre
    samples (0 when every atom is a centre; NaN with ``n_bootstrap=0``).

    Parameters
    ----------
    descriptor : SOAPDescriptor
        Its settings (species, r_cut, n_max, l_max, sigma, n_centers, seed) are used for both.

    Results: ``similarity``, ``error``.
    """

    similarity = computed("similarity", "float: normalised average kernel K(A, B)")
    error = computed("error", "float: its bootstrap standard error from the centre subsampling")

    def __init__(self, descriptor: SOAPDescriptor) -> None:
        if not isinstance(descriptor, SOAPDescriptor):
            raise TypeError(f"descriptor must be a SOAPDescriptor, got {type(descriptor).__name__}")
        self.descriptor = descriptor

    def __repr__(self) -> str:
        return f"StructuralSimilarity({self.descriptor!r})"

    def compute(self, a: Any, b: Any, species_a: SpeciesNames = None, species_b: SpeciesNames = None
                ) -> "StructuralSimilarity":
        """Similarity of structures ``a`` and ``b`` (each a Structure, a dump frame or a SOAPAverage)."""
        value, error = _pair(_average(self.descriptor, a, species_a), _average(self.descriptor, b, species_b))
        results_of(self).store({"similarity": value, "error": error})
        return self


def _average(descriptor: SOAPDescriptor, source: Any, species: SpeciesNames) -> SOAPAverage:
    if isinstance(source, SOAPAverage):
        return source
    return descriptor.compute(source, species).average()


def similarity_matrix(structures: Sequence[Any], descriptor: SOAPDescriptor,
                      species: Optional[Sequence[SpeciesNames]] = None) -> tuple[np.ndarray, np.ndarray]:
    """K between every pair of ``structures`` (e.g. temperatures × glasses, in any order you choose).

    Each structure's SOAP is computed once. ``species`` gives each structure's type -> species
    map (default the descriptor's species list for all). Returns ``(K, error)``, both (n, n),
    symmetric, with K = 1 and error = 0 on the diagonal.
    """
    averages = _averages(structures, descriptor, species)
    n = len(averages)
    values, errors = np.eye(n), np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            values[i, j], errors[i, j] = _pair(averages[i], averages[j])
            values[j, i], errors[j, i] = values[i, j], errors[i, j]
    return values, errors


def similarity_along(structures: Sequence[Any], descriptor: SOAPDescriptor,
                     species: Optional[Sequence[SpeciesNames]] = None) -> tuple[np.ndarray, np.ndarray]:
    """K of each snapshot of a run (e.g. a cooling run) with its first snapshot: ``(K, error)``, each (n,)."""
    averages = _averages(structures, descriptor, species)
    pairs = [(1.0, 0.0)] + [_pair(averages[0], other) for other in averages[1:]]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def _averages(structures: Sequence[Any], descriptor: SOAPDescriptor,
              species: Optional[Sequence[SpeciesNames]]) -> list[SOAPAverage]:
    if not isinstance(descriptor, SOAPDescriptor):
        raise TypeError(f"descriptor must be a SOAPDescriptor, got {type(descriptor).__name__}")
    structures = list(structures)
    if not structures:
        raise ValueError("structures is empty")
    if species is not None and len(species) != len(structures):
        raise ValueError(f"species has {len(species)} entries for {len(structures)} structures")
    return [_average(descriptor, s, None if species is None else species[k]) for k, s in enumerate(structures)]
