"""The time-correlation core (src/core/time_correlations.*) through the Cython binding and the
offline twin glassdyn.analysis.Correlations, against a NumPy implementation written from the
definitions (tests/correlation_reference.py) and against cases with known answers."""
from __future__ import annotations

import numpy as np
import pytest

from correlation_reference import reference_derived, reference_table
from glassdyn import _core
from glassdyn.analysis import Correlations
from glassdyn.analysis._results import NotComputedError


def random_walk(nframes: int, natoms: int, seed: int, step: float = 0.2):
    rng = np.random.default_rng(seed)
    start = rng.uniform(0, 10, (natoms, 3))
    positions = start + np.cumsum(rng.normal(0, step, (nframes, natoms, 3)), axis=0)
    positions[:, :, 0] += 0.05 * np.arange(nframes)[:, None]      # a drift the analysis removes
    types = rng.integers(1, 4, natoms)
    masses = np.array([1.0, 2.5, 4.0])[types - 1]
    return positions, types, masses


def test_sample_sums_equal_the_definition():
    """One (origin, lag) pair: per-set count, sum dr^2, dr^4, sin(q dr)/(q dr), overlap, with the
    mass-weighted drift of the group removed, equal a direct NumPy evaluation; atoms outside the
    group count nowhere (not in the drift either)."""
    positions, types, masses = random_walk(2, 300, seed=1)
    group = np.random.default_rng(2).random(300) < 0.7
    core = _core.TimeCorrelationsCore(every=1, origins=1, lags=[1], q=6.5, overlap=0.3, ntypes=3)
    sums = core.sample(positions[0], positions[1], types, masses, group)
    d = positions[1] - positions[0]
    d = d - (masses[group, None] * d[group]).sum(axis=0) / masses[group].sum()
    r = np.linalg.norm(d, axis=1)
    for s, members in enumerate([group] + [group & (types == t) for t in (1, 2, 3)]):
        rr = r[members]
        expected = [rr.size, (rr ** 2).sum(), (rr ** 4).sum(), (np.sin(6.5 * rr) / (6.5 * rr)).sum(),
                    (rr < 0.3).sum()]
        np.testing.assert_allclose(sums[s], expected, rtol=1e-12, atol=1e-12)


def test_small_displacement_keeps_fs_exact():
    """sin(x)/x at x -> 0 (an atom that has not moved) is 1, not 0/0; near 0 the series agrees
    with sin(x)/x to double precision."""
    core = _core.TimeCorrelationsCore(every=1, origins=1, lags=[1], q=1.0, remove_drift=False)
    r0 = np.zeros((3, 3))
    r1 = np.array([[0.0, 0, 0], [1e-4, 0, 0], [5e-3, 0, 0]])
    sums = core.sample(r0, r1, [1, 1, 1], np.ones(3), np.ones(3, bool))
    assert sums[0, 3] == pytest.approx(1.0 + np.sin(1e-4) / 1e-4 + np.sin(5e-3) / 5e-3, rel=1e-15)


@pytest.mark.parametrize("overlap", [None, 0.5])
def test_every_lag_and_origin_equal_the_numpy_definition(overlap):
    """40 frames every 5 steps, origins every 10 steps (K = 4), lags 5..40: MSD, alpha2, F_s,
    overlap, chi4 and origin counts per type equal the direct NumPy evaluation to 1e-12; with
    overlap, chi4 comes from the overlap, else from the per-origin F_s."""
    positions, types, masses = random_walk(40, 200, seed=3)
    steps = 5 * np.arange(40)
    lags = [5, 10, 20, 40]
    c = Correlations(every=10, origins=4, lags=lags, q=4.0, overlap=overlap)
    c.compute_arrays(steps, types, positions, dt=0.002, masses=masses)
    ref = reference_table(steps, positions, types, masses, every=10, lags=lags, q=4.0, overlap=overlap or 0.0)
    np.testing.assert_allclose(c.time, 0.002 * np.array(lags), rtol=1e-15)
    for name, got in (("msd", c.msd), ("alpha2", c.alpha2), ("fs", c.fs), ("overlap", c.overlap_mean),
                      ("chi4", c.chi4), ("n_origins", c.n_origins)):
        np.testing.assert_allclose(got, ref[name], rtol=1e-12, atol=1e-13, err_msg=name)
    # Origins at steps 0, 10, ..., 190 whose lag ends by step 195: t0 <= 195 - lag.
    assert c.n_origins[:, 0].tolist() == [20, 19, 18, 16]
    if overlap:
        assert 0 < c.overlap_mean[0, 0] < 1


def test_derived_times_follow_the_documented_rules():
    """tau_alpha, D (with its range) and t* of every set equal the NumPy evaluation of the
    documented rules on the same table; on a random walk (diffusive at every lag) the range is
    every lag and D = <dr^2 per step> / (6 dt) = 3 * 0.2^2 / 6 / 0.01."""
    positions, types, masses = random_walk(401, 400, seed=4)
    lags = _core.TimeCorrelationsCore.log_spaced_lags(1, 200, 12)
    c = Correlations(every=25, origins=8, lags=lags, q=2.0).compute_arrays(np.arange(401), types, positions,
                                                                           dt=0.01, masses=masses)
    for s in range(4):
        tau, d, lo, hi, t_star = reference_derived(c.time, c.msd[:, s], c.fs[:, s], c.alpha2[:, s],
                                                   c.n_origins[:, s])
        assert c.tau_alpha[s] == pytest.approx(tau, rel=1e-10)
        assert c.diffusion[s] == pytest.approx(d, rel=1e-10)
        assert c.diffusive_range[s].tolist() == pytest.approx([lo, hi], rel=1e-12)
        assert c.t_star[s] == pytest.approx(t_star, rel=1e-12)
    assert c.tau_alpha[0] > 0
    assert c.diffusive_range[0].tolist() == pytest.approx([0.01, 2.0])
    assert c.diffusion[0] == pytest.approx(3 * 0.2 ** 2 / 6 / 0.01, rel=0.05)   # 400 atoms x ~100 origins


def test_log_spaced_lags():
    """Rounded geometric spacing, repeats dropped, exact end points."""
    lags = _core.TimeCorrelationsCore.log_spaced_lags(1, 10000, 30)
    assert lags[0] == 1 and lags[-1] == 10000 and np.all(np.diff(lags) > 0)
    expected = np.unique(np.rint(np.geomspace(1, 10000, 30)).astype(int))
    np.testing.assert_array_equal(lags, expected)
    assert _core.TimeCorrelationsCore.log_spaced_lags(3, 5, 10).tolist() == [3, 4, 5]


def test_needed_steps_are_the_fix_schedule():
    c = Correlations(every=10, origins=2, lags=[1, 5, 20], q=1.0)
    assert c.needed_steps(0, 30).tolist() == [0, 1, 5, 10, 11, 15, 20, 21, 25, 30]


BAD = [
    (dict(every=0, origins=2, lags=[1], q=1.0), "every"),
    (dict(every=10, origins=0, lags=[1], q=1.0), "origins"),
    (dict(every=10, origins=2000, lags=[1], q=1.0), "origins"),
    (dict(every=10, origins=2, lags=[], q=1.0), "lags"),
    (dict(every=10, origins=2, lags=[5, 5], q=1.0), "lags: lags must increase"),
    (dict(every=10, origins=2, lags=[0, 5], q=1.0), "lags: every lag must be >= 1"),
    (dict(every=10, origins=2, lags=[1, 21], q=1.0), "origins x every = 20"),
    (dict(every=10, origins=2, lags=[1], q=0.0), "q"),
    (dict(every=10, origins=2, lags=[1], q=float("nan")), "q"),
    (dict(every=10, origins=2, lags=[1], q=1.0, overlap=-1.0), "overlap"),
    (dict(every=10, origins=2, lags_log=(5, 2, 3), q=1.0), "lags: log MIN MAX"),
    (dict(every=10, origins=2, q=1.0), "exactly one of lags"),
]


@pytest.mark.parametrize("kwargs,message", BAD)
def test_bad_options_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        Correlations(**kwargs)


def test_results_raise_before_compute_and_missing_frames_are_named():
    c = Correlations(every=10, origins=2, lags=[5, 10], q=1.0)
    with pytest.raises(NotComputedError):
        c.msd
    positions, types, masses = random_walk(3, 5, seed=5)
    with pytest.raises(ValueError, match=r"steps: no frame at step\(s\) \[5, 15\]"):
        c.compute_arrays([0, 10, 20], types, positions, dt=1.0)
    with pytest.raises(ValueError, match="positions"):
        c.compute_arrays([0, 5, 10], types, positions[:, :4], dt=1.0)
