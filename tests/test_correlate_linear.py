"""glassdyn.correlate.LinearPredictability: ridge/lasso from features to dynamics, scored on whole
held-out groups (windows/samples), on planted linear links and a planted null."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from glassdyn.correlate import LinearPredictability, NotComputedError

pytest.importorskip("sklearn")


def planted(seed: int, groups: int, per_group: int, slope: float, noise: float, features: int = 4):
    """features x_k ~ N(0, 1) independent; dynamics u = slope * x_0 + noise * eta, eta ~ N(0, 1).

    The best possible held-out R^2 is var(signal)/(var(signal) + var(noise)) = slope^2/(slope^2 + noise^2).
    """
    rng = np.random.default_rng(seed)
    n = groups * per_group
    x = pd.DataFrame(rng.standard_normal((n, features)), columns=[f"f{k}" for k in range(features)])
    u = slope * x["f0"].to_numpy() + noise * rng.standard_normal(n)
    labels = np.repeat(np.arange(groups), per_group)
    return x, pd.DataFrame({"u": u}), labels


def test_ridge_recovers_the_planted_coefficient_and_variance_fraction():
    """u = 0.8 x0 + 0.8 eta: R^2 = 0.64/(0.64 + 0.64) = 0.5; held-out R^2 (6 groups of 400 atoms,
    5 outer folds) must be within 2 fold-spreads of 0.5. The coefficient per unit of x0 must be
    within 3 block-jackknife errors of 0.8 (ridge shrinks it by n/(n + alpha): the chosen alpha/n
    must be <= 1e-2, a bias below 1 %, small against the error), the
    other features' coefficients within 3 errors of 0; every alpha was chosen on training groups."""
    x, y, groups = planted(21, 6, 400, 0.8, 0.8)
    model = LinearPredictability(model="ridge").compute(x, y, groups)
    summary = model.summary.iloc[0]
    assert summary["n_folds"] == 5 and summary["n_groups"] == 6 and summary["n_atoms"] == 2400
    assert abs(summary["r2_mean"] - 0.5) <= 2 * summary["r2_std"], summary
    assert summary["alpha"] / summary["n_atoms"] <= 1e-2
    coefficients = model.coefficients.set_index("feature")
    assert abs(coefficients.loc["f0", "coef"] - 0.8) <= 3 * coefficients.loc["f0", "coef_error"]
    assert coefficients.loc["f0", "coef_error"] < 0.05
    for name in ("f1", "f2", "f3"):
        assert abs(coefficients.loc[name, "coef"]) <= 3 * coefficients.loc[name, "coef_error"]
    scores = model.scores
    assert len(scores) == 5 and (scores["n_train"] + scores["n_test"] == 2400).all()
    held = [set(h.split(", ")) for h in scores["held_out"]]
    assert set().union(*held) == {str(g) for g in range(6)}   # every group held out exactly once
    assert sum(len(h) for h in held) == 6


def test_lasso_recovers_the_variance_fraction_and_drops_null_features_on_the_path():
    """The same planted link with lasso: held-out R^2 within 2 fold-spreads of 0.5; on the path the
    informative feature is the last to leave (largest alpha with a non-zero coefficient), and at the
    largest alpha of the default grid (alpha_max, where lasso's solution is 0) every coefficient is 0."""
    x, y, groups = planted(22, 6, 400, 0.8, 0.8)
    model = LinearPredictability(model="lasso", learning_curve=False).compute(x, y, groups)
    summary = model.summary.iloc[0]
    assert abs(summary["r2_mean"] - 0.5) <= 2 * summary["r2_std"], summary
    path = model.path
    largest = path[path["alpha"] == path["alpha"].max()]
    assert np.allclose(largest["coef_std"], 0.0)
    alive = path[path["coef_std"].abs() > 0]
    last = alive[alive["alpha"] == alive["alpha"].max()]
    assert list(last["feature"]) == ["f0"]
    assert model.learning_curve.empty


def test_a_planted_null_gives_no_held_out_predictability():
    """Dynamics independent of every feature: no model can beat the held-out mean, so held-out R^2
    is about 0 or slightly negative (training-mean offset and fitted noise); it must be <= 0.01 and
    > -0.05 (a ridge fit of 4 null features on 2000 atoms costs about -4/2000 in R^2)."""
    x, y, groups = planted(23, 6, 400, 0.0, 1.0)
    summary = LinearPredictability().compute(x, y, groups).summary.iloc[0]
    assert -0.05 < summary["r2_mean"] <= 0.01, summary


def test_learning_curve_rises_with_training_groups():
    """Held-out R^2 against the number of training groups: from 1 to all 4 training groups of each
    fold (5 groups, leave-one-group-out), n_train_atoms grows by 300 per group; with 12 features and
    a weak link (R^2 = 0.2) one group of 300 atoms overfits more than four, so R^2 rises, and with
    all groups it is near the planted 0.2 (within 0.06)."""
    x, y, groups = planted(24, 5, 300, 0.5, 1.0, features=12)
    curve = LinearPredictability(alphas=[1e-3]).compute(x, y, groups).learning_curve
    assert curve["n_train_groups"].tolist() == [1, 2, 3, 4]
    assert curve["n_train_atoms"].tolist() == [300, 600, 900, 1200]
    assert curve["r2_mean"].iloc[-1] > curve["r2_mean"].iloc[0]
    assert abs(curve["r2_mean"].iloc[-1] - 0.2) < 0.06


@pytest.mark.parametrize("groups", [None, np.zeros(100, dtype=int), np.repeat([0, 1], 50)])
def test_too_few_groups_are_refused(groups):
    """One snapshot (or two) cannot give a held-out score with alpha chosen on other held-out groups:
    refused with a message saying why, never scored on random atoms of the same snapshot."""
    x, y, _ = planted(25, 1, 100, 1.0, 1.0)
    with pytest.raises(ValueError, match=r"at least 3 groups .* spatially correlated"):
        LinearPredictability().compute(x, y, groups)


def test_constant_features_are_dropped_and_named():
    """An RDF bin inside the core is 0 for every atom: left out of the model and listed."""
    x, y, groups = planted(26, 3, 100, 1.0, 1.0, features=2)
    x["core_bin"] = 0.0
    model = LinearPredictability(learning_curve=False).compute(x, y, groups)
    assert model.dropped_features == ("core_bin",)
    assert "core_bin" not in set(model.coefficients["feature"])


def test_options_and_results_before_compute():
    with pytest.raises(ValueError, match="model must be one of"):
        LinearPredictability(model="elasticnet")
    with pytest.raises(ValueError, match="alphas must be > 0"):
        LinearPredictability(alphas=[0.0, 1.0])
    with pytest.raises(ValueError, match="n_splits must be >= 2"):
        LinearPredictability(n_splits=1)
    with pytest.raises(NotComputedError, match="compute"):
        LinearPredictability().summary


def test_missing_scikit_learn_is_named(monkeypatch):
    """Without scikit-learn the error names the pip package and the optional group (the import is
    inside compute, so the rest of glassdyn.correlate works without it)."""
    import sys

    monkeypatch.setitem(sys.modules, "sklearn", None)
    x, y, groups = planted(27, 3, 50, 1.0, 1.0)
    with pytest.raises(ImportError, match=r"pip install scikit-learn .*glassdyn\[structure\]"):
        LinearPredictability().compute(x, y, groups)


@pytest.mark.parametrize("model", ["ridge", "lasso"])
def test_alpha_search_matches_grid_search_of_the_pipeline(model):
    """Brute force: the all-alphas-at-once search (one SVD per inner split for ridge, lasso_path for
    lasso) must give the mean inner R^2 of GridSearchCV over the standardise + Ridge/Lasso pipeline
    with the same GroupKFold, for every alpha (1e-8 ridge; 1e-5 lasso, coordinate descent's
    tolerance), hence the same chosen alpha."""
    from sklearn.model_selection import GridSearchCV, GroupKFold

    from glassdyn.correlate import linear

    x, y, groups = planted(28, 5, 120, 0.6, 1.0, features=6)
    x["f5"] = 0.7 * x["f0"] + 0.3 * x["f5"]   # correlated features, where ridge and lasso differ
    x, y = x.to_numpy(), y["u"].to_numpy()
    alphas = linear.default_alphas(model, x, y)
    search = GridSearchCV(linear._pipeline(model), {"model__alpha": list(alphas)}, scoring="r2",
                          cv=GroupKFold(n_splits=3)).fit(x, y, groups=groups)
    ours = []
    for train, test in GroupKFold(n_splits=3).split(x, groups=groups):
        predicted = linear._predictions_for_all_alphas(model, alphas, x[train], y[train], x[test])
        ours.append([linear._r2(y[test], predicted[:, k]) for k in range(len(alphas))])
    tolerance = 1e-8 if model == "ridge" else 1e-5
    assert np.allclose(np.mean(ours, axis=0), search.cv_results_["mean_test_score"], atol=tolerance)
    assert linear._choose_alpha(model, alphas, x, y, groups, 3) == search.best_params_["model__alpha"]
