""":func:`compare`: load, check, fit, tabulate and draw."""
from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Optional, Sequence

from matplotlib.figure import Figure

from glassdyn.comparison.checks import CompareWarning, NotComparable, check_comparable, load_campaigns
from glassdyn.comparison.figures import (cages_figure, displacement_figure, long_strings_figure,
                                         loss_and_strings_figure, percolation_figure, quench_figure,
                                         relaxation_figure)
from glassdyn.comparison.numbers import (CampaignNumbers, Quantity, campaign_numbers, longest_tau, missing,
                                         refit_fragility, relaxation_range)
from glassdyn.comparison.structure import compare_structure
from glassdyn.comparison.table import table_rows, write_csv, write_markdown
from glassdyn.results.campaign_data import CampaignResults
from glassdyn.results.panels import save_figure
from glassdyn.results.pictures import render_strings, string_snapshot

#: Figure names in the order they are written (those without data are skipped).
FIGURES = ("loss_strings", "long_strings", "cages", "displacement", "percolation", "relaxation", "quench")


def compare(campaigns: Sequence[str | Path | CampaignResults], out: Optional[str | Path] = None, *,
            labels: Optional[Sequence[str]] = None, reduced_temperature: float = 0.85,
            period: Optional[float] = None, formats: Sequence[str] = ("png", "pdf")) -> list[Path]:
    """Compare two or more finished campaigns side by side (docs/compare.md).

    Parameters
    ----------
    campaigns : sequence
        Campaign folders, their ``results.h5`` files, or loaded :class:`CampaignResults`.
    out : str or Path, optional
        Output folder (created); default ``comparison-<label>-<label>...`` next to the first campaign.
    labels : sequence of str, optional
        Legend and column labels, one per campaign; default the campaign names.
    reduced_temperature : float
        T/T_alpha of the p(u), N_str/N_fast and C comparisons (the nearest scan temperature of each
        campaign is used and reported), and of tau_alpha and D when inside every campaign's data.
    period : float, optional
        DMS period of the single-period panels and rows; default the longest common period.
    formats : sequence of str
        Figure file formats.

    Returns
    -------
    list of Path
        The figures (each format) in the order of :data:`FIGURES`, with ``[snapshots]`` each
        campaign's string picture ``strings_snapshot_<label>.png`` and the files of
        the structure-dynamics page (``structure_dynamics/``), then ``comparison.csv`` and
        ``comparison.md``.

    Raises
    ------
    NotComparable
        Different unit style, DMS axis, mobile-atom definition or jump-range kind, no common period,
        or ``period`` not common to all campaigns.
    ResultsMissing
        A campaign without results (names its folder).
    ValueError
        Fewer than two campaigns, wrong number of labels, or ``reduced_temperature`` not > 0.

    Examples
    --------
    >>> glassdyn.compare(["cu-glass", "ni-glass"], labels=["Cu", "Ni"])   # doctest: +SKIP
    """
    if not (math.isfinite(reduced_temperature) and reduced_temperature > 0):
        raise ValueError(f"reduced_temperature must be finite and > 0, got {reduced_temperature}")
    loaded = load_campaigns(list(campaigns), labels)
    periods = check_comparable(loaded)
    chosen = _choose_period(periods, period)
    numbers = [campaign_numbers(c, periods, chosen, reduced_temperature) for c in loaded]

    reference_time = _common_reference_time(numbers)
    if math.isfinite(reference_time):
        for n in numbers:
            refit_fragility(n, reference_time)
    relaxation_reduced = _common_reduced(numbers, reduced_temperature)

    target = Path(out) if out is not None else _default_out(loaded)
    target.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Optional[Figure]] = {
        "loss_strings": loss_and_strings_figure(numbers),
        "long_strings": long_strings_figure(numbers),
        "cages": cages_figure(numbers),
        "displacement": displacement_figure(numbers, reduced_temperature),
        "percolation": percolation_figure(numbers),
        "relaxation": relaxation_figure(numbers),
        "quench": quench_figure(numbers, numbers[0].units),
    }
    written = [path for name in FIGURES if figures[name] is not None
               for path in save_figure(figures[name], target / name, formats)]
    written += _string_pictures(numbers, reduced_temperature, target)
    rows = table_rows(numbers, periods, reduced_temperature, relaxation_reduced, reference_time)
    structure = compare_structure(numbers, reduced_temperature, target, formats)   # nothing without snapshots
    rows += structure.rows
    written += structure.written
    labels_out = [n.label for n in numbers]
    written.append(write_csv(rows, labels_out, target / "comparison.csv"))
    caption = (f"Comparison of {', '.join(labels_out)}: single-period rows at t_omega = {chosen:g} "
               f"{numbers[0].units.time}; errors are one standard deviation.")
    written.append(write_markdown(rows, labels_out, target / "comparison.md", caption,
                                  _structure_section(structure.sentences)))
    return written


def _string_pictures(numbers: Sequence[CampaignNumbers], reduced_temperature: float, target: Path) -> list[Path]:
    """The study's Fig. 2d/e: each campaign's strings (xi >= 6 coloured by xi) in its snapshot
    nearest the compared T/T_alpha, one picture per campaign; none for a campaign without snapshots."""
    written = []
    for n in numbers:
        peak = n.peaks.get(n.period)
        snapshot = string_snapshot(n.campaign.results, n.period, peak.t_alpha if peak is not None else None,
                                   reduced_temperature)
        if snapshot is None:
            continue
        name = "".join(c if c.isalnum() or c in "-_" else "_" for c in n.label)
        try:
            written.append(render_strings(snapshot, target / f"strings_snapshot_{name}.png"))
        except (ValueError, OSError) as error:
            warnings.warn(f"{n.label}: no string picture: {error}", CompareWarning, stacklevel=3)
    return written


def _structure_section(sentences: Sequence[str]) -> list[str]:
    if not sentences:
        return []
    return ["## Structure and dynamics", "",
            "Held-out R² of ridge models of per-atom descriptors, whole snapshots held out (structure_dynamics/):",
            ""] + [f"- {s}" for s in sentences]


def _choose_period(periods: Sequence[float], period: Optional[float]) -> float:
    if period is None:
        return float(periods[-1])
    for p in periods:
        if math.isclose(p, period, rel_tol=1e-9):
            return float(p)
    raise NotComparable(f"--period {period:g}: not a period of every campaign; common periods: "
                        f"{', '.join(f'{p:g}' for p in periods)}")


def _common_reference_time(numbers: Sequence[CampaignNumbers]) -> float:
    """The shortest of the campaigns' longest measured tau_alpha: inside every campaign's data."""
    longest = [longest_tau(n) for n in numbers if not n.relaxation.empty]
    longest = [t for t in longest if math.isfinite(t)]
    return min(longest) if longest else math.nan


def _common_reduced(numbers: Sequence[CampaignNumbers], requested: float) -> Quantity:
    """The T/T_alpha where tau_alpha and D are compared: ``requested`` clipped to the range every
    campaign measured both in (the value carries no error; the note says why when there is none)."""
    ranges = [relaxation_range(n, column) for n in numbers for column in ("tau_alpha", "diffusion")]
    if any(r is None for r in ranges):
        return missing("needs tau_alpha and D at 2+ temperatures and T_alpha in every campaign")
    low, high = max(r[0] for r in ranges), min(r[1] for r in ranges)
    if low > high:
        return missing("the campaigns' tau_alpha/D ranges in T/T_alpha do not overlap")
    return Quantity(min(max(requested, low), high))


def _default_out(campaigns) -> Path:
    first = campaigns[0].source.resolve()
    folder = first.parent if first.suffix == ".h5" else first     # the campaign folder
    parent = folder.parent
    name = "comparison-" + "-".join("".join(ch if ch.isalnum() else "_" for ch in c.label) for c in campaigns)
    return parent / name
