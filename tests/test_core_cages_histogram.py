"""The core's cage and histogram code, through the offline twins, against NumPy references."""
from __future__ import annotations

import doctest
from itertools import product

import numpy as np
import pytest

import glassdyn.analysis.cages
import glassdyn.analysis.displacement_distribution
from glassdyn.analysis import Cages, DisplacementDistribution
from glassdyn.analysis._results import NotComputedError
from glassdyn.io import Box


def minimum_image_distances(matrix: np.ndarray, r: np.ndarray) -> np.ndarray:
    """All-pairs distances, minimised over the 27 neighbouring images (valid for any tilt
    when distances of interest are below half the box widths)."""
    shifts = np.array([matrix @ np.array(s) for s in product((-1, 0, 1), repeat=3)])
    frac = np.linalg.solve(matrix, r.T).T
    d = frac[:, None, :] - frac[None, :, :]
    d -= np.round(d)
    cart = d @ matrix.T
    return np.min(np.linalg.norm(cart[:, :, None, :] + shifts[None, None, :, :], axis=3), axis=2)


@pytest.mark.parametrize("tilt", [(0.0, 0.0, 0.0), (2.0, -1.5, 1.0)])
def test_cages_match_brute_force(tilt):
    """Random liquid-like points in an orthogonal and a tilted box, per-type cutoffs and a
    sub-group: n_cage and n_lost equal the all-pairs definition (science.md §3)."""
    rng = np.random.default_rng(3)
    n = 350
    box = Box(lo=(0, 0, 0), hi=(8, 8, 8), tilt=tilt)
    r0 = rng.uniform(0, 1, (n, 3)) @ box.matrix.T
    r1 = r0 + rng.normal(0, 0.25, (n, 3))
    types = rng.integers(1, 3, n)
    cut = np.where((types[:, None] == 2) & (types[None, :] == 2), 1.3, np.where(types[:, None] != types[None, :], 1.2, 1.1))
    group = rng.random(n) < 0.7
    c = Cages(cutoff=1.1, cutoff_pairs={(1, 2): 1.2, (2, 2): 1.3}, hysteresis=0.1).compute(
        box, box, np.arange(1, n + 1), types, r0, r1, group=group)
    d0, d1 = minimum_image_distances(box.matrix, r0), minimum_image_distances(box.matrix, r1)
    cage = (d0 < cut) & ~np.eye(n, dtype=bool)
    lost = cage & (d1 > 1.1 * cut)
    np.testing.assert_array_equal(c.n_cage, np.where(group, cage.sum(axis=1), 0))
    np.testing.assert_array_equal(c.n_lost, np.where(group, lost.sum(axis=1), 0))
    np.testing.assert_array_equal(c.broken, group & (lost.sum(axis=1) >= 1))
    assert c.broken.sum() > 10 and (~c.broken[group]).sum() > 10
    # Atoms with no neighbour at the start have no cage and are left out of the statistics.
    counted = group & (cage.sum(axis=1) > 0)
    assert (group & ~counted).any()
    assert c.fraction_broken == pytest.approx(c.broken[counted].mean())


def test_cages_refuse_boxes_too_small():
    with pytest.raises(ValueError, match="exceeds half the box width"):
        Cages(cutoff=2.0).compute(Box(lo=(0, 0, 0), hi=(3, 3, 3)), Box(lo=(0, 0, 0), hi=(3, 3, 3)), [1], [1],
                                  [[1, 1, 1]], [[1, 1, 1]])


@pytest.mark.parametrize("kwargs, message", [
    ({"cutoff": 0}, "cutoff must be > 0"),
    ({"cutoff": 1, "hysteresis": -1}, "hysteresis: h must be >= 0"),
    ({"cutoff": 1, "nlost": 0}, "nlost: N must be an integer >= 1"),
])
def test_cages_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Cages(**kwargs)


def test_histogram_matches_numpy_and_integrates_to_one():
    """Linear p(u) equals numpy.histogram(density=True) per type when nothing exceeds u_max;
    log10 p(u) equals numpy's histogram of log10 u normalised by all atoms of the set."""
    rng = np.random.default_rng(11)
    u = rng.gamma(2.0, 0.4, 5000)
    types = rng.integers(1, 4, 5000)
    d = DisplacementDistribution(bins=40, u_max=20.0, log_min=-2.0, beyond=1.5).compute(u, types, ntypes=3)
    for s, members in enumerate([np.ones(len(u), dtype=bool)] + [types == t for t in (1, 2, 3)]):
        expected, _ = np.histogram(u[members], bins=40, range=(0, 20.0), density=True)
        np.testing.assert_allclose(d.density[s], expected, rtol=1e-12)
        assert d.density[s].sum() * 0.5 == pytest.approx(1.0)
        log_counts, _ = np.histogram(np.log10(u[members]), bins=40, range=(-2.0, np.log10(20.0)))
        width = (np.log10(20.0) + 2.0) / 40
        np.testing.assert_allclose(d.log_density[s], log_counts / (members.sum() * width), rtol=1e-12)
        assert d.mean[s] == pytest.approx(u[members].mean())
        assert d.fraction_beyond[s] == pytest.approx(np.mean(u[members] > 1.5))


def test_histogram_counts_values_over_u_max_separately():
    d = DisplacementDistribution(bins=2, u_max=1.0).compute([0.2, 0.7, 1.0, 3.0], [1, 1, 1, 1])
    np.testing.assert_allclose(d.density[1], [0.5, 0.5])     # 2 of 4 atoms, bin width 0.5
    assert d.fraction_over[1] == pytest.approx(0.5)
    with pytest.raises(NotComputedError):
        _ = DisplacementDistribution().density


def test_docstring_examples_run():
    for module in (glassdyn.analysis.cages, glassdyn.analysis.displacement_distribution):
        failures, attempted = doctest.testmod(module)
        assert attempted > 0 and failures == 0


def test_most_probable_is_zero_when_every_atom_is_beyond_u_max():
    d = DisplacementDistribution(bins=4, u_max=1.0).compute([1.5, 2.0], [1, 1])
    assert d.most_probable[0] == 0.0 and d.fraction_over[0] == 1.0
