"""glassdyn.correlate.CoarseGrainedCorrelation: descriptors averaged over a radius R, r(R), and the
structural correlation length; neighbour averages checked by brute force in periodic boxes."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassdyn.correlate import CoarseGrainedCorrelation, NotComputedError
from glassdyn.correlate.neighbours import largest_radius, neighbour_averages
from glassdyn.io import Box


def brute_force_averages(values, positions, box, radius):
    """Mean over the atom and every atom whose nearest image (of 27) is within radius."""
    matrix = box.matrix
    shifts = [np.array(s) @ matrix.T for s in itertools.product([-1, 0, 1], repeat=3)]
    out = np.empty_like(values)
    for i in range(len(values)):
        delta = positions - positions[i]
        distance = np.min([np.linalg.norm(delta + s, axis=1) for s in shifts], axis=0)
        out[i] = values[distance <= radius].mean(axis=0)
    return out


@pytest.mark.parametrize("box", [Box((0.0, 0.0, 0.0), (9.0, 10.0, 11.0)),
                                 Box((-2.0, 1.0, 0.0), (8.0, 10.0, 9.5), tilt=(4.0, -3.0, 2.5))],
                         ids=["orthogonal", "triclinic"])
def test_neighbour_averages_match_brute_force(box):
    """Every neighbour within R through its nearest periodic image, the atom itself included: the
    sparse shell-by-shell averages must equal a 27-image brute-force loop, for several radii at once,
    with positions given outside the box (they are wrapped)."""
    rng = np.random.default_rng(7)
    n = 150
    positions = (rng.random((n, 3)) * 1.4 - 0.2) @ box.matrix.T + np.asarray(box.lo)
    values = rng.standard_normal((n, 2))
    radii = [0.0, 1.5, 3.0, 0.999 * largest_radius(box)]
    averaged = neighbour_averages(values, positions, box, radii)
    for k, radius in enumerate(radii):
        assert np.allclose(averaged[k], brute_force_averages(values, positions, box, radius), atol=1e-12)


def test_non_periodic_dimensions_get_no_images():
    """Along a non-periodic z, atoms 0 and 1 (z = 0.5 and 9.5 of a 10-long box) are 9 apart, not 1;
    along periodic y atoms 0 and 2 (y = 0.3 and 9.7) are 0.6 apart. Means within 1.5: atom 0 with
    atom 2 (1 and 5 -> 3), atom 1 alone (3), atom 2 with atom 0 (3)."""
    box = Box((0.0, 0.0, 0.0), (10.0, 10.0, 10.0), periodic=(True, True, False))
    positions = np.array([[5.0, 0.3, 0.5], [5.0, 0.3, 9.5], [5.0, 9.7, 0.5]])
    averaged = neighbour_averages(np.array([[1.0], [3.0], [5.0]]), positions, box, [1.5])
    assert averaged[0, :, 0].tolist() == [3.0, 3.0, 3.0] 


def planted_field(seed: int, n: int, length: float, wavelength: float, noise_d: float, noise_y: float):
    """phi = sum of cos(k.r + phase) along x, y, z with |k| = 2 pi / wavelength (variance 3/2);
    descriptor = phi + noise_d eps, dynamics = phi + noise_y eta (eps, eta independent N(0, 1))."""
    rng = np.random.default_rng(seed)
    positions = rng.random((n, 3)) * length
    k = 2 * math.pi / wavelength
    phi = sum(np.cos(k * positions[:, a] + rng.uniform(0, 2 * math.pi)) for a in range(3))
    descriptor = phi + noise_d * rng.standard_normal(n)
    dynamics = phi + noise_y * rng.standard_normal(n)
    return positions, pd.DataFrame({"d": descriptor}), pd.DataFrame({"u": dynamics})


def expected_r(radius: float, density: float, wavelength: float, noise_d: float, noise_y: float) -> float:
    """r of the sphere-averaged descriptor with the dynamics for the planted field.

    A plane wave averaged over a ball of radius R is multiplied by f = 3 j1(kR)/(kR); the descriptor
    noise of the mean over the atom and its K neighbours has variance noise_d^2 / (1 + K), and for
    uniformly random atoms K is Poisson with mean lam = density 4/3 pi R^3, so over atoms it averages
    to noise_d^2 E[1/(1 + K)] = noise_d^2 (1 - exp(-lam)) / lam. With var(phi) = 3/2:
    r = f var(phi) / sqrt((f^2 var(phi) + noise_d^2 E[1/(1+K)])(var(phi) + noise_y^2)).
    """
    x = 2 * math.pi / wavelength * radius
    f = 1.0 if x == 0 else 3 * (math.sin(x) / x ** 2 - math.cos(x) / x) / x
    lam = density * 4 / 3 * math.pi * radius ** 3
    inverse_count = 1.0 if lam == 0 else -math.expm1(-lam) / lam
    var = 1.5
    return f * var / math.sqrt((f * f * var + noise_d ** 2 * inverse_count) * (var + noise_y ** 2))


def test_a_planted_smooth_field_is_found_at_its_length_with_the_predicted_r():
    """Descriptor = smooth field (wavelength 10) + strong per-atom noise; dynamics = the field +
    weak noise. Coarse-graining averages the descriptor's noise away until the ball starts to blur
    the field, so r(R) rises from r(0) = 0.35 to a maximum near R = 4 and falls beyond; each
    measured r(R) must match expected_r (analytic, see its docstring) within 0.04 (the sampling s.d.
    of r at n = 4000 is ~0.015 at R = 0 and smaller for the strongly correlated larger R), and the
    correlation length must sit at the analytic optimum of the grid (R = 4)."""
    length, n, wavelength, noise_d, noise_y = 20.0, 4000, 10.0, 3.0, 0.5
    positions, descriptors, dynamics = planted_field(11, n, length, wavelength, noise_d, noise_y)
    box = Box((0.0, 0.0, 0.0), (length, length, length))
    radii = [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0]
    coarse = CoarseGrainedCorrelation(radii=radii).compute(descriptors, dynamics, positions, box)
    curve = coarse.curve("d", "u")
    density = n / length ** 3
    predicted = [expected_r(r, density, wavelength, noise_d, noise_y) for r in curve["radius"]]
    assert np.allclose(curve["r"], predicted, atol=0.04), (curve["r"].round(3).tolist(), np.round(predicted, 3))
    best = coarse.correlation_length.iloc[0]
    assert best["length"] == curve["radius"][int(np.argmax(predicted))] == 4.0
    assert best["r_at_length"] > best["r_at_zero"] + 0.3
    assert (curve["ci_low"] <= curve["r"]).all() and (curve["r"] <= curve["ci_high"]).all()


def test_groups_are_coarse_grained_in_their_own_boxes():
    """Two snapshots given together (groups 'a', 'b', each in its own box, atoms of both at overlapping
    coordinates) must be averaged separately: r equals that of each snapshot averaged alone with
    neighbour_averages, concatenated (no neighbour taken from the other snapshot)."""
    pa, da, ya = planted_field(1, 600, 12.0, 6.0, 1.0, 0.5)
    pb, db, yb = planted_field(2, 800, 14.0, 6.0, 1.0, 0.5)
    boxes = {"a": Box((0, 0, 0), (12.0, 12.0, 12.0)), "b": Box((0, 0, 0), (14.0, 14.0, 14.0))}
    index = pd.MultiIndex.from_tuples([("a", i) for i in range(600)] + [("b", i) for i in range(800)],
                                      names=["window", "id"])
    descriptors = pd.concat([da, db]).set_axis(index)
    dynamics = pd.concat([ya, yb]).set_axis(index)
    coarse = CoarseGrainedCorrelation(radii=[2.0]).compute(descriptors, dynamics, np.vstack([pa, pb]), boxes,
                                                           groups="window")
    averaged = np.concatenate([neighbour_averages(da.to_numpy(), pa, boxes["a"], [2.0])[0, :, 0],
                               neighbour_averages(db.to_numpy(), pb, boxes["b"], [2.0])[0, :, 0]])
    expected = np.corrcoef(averaged, dynamics["u"])[0, 1]
    row = coarse.table[coarse.table["radius"] == 2.0]
    assert row["r"].iloc[0] == pytest.approx(expected, abs=1e-12)
    assert row["n_groups"].iloc[0] == 2


def test_bad_input_is_refused():
    positions, descriptors, dynamics = planted_field(3, 50, 6.0, 6.0, 1.0, 1.0)
    box = Box((0, 0, 0), (6.0, 6.0, 6.0))
    with pytest.raises(ValueError, match=r"radius 3.5 must be < half the smallest periodic box width \(3\)"):
        CoarseGrainedCorrelation(radii=[3.5]).compute(descriptors, dynamics, positions, box)
    with pytest.raises(ValueError, match=r"positions must have shape \(50, 3\)"):
        CoarseGrainedCorrelation(radii=[1.0]).compute(descriptors, dynamics, positions[:10], box)
    with pytest.raises(ValueError, match="box has no entry for group 1"):
        CoarseGrainedCorrelation(radii=[1.0]).compute(descriptors, dynamics, positions, {0: box},
                                                      groups=np.repeat([0, 1], 25))
    with pytest.raises(ValueError, match="radii must be >= 0"):
        CoarseGrainedCorrelation(radii=[-1.0])
    with pytest.raises(NotComputedError):
        CoarseGrainedCorrelation().correlation_length


def test_radius_zero_is_the_plain_coefficient():
    """At R = 0 the coarse-grained descriptor is the atom's own value, so its row must equal
    DescriptorCorrelation's Pearson row for the same tables."""
    from glassdyn.correlate import DescriptorCorrelation

    positions, descriptors, dynamics = planted_field(5, 300, 8.0, 8.0, 1.0, 1.0)
    coarse = CoarseGrainedCorrelation(radii=[2.0]).compute(descriptors, dynamics, positions,
                                                           Box((0, 0, 0), (8.0, 8.0, 8.0))).table
    plain = DescriptorCorrelation(methods="pearson").compute(descriptors, dynamics).table
    at_zero = coarse[coarse["radius"] == 0.0].drop(columns="radius").reset_index(drop=True)
    pd.testing.assert_frame_equal(at_zero, plain)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), shift=st.tuples(*[st.floats(-50.0, 50.0)] * 3),
       tilt=st.floats(-4.0, 4.0))
def test_neighbour_averages_are_invariant_to_translation_and_atom_order(seed, shift, tilt):
    """Moving every atom by the same vector (through the periodic box) and listing the atoms in another
    order must give the same average per atom: the averages depend only on periodic distances."""
    rng = np.random.default_rng(seed)
    box = Box((0.0, 0.0, 0.0), (9.0, 9.5, 10.0), tilt=(tilt, 0.0, 0.0))
    positions = rng.random((120, 3)) @ box.matrix.T
    values = rng.standard_normal((120, 1))
    base = neighbour_averages(values, positions, box, [1.0, 2.5, 4.0])
    order = rng.permutation(120)
    moved = neighbour_averages(values[order], positions[order] + np.array(shift), box, [1.0, 2.5, 4.0])
    assert np.allclose(moved, base[:, order, :], atol=1e-12)


def test_a_2d_box_images_in_plane_only():
    """dimension=2: z is no direction of the system (thin slab, every atom at the same z), so radii are
    limited by the in-plane widths only (R = 3 in a 0.5-thick slab is allowed) and neighbours come
    through x and y images: atoms at x = 0.5 and 9.5 of a 10-wide box are 1 apart."""
    box = Box((0.0, 0.0, -0.25), (10.0, 10.0, 0.25), dimension=2)
    positions = pd.DataFrame({"x": [0.5, 9.5, 5.0], "y": [5.0, 5.0, 5.0], "z": [0.0, 0.0, 0.0]})
    averaged = neighbour_averages(np.array([[1.0], [3.0], [8.0]]), positions.to_numpy(), box, [3.0])
    assert averaged[0, :, 0].tolist() == [2.0, 2.0, 8.0]
    descriptors = pd.DataFrame({"d": [1.0, 3.0, 8.0]})
    dynamics = pd.DataFrame({"u": [0.0, 1.0, 5.0]})
    table = CoarseGrainedCorrelation(radii=[3.0]).compute(descriptors, dynamics, positions, box).table
    assert table[table["radius"] == 3.0]["r"].iloc[0] == pytest.approx(np.corrcoef([2.0, 2.0, 8.0], [0, 1, 5])[0, 1])
