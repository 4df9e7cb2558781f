"""Linear models (ridge, lasso) from per-atom features to per-atom dynamics, scored on whole
windows/samples held out.

Atoms of one snapshot are spatially correlated, so a model scored on other atoms of the snapshots
it was trained on overstates what geometry predicts. Every score here holds out whole groups
(GroupKFold over the group labels), the regularisation strength alpha is chosen by an inner
GroupKFold on the training groups only (nested cross-validation), and the features are
standardised inside the pipeline (the scaler sees training atoms only).
"""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from glassdyn import _checks
from glassdyn.correlate._computed import Computed
from glassdyn.correlate._tables import DEFAULT_CATEGORIES, optional_seed, paired_tables, require_groups

MODELS = ("ridge", "lasso")

#: Default alpha grids, in units that make them independent of the data size: ridge alpha / n_atoms
#: (shrinkage of an uncorrelated standardised feature is 1 / (1 + alpha / n)), lasso alpha /
#: alpha_max (alpha_max: the smallest alpha that zeroes every coefficient).
RIDGE_ALPHA_PER_ATOM = np.logspace(-6, 3, 19)
LASSO_ALPHA_FRACTION = np.logspace(-4, 0, 17)

#: Groups needed: one held out, and two left to choose alpha on held-out groups inside the training set.
MIN_GROUPS = 3


def _sklearn() -> Any:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise ImportError("glassdyn.correlate.LinearPredictability needs scikit-learn: pip install scikit-learn "
                          "(or pip install 'glassdyn[structure]')") from None
    from sklearn import linear_model, model_selection, pipeline, preprocessing

    return linear_model, model_selection, pipeline, preprocessing


def _pipeline(model: str, alpha: Optional[float] = None) -> Any:
    linear_model, _, pipeline, preprocessing = _sklearn()
    regressor = (linear_model.Ridge() if model == "ridge"
                 else linear_model.Lasso(max_iter=20000, tol=1e-5))
    if alpha is not None:
        regressor.set_params(alpha=alpha)
    return pipeline.Pipeline([("scale", preprocessing.StandardScaler()), ("model", regressor)])


def default_alphas(model: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The alpha grid of :data:`RIDGE_ALPHA_PER_ATOM` or :data:`LASSO_ALPHA_FRACTION` for this data."""
    n = len(x)
    if model == "ridge":
        return n * RIDGE_ALPHA_PER_ATOM
    scale = x.std(axis=0)
    standard = (x - x.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    alpha_max = float(np.abs(standard.T @ (y - y.mean())).max() / n)
    return max(alpha_max, 1e-12) * LASSO_ALPHA_FRACTION


def _standardised(train: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both blocks scaled by the training block's mean and s.d., as StandardScaler does (s.d. 0 -> 1)."""
    mean = train.mean(axis=0)
    scale = train.std(axis=0)
    scale[scale == 0.0] = 1.0
    return (train - mean) / scale, (other - mean) / scale


def _predictions_for_all_alphas(model: str, alphas: np.ndarray, x_train: np.ndarray, y_train: np.ndarray,
                                x_test: np.ndarray) -> np.ndarray:
    """Held-out predictions (n_test, n_alphas) of standardise + ridge/lasso for every alpha at once.

    The same models as :func:`_pipeline` fitted per alpha: ridge from one SVD of the standardised
    training block (w = V diag(s / (s^2 + alpha)) U^T (y - mean y)); lasso from scikit-learn's
    ``lasso_path`` (coordinate descent with warm starts along the grid) on centred data.
    """
    standard, held_out = _standardised(x_train, x_test)
    offset = y_train.mean()
    centred = y_train - offset
    if model == "ridge":
        u, s, vt = np.linalg.svd(standard, full_matrices=False)
        weights = vt.T @ ((s[:, None] / (s[:, None] ** 2 + alphas[None, :])) * (u.T @ centred)[:, None])
    else:
        linear_model, _, _, _ = _sklearn()
        descending = np.sort(alphas)[::-1]
        _, coefs, _ = linear_model.lasso_path(standard, centred, alphas=descending, max_iter=20000, tol=1e-5)
        weights = coefs[:, np.searchsorted(-descending, -alphas)]
    return held_out @ weights + offset


def _choose_alpha(model: str, alphas: np.ndarray, x: np.ndarray, y: np.ndarray, groups: np.ndarray,
                  inner_splits: int) -> float:
    """alpha of the best mean held-out R^2 over an inner GroupKFold of these (training) groups (the
    first of the grid on a tie), as GridSearchCV(_pipeline(model), cv=GroupKFold) chooses it."""
    _, model_selection, _, _ = _sklearn()
    alphas = np.asarray(alphas, dtype=float)
    splits = model_selection.GroupKFold(n_splits=min(inner_splits, len(np.unique(groups))))
    scores = []
    for train, test in splits.split(x, groups=groups):
        predicted = _predictions_for_all_alphas(model, alphas, x[train], y[train], x[test])
        scores.append([_r2(y[test], predicted[:, k]) for k in range(len(alphas))])
    return float(alphas[int(np.argmax(np.mean(scores, axis=0)))])


def _coefficients(fitted: Any) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients per standard deviation of each feature, and per unit of the feature."""
    standardised = np.asarray(fitted.named_steps["model"].coef_, dtype=float).ravel()
    return standardised, standardised / fitted.named_steps["scale"].scale_


def _r2(y: np.ndarray, predicted: np.ndarray) -> float:
    residual = float(np.sum((y - predicted) ** 2))
    total = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - residual / total if total > 0 else math.nan


class LinearPredictability(Computed):
    """How much of each per-atom dynamic quantity a linear model of the features predicts on held-out
    windows/samples.

    For each dynamic quantity: outer GroupKFold over the groups (``n_splits`` folds, at most one
    per group: then leave-one-group-out); in each outer fold alpha is chosen by an inner GroupKFold
    (``inner_splits``) on the training groups (every alpha scored at once: one SVD per split for
    ridge, ``lasso_path`` for lasso; the same models as the pipeline), the standardise +
    ridge/lasso pipeline is fitted on
    all training atoms and scored (R^2) on the held-out groups' atoms. The held-out R^2 can be
    negative (worse than the held-out mean).

    Parameters
    ----------
    model : str
        ``"ridge"`` (default) or ``"lasso"`` (scikit-learn's ``Ridge`` and ``Lasso``).
    alphas : sequence of float, optional
        Candidate regularisation strengths (> 0); default :func:`default_alphas` of each fold's
        training atoms (of all atoms for the final model and the path).
    n_splits : int
        Outer folds (default 5; at most the number of groups).
    inner_splits : int
        Inner folds choosing alpha (default 3; at most the number of training groups).
    learning_curve : bool
        Also score models trained on 1, 2, ... of each fold's training groups (default True).
    random_state : int, optional
        Seed of the order in which the learning curve adds training groups (default 0).
    categories : int
        Indicator columns per categorical feature (its most frequent values).

    Results (read-only; raise ``NotComputedError`` before ``compute()``)
    -------------------------------------------------------------------
    summary
        Per quantity: ``r2_mean``, ``r2_std`` (spread over outer folds), ``n_folds``, ``n_groups``,
        ``n_atoms``, ``alpha`` (chosen on all data) and ``model``.
    scores
        Per (quantity, fold): held-out groups, ``n_train``, ``n_test``, ``alpha``, ``r2``.
    coefficients
        Per (quantity, feature) of the model fitted on all data with alpha chosen by GroupKFold:
        ``coef_std`` (per standard deviation of the feature) and ``coef`` (per unit of the feature),
        each with a block-jackknife error over the outer folds (``coef_std_error``, ``coef_error``:
        sqrt((k-1)/k sum_i (c_i - mean c)^2) over the k fold models, each fitted without one block of
        groups; Efron & Tibshirani, An Introduction to the Bootstrap, 1993, ch. 11).
    path
        Regularisation path on all data: per (quantity, alpha, feature) ``coef_std``.
    learning_curve
        Per (quantity, n_train_groups): ``n_train_atoms``, ``r2_mean``, ``r2_std`` over outer folds
        (regularisation per atom fixed at each fold's chosen value).
    dropped_features
        Constant feature columns left out.

    Raises
    ------
    ValueError
        With fewer than 3 groups (whole groups must be held out, and alpha chosen on held-out groups).
    """

    def __init__(self, model: str = "ridge", alphas: Optional[Sequence[float]] = None, n_splits: int = 5,
                 inner_splits: int = 3, learning_curve: bool = True, random_state: Optional[int] = 0,
                 categories: int = DEFAULT_CATEGORIES) -> None:
        if model not in MODELS:
            raise ValueError(f"model must be one of {MODELS}, got {model!r}")
        self.model = model
        self.alphas = None if alphas is None else np.sort(_checks.float_array("alphas", alphas, (None,), above=0.0))
        if self.alphas is not None and len(self.alphas) == 0:
            raise ValueError("alphas must hold at least one value")
        self.n_splits = _checks.integer("n_splits", n_splits, at_least=2)
        self.inner_splits = _checks.integer("inner_splits", inner_splits, at_least=2)
        self.learning_curve_enabled = _checks.flag("learning_curve", learning_curve)
        self.random_state = optional_seed(random_state)
        self.categories = _checks.integer("categories", categories, at_least=1)

    def __repr__(self) -> str:
        return (f"LinearPredictability(model={self.model!r}, n_splits={self.n_splits}, "
                f"inner_splits={self.inner_splits})")

    def compute(self, features: pd.DataFrame, dynamics: pd.DataFrame, groups: Any) -> "LinearPredictability":
        """Fit and score the models of every dynamics column from the feature table.

        Parameters
        ----------
        features : DataFrame
            Per-atom features (rows = atoms): partial RDF profiles, SOAP components, descriptors.
        dynamics : DataFrame
            The same rows: one column per dynamic quantity.
        groups : array or str
            Window/sample label per row, or the name of an index level; at least 3 distinct.
        """
        _, model_selection, _, _ = _sklearn()
        tables = paired_tables(features, dynamics, groups, categories=self.categories, drop_constant=True)
        require_groups(type(self).__name__, tables, MIN_GROUPS)
        x = tables.descriptors.to_numpy()
        labels = pd.factorize(tables.groups)[0]
        names = list(tables.descriptors.columns)
        outer = model_selection.GroupKFold(n_splits=min(self.n_splits, tables.n_groups))
        folds = list(outer.split(x, groups=labels))
        rng = np.random.default_rng(self.random_state)
        scores, summary, coefficients, path, curve = [], [], [], [], []
        for quantity in tables.dynamics.columns:
            y = tables.dynamics[quantity].to_numpy()
            fold_coef_std, fold_coef = [], []
            for k, (train, test) in enumerate(folds):
                # The default grid is derived from the training atoms only, like everything else in a fold.
                candidates = self.alphas if self.alphas is not None else default_alphas(self.model, x[train], y[train])
                alpha = _choose_alpha(self.model, candidates, x[train], y[train], labels[train], self.inner_splits)
                fitted = _pipeline(self.model, alpha).fit(x[train], y[train])
                r2 = _r2(y[test], fitted.predict(x[test]))
                held_out = ", ".join(str(g) for g in pd.unique(tables.groups[test]))
                scores.append((quantity, k, held_out, len(train), len(test), alpha, r2))
                per_std, per_unit = _coefficients(fitted)
                fold_coef_std.append(per_std)
                fold_coef.append(per_unit)
                if self.learning_curve_enabled:
                    curve.extend(self._learning_points(quantity, x, y, labels, train, test, alpha, rng))
            alphas = self.alphas if self.alphas is not None else default_alphas(self.model, x, y)
            alpha_all = _choose_alpha(self.model, alphas, x, y, labels, self.inner_splits)
            fitted = _pipeline(self.model, alpha_all).fit(x, y)
            per_std, per_unit = _coefficients(fitted)
            error_std, error_unit = _jackknife(np.array(fold_coef_std)), _jackknife(np.array(fold_coef))
            for j, name in enumerate(names):
                coefficients.append((quantity, name, per_std[j], error_std[j], per_unit[j], error_unit[j]))
            for alpha in alphas:
                path_std, _ = _coefficients(_pipeline(self.model, float(alpha)).fit(x, y))
                path.extend((quantity, float(alpha), name, path_std[j]) for j, name in enumerate(names))
            fold_r2 = np.array([row[-1] for row in scores if row[0] == quantity])
            fold_r2 = fold_r2[np.isfinite(fold_r2)]  # a held-out fold where the quantity is constant has no R^2
            summary.append((quantity, float(fold_r2.mean()) if len(fold_r2) else math.nan,
                            float(fold_r2.std(ddof=1)) if len(fold_r2) > 1 else math.nan,
                            len(fold_r2), tables.n_groups, len(x), alpha_all, self.model))
        self._store(
            scores=pd.DataFrame(scores, columns=["quantity", "fold", "held_out", "n_train", "n_test", "alpha", "r2"]),
            summary=pd.DataFrame(summary, columns=["quantity", "r2_mean", "r2_std", "n_folds", "n_groups", "n_atoms",
                                                   "alpha", "model"]),
            coefficients=pd.DataFrame(coefficients, columns=["quantity", "feature", "coef_std", "coef_std_error",
                                                             "coef", "coef_error"]),
            path=pd.DataFrame(path, columns=["quantity", "alpha", "feature", "coef_std"]),
            learning_curve=_curve_table(curve),
            dropped_features=tables.dropped)
        return self

    def _learning_points(self, quantity: str, x: np.ndarray, y: np.ndarray, labels: np.ndarray, train: np.ndarray,
                         test: np.ndarray, alpha: float, rng: np.random.Generator) -> list[tuple]:
        """Held-out R^2 of models trained on the first m of this fold's training groups (random order),
        at the fold's regularisation per atom (ridge's penalty is not divided by the number of atoms,
        so its alpha is scaled by the fraction of training atoms used; lasso's is)."""
        order = rng.permutation(np.unique(labels[train]))
        points = []
        for m in range(1, len(order) + 1):
            rows = train[np.isin(labels[train], order[:m])]
            scaled = alpha * len(rows) / len(train) if self.model == "ridge" else alpha
            fitted = _pipeline(self.model, scaled).fit(x[rows], y[rows])
            points.append((quantity, m, len(rows), _r2(y[test], fitted.predict(x[test]))))
        return points

    @property
    def summary(self) -> pd.DataFrame:
        """Per quantity: r2_mean, r2_std (over outer folds), n_folds, n_groups, n_atoms, alpha, model."""
        return self._get("summary")

    @property
    def scores(self) -> pd.DataFrame:
        """Per (quantity, outer fold): held_out groups, n_train, n_test, alpha, r2."""
        return self._get("scores")

    @property
    def coefficients(self) -> pd.DataFrame:
        """Per (quantity, feature): coef_std, coef_std_error, coef, coef_error."""
        return self._get("coefficients")

    @property
    def path(self) -> pd.DataFrame:
        """Per (quantity, alpha, feature): coef_std of the model fitted on all data at that alpha."""
        return self._get("path")

    @property
    def learning_curve(self) -> pd.DataFrame:
        """Per (quantity, n_train_groups): n_train_atoms, r2_mean, r2_std (over outer folds)."""
        return self._get("learning_curve")

    @property
    def dropped_features(self) -> tuple[str, ...]:
        """Constant feature columns left out of the models."""
        return self._get("dropped_features")


def _jackknife(values: np.ndarray) -> np.ndarray:
    """Block-jackknife standard error of each column over k delete-one-block estimates."""
    k = len(values)
    return np.sqrt((k - 1) / k * np.sum((values - values.mean(axis=0)) ** 2, axis=0))


def _curve_table(points: list[tuple]) -> pd.DataFrame:
    columns = ["quantity", "n_train_groups", "n_train_atoms", "r2_mean", "r2_std"]
    if not points:
        return pd.DataFrame(columns=columns)
    raw = pd.DataFrame(points, columns=["quantity", "n_train_groups", "n_train_atoms", "r2"])
    table = raw.groupby(["quantity", "n_train_groups"], sort=False).agg(
        n_train_atoms=("n_train_atoms", "mean"), r2_mean=("r2", "mean"), r2_std=("r2", "std")).reset_index()
    table["r2_std"] = table["r2_std"].fillna(0.0)
    return table[columns]
