"""The structure-dynamics report page: the coefficient heat map, r(R) with the correlation length,
learning curves, the regularisation path and the predictability sentence, per campaign, and a
side-by-side of two or more campaigns.

Figures are drawn with matplotlib's object-oriented API (``Figure`` without pyplot), as in
:mod:`glassdyn.results.report`, and written as one file per format.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from glassdyn.correlate.coarse import CoarseGrainedCorrelation
from glassdyn.correlate.coefficients import DescriptorCorrelation
from glassdyn.correlate.linear import LinearPredictability

#: Resolution of the PNG files (that of glassdyn.results.report).
PNG_DPI = 150
#: Features labelled on the regularisation path (largest |coefficient| at the weakest alpha).
PATH_LABELS = 8


@dataclass(frozen=True)
class CorrelationResults:
    """The computed analyses of one campaign (glass), any of them may be missing.

    Parameters
    ----------
    name : str
        The campaign's or glass's name, used in sentences and as its folder name.
    coefficients, coarse, linear
        Computed :class:`DescriptorCorrelation`, :class:`CoarseGrainedCorrelation` and
        :class:`LinearPredictability` (None where not computed).
    """

    name: str
    coefficients: Optional[DescriptorCorrelation] = None
    coarse: Optional[CoarseGrainedCorrelation] = None
    linear: Optional[LinearPredictability] = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"name must be a non-empty string, got {self.name!r}")
        for field, kind in (("coefficients", DescriptorCorrelation), ("coarse", CoarseGrainedCorrelation),
                            ("linear", LinearPredictability)):
            value = getattr(self, field)
            if value is not None and not (isinstance(value, kind) and value.computed):
                raise TypeError(f"{field} must be a computed {kind.__name__} or None, got {value!r}")


def _percent(r2: float) -> str:
    return f"{100.0 * r2:.0f} %" if r2 > 0 else "none"


def _score(row: pd.Series) -> str:
    return f"held-out R² {row['r2_mean']:.2f} ± {row['r2_std']:.2f} over {int(row['n_folds'])} folds"


def predictability_sentences(linear: LinearPredictability) -> list[str]:
    """One sentence per quantity: "geometry predicts X % of the variance of <quantity> (held-out R², ± spread)"."""
    return [f"geometry predicts {_percent(row['r2_mean'])} of the variance of {row['quantity']} "
            f"({_score(row)} of whole groups, {row['model']})"
            for _, row in linear.summary.iterrows()]


def comparison_sentences(results: Sequence[CorrelationResults]) -> list[str]:
    """Per quantity predicted in every campaign: "... X % in glass A and Y % in glass B"."""
    tables = [r.linear.summary.set_index("quantity") for r in results if r.linear is not None]
    named = [r for r in results if r.linear is not None]
    if len(tables) < 2:
        return []
    common = [q for q in tables[0].index if all(q in t.index for t in tables[1:])]
    sentences = []
    for quantity in common:
        parts = [f"{_percent(t.loc[quantity, 'r2_mean'])} in {r.name} ({_score(t.loc[quantity])})"
                 for r, t in zip(named, tables)]
        sentences.append(f"geometry predicts {', '.join(parts[:-1])} and {parts[-1]} of the variance of {quantity}")
    return sentences


def _heatmap(coefficients: DescriptorCorrelation) -> Figure:
    methods = coefficients.methods
    first = coefficients.matrix(methods[0])
    height = 1.6 + 0.32 * len(first.index)
    figure = Figure(figsize=(3.0 + 1.2 * len(first.columns) * len(methods), height), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(methods)))
    for ax, method in zip(axes, methods):
        matrix = coefficients.matrix(method)
        image = ax.imshow(matrix.to_numpy(), cmap="RdBu_r", vmin=-1.0, vmax=1.0, aspect="auto")
        ax.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=45, ha="right")
        ax.set_yticks(range(len(matrix.index)), matrix.index)
        if matrix.size <= 400:
            for (i, j), value in np.ndenumerate(matrix.to_numpy()):
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize="x-small",
                        color="white" if abs(value) > 0.6 else "black")
        ax.set_title(f"{method.capitalize()} r")
    figure.colorbar(image, ax=list(axes), shrink=0.8, label="r")
    return figure


def _coarse(coarse: CoarseGrainedCorrelation) -> Figure:
    table = coarse.table
    quantities = list(pd.unique(table["quantity"]))
    figure = Figure(figsize=(4.6 * len(quantities), 3.8), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(quantities)))
    lengths = coarse.correlation_length
    for ax, quantity in zip(axes, quantities):
        for k, descriptor in enumerate(pd.unique(table["descriptor"])):
            curve = coarse.curve(descriptor, quantity)
            color = f"C{k % 10}"
            ax.plot(curve["radius"], curve["r"], "o-", color=color, label=str(descriptor), markersize=3)
            ax.fill_between(curve["radius"], curve["ci_low"], curve["ci_high"], color=color, alpha=0.2)
            best = lengths[(lengths["descriptor"] == descriptor) & (lengths["quantity"] == quantity)]
            if len(best):
                ax.plot(best["length"], best["r_at_length"], "*", color=color, markersize=10)
        ax.axhline(0.0, color="0.6", linewidth=0.8)
        ax.set_xlabel("coarse-graining radius R")
        ax.set_ylabel(f"{coarse.method} r")
        ax.set_title(f"{quantity}  (★: largest |r|)")
        ax.legend(fontsize="x-small")
    return figure


def _learning(linear: LinearPredictability) -> Figure:
    curve = linear.learning_curve
    figure = Figure(figsize=(5.0, 3.8), layout="constrained")
    ax = figure.subplots()
    for k, (quantity, rows) in enumerate(curve.groupby("quantity", sort=False)):
        ax.errorbar(rows["n_train_groups"], rows["r2_mean"], yerr=rows["r2_std"], fmt="o-", color=f"C{k % 10}",
                    capsize=3, label=str(quantity))
    ax.axhline(0.0, color="0.6", linewidth=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("training groups (windows/samples)")
    ax.set_ylabel("held-out R²")
    ax.set_title(f"learning curves ({linear.model}; ± spread over folds)")
    if not curve.empty:
        ax.legend(fontsize="small")
    return figure


def _path(linear: LinearPredictability) -> Figure:
    path = linear.path
    quantities = list(pd.unique(path["quantity"]))
    chosen = linear.summary.set_index("quantity")["alpha"]
    figure = Figure(figsize=(4.6 * len(quantities), 3.8), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(quantities)))
    for ax, quantity in zip(axes, quantities):
        rows = path[path["quantity"] == quantity]
        wide = rows.pivot(index="alpha", columns="feature", values="coef_std").sort_index()
        weakest = wide.iloc[0].abs().sort_values(ascending=False)
        labelled = set(weakest.index[:PATH_LABELS])
        for k, feature in enumerate(wide.columns):
            ax.semilogx(wide.index, wide[feature], color=f"C{k % 10}" if feature in labelled else "0.75",
                        linewidth=1.2 if feature in labelled else 0.7, label=str(feature) if feature in labelled else None)
        ax.axvline(float(chosen[quantity]), color="k", linestyle="--", linewidth=1)
        ax.set_xlabel("alpha")
        ax.set_ylabel("coefficient per feature s.d.")
        ax.set_title(f"{quantity} ({linear.model}; dashed: chosen alpha)")
        ax.legend(fontsize="x-small")
    return figure


def _comparison(results: Sequence[CorrelationResults]) -> Figure:
    named = [r for r in results if r.linear is not None]
    summaries = [r.linear.summary.set_index("quantity") for r in named]
    quantities = [q for q in summaries[0].index if all(q in s.index for s in summaries[1:])]
    figure = Figure(figsize=(1.8 + 1.4 * len(quantities) * len(named) / 2, 3.8), layout="constrained")
    ax = figure.subplots()
    width = 0.8 / len(named)
    for k, (result, summary) in enumerate(zip(named, summaries)):
        positions = np.arange(len(quantities)) + (k - (len(named) - 1) / 2) * width
        ax.bar(positions, [summary.loc[q, "r2_mean"] for q in quantities], width,
               yerr=[summary.loc[q, "r2_std"] for q in quantities], capsize=3, label=result.name, color=f"C{k % 10}")
    ax.set_xticks(range(len(quantities)), quantities)
    ax.axhline(0.0, color="0.6", linewidth=0.8)
    ax.set_ylabel("held-out R² (± spread over folds)")
    ax.set_title("variance of the dynamics predicted by geometry")
    ax.legend(fontsize="small")
    return figure


def _folder_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip()) or "campaign"


def _save(figure: Figure, stem: Path, formats: Sequence[str]) -> list[Path]:
    written = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        figure.savefig(path, dpi=PNG_DPI if fmt == "png" else "figure")
        written.append(path)
    return written


def _page(result: CorrelationResults, folder: Path, formats: Sequence[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if result.coefficients is not None:
        written += _save(_heatmap(result.coefficients), folder / "coefficients", formats)
        result.coefficients.table.to_csv(folder / "coefficients.csv", index=False)
        written.append(folder / "coefficients.csv")
    if result.coarse is not None:
        written += _save(_coarse(result.coarse), folder / "coarse_graining", formats)
        result.coarse.table.to_csv(folder / "coarse_graining.csv", index=False)
        result.coarse.correlation_length.to_csv(folder / "correlation_length.csv", index=False)
        written += [folder / "coarse_graining.csv", folder / "correlation_length.csv"]
    if result.linear is not None:
        written += _save(_learning(result.linear), folder / "learning_curves", formats)
        written += _save(_path(result.linear), folder / "regularisation_path", formats)
        result.linear.summary.to_csv(folder / "predictability.csv", index=False)
        result.linear.coefficients.to_csv(folder / "linear_coefficients.csv", index=False)
        text = folder / "predictability.txt"
        text.write_text("\n".join(f"{result.name}: {s}." for s in predictability_sentences(result.linear)) + "\n",
                        encoding="utf-8")
        written += [folder / "predictability.csv", folder / "linear_coefficients.csv", text]
    return written


def correlation_report(results: Union[CorrelationResults, Sequence[CorrelationResults]], out: Union[str, Path], *,
                       formats: Sequence[str] = ("png", "pdf")) -> list[Path]:
    """Write the structure-dynamics report page of one campaign, or of several side by side.

    Per campaign (in ``out``, or in ``out/<name>/`` when several are given): ``coefficients``
    (heat map of r per descriptor x quantity and method, with ``coefficients.csv``),
    ``coarse_graining`` (r(R) with its interval, ★ at the correlation length; ``coarse_graining.csv``,
    ``correlation_length.csv``), ``learning_curves``, ``regularisation_path`` (dashed: the chosen
    alpha), ``predictability.csv``, ``linear_coefficients.csv`` and ``predictability.txt``: "geometry
    predicts X % of the variance of <quantity> (held-out R² ± spread over folds ...)". Figures are
    drawn for the analyses the result holds. With two or more campaigns also ``comparison``
    (held-out R² per quantity per campaign) and ``comparison.txt``: "geometry predicts X % in A
    (...) and Y % in B (...) of the variance of <quantity>".

    Returns
    -------
    list of Path
        Every file written, in the order above.
    """
    many = not isinstance(results, CorrelationResults)
    items = list(results) if many else [results]
    if not items or not all(isinstance(r, CorrelationResults) for r in items):
        raise TypeError("results must be a CorrelationResults or a sequence of them")
    names = [r.name for r in items]
    if len(set(map(_folder_name, names))) != len(names):
        raise ValueError(f"results need distinct names (folder names), got {names}")
    formats = tuple(formats)
    if not formats:
        raise ValueError("formats must name at least one file format, e.g. ('png',)")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for result in items:
        written += _page(result, out / _folder_name(result.name) if many else out, formats)
    if many and sum(r.linear is not None for r in items) >= 2:
        written += _save(_comparison(items), out / "comparison", formats)
        text = out / "comparison.txt"
        text.write_text("\n".join(s + "." for s in comparison_sentences(items)) + "\n", encoding="utf-8")
        written.append(text)
    return written
