"""The C++ core, through the Cython binding, against brute-force references.

These pin the algorithms the plugin runs on every rank: the exact top-k selection, the
cross-time pair test, the string statistics and the one-process pipeline.
"""
from __future__ import annotations

import numpy as np
import pytest

from glassdyn import _core
from glassdyn.analysis import StringLike
from glassdyn.analysis._results import NotComputedError
from glassdyn.io import Box
from string_reference import reference_strings


@pytest.mark.parametrize("seed", range(5))
def test_select_largest_matches_sort_with_id_tiebreak(seed):
    """select_largest picks the k largest values, equal values going to the smaller id:
    the same set as sorting by (-value, id), which is the definition in science.md §2."""
    rng = np.random.default_rng(seed)
    n = 500
    values = rng.integers(0, 20, n).astype(float) * 0.1  # many exact ties
    ids = rng.permutation(np.arange(1, 3 * n, 3))[:n]
    for k in (0, 1, 7, 250, n):
        chosen = _core.TopSelection(k).compute(values, ids).selected
        expected = np.zeros(n, dtype=bool)
        expected[sorted(range(n), key=lambda i: (-values[i], ids[i]))[:k]] = True
        assert chosen.sum() == k
        np.testing.assert_array_equal(chosen, expected)


def test_select_largest_handles_negative_and_zero_values():
    """The order-preserving bit mapping must also rank negative values and -0.0 correctly."""
    values = np.array([-1.5, 0.0, -0.0, 2.0, -3.0, 1e-300])
    ids = np.arange(1, 7)
    chosen = _core.TopSelection(3).compute(values, ids).selected
    np.testing.assert_array_equal(np.flatnonzero(chosen), [1, 3, 5])


def test_select_largest_rejects_more_than_available():
    with pytest.raises(ValueError, match="more entries wanted"):
        _core.TopSelection(3).compute([1.0, 2.0], [1, 2])


def test_mobile_count_rounds_half_away_from_zero():
    """round(F*N): 0.05*1000 = 50, 0.05*1010 = 50.5 -> 51, 0.065*100 = 6.5 -> 7."""
    assert _core.mobile_count(0.05, 1000) == 50
    assert _core.mobile_count(0.05, 1010) == 51
    assert _core.mobile_count(0.065, 100) == 7
    assert _core.mobile_count(1.0, 3) == 3


def test_summarise_strings_by_hand():
    """Sizes {2, 2, 3, 7} with 20 mobile atoms: N_str = 14, N_long (>= 6) = 7, 4 strings,
    <xi>_n = 14/4, L_w = (4+4+9+49)/14, n(1) = 20 - 14 isolated atoms, sizes > maxsize = 5 overflow."""
    s = _core.StringStatistics(long_threshold=6, maxsize=5).compute([2, 2, 3, 7], 20)
    assert (s.n_fast, s.n_str, s.n_long, s.n_strings) == (20, 14, 7, 4)
    assert s.xi_number == pytest.approx(3.5)
    assert s.xi_weight == pytest.approx(66 / 14)
    assert s.str_fraction == pytest.approx(14 / 20)
    assert s.long_fraction == pytest.approx(0.5)
    np.testing.assert_array_equal(s.n_xi, [6, 2, 1, 0, 0, 1])


def test_summarise_strings_empty():
    s = _core.StringStatistics(long_threshold=6, maxsize=3).compute([], 0)
    assert s.n_strings == 0 and s.xi_number == 0 and s.str_fraction == 0


@pytest.mark.parametrize("seed", range(3))
def test_links_match_all_pairs_test(seed):
    """find_string_links returns exactly the pairs an all-pairs loop finds, each once."""
    rng = np.random.default_rng(seed)
    n, n_owned = 300, 200
    position = rng.uniform(0, 8, (n, 3))
    displacement = rng.normal(0, 0.6, (n, 3))
    types = rng.integers(1, 3, n)
    pairs = {(1, 2): 0.9}
    delta = np.array([[0, 0, 0], [0, 0.7, 0.9], [0, 0.9, 0.7]])
    u_max = np.linalg.norm(displacement, axis=1).max()
    links = _core.StringLinks(ntypes=2, delta=0.7, delta_pairs=pairs, search_radius=0.9 + u_max).compute(
        position, displacement, types, n_owned).links
    found = {tuple(sorted(link)) for link in links.tolist()}
    assert len(found) == len(links)
    old = position - displacement
    expected = set()
    for i in range(n_owned):
        for j in range(n):
            if j == i or (j < n_owned and j < i):
                continue
            cut = delta[types[i], types[j]]
            if min(np.linalg.norm(position[i] - old[j]), np.linalg.norm(position[j] - old[i])) < cut:
                expected.add((min(i, j), max(i, j)))
    assert found == expected
    assert len(expected) > 20  # the random cloud is dense enough to exercise the test


def random_liquid_window(seed: int, n: int = 400, box: float = 7.0, step: float = 0.35):
    """Random positions and Gaussian displacements, a stand-in for one MD window."""
    rng = np.random.default_rng(seed)
    r0 = rng.uniform(0, box, (n, 3))
    r1 = r0 + rng.normal(0, step, (n, 3)) + np.array([0.3, -0.2, 0.1])  # plus a drift
    ids = rng.permutation(np.arange(1, n + 1))
    types = rng.integers(1, 3, n)
    masses = np.where(types == 1, 1.0, 2.5)
    return r0, r1, ids, types, masses


@pytest.mark.parametrize("seed", range(3))
def test_offline_pipeline_matches_brute_force(seed):
    """StringLike (C++ core: drift, exact top-f, cell-list pair test, union-find) equals an
    O(N^2) NumPy implementation of science.md §2 with explicit periodic images."""
    r0, r1, ids, types, masses = random_liquid_window(seed)
    box = Box(lo=(0, 0, 0), hi=(7, 7, 7))
    s = StringLike(delta=0.6, fraction=0.2).compute(box, ids, types, r0, r1, masses={1: 1.0, 2: 2.5})
    ref = reference_strings(box.matrix, ids, r0, r1, 0.6, masses=masses, fraction=0.2)
    np.testing.assert_allclose(s.displacement, ref.u, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(s.mobile, ref.mobile)
    np.testing.assert_array_equal(s.string_id, ref.string_id)
    np.testing.assert_array_equal(s.string_size, ref.string_size)
    assert s.n_strings > 3, "the random window should contain strings"


def test_offline_pipeline_triclinic_range_and_group():
    """Same comparison in a strongly tilted box, with range selection and a sub-group."""
    r0, r1, ids, types, masses = random_liquid_window(7, n=300)
    box = Box(lo=(0, 0, 0), hi=(7, 7, 7), tilt=(2.5, -1.5, 1.0))
    # Put the random points inside the tilted cell so the box describes them.
    frac0 = r0 / 7.0
    r0 = frac0 @ box.matrix.T
    r1 = r0 + (r1 - (frac0 * 7.0))
    group = types == 1
    s = StringLike(delta=0.6, u_range=(0.4, 1.5)).compute(box, ids, types, r0, r1, masses=masses, group=group)
    ref = reference_strings(box.matrix, ids, r0, r1, 0.6, masses=masses, u_range=(0.4, 1.5), group=group)
    np.testing.assert_array_equal(s.mobile, ref.mobile)
    np.testing.assert_array_equal(s.string_id, ref.string_id)
    np.testing.assert_array_equal(s.string_size, ref.string_size)
    assert not s.mobile[~group].any()
    assert s.n_strings > 0


def test_results_raise_before_compute_and_are_read_only():
    s = StringLike(delta=1.0)
    with pytest.raises(NotComputedError, match="call compute"):
        _ = s.mobile
    r0, r1, ids, types, _ = random_liquid_window(1, n=50)
    s.compute(Box(lo=(0, 0, 0), hi=(7, 7, 7)), ids, types, r0, r1)
    with pytest.raises(ValueError):
        s.string_size[0] = 5
    assert "StringLike(delta=1.0" in repr(s)



def test_core_classes_raise_before_compute_and_return_self():
    """The glassdyn._core classes are freud-like too: compute() returns the object, and a result
    asked for before compute() raises NotComputedError (a C++ result of zero atoms would
    otherwise look like a valid empty answer)."""
    selection = _core.TopSelection(1)
    with pytest.raises(NotComputedError, match="TopSelection.selected is not available"):
        _ = selection.selected
    assert selection.compute([1.0, 2.0], [1, 2]) is selection and selection.selected.tolist() == [False, True]
    strings = _core.StringAnalysis(ntypes=1, delta=0.5)
    with pytest.raises(NotComputedError):
        _ = strings.n_str
    assert not strings.computed


@pytest.mark.parametrize("call, error, message", [
    (lambda: _core.TopSelection(1).compute([1.0, float("nan")], [1, 2]), ValueError, r"values must be finite"),
    (lambda: _core.TopSelection(1).compute([1.0, 2.0], [1, 2, 3]), ValueError, r"ids must have shape \(2,\)"),
    (lambda: _core.StringLinks(ntypes=1, delta=1.0).compute([[0.0, 0.0]], [[0.0, 0.0, 0.0]], [1], 1), ValueError,
     r"position must have shape \(1, 3\)"),
    (lambda: _core.StringLinks(ntypes=1, delta=1.0).compute([[0.0] * 3], [[0.0] * 3], [1.5], 1), ValueError,
     "types must hold whole numbers"),
    (lambda: _core.StringLinks(ntypes=1, delta=1.0).compute([[0.0] * 3], [[0.0] * 3], [2**40], 1), ValueError,
     "types must be <= 2147483647"),
    (lambda: _core.StringStatistics().compute("2 3", 5), TypeError, "string_sizes must be an array of numbers"),
])
def test_the_binding_converter_checks_arrays_as_the_python_api_does(call, error, message):
    """The binding's one array converter applies glassdyn._checks (same messages as the offline
    classes): shape, whole numbers, finiteness, and C-int range for atom types, so a value that
    would wrap around in the C++ int never reaches the core."""
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("kwargs, message", [
    ({"delta": 0}, "delta must be > 0"),
    ({"delta": 1, "fraction": 1.5}, r"fraction: F must be in \(0,1\]"),
    ({"delta": 1, "fraction": 0.1, "u_range": (0, 1)}, "not both"),
    ({"delta": 1, "u_range": (2, 1)}, "range: ulo must be < uhi"),
    ({"delta": 1, "long": 1}, "long: L must be an integer >= 2"),
    ({"delta": 1, "maxsize": 0}, r"maxsize: M must be an integer in 1..100000"),
])
def test_offline_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        StringLike(**kwargs)


def test_offline_box_too_small_for_reach():
    """A displacement comparable to the box makes periodic images ambiguous: refuse."""
    r0 = np.array([[1.0, 1, 1], [2, 2, 2]])
    r1 = r0 + np.array([[4.0, 0, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="exceeds the box width"):
        StringLike(delta=1.0, fraction=1.0, remove_drift=False).compute(
            Box(lo=(0, 0, 0), hi=(4, 4, 4)), [1, 2], [1, 1], r0, r1)


def test_docstring_examples_run():
    """The runnable example in StringLike's docstring (a 3-atom hop chain) gives what it shows."""
    import doctest

    import glassdyn.analysis.string_like as module

    failures, attempted = doctest.testmod(module)
    assert attempted > 0 and failures == 0
