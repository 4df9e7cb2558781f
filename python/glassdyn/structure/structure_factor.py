"""Faber-Ziman partial structure factors S_ab(q) from g_ab(r), and weighted totals (X-ray, neutron)."""
from __future__ import annotations

from typing import Any, Mapping, Optional, Union

import numpy as np

from glassdyn import _checks
from glassdyn.structure._input import SpeciesNames, optional_import, species_names
from glassdyn.structure._results import computed, results_of
from glassdyn.structure.rdf import PartialRDF

#: Weightings of the total S(q) by name.
WEIGHTINGS = ("xray", "neutron")


class StructureFactor:
    """Faber-Ziman partial structure factors and their weighted total, from partial g_ab(r).

    S_ab(q) = 1 + 4 pi rho ∫_0^R r^2 (g_ab(r) - 1) W(r) sin(qr)/(qr) dr

    with rho = N / V the total number density (Faber & Ziman, Phil. Mag. 11, 153 (1965)) and R the
    largest r of the g(r). The window W tames the truncation ripples: ``"lorch"``
    W = sin(pi r / R) / (pi r / R) (Lorch, J. Phys. C 2, 229 (1969)) or ``None`` (W = 1). The total

    S(q) = sum_ab c_a c_b w_a(q) w_b(q) S_ab(q) / (sum_a c_a w_a(q))^2

    weights each pair by the scattering powers w of its species: ``"xray"`` uses the atomic form
    factors f(q) of Waasmaier & Kirfel, Acta Cryst. A51, 416 (1995) (via the ``periodictable``
    package, q in 1/Å, so positions in Å: LAMMPS metal units), ``"neutron"`` the bound coherent
    scattering lengths of Sears, Neutron News 3, 26 (1992) (via ``periodictable``), or a mapping
    species -> weight gives explicit constant weights (any units, e.g. lj). An ideal gas has
    S_ab(q) = S(q) = 1.

    Parameters
    ----------
    q : array-like, optional
        Wave numbers (1/length; default 100 values from 0.5 to 12, in 1/Å for metal units).
    window : {"lorch", None}
        Window of the Fourier integral (default ``"lorch"``).

    Results: ``q``, ``partials`` (dict (a, b) -> S_ab(q), a <= b), ``total`` (after
    :meth:`weighted`; the last weighting used), ``weights`` (type -> w(q)).
    """

    q = computed("q", "float (nq,): wave numbers")
    partials = computed("partials", "dict (a, b) -> float (nq,): Faber-Ziman S_ab(q), a <= b")
    concentrations = computed("concentrations", "dict type -> number fraction")

    def __init__(self, q: Any = None, window: Optional[str] = "lorch") -> None:
        self.q_values = np.linspace(0.5, 12.0, 100) if q is None else _checks.float_array("q", q, (None,), above=0.0)
        if window not in ("lorch", None):
            raise ValueError(f"window must be 'lorch' or None, got {window!r}")
        self.window = window

    def __repr__(self) -> str:
        return f"StructureFactor(q=<{len(self.q_values)} values>, window={self.window!r})"

    def compute(self, rdf: PartialRDF) -> "StructureFactor":
        """Fourier-transform the partials of a computed :class:`PartialRDF` (its r_min should be 0)."""
        if not isinstance(rdf, PartialRDF):
            raise TypeError(f"rdf must be a computed glassdyn.structure.PartialRDF, got {type(rdf).__name__}")
        r, edges, rho = rdf.r, rdf.edges, rdf.number_density
        width = np.diff(edges)
        big_r = edges[-1]
        window = np.sinc(r / big_r) if self.window == "lorch" else np.ones_like(r)  # np.sinc(x) = sin(pi x)/(pi x)
        qr = np.outer(self.q_values, r)
        kernel = np.sinc(qr / np.pi) * (r ** 2 * window * width)  # sin(qr)/(qr) r^2 W dr
        partials = {pair: 1.0 + 4.0 * np.pi * rho * kernel @ (g - 1.0) for pair, g in rdf.rdf.items()}
        results_of(self).store({"q": self.q_values.copy(), "partials": partials,
                                "concentrations": dict(rdf.concentrations)})
        return self

    def weighted(self, weighting: Union[str, Mapping[str, float]], species: SpeciesNames = None) -> np.ndarray:
        """The total S(q) with ``weighting`` ``"xray"``, ``"neutron"`` or {species: weight}.

        ``species`` names the element of each type ({1: "Cu", 2: "Zr"} or ["Cu", "Zr"]); needed
        for "xray"/"neutron" and for a mapping keyed by species (without it a mapping is keyed by type).
        """
        partials, conc, q = self.partials, self.concentrations, self.q
        types = sorted(conc)
        weights = scattering_weights(weighting, types, q, species)
        norm = sum(conc[a] * weights[a] for a in types) ** 2
        total = np.zeros_like(q)
        for a in types:
            for b in types:
                total += conc[a] * conc[b] * weights[a] * weights[b] * partials[(min(a, b), max(a, b))]
        if np.any(norm == 0):
            raise ValueError("weighting: the mean scattering power is zero at some q; the total S(q) is undefined")
        return total / norm


def scattering_weights(weighting: Union[str, Mapping[Any, float]], types: list[int], q: np.ndarray,
                       species: SpeciesNames = None) -> dict[int, np.ndarray]:
    """Scattering power w_t(q) of each type (arrays of the length of q)."""
    if isinstance(weighting, str):
        if weighting not in WEIGHTINGS:
            raise ValueError(f"weighting must be one of {WEIGHTINGS} or a mapping species -> weight, got {weighting!r}")
        names = species_names(species, types, required=True)
        periodictable = optional_import("periodictable", "periodictable")
        if weighting == "xray":
            from periodictable import cromermann

            return {t: np.asarray(cromermann.fxrayatq(_element(periodictable, names[t]).symbol, q), dtype=float)
                    for t in types}
        return {t: np.full(len(q), float(_element(periodictable, names[t]).neutron.b_c)) for t in types}
    if not isinstance(weighting, Mapping):
        raise TypeError(f"weighting must be 'xray', 'neutron' or a mapping, got {type(weighting).__name__}")
    names = species_names(species, types) if species is not None else {t: t for t in types}
    table = {key: _checks.real(f"weighting[{key!r}]", value) for key, value in weighting.items()}
    missing = [names[t] for t in types if names[t] not in table]
    if missing:
        raise ValueError(f"weighting has no weight for {missing}; give one for every {'species' if species else 'type'}")
    return {t: np.full(len(q), table[names[t]]) for t in types}


def _element(periodictable: Any, symbol: str) -> Any:
    try:
        return getattr(periodictable, symbol)
    except AttributeError:
        raise ValueError(f"species {symbol!r} is not a chemical element symbol; X-ray and neutron weights need "
                         "elements (give explicit weights otherwise)") from None
