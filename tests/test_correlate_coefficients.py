"""glassdyn.correlate.DescriptorCorrelation: Pearson/Spearman coefficients with Fisher-z intervals.

Planted data with known population correlation; brute-force checks against scipy.stats; property
tests (hypothesis) of the invariances a correlation coefficient must have.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from glassdyn.correlate import DescriptorCorrelation, NotComputedError, fisher_interval


def bivariate(rng: np.random.Generator, rho: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    x = rng.standard_normal(n)
    y = rho * x + math.sqrt(1.0 - rho * rho) * rng.standard_normal(n)
    return x, y


def coverage(method: str, population_r: float, rho: float, n: int, draws: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    covered = 0
    for _ in range(draws):
        x, y = bivariate(rng, rho, n)
        row = DescriptorCorrelation(methods=method).compute(pd.DataFrame({"d": x}), pd.DataFrame({"q": y})).table
        covered += int(row["ci_low"].iloc[0] <= population_r <= row["ci_high"].iloc[0])
    return covered / draws


def test_pearson_interval_covers_the_planted_correlation_at_the_stated_rate():
    """Bivariate normal pairs with rho = 0.5, n = 60, 400 draws: Fisher's z interval is accurate for
    normal data, so the 95 % interval must cover rho in 95 % of draws; the binomial s.d. of the
    observed rate is sqrt(0.95 * 0.05 / 400) = 0.011, so 0.95 +- 0.035 (3.2 s.d.) must hold."""
    rate = coverage("pearson", 0.5, 0.5, 60, 400, seed=1)
    assert abs(rate - 0.95) <= 0.035, rate


def test_spearman_interval_covers_the_population_rank_correlation():
    """For bivariate normal data the population Spearman coefficient is (6/pi) arcsin(rho/2)
    (Pearson 1907; Kruskal 1958, JASA 53, 814). The Bonett-Wright interval was built for about
    nominal coverage at n >= 25 (Bonett & Wright 2000, their Table 2); 400 draws: 0.95 +- 0.035."""
    rho = 0.5
    population = 6.0 / math.pi * math.asin(rho / 2.0)
    rate = coverage("spearman", population, rho, 60, 400, seed=2)
    assert abs(rate - 0.95) <= 0.035, rate


def test_coefficients_and_p_values_match_scipy():
    """Brute force: scipy.stats.pearsonr and spearmanr (with average ranks for ties) on the same data."""
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"a": rng.standard_normal(200), "b": rng.integers(0, 5, 200)})
    y = pd.DataFrame({"u": x["a"] + rng.standard_normal(200), "cage_broken": rng.random(200) < 0.3})
    table = DescriptorCorrelation().compute(x, y).table.set_index(["descriptor", "quantity", "method"])
    for d in x.columns:
        for q in y.columns:
            for method, function in (("pearson", stats.pearsonr), ("spearman", stats.spearmanr)):
                expected = function(x[d], y[q].astype(float))
                row = table.loc[(d, q, method)]
                assert row["r"] == pytest.approx(expected.statistic, abs=1e-12)
                assert row["p_value"] == pytest.approx(expected.pvalue, rel=1e-6, abs=1e-300)
                assert row["n"] == 200 and row["n_groups"] == 1


def test_fisher_interval_matches_its_formula():
    """tanh(atanh r +- z_0.975 / sqrt(n - 3)) with z_0.975 = 1.959964 (Pearson), and the Bonett-Wright
    variance (1 + r^2/2)/(n - 3) for Spearman."""
    r, n = 0.3, 103
    assert fisher_interval(r, n, 0.95) == pytest.approx(
        (math.tanh(math.atanh(r) - 1.959964 / 10.0), math.tanh(math.atanh(r) + 1.959964 / 10.0)), abs=1e-6)
    half = 1.959964 * math.sqrt((1 + r * r / 2) / 100)
    assert fisher_interval(r, n, 0.95, "spearman") == pytest.approx(
        (math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)), abs=1e-6)


def test_a_categorical_descriptor_becomes_indicators_of_its_most_frequent_classes():
    """The Voronoi-class column gives indicator columns 'voronoi=<class>' for its 2 most frequent
    values; their Pearson r is the point-biserial r of the indicator, computed here by hand."""
    rng = np.random.default_rng(4)
    classes = rng.choice(["<0,0,12,0>", "<0,2,8,2>", "<0,3,6,4>"], size=300, p=[0.5, 0.3, 0.2])
    u = np.where(classes == "<0,0,12,0>", 0.2, 0.5) + 0.1 * rng.standard_normal(300)
    x = pd.DataFrame({"voronoi": classes, "volume": rng.random(300)})
    table = DescriptorCorrelation(methods="pearson", categories=2).compute(x, pd.DataFrame({"u": u})).table
    assert list(table["descriptor"]) == ["voronoi=<0,0,12,0>", "voronoi=<0,2,8,2>", "volume"]
    expected = np.corrcoef((classes == "<0,0,12,0>").astype(float), u)[0, 1]
    assert table["r"].iloc[0] == pytest.approx(expected, abs=1e-12)
    assert table["r"].iloc[0] < -0.7   # icosahedral atoms planted less mobile


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scale=st.floats(0.001, 1000.0) | st.floats(-1000.0, -0.001), shift=st.floats(-1e3, 1e3),
       seed=st.integers(0, 2**31 - 1))
def test_r_is_invariant_to_affine_rescaling_of_a_descriptor(scale, shift, seed):
    """r(a x + b, y) = sign(a) r(x, y) for both coefficients: a correlation does not depend on the
    descriptor's unit or origin (Spearman: an affine map with a > 0 keeps the ranks, a < 0 reverses them)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(80)
    y = pd.DataFrame({"u": 0.5 * x + rng.standard_normal(80)})
    base = DescriptorCorrelation().compute(pd.DataFrame({"d": x}), y).table
    moved = DescriptorCorrelation().compute(pd.DataFrame({"d": scale * x + shift}), y).table
    assert np.allclose(moved["r"], math.copysign(1.0, scale) * base["r"], atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), power=st.integers(1, 3))
def test_spearman_is_invariant_to_monotone_maps(seed, power):
    """Spearman's rho uses ranks only: exp and odd powers of the descriptor leave it unchanged."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(60)
    y = pd.DataFrame({"u": x + rng.standard_normal(60)})
    base = DescriptorCorrelation(methods="spearman").compute(pd.DataFrame({"d": x}), y).table["r"].iloc[0]
    for mapped in (np.exp(x), x ** (2 * power + 1)):
        r = DescriptorCorrelation(methods="spearman").compute(pd.DataFrame({"d": mapped}), y).table["r"].iloc[0]
        assert r == pytest.approx(base, abs=1e-12)


def test_rows_are_matched_by_index_and_matrix_pivots_the_table():
    """Dynamics given in another row order are aligned by the (unique) index: the result equals that
    of the aligned table; matrix() is r of the table, descriptors x quantities."""
    rng = np.random.default_rng(5)
    index = pd.Index(rng.permutation(np.arange(1, 101)), name="id")
    x = pd.DataFrame({"a": rng.standard_normal(100), "b": rng.standard_normal(100)}, index=index)
    y = pd.DataFrame({"u": x["a"] + rng.standard_normal(100), "xi": rng.standard_normal(100)}, index=index)
    aligned = DescriptorCorrelation().compute(x, y)
    shuffled = DescriptorCorrelation().compute(x, y.sample(frac=1.0, random_state=0))
    pd.testing.assert_frame_equal(aligned.table, shuffled.table)
    matrix = aligned.matrix("spearman")
    assert list(matrix.index) == ["a", "b"] and list(matrix.columns) == ["u", "xi"]
    table = aligned.table
    assert matrix.loc["a", "u"] == table[(table.descriptor == "a") & (table.quantity == "u")
                                         & (table.method == "spearman")]["r"].iloc[0]


def test_results_raise_before_compute_and_are_copies():
    c = DescriptorCorrelation()
    with pytest.raises(NotComputedError, match="compute"):
        c.table
    c.compute(pd.DataFrame({"a": [1.0, 2.0, 3.0, 5.0]}), pd.DataFrame({"u": [1.0, 0.0, 2.0, 3.0]}))
    table = c.table
    table.loc[0, "r"] = 99.0
    assert c.table.loc[0, "r"] != 99.0


@pytest.mark.parametrize("descriptors,dynamics,kwargs,error,match", [
    ([[1.0]], pd.DataFrame({"u": [1.0]}), {}, TypeError, "descriptors must be a pandas DataFrame"),
    (pd.DataFrame({"a": [1.0, np.nan, 2.0]}), pd.DataFrame({"u": [1.0, 2.0, 3.0]}), {}, ValueError,
     r"descriptors\['a'\] is not finite at row 1"),
    (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), pd.DataFrame({"u": [1.0, np.inf, 3.0]}), {}, ValueError,
     r"dynamics\['u'\] is not finite"),
    (pd.DataFrame({"a": [1.0, 1.0, 1.0]}), pd.DataFrame({"u": [1.0, 2.0, 3.0]}), {}, ValueError,
     r"columns \['a'\] are constant"),
    (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), pd.DataFrame({"u": [1.0, 2.0]}), {}, ValueError, "same rows"),
    (pd.DataFrame({"a": ["x", "y", "x"], "b": ["p", "q", "q"]}), pd.DataFrame({"u": [1.0, 2.0, 3.0]}), {},
     ValueError, "one categorical column"),
    (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), pd.DataFrame({"u": ["s", "t", "u"]}), {}, ValueError, "not numeric"),
    (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), pd.DataFrame({"u": [1.0, 2.0, 3.0]}), {"groups": [1, 2]}, ValueError,
     "one label per row"),
    (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), pd.DataFrame({"u": [1.0, 2.0, 3.0]}), {"groups": "window"}, ValueError,
     "names no index level"),
])
def test_bad_input_is_refused_naming_the_argument(descriptors, dynamics, kwargs, error, match):
    with pytest.raises(error, match=match):
        DescriptorCorrelation().compute(descriptors, dynamics, **kwargs)


@pytest.mark.parametrize("kwargs,match", [({"methods": "kendall"}, "methods must be a subset"),
                                          ({"confidence": 1.0}, "confidence must be < 1"),
                                          ({"categories": 0}, "categories must be >= 1")])
def test_bad_options_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DescriptorCorrelation(**kwargs)


def test_group_spread_is_the_standard_deviation_of_per_group_coefficients():
    """r_group_std is the s.d. (ddof 1) of r computed within each window separately (brute force with
    numpy.corrcoef per group), while r pools every row; with one group it is nan."""
    rng = np.random.default_rng(8)
    groups = np.repeat([10, 20, 30], 100)
    x = pd.DataFrame({"a": rng.standard_normal(300)})
    y = pd.DataFrame({"u": x["a"] * np.repeat([0.2, 1.0, 3.0], 100) + rng.standard_normal(300)})
    row = DescriptorCorrelation(methods="pearson").compute(x, y, groups).table.iloc[0]
    per_group = [np.corrcoef(x["a"][groups == g], y["u"][groups == g])[0, 1] for g in (10, 20, 30)]
    assert row["r_group_std"] == pytest.approx(np.std(per_group, ddof=1), abs=1e-12)
    assert row["r"] == pytest.approx(np.corrcoef(x["a"], y["u"])[0, 1], abs=1e-12)
    assert row["n_groups"] == 3
    assert np.isnan(DescriptorCorrelation().compute(x, y).table["r_group_std"]).all()
