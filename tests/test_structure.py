"""glassdyn.structure on structures with known answers: crystals, an ideal gas, rigid motions."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from glassdyn.io import Box, DumpFrame
from glassdyn.structure import (NotComputedError, PartialRDF, SOAPDescriptor, StructuralSimilarity, Structure,
                                StructureFactor, VoronoiMotifs, excess_entropy, per_atom_descriptors,
                                similarity_along, similarity_matrix)

FCC = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]]
BCC = [[0, 0, 0], [0.5, 0.5, 0.5]]


def lattice(a: float, cells: int, basis: list, types: np.ndarray | None = None, noise: float = 0.0,
            seed: int = 0) -> Structure:
    grid = np.stack(np.meshgrid(*[range(cells)] * 3, indexing="ij"), -1).reshape(-1, 3)
    positions = ((grid[:, None, :] + np.asarray(basis)[None]) * a).reshape(-1, 3)
    positions = positions + np.random.default_rng(seed).normal(0.0, noise, positions.shape)
    return Structure(Box((0, 0, 0), (a * cells,) * 3), positions,
                     np.ones(len(positions), int) if types is None else types)


def ideal_gas(n: int, length: float, seed: int) -> Structure:
    rng = np.random.default_rng(seed)
    return Structure(Box((0, 0, 0), (length,) * 3), rng.random((n, 3)) * length, rng.integers(1, 3, n))


# ----- g(r), coordination ---------------------------------------------------------------------

@pytest.mark.parametrize("basis, shells", [(FCC, [(1 / np.sqrt(2), 12), (1.0, 6)]),
                                           (BCC, [(np.sqrt(3) / 2, 8), (1.0, 6)])])
def test_rdf_crystal_shells(basis: list, shells: list) -> None:
    """fcc (a = 3.6) and bcc (a = 3.0): g(r) peaks at the first shell (a/sqrt2 for fcc, a sqrt3/2 for
    bcc; bins of 0.02), and the coordination numbers counted to the gaps after the first and second
    shells are the textbook 12 and 12 + 6 (fcc), 8 and 8 + 6 (bcc); the first minimum found
    lies in the gap between the shells."""
    a = 3.6 if basis is FCC else 3.0
    rdf = PartialRDF(r_max=7.0, bins=350).compute(lattice(a, 5, basis))
    (r1, n1), (r2, n2) = shells
    assert abs(rdf.r[np.argmax(rdf.total)] - r1 * a) < 0.02
    gap1, gap2 = 0.5 * (r1 + r2) * a, 1.1 * a
    assert rdf.coordination(1, 1, gap1) == pytest.approx(n1, abs=1e-4)
    assert rdf.coordination(1, 1, gap2) == pytest.approx(n1 + n2, abs=1e-4)
    assert r1 * a < rdf.first_minimum() < r2 * a
    assert np.array_equal(rdf.total, rdf.partial(1, 1))


def test_rdf_partials_add_up_on_a_two_species_crystal() -> None:
    """Random Cu/Zr decoration of fcc: each atom still has 12 first neighbours, so the partial
    coordination numbers of an a atom add to 12 over b; the total g(r) is sum_ab c_a c_b g_ab."""
    types = np.random.default_rng(3).choice([1, 2], size=500, p=[0.64, 0.36])
    rdf = PartialRDF(r_max=7.0, bins=350).compute(lattice(3.6, 5, FCC, types))
    cut = 0.85 * 3.6
    for a in (1, 2):
        assert rdf.coordination(a, 1, cut) + rdf.coordination(a, 2, cut) == pytest.approx(12.0, abs=1e-3)
    c = rdf.concentrations
    mix = sum(c[a] * c[b] * rdf.partial(a, b) for a in (1, 2) for b in (1, 2))
    np.testing.assert_allclose(mix, rdf.total, atol=0.02 * rdf.total.max())


# ----- S(q) --------------------------------------------------------------------------------------

def test_structure_factor_of_ideal_gas_is_one() -> None:
    """Ideal gas (uniform random points, two species): g_ab = 1 up to Poisson noise, so every
    Faber-Ziman partial and the X-ray, neutron and explicit-weight totals are 1 within statistics.
    For each of the 6 curves, the deviation averaged over q in [2, 12] is measured on 8
    independent gases; their mean must lie within 5 standard errors of 0 (5 = the two-sided 1 %
    t quantile for 7 degrees of freedom, Bonferroni-corrected over the 6 curves), and no single
    value may stray by more than 0.3 (a crystal's S(q) peaks reach ~3)."""
    q = np.linspace(2.0, 12.0, 40)
    curves = []
    for seed in range(8):
        rdf = PartialRDF(r_max=8.4, bins=168).compute(ideal_gas(2000, 17.0, seed))
        sq = StructureFactor(q=q).compute(rdf)
        curves.append([*sq.partials.values(), sq.weighted("xray", {1: "Cu", 2: "Zr"}),
                       sq.weighted("neutron", ["Cu", "Zr"]), sq.weighted({"Cu": 1.0, "Zr": 3.0}, ["Cu", "Zr"])])
    deviation = np.array(curves) - 1.0              # (gas, curve, q)
    assert np.abs(deviation).max() < 0.3
    per_gas = deviation.mean(axis=2)                # (gas, curve)
    standard_error = per_gas.std(axis=0, ddof=1) / np.sqrt(len(per_gas))
    assert np.all(np.abs(per_gas.mean(axis=0)) < 5 * standard_error)


def test_structure_factor_weights_and_crystal_peak() -> None:
    """X-ray form factor at q = 0 is the atomic number (Cu 29, Zr 40: Waasmaier-Kirfel fits are
    within 0.1 e); neutron lengths are Sears's b_c (Cu 7.718 fm, Zr 7.16 fm). For fcc Cu
    (a = 3.6 Å) S(q) peaks at the (111) reflection, q = 2 pi sqrt3 / a = 3.02 1/Å."""
    from glassdyn.structure.structure_factor import scattering_weights

    w = scattering_weights("xray", [1, 2], np.array([0.0]), {1: "Cu", 2: "Zr"})
    assert w[1][0] == pytest.approx(29, abs=0.1) and w[2][0] == pytest.approx(40, abs=0.1)
    w = scattering_weights("neutron", [1, 2], np.array([1.0]), ["Cu", "Zr"])
    assert w[1][0] == pytest.approx(7.718) and w[2][0] == pytest.approx(7.16)
    q = np.linspace(1.5, 4.0, 251)
    rdf = PartialRDF(r_max=8.9, bins=445).compute(lattice(3.6, 5, FCC, noise=0.1))
    total = StructureFactor(q=q).compute(rdf).weighted("xray", ["Cu"])
    assert q[np.argmax(total)] == pytest.approx(2 * np.pi * np.sqrt(3) / 3.6, abs=0.1)
    with pytest.raises(ValueError, match="species is required"):
        StructureFactor(q=q).compute(rdf).weighted("xray")
    with pytest.raises(ValueError, match="weighting must be one of"):
        StructureFactor(q=q).compute(rdf).weighted("electron", ["Cu"])


# ----- Voronoi -----------------------------------------------------------------------------------

@pytest.mark.parametrize("basis, a, label, faces", [(FCC, 3.6, "<0,12,0,0>", 12), (BCC, 3.0, "<0,6,0,8>", 14)])
def test_voronoi_of_crystals(basis: list, a: float, label: str, faces: int) -> None:
    """Perfect fcc: every cell is a rhombic dodecahedron <0,12,0,0> of volume a^3/4; perfect bcc:
    a truncated octahedron <0,6,0,8> of volume a^3/2 (textbook Wigner-Seitz cells)."""
    cells = VoronoiMotifs().compute(lattice(a, 4, basis))
    assert set(cells.labels.tolist()) == {label}
    np.testing.assert_allclose(cells.volumes, a ** 3 / len(basis), rtol=1e-9)
    assert np.all(cells.faces == faces) and np.all(cells.five_fold_fraction == 0)
    assert cells.motif_fractions() == [(label, 1.0)]
    assert cells.full_icosahedron_fraction() == 0.0


def test_voronoi_keeps_the_process_locale(tmp_path) -> None:
    """Importing OVITO sets the C library's locale to "C", which would make Python's default text
    encoding ASCII for the rest of the process (every later read_text() of a non-ASCII file would
    fail); glassdyn imports it through glassdyn._ovito, which restores the locale."""
    import locale

    import subprocess
    import sys

    # A fresh process, where OVITO has not been imported yet by an earlier test.
    script = ("import locale, sys; sys.path.insert(0, %r); from test_structure import lattice, FCC; "
              "from glassdyn.structure import VoronoiMotifs; before = locale.getpreferredencoding(False); "
              "VoronoiMotifs().compute(lattice(3.6, 2, FCC)); print(before, locale.getpreferredencoding(False))"
              % str(Path(__file__).parent))
    printed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert printed[0] == printed[1], printed
    before = (locale.setlocale(locale.LC_ALL), locale.getpreferredencoding(False))
    VoronoiMotifs().compute(lattice(3.6, 2, FCC))
    assert (locale.setlocale(locale.LC_ALL), locale.getpreferredencoding(False)) == before
    path = tmp_path / "text.txt"
    path.write_bytes("T/T_α ≥ 0.85\n".encode("utf-8"))
    if before[1].lower().replace("-", "") == "utf8":
        assert path.read_text() == "T/T_α ≥ 0.85\n"


def test_voronoi_volumes_tile_the_box_and_faces_add_up() -> None:
    """Random points in a triclinic box: Voronoi cells tile space, so the volumes add to the box
    volume; the face counts per edge number add to the number of faces; the most frequent
    motifs per centre type are sorted and their fractions at most 1."""
    rng = np.random.default_rng(5)
    box = Box((-3, 2, 1), (9, 13, 11), tilt=(1.5, -1.0, 0.5))
    frac = rng.random((600, 3))
    s = Structure(box, frac @ box.matrix.T + np.asarray(box.lo), rng.integers(1, 3, 600))
    cells = VoronoiMotifs().compute(s)
    assert cells.volumes.sum() == pytest.approx(s.volume, rel=1e-9)
    assert np.array_equal(cells.face_counts.sum(axis=1), cells.faces)
    top = cells.motif_fractions(centre_type=2, top=5)
    assert [f for _, f in top] == sorted((f for _, f in top), reverse=True) and sum(f for _, f in top) <= 1


# ----- SOAP similarity ---------------------------------------------------------------------------

def amorphous_blob(seed: int = 2) -> Structure:
    """About 200 atoms in a sphere of radius 8 in a 40-wide box: vacuum wider than r_cut around it,
    so rotating the blob is a true symmetry of the periodic system."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(-8, 8, (900, 3))
    points = points[np.linalg.norm(points, axis=1) < 8][:200]
    return Structure(Box((-20, -20, -20), (20, 20, 20)), points, rng.integers(1, 3, len(points)))


def test_soap_similarity_invariances() -> None:
    """K(A, A) = 1 by construction, and SOAP is invariant to rotation, translation and renumbering
    (Bartók et al. 2013), so K of A with its rotated, translated and shuffled copies is 1 to
    rounding (1e-8); a different structure (another random blob) is not (K < 1 - 1e-4)."""
    descriptor = SOAPDescriptor(["A", "B"], r_cut=4.0, n_max=4, l_max=4, sigma=0.5)
    a = amorphous_blob()
    angle = 0.7
    rot = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])
    axis = np.array([1.0, 2.0, 3.0]) / np.sqrt(14)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    rot = rot @ (np.eye(3) + np.sin(1.1) * k + (1 - np.cos(1.1)) * k @ k)
    order = np.random.default_rng(0).permutation(len(a))
    rotated = Structure(a.box, a.positions @ rot.T, a.types)
    moved = Structure(a.box, a.positions + [13.1, -7.2, 19.9], a.types)      # wraps through the box
    shuffled = Structure(a.box, a.positions[order], a.types[order], a.ids[order])
    similarity = StructuralSimilarity(descriptor)
    assert similarity.compute(a, a).similarity == pytest.approx(1.0, abs=1e-12)
    for other in (rotated, moved, shuffled):
        assert similarity.compute(a, other).similarity == pytest.approx(1.0, abs=1e-8)
    assert similarity.compute(a, amorphous_blob(seed=9)).similarity < 1 - 1e-4
    assert similarity.error < 1e-12   # every atom a centre: no sampling error


def test_soap_crystal_against_its_disordered_state() -> None:
    """fcc (a = 3.6, small thermal noise) against fcc with a large displacement noise (0.5 Å,
    beyond the Lindemann limit: a liquid-like disordered state at the same density): K is well
    below the K between two independent thermal fcc samples, which is near 1."""
    descriptor = SOAPDescriptor(["Cu"], r_cut=5.0, n_max=6, l_max=6, sigma=0.5)
    similarity = StructuralSimilarity(descriptor)
    crystal = lattice(3.6, 4, FCC, noise=0.05, seed=1)
    thermal = similarity.compute(crystal, lattice(3.6, 4, FCC, noise=0.05, seed=2)).similarity
    disordered = similarity.compute(crystal, lattice(3.6, 4, FCC, noise=0.5, seed=3)).similarity
    assert thermal > 0.9999 and disordered < 0.99 and disordered < thermal - 0.01


def test_soap_subsampled_estimator_and_its_error() -> None:
    """The subsampled estimator (m of N centres) differs from the all-centre K by less than 4 of
    its bootstrap errors for each of 5 seeds, and its error shrinks when m grows (error ~ 1/sqrt(m))."""
    species = ["A", "B"]
    a, b = ideal_gas(1200, 12.0, 1), lattice(3.0, 6, BCC, np.random.default_rng(0).integers(1, 3, 432), noise=0.3)
    full = StructuralSimilarity(SOAPDescriptor(species, r_cut=4.0, n_max=4, l_max=3)).compute(a, b).similarity
    errors = {}
    for m in (60, 240):
        for seed in range(5):
            sub = StructuralSimilarity(SOAPDescriptor(species, r_cut=4.0, n_max=4, l_max=3, n_centers=m, seed=seed))
            sub.compute(a, b)
            assert abs(sub.similarity - full) < 4 * sub.error
            errors.setdefault(m, []).append(sub.error)
    assert np.mean(errors[240]) < 0.75 * np.mean(errors[60])


def test_similarity_matrix_and_along_a_run() -> None:
    """The matrix is symmetric with ones on its diagonal and equals the pairwise similarities;
    along a run the first entry is 1 and entry k is K(first, k)."""
    descriptor = SOAPDescriptor(["A"], r_cut=4.0, n_max=4, l_max=3)
    runs = [lattice(3.0, 4, BCC, noise=n, seed=k) for k, n in enumerate((0.05, 0.2, 0.4))]
    values, errors = similarity_matrix(runs, descriptor)
    assert np.allclose(values, values.T) and np.allclose(np.diag(values), 1) and np.all(errors < 1e-12)
    assert values[0, 2] == pytest.approx(StructuralSimilarity(descriptor).compute(runs[0], runs[2]).similarity)
    along, _ = similarity_along(runs, descriptor)
    np.testing.assert_allclose(along, values[0])
    assert along[1] > along[2]


# ----- per-atom descriptors ----------------------------------------------------------------------

def brute_force_entropy(s: Structure, sigma: float, cutoff: float) -> np.ndarray:
    """Piaggi-Parrinello per-atom excess entropy by direct summation over neighbours (all minimum
    images, no histogram) on a fine r grid: the reference for the binned implementation."""
    rho = s.number_density
    h = 1e-3
    r = (np.arange(int(cutoff / h)) + 0.5) * h
    inverse = np.linalg.inv(s.box.matrix)
    out = []
    for i in range(len(s)):
        d = s.positions - s.positions[i]
        frac = d @ inverse.T
        d = (frac - np.round(frac)) @ s.box.matrix.T
        dist = np.linalg.norm(d, axis=1)
        dist = dist[(dist > 0) & (dist < cutoff + 3 * sigma)]
        g = np.exp(-(r[:, None] - dist[None]) ** 2 / (2 * sigma ** 2)).sum(axis=1)
        g /= np.sqrt(2 * np.pi) * sigma * 4 * np.pi * rho * r ** 2
        integrand = np.where(g > 0, g * np.log(np.where(g > 0, g, 1)), 0) - g + 1
        out.append(-2 * np.pi * rho * np.sum(integrand * r ** 2) * h)
    return np.array(out)


def test_excess_entropy_matches_direct_summation() -> None:
    """The histogram-then-smooth implementation of the Piaggi-Parrinello per-atom entropy agrees
    with direct summation of the Gaussians (1e-3 relative) on a noisy bcc crystal, and the
    crystal is more ordered (lower s) than a random gas of the same density."""
    s = lattice(3.0, 4, BCC, noise=0.15)
    fast = excess_entropy(s, sigma=0.2, cutoff=5.0)
    slow = brute_force_entropy(Structure(s.box, s.positions, s.types), 0.2, 5.0)
    np.testing.assert_allclose(fast, slow, rtol=1e-3)
    gas = ideal_gas(len(s), 12.0, 4)
    assert fast.mean() < excess_entropy(gas, sigma=0.2, cutoff=5.0).mean()


def test_per_atom_descriptors_of_bcc() -> None:
    """Two-species bcc (a = 3.0): every row has Voronoi index <0,6,0,8>, 14 faces, no five-fold
    faces, volume a^3/2, 8 neighbours inside 0.93 a split by species as the decoration says, and
    the partial-RDF profile holds 8 first and 6 second neighbours; rows are indexed by atom ID."""
    types = np.random.default_rng(1).integers(1, 3, 432)
    s = lattice(3.0, 6, BCC, types)
    ids = np.arange(1001, 1001 + len(s))
    frame = DumpFrame(0, s.box, {"id": ids, "type": s.types, "x": s.positions[:, 0], "y": s.positions[:, 1],
                                 "z": s.positions[:, 2]})
    df = per_atom_descriptors(frame, species={1: "Cu", 2: "Zr"}, coordination_cutoff=0.93 * 3.0,
                              profile_edges=[2.0, 2.8, 3.2], entropy_cutoff=5.0)
    assert list(df.index) == ids.tolist() and df.index.name == "id"
    assert set(df["voronoi_index"]) == {"<0,6,0,8>"} and set(df["voronoi_faces"]) == {14}
    assert np.allclose(df["voronoi_volume"], 13.5) and np.all(df["five_fold_fraction"] == 0)
    assert np.all(df["coordination"] == 8)
    assert np.all(df["coordination_Cu"] + df["coordination_Zr"] == 8)
    assert np.all(df["prdf_Cu_0"] + df["prdf_Zr_0"] == 8) and np.all(df["prdf_Cu_1"] + df["prdf_Zr_1"] == 6)
    np.testing.assert_allclose(df["excess_entropy"], df["excess_entropy"].iloc[0])   # every site alike
    assert df.attrs["profile_edges"] == [2.0, 2.8, 3.2]
    with_soap = per_atom_descriptors(s, soap=SOAPDescriptor(["1", "2"], r_cut=3.5, n_max=2, l_max=2),
                                     profile_edges=None, entropy_cutoff=5.0)
    assert with_soap.filter(like="soap_").shape == (len(s), SOAPDescriptor(["1", "2"], n_max=2, l_max=2).n_features)


def test_structure_from_frames_wraps_every_position_form() -> None:
    """A frame with wrapped (x y z), unwrapped (xu yu zu, atoms images away) or scaled (xs ys zs)
    positions gives the same wrapped structure (to rounding), rows in ID order, in a triclinic box."""
    rng = np.random.default_rng(7)
    box = Box((-2, -1, 0), (8, 9, 12), tilt=(2.0, 1.0, -1.5))
    frac = rng.random((50, 3))
    wrapped = frac @ box.matrix.T + np.asarray(box.lo)
    images = rng.integers(-3, 4, (50, 3))
    base = {"id": np.arange(1, 51), "type": rng.integers(1, 3, 50)}
    forms = [dict(zip("xyz", wrapped.T)), dict(zip(("xu", "yu", "zu"), (wrapped + images @ box.matrix.T).T)),
             dict(zip(("xs", "ys", "zs"), frac.T))]
    for columns in forms:
        s = Structure.from_frame(DumpFrame(0, box, {**base, **columns}))
        np.testing.assert_allclose(s.positions, wrapped, atol=1e-9)
        assert np.array_equal(s.ids, base["id"]) and np.array_equal(s.types, base["type"])


# ----- errors --------------------------------------------------------------------------------------

def test_results_before_compute_and_bad_input() -> None:
    """Results raise NotComputedError before compute(); bad arguments raise errors naming them."""
    with pytest.raises(NotComputedError, match="compute"):
        PartialRDF(r_max=3.0).rdf
    with pytest.raises(NotComputedError):
        VoronoiMotifs().labels
    with pytest.raises(NotComputedError):
        StructuralSimilarity(SOAPDescriptor(["A"])).similarity
    s = lattice(3.0, 3, BCC)
    with pytest.raises(ValueError, match="r_max"):
        PartialRDF(r_max=5.0).compute(s)
    with pytest.raises(ValueError, match="positions"):
        Structure(s.box, np.full((3, 3), np.nan), [1, 1, 1])
    with pytest.raises(ValueError, match="periodic 3-D box"):
        Structure(Box((0, 0, 0), (5, 5, 5), periodic=(True, True, False)), np.ones((2, 3)), [1, 1])
    with pytest.raises(ValueError, match="species_of_types"):
        SOAPDescriptor(["Cu"]).compute(s, {1: "Zr"})
    with pytest.raises(ValueError, match="method must be one of"):
        excess_entropy(s, method="coarse")
    with pytest.raises(TypeError, match="structure must be"):
        VoronoiMotifs().compute(np.zeros((3, 3)))
