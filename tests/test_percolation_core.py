"""The percolation core (src/core/percolation.cpp) through glassdyn.analysis.Percolation: planted
clusters with known wrapping, a brute-force reference, and random site percolation on cubic
lattices against published critical numbers."""
from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from scipy import optimize, stats

from glassdyn import _core
from glassdyn.analysis import Percolation
from glassdyn.io import Box

# Site-percolation thresholds: C. D. Lorenz and R. M. Ziff, J. Phys. A 31, 8147 (1998) (sc 0.3116077,
# bcc 0.2459615, fcc 0.1992365); the brief's rounded values are used.
P_C = {"sc": 0.3116, "bcc": 0.2455, "fcc": 0.1991}
# 3-D percolation exponents: D. Stauffer and A. Aharony, Introduction to Percolation Theory, 2nd ed.
# (Taylor & Francis, 1994), Table 2: tau = 2.18-2.19, fractal dimension D = 2.52-2.53.
TAU, D_F = 2.19, 2.52
BASIS = {"sc": [(0, 0, 0)], "bcc": [(0, 0, 0), (0.5, 0.5, 0.5)],
         "fcc": [(0, 0, 0), (0.5, 0.5, 0), (0.5, 0, 0.5), (0, 0.5, 0.5)]}
NEAREST = {"sc": 1.0, "bcc": np.sqrt(3) / 2, "fcc": np.sqrt(0.5)}   # nearest-neighbour distance, cubic cell 1


def lattice(kind: str, cells: int) -> tuple[Box, np.ndarray]:
    grid = np.arange(cells)
    corners = np.array(np.meshgrid(grid, grid, grid, indexing="ij")).reshape(3, -1).T
    sites = (corners[:, None, :] + np.array(BASIS[kind])[None]).reshape(-1, 3) + 0.25
    return Box(lo=(0, 0, 0), hi=(cells, cells, cells)), sites


def nn_percolation(kind: str) -> Percolation:
    # Between the first (d) and second neighbour shells (sc sqrt(2) d, bcc 2/sqrt(3) d, fcc sqrt(2) d).
    return Percolation(cutoff=1.05 * NEAREST[kind])


# ---------------------------------------------------------------- planted clusters


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_straight_chain_spanning_the_box_wraps_along_its_axis_only(axis):
    """A row of 6 sites 1 apart in a box 6 long along `axis` (10 across) closes through the
    periodic boundary: by construction it meets its own image along that axis and no other."""
    hi = [10.0, 10.0, 10.0]
    hi[axis] = 6.0
    positions = np.full((6, 3), 5.0)
    positions[:, axis] = np.arange(6) + 0.5
    p = Percolation(cutoff=1.1).compute(Box(lo=(0, 0, 0), hi=tuple(hi)), positions, np.ones(6, bool))
    expected = [False, False, False]
    expected[axis] = True
    assert p.wraps.tolist() == expected and p.percolates
    assert p.cluster_sizes.tolist() == [6] and np.isnan(p.radius_of_gyration[0])
    # One site removed: an open chain of 5 (still through the boundary), which cannot reach its image.
    occupied = np.ones(6, bool)
    occupied[3] = False
    q = Percolation(cutoff=1.1).compute(Box(lo=(0, 0, 0), hi=tuple(hi)), positions, occupied)
    assert not q.percolates and q.cluster_sizes.tolist() == [5]


def test_ring_closing_inside_the_box_does_not_wrap_even_across_the_boundary():
    """A ring of 12 sites (radius 2, bonds 1.035) centred on a box corner, so half of its bonds
    cross periodic boundaries; the cycle's net image shift is zero, so it must not wrap. Its
    R_g is the ring radius exactly."""
    angles = np.arange(12) * 2 * np.pi / 12
    ring = np.column_stack([2 * np.cos(angles), 2 * np.sin(angles), np.zeros(12)])
    p = Percolation(cutoff=1.2).compute(Box(lo=(0, 0, 0), hi=(10, 10, 10)), ring, np.ones(12, bool))
    assert p.cluster_sizes.tolist() == [12] and not p.percolates
    assert p.radius_of_gyration[0] == pytest.approx(2.0, rel=1e-12)


def test_helix_wraps_along_z_only():
    """A helix (radius 1.5, pitch = box height 8, 16 sites per turn) closes onto itself after one
    turn through the z boundary: it wraps along z, and its x and y excursions are bounded."""
    t = np.arange(16) / 16
    helix = np.column_stack([5 + 1.5 * np.cos(2 * np.pi * t), 5 + 1.5 * np.sin(2 * np.pi * t), 8 * t])
    p = Percolation(cutoff=0.9).compute(Box(lo=(0, 0, 0), hi=(10, 10, 8)), helix, np.ones(16, bool))
    assert p.wraps.tolist() == [False, False, True] and p.cluster_sizes.tolist() == [16]


def test_triclinic_box_chain_along_the_tilted_vector_wraps_along_it_only():
    """Box vectors a = (6,0,0), b = (2,6,0), c = (0,0,6). A chain of 6 sites along b (steps b/6,
    length 1.05) closes through the b boundary: it wraps along b only, although it moves in x."""
    box = Box(lo=(0, 0, 0), hi=(6, 6, 6), tilt=(2.0, 0.0, 0.0))
    chain = np.array([[1 + j * 2 / 6, j * 1.0 + 0.5, 3.0] for j in range(6)])
    p = Percolation(cutoff=1.1).compute(box, chain, np.ones(6, bool))
    assert p.wraps.tolist() == [False, True, False]
    # The same chain along x in that box wraps along a only.
    row = np.array([[j + 0.5, 3.0, 3.0] for j in range(6)])
    assert Percolation(cutoff=1.1).compute(box, row, np.ones(6, bool)).wraps.tolist() == [True, False, False]


def test_two_sites_bonded_directly_and_through_the_boundary_wrap():
    """In a box 2 long, sites at x = 0.5 and 1.5 are 1 apart directly and through the boundary:
    the pair touches its own image, so the cluster wraps along x."""
    p = Percolation(cutoff=1.1).compute(Box(lo=(0, 0, 0), hi=(2, 5, 5)), [[0.5, 1, 1], [1.5, 1, 1]], [True, True])
    assert p.wraps.tolist() == [True, False, False]


def test_non_periodic_direction_never_wraps():
    """Along a non-periodic direction there are no images, so the spanning chain cannot wrap."""
    box = Box(lo=(0, 0, 0), hi=(6, 10, 10), periodic=(False, True, True))
    chain = np.array([[j + 0.5, 5, 5] for j in range(6)])
    assert not Percolation(cutoff=1.1).compute(box, chain, np.ones(6, bool)).percolates


def brute_force(box: Box, positions: np.ndarray, cutoff: float) -> tuple[list[set[int]], list[bool]]:
    """Clusters by breadth-first search over all 27 image shifts, and wrapping by revisiting a site
    under a different accumulated image shift: an independent implementation of the definition."""
    n = len(positions)
    matrix = box.matrix
    fractional = np.linalg.solve(matrix, (positions - np.asarray(box.lo)).T).T % 1.0
    shifts = np.array([(a, b, c) for a in (-1, 0, 1) for b in (-1, 0, 1) for c in (-1, 0, 1)])
    bonds = [[] for _ in range(n)]
    for i in range(n):
        images = (fractional[:, None, :] + shifts[None, :, :] - fractional[i]) @ matrix.T
        close = np.linalg.norm(images, axis=2) < cutoff
        for j, s in zip(*np.nonzero(close)):
            if j != i:
                bonds[i].append((j, shifts[s]))
    seen: dict[int, np.ndarray] = {}
    clusters, wraps = [], []
    for start in range(n):
        if start in seen:
            continue
        seen[start] = np.zeros(3, int)
        members, wrapped, queue = {start}, False, deque([start])
        while queue:
            i = queue.popleft()
            for j, s in bonds[i]:
                shift = seen[i] + s
                if j not in seen:
                    seen[j] = shift
                    members.add(j)
                    queue.append(j)
                elif not np.array_equal(seen[j], shift):
                    wrapped = True
        clusters.append(members)
        wraps.append(wrapped)
    return clusters, wraps


@pytest.mark.parametrize("tilt", [(0.0, 0.0, 0.0), (1.5, -1.0, 0.8)])
def test_clusters_and_wrapping_match_brute_force(tilt):
    """Random points (density near the continuum percolation threshold, so both wrapping and
    finite clusters occur) in an orthogonal and a triclinic box: the partition, sizes, labels
    (smallest id) and wrap flags equal the brute-force search over explicit images."""
    rng = np.random.default_rng(7)
    box = Box(lo=(0, 0, 0), hi=(7, 7, 7), tilt=tilt)
    fractional = rng.random((300, 3))
    positions = fractional @ box.matrix.T + rng.integers(-1, 2, (300, 3)) @ box.matrix.T   # any image
    ids = rng.permutation(np.arange(1, 301)) * 3
    p = Percolation(cutoff=1.0).compute(box, positions, np.ones(300, bool), ids=ids)
    clusters, wraps = brute_force(box, positions, 1.0)
    expected = sorted((min(ids[list(c)]), len(c), w) for c, w in zip(clusters, wraps))
    found = sorted(zip(p.cluster_labels.tolist(), p.cluster_sizes.tolist(), p.cluster_wraps.any(axis=1).tolist()))
    assert found == expected
    assert any(w for _, _, w in expected) or len(expected) > 1
    for c in clusters:
        assert len(set(p.cluster_id[list(c)])) == 1


def test_result_independent_of_site_order_and_lattice_translation():
    """Permuting the sites or moving every site by a box vector changes nothing (labels are ids)."""
    box, sites = lattice("sc", 8)
    occupied = np.random.default_rng(3).random(len(sites)) < P_C["sc"]
    ids = np.arange(1, len(sites) + 1)
    a = nn_percolation("sc").compute(box, sites, occupied, ids=ids)
    order = np.random.default_rng(4).permutation(len(sites))
    b = nn_percolation("sc").compute(box, sites[order] + [8.0, 0, -8.0], occupied[order], ids=ids[order])
    assert a.cluster_labels.tolist() == b.cluster_labels.tolist()
    assert a.cluster_sizes.tolist() == b.cluster_sizes.tolist()
    assert a.cluster_wraps.tolist() == b.cluster_wraps.tolist()
    np.testing.assert_allclose(a.radius_of_gyration, b.radius_of_gyration, rtol=1e-9)


def test_fractal_dimension_of_planted_rods_and_plates():
    """Straight rods of n sites have R_g = sqrt((n^2 - 1)/12) (d_f -> 1); square plates of k x k
    sites have R_g = sqrt((k^2 - 1)/6) (d_f -> 2). With n >= 20 and k >= 6 the fit's d_f is within
    2 % of 1 and 6 % of 2 (the exact R_g above, fitted in the same way, gives these)."""
    box = Box(lo=(0, 0, 0), hi=(200, 200, 200))
    rods = [np.column_stack([np.arange(n) + 0.5, np.full(n, 4.0 * r + 2), np.full(n, 2.0)])
            for r, n in enumerate(range(20, 60, 4))]
    p = Percolation(cutoff=1.1, fractal_min_size=10).compute(box, np.vstack(rods), np.ones(sum(map(len, rods)), bool))
    assert p.fractal_dimension == pytest.approx(1.0, rel=0.02)
    plates = [np.column_stack([np.repeat(np.arange(k), k) + 0.5 + 20 * r, np.tile(np.arange(k), k) + 0.5,
                               np.full(k * k, 50.0)]) for r, k in enumerate(range(6, 12))]
    q = Percolation(cutoff=1.1, fractal_min_size=10).compute(box, np.vstack(plates),
                                                              np.ones(sum(map(len, plates)), bool))
    assert q.fractal_dimension == pytest.approx(2.0, rel=0.06) and q.summary.fractal_clusters == 6
    assert q.fractal_dimension_error > 0


def test_summary_observables_by_hand():
    """Clusters of sizes 3, 2, 1, 1 among 10 sites: fraction 7/10, largest fraction 3/7 and 3/10,
    susceptibility (4 + 1 + 1)/(2 + 1 + 1) = 1.5, size distribution [2, 1, 1]; d_f absent (NaN)."""
    box = Box(lo=(0, 0, 0), hi=(20, 20, 20))
    positions = np.array([[1, 1, 1], [2, 1, 1], [3, 1, 1], [10, 10, 10], [11, 10, 10], [5, 15, 5], [15, 5, 15],
                          [18, 18, 1], [8, 3, 12], [3, 12, 8]], dtype=float)
    occupied = np.array([1, 1, 1, 1, 1, 1, 1, 0, 0, 0], bool)
    p = Percolation(cutoff=1.1, maxsize=3).compute(box, positions, occupied)
    s = p.summary
    assert (s.fraction, s.n_clusters, s.largest_fraction, s.largest_group_fraction) == (0.7, 4, 3 / 7, 0.3)
    assert s.susceptibility == 1.5 and s.size_distribution.tolist() == [2, 1, 1]
    assert np.isnan(p.fractal_dimension) and p.cluster_id.tolist() == [1, 1, 1, 4, 4, 6, 7, 0, 0, 0]


# ---------------------------------------------------------------- random site percolation


def wrapping_probability(kind: str, cells: int, p: float, samples: int, rng: np.random.Generator) -> float:
    box, sites = lattice(kind, cells)
    analysis = nn_percolation(kind)
    return float(np.mean([analysis.compute(box, sites, rng.random(len(sites)) < p).percolates
                          for _ in range(samples)]))


def logistic(p, p0, width):
    return 1.0 / (1.0 + np.exp(-(p - p0) / width))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sc", "bcc", "fcc"])
def test_wrapping_probability_crosses_at_the_site_percolation_threshold(kind):
    """Random site percolation, nearest-neighbour bonds, L = 8 and 16 cells (seeded, 300 samples per
    point on p_c (1 +- 8 %)). The probability that some cluster wraps rises through 0.5 within 3 %
    of p_c for each L (its value at p_c is a universal number near 0.5 for cubic periodic boxes),
    and the two curves (logistic fits) cross within 2 % of p_c (finite-size crossing; Lorenz & Ziff
    1998 thresholds)."""
    rng = np.random.default_rng({"sc": 11, "bcc": 12, "fcc": 13}[kind])
    grid = P_C[kind] * np.linspace(0.92, 1.08, 9)
    fits = {}
    for cells in (8, 16):
        values = [wrapping_probability(kind, cells, p, 300, rng) for p in grid]
        fits[cells], _ = optimize.curve_fit(logistic, grid, values, p0=(P_C[kind], 0.02 * P_C[kind]))
        assert fits[cells][0] == pytest.approx(P_C[kind], rel=0.03), (cells, values)
    (a0, aw), (b0, bw) = fits[8], fits[16]
    crossing = (b0 * aw - a0 * bw) / (aw - bw)      # (p - a0)/aw = (p - b0)/bw
    assert crossing == pytest.approx(P_C[kind], rel=0.02)


@pytest.mark.slow
def test_cluster_size_distribution_at_pc_has_the_fisher_exponent():
    """sc lattice, L = 48, p = p_c, 20 seeded samples: the number of finite (non-wrapping)
    clusters per size, n_s, in logarithmic bins 4 <= s < 1000, falls as s^-tau with tau within
    0.1 of 2.19 (Stauffer & Aharony)."""
    box, sites = lattice("sc", 48)
    analysis = nn_percolation("sc")
    rng = np.random.default_rng(3)
    sizes = []
    for _ in range(20):
        analysis.compute(box, sites, rng.random(len(sites)) < P_C["sc"])
        sizes.append(analysis.cluster_sizes[~analysis.cluster_wraps.any(axis=1)])
    sizes = np.concatenate(sizes)
    edges = np.unique(np.round(np.logspace(np.log10(4), 3, 13)).astype(int))
    counts, _ = np.histogram(sizes, bins=edges)
    keep = counts > 5
    slope = stats.linregress(np.log(np.sqrt(edges[:-1] * edges[1:]))[keep],
                             np.log(counts / np.diff(edges))[keep]).slope
    assert -slope == pytest.approx(TAU, abs=0.1)


@pytest.mark.slow
def test_largest_cluster_at_pc_has_the_percolation_fractal_dimension():
    """sc lattice at p_c: the mean largest-cluster size grows as L^d_f (finite-size scaling of the
    incipient infinite cluster); over L = 16..48 (20 seeded samples each) d_f is within 0.1 of
    2.52 (Stauffer & Aharony)."""
    rng = np.random.default_rng(5)
    sizes = []
    cells = (16, 24, 32, 48)
    for L in cells:
        box, sites = lattice("sc", L)
        analysis = nn_percolation("sc")
        sizes.append(np.mean([analysis.compute(box, sites, rng.random(len(sites)) < P_C["sc"]).cluster_sizes.max()
                              for _ in range(20)]))
    d_f = stats.linregress(np.log(cells), np.log(sizes)).slope
    assert d_f == pytest.approx(D_F, abs=0.1)


# ---------------------------------------------------------------- options


@pytest.mark.parametrize("kwargs, message", [
    ({"cutoff": 0.0}, "cutoff: RC must be > 0"),
    ({"cutoff": -1.0}, "cutoff: RC must be > 0"),
    ({"cutoff": float("nan")}, "cutoff"),
    ({"cutoff": 1.0, "cutoff_pairs": {(1, 2): 0.0}}, "cutoff_pairs"),
    ({"cutoff": 1.0, "maxsize": 0}, "maxsize: M must be an integer in 1..100000"),
    ({"cutoff": 1.0, "maxsize": 100001}, "maxsize"),
    ({"cutoff": 1.0, "fractal_min_size": 1}, "dfmin: the smallest cluster size"),
])
def test_bad_options_name_the_keyword(kwargs, message):
    """Each bad option raises ValueError from the core's PercolationOptions::validate() (the same
    message as the compute), naming the keyword and the allowed values."""
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        Percolation(**kwargs)


@pytest.mark.parametrize("mobile, immobile, message", [
    (("fraction", 0.0), ("fraction", 0.1), r"mobile: fraction F must be in \(0,1\)"),
    (("fraction", 1.0), ("fraction", 0.1), r"mobile: fraction F must be in \(0,1\)"),
    (("fraction", 0.1), ("fraction", 1.5), r"immobile: fraction F must be in \(0,1\)"),
    (("fraction", 0.6), ("fraction", 0.6), "must sum to <= 1"),
    (("above", -1.0), ("below", 0.1), "mobile: above U must be a finite distance >= 0"),
    (("above", 0.5), ("below", float("inf")), "immobile: below U must be a finite distance >= 0"),
    (("above", 0.5), ("below", 0.6), "immobile: below U must not exceed"),
    (("below", 0.5), ("below", 0.6), "mobile: expected 'fraction' or 'above'"),
])
def test_bad_class_criteria_name_the_keyword(mobile, immobile, message):
    """Class criteria are checked by the core (mobile/immobile keyword named, allowed values stated)."""
    with pytest.raises(ValueError, match=message):
        _core.PercolationCore(ntypes=2, cutoff=1.0, mobile=mobile, immobile=immobile)


def test_cutoff_must_be_below_the_box_width():
    """A cutoff reaching across the box would need images beyond the nearest ones: refused."""
    with pytest.raises(ValueError, match="cutoff: the largest cutoff"):
        Percolation(cutoff=3.0).compute(Box(lo=(0, 0, 0), hi=(3, 10, 10)), [[1, 1, 1]], [True])


def test_classes_by_fraction_and_threshold_with_ties_by_id():
    """analyse_percolation's classes: by fraction the largest/smallest u, ties to the smaller id
    (u = 0,0,0,1,1,1,2,2 with F = 0.25: mobile = ids 7, 8; immobile = ids 1, 2); by threshold
    u > 1.5 and u < 0.5."""
    box = Box(lo=(0, 0, 0), hi=(20, 20, 20))
    ids = np.arange(1, 9)
    reference = np.column_stack([2.0 * ids, np.full(8, 5.0), np.full(8, 5.0)])
    u = np.array([0, 0, 0, 1, 1, 1, 2, 2], float)
    core = _core.PercolationCore(ntypes=1, cutoff=1.0, mobile=("fraction", 0.25), immobile=("fraction", 0.25))
    out = core.analyse(box, ids, np.ones(8), np.ones(8, bool), reference, u)
    assert out["atom_class"].tolist() == [-1, -1, 0, 0, 0, 0, 1, 1]
    core = _core.PercolationCore(ntypes=1, cutoff=2.5, mobile=("above", 1.5), immobile=("below", 0.5))
    out = core.analyse(box, ids, np.ones(8), np.ones(8, bool), reference, u)
    assert out["atom_class"].tolist() == [-1, -1, -1, 0, 0, 0, 1, 1]
    assert out["cluster_id"].tolist() == [1, 1, 1, 0, 0, 0, 7, 7] and out["cluster_size"].tolist()[:3] == [3, 3, 3]
    assert out["mobile"]["fraction"] == 0.25 and out["immobile"]["largest_group_fraction"] == 3 / 8


@pytest.mark.parametrize("call, message", [
    (lambda p, box: p.compute("box", [[1, 1, 1]], [True]), "box must be a glassdyn.io.Box"),
    (lambda p, box: p.compute(box, [[1, 1]], [True]), "positions"),
    (lambda p, box: p.compute(box, [[1, 1, float("nan")]], [True]), "positions"),
    (lambda p, box: p.compute(box, [[1, 1, 1]], [True, False]), "occupied"),
    (lambda p, box: p.compute(box, [[1, 1, 1]], [True], types=[0]), "types"),
    (lambda p, box: p.compute(box, [[1, 1, 1], [2, 2, 2]], [True, True], ids=[3, 3]), "ids"),
    (lambda p, box: p.compute_from(object(), "frame"), "frame_t0 must be a glassdyn.io.DumpFrame"),
    (lambda p, box: p.mobile, "compute_from"),
])
def test_bad_offline_input_names_the_argument(call, message):
    """Misuse of the offline class raises one ValueError/TypeError/AttributeError naming the argument."""
    box = Box(lo=(0, 0, 0), hi=(5, 5, 5))
    p = Percolation(cutoff=1.1)
    if message == "compute_from":
        p.compute(box, [[1, 1, 1]], [True])
    with pytest.raises((ValueError, TypeError, AttributeError), match=message):
        call(p, box)


def test_results_before_compute_raise():
    """freud-like: a result asked for before compute() raises, naming compute()."""
    with pytest.raises(RuntimeError, match="call compute"):
        Percolation(cutoff=1.0).wraps


def test_docstring_examples_run():
    """The class docstring's example is executed and its printed values checked."""
    import doctest

    from glassdyn.analysis import percolation

    assert doctest.testmod(percolation, raise_on_error=False).failed == 0
