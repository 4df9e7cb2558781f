"""Partial and total radial distribution functions and coordination numbers (freud's RDF)."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from glassdyn import _checks
from glassdyn.structure._input import Structure, as_structure
from glassdyn.structure._results import computed, results_of


class PartialRDF:
    """Partial pair distribution functions g_ab(r) of every type pair, and the total g(r).

    g_ab(r) is the density of b atoms at distance r from an a atom divided by the mean density of
    b atoms, n_b = N_b / V (N_b - 1 for a = b), so g_ab -> 1 at large r in a liquid or glass.
    The total g(r) counts every pair (it equals sum_ab c_a c_b g_ab). Histograms are freud's
    ``freud.density.RDF`` (Ramasubramani et al., Comput. Phys. Commun. 254, 107275 (2020)).

    Parameters
    ----------
    r_max : float
        Largest distance (length units of the positions: Å in LAMMPS metal units, σ in lj);
        must stay below half of the box's smallest height.
    bins : int
        Histogram bins between ``r_min`` and ``r_max`` (default 200).
    r_min : float
        Smallest distance (default 0).

    Results (read-only properties, ``NotComputedError`` before ``compute()``): ``r`` (bin
    centres), ``edges``, ``types``, ``rdf`` (dict (a, b) -> g_ab(r) for a <= b), ``total``,
    ``cumulative`` (dict (a, b) -> mean number of b atoms within each upper bin edge of an a atom),
    ``concentrations`` (type -> number fraction), ``number_density`` (N / V).

    Examples
    --------
    >>> import numpy as np
    >>> from glassdyn.io import Box
    >>> from glassdyn.structure import PartialRDF, Structure
    >>> rng = np.random.default_rng(1)
    >>> s = Structure(Box((0, 0, 0), (10, 10, 10)), rng.random((500, 3)) * 10, rng.integers(1, 3, 500))
    >>> rdf = PartialRDF(r_max=4.0, bins=40).compute(s)
    >>> sorted(rdf.rdf)
    [(1, 1), (1, 2), (2, 2)]
    """

    r = computed("r", "float (bins,): bin centres")
    edges = computed("edges", "float (bins + 1,): bin edges")
    types = computed("types", "list of int: the atom types present")
    rdf = computed("rdf", "dict (a, b) -> float (bins,): g_ab(r) for a <= b (g_ba = g_ab)")
    total = computed("total", "float (bins,): total g(r) over every pair")
    cumulative = computed("cumulative", "dict (a, b) -> float (bins,): mean number of b atoms within each upper "
                                        "bin edge of an a atom (both orders of a, b)")
    concentrations = computed("concentrations", "dict type -> number fraction")
    number_density = computed("number_density", "float: N / V")

    def __init__(self, r_max: float, bins: int = 200, r_min: float = 0.0) -> None:
        self.r_max = _checks.real("r_max", r_max, above=0.0)
        self.r_min = _checks.real("r_min", r_min, at_least=0.0)
        if self.r_min >= self.r_max:
            raise ValueError(f"r_min ({self.r_min}) must be below r_max ({self.r_max})")
        self.bins = _checks.integer("bins", bins, at_least=1, at_most=_checks.MAX_ENTRIES)

    def __repr__(self) -> str:
        return f"PartialRDF(r_max={self.r_max}, bins={self.bins}, r_min={self.r_min})"

    def compute(self, structure: Any) -> "PartialRDF":
        """Histogram every pair of ``structure`` (a :class:`Structure` or a dump frame)."""
        from glassdyn.structure._input import optional_import

        freud = optional_import("freud", "freud-analysis")
        structure = as_structure(structure)
        if self.r_max >= structure.shortest_height() / 2:
            raise ValueError(f"r_max ({self.r_max}) must be below half of the box's smallest height "
                             f"({structure.shortest_height() / 2:g})")
        fbox, points = structure.freud_system()
        types = structure.type_list
        rdf, cumulative = {}, {}
        for a in types:
            for b in types:
                if b < a:
                    continue
                g, n_ab = _one(freud, self, fbox, points[structure.types == b],
                               None if a == b else points[structure.types == a])
                rdf[(a, b)] = g
                cumulative[(a, b)] = n_ab
                if a != b:  # n_ba(r) = n_ab(r) N_a / N_b: the same pairs counted from the other side
                    cumulative[(b, a)] = n_ab * np.sum(structure.types == a) / np.sum(structure.types == b)
        total, _ = _one(freud, self, fbox, points, None)
        edges = np.linspace(self.r_min, self.r_max, self.bins + 1)
        results_of(self).store({"r": 0.5 * (edges[1:] + edges[:-1]), "edges": edges, "types": types, "rdf": rdf,
                                "total": total, "cumulative": cumulative,
                                "concentrations": structure.concentrations(),
                                "number_density": structure.number_density})
        return self

    def partial(self, a: int, b: int) -> np.ndarray:
        """g_ab(r) (either order of the types)."""
        table = self.rdf
        key = (min(a, b), max(a, b))
        if key not in table:
            raise KeyError(f"no atoms of type pair {(a, b)}; types present: {self.types}")
        return table[key]

    def coordination(self, a: int, b: int, r_cut: Optional[float] = None) -> float:
        """Mean number of b atoms within ``r_cut`` of an a atom (default: the first minimum of g_ab).

        Linear interpolation of the cumulative count between bin edges (exact when ``r_cut``
        falls in an empty gap between shells, as in a crystal).
        """
        cumulative = self.cumulative
        if (a, b) not in cumulative:
            raise KeyError(f"no atoms of type pair {(a, b)}; types present: {self.types}")
        cut = self.first_minimum(a, b) if r_cut is None else _checks.real("r_cut", r_cut, above=self.r_min)
        if cut > self.r_max:
            raise ValueError(f"r_cut ({cut}) exceeds r_max ({self.r_max})")
        edges = self.edges
        return float(np.interp(cut, edges, np.concatenate([[0.0], cumulative[(a, b)]])))

    def first_minimum(self, a: Optional[int] = None, b: Optional[int] = None, smooth: int = 3) -> float:
        """Position of the first minimum after the first peak of g_ab (of the total g(r) when a, b are None).

        g is smoothed by a running mean over ``smooth`` bins; the first peak is the global maximum
        and the minimum the lowest point between it and the next peak (the next rise above the
        smoothed value by more than 1 % of the peak height).
        """
        g = self.total if a is None else self.partial(a, b if b is not None else a)
        smooth = _checks.integer("smooth", smooth, at_least=1)
        gs = np.convolve(g, np.ones(smooth) / smooth, mode="same")
        peak = int(np.argmax(gs))
        lowest, k = peak, peak
        for k in range(peak + 1, len(gs)):
            if gs[k] < gs[lowest]:
                lowest = k
            elif gs[k] > gs[lowest] + 0.01 * gs[peak]:
                break
        if lowest == peak or lowest == len(gs) - 1:
            raise ValueError("g(r) has no minimum after its first peak below r_max: raise r_max or give r_cut")
        return float(self.r[lowest])


def _one(freud: Any, spec: PartialRDF, fbox: Any, points: np.ndarray, query: Optional[np.ndarray]
         ) -> tuple[np.ndarray, np.ndarray]:
    """g(r) and cumulative count of ``points`` around ``query`` (around ``points`` themselves,
    self excluded, when ``query`` is None)."""
    rdf = freud.density.RDF(bins=spec.bins, r_max=spec.r_max, r_min=spec.r_min)
    rdf.compute(system=(fbox, points), query_points=query, reset=True)
    return np.array(rdf.rdf, dtype=float), np.array(rdf.n_r, dtype=float)
