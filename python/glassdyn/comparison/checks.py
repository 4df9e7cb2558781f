"""Loading the campaigns to compare and refusing those that cannot be put side by side."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from glassdyn.results.campaign_data import CampaignResults
from glassdyn.results.store import ResultsError, load


class NotComparable(ResultsError):
    """The campaigns differ in something that makes their numbers incomparable (one line says what)."""


class CompareWarning(UserWarning):
    """The campaigns can be compared, but something the user should know differs."""


@dataclass(frozen=True)
class Campaign:
    """One campaign of a comparison: its label, where it was read from, and its results."""

    label: str
    source: Path
    results: CampaignResults


def load_campaigns(sources: Sequence[str | Path | CampaignResults],
                   labels: Optional[Sequence[str]] = None) -> list[Campaign]:
    """Load each campaign (folder, ``results.h5`` or an already loaded :class:`CampaignResults`).

    Labels default to the campaign names; repeated ones get ``#2``, ``#3``... appended.

    Raises
    ------
    ValueError
        With fewer than two campaigns, or when ``labels`` does not give one label per campaign.
    ResultsMissing
        When a campaign has no results file yet (the message names the folder).
    """
    if len(sources) < 2:
        raise ValueError(f"compare needs at least two campaigns, got {len(sources)}")
    if labels is not None and len(labels) != len(sources):
        raise ValueError(f"labels: {len(labels)} given for {len(sources)} campaigns; give one per campaign")
    campaigns = []
    seen: dict[str, int] = {}
    for k, source in enumerate(sources):
        results = source if isinstance(source, CampaignResults) else load(source)
        path = Path(str(results.metadata.get("name", f"campaign{k + 1}"))) if isinstance(source, CampaignResults) \
            else Path(source)
        label = str(labels[k]) if labels is not None else str(results.metadata.get("name") or path.stem)
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label} #{seen[label]}"
        if results.summary.empty:
            raise ResultsError(f"{path}: the results hold no DMS scan (empty summary); nothing to compare")
        campaigns.append(Campaign(label, path, results))
    return campaigns


def common_periods(campaigns: Sequence[Campaign]) -> list[float]:
    """The DMS periods every campaign measured (as stored in the first one), increasing."""
    first = campaigns[0].results.periods
    return [p for p in first
            if all(any(math.isclose(p, q, rel_tol=1e-9) for q in c.results.periods) for c in campaigns[1:])]


def check_comparable(campaigns: Sequence[Campaign]) -> list[float]:
    """Refuse campaigns that differ in units, DMS axis, mobile-atom definition or jump-range kind, or
    share no period; warn when the compositions differ only in species names. Returns the common periods.

    Raises
    ------
    NotComparable
        One line naming the difference and each campaign's value.
    """
    checked = [("units", "unit style"), ("axis", "DMS axis"), ("mobile", "mobile-atom definition (analysis.mobile)")]
    if any(_setting(c, "mobile") != "fraction" for c in campaigns):   # the jump range only defines jump mobility
        checked.append(("jump_range_unit", "jump-range kind (analysis.jump_range_unit)"))
    for key, what in checked:
        values = {c.label: _setting(c, key) for c in campaigns}
        if len({str(v) for v in values.values()}) > 1:
            listing = ", ".join(f"{label}: {value}" for label, value in values.items())
            raise NotComparable(f"campaigns are not comparable: different {what} ({listing})")
    periods = common_periods(campaigns)
    if not periods:
        listing = "; ".join(f"{c.label}: {', '.join(f'{p:g}' for p in c.results.periods)}" for c in campaigns)
        raise NotComparable(f"campaigns are not comparable: no DMS period in common (periods {listing})")
    _warn_on_renamed_species(campaigns)
    return periods


#: Values of settings that campaigns harvested before the setting existed implicitly had.
_DEFAULTS = {"axis": "x", "mobile": "fraction", "jump_range_unit": "distance"}


def _setting(campaign: Campaign, key: str):
    value = campaign.results.metadata.get(key)
    return _DEFAULTS.get(key) if value in (None, "") else value


def _warn_on_renamed_species(campaigns: Sequence[Campaign]) -> None:
    compositions = [{str(k): float(v) for k, v in (c.results.metadata.get("composition") or {}).items()}
                    for c in campaigns]
    first = compositions[0]
    for campaign, other in zip(campaigns[1:], compositions[1:]):
        same_fractions = (len(other) == len(first)
                          and all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
                                  for a, b in zip(first.values(), other.values())))
        if same_fractions and set(other) != set(first):
            warnings.warn(f"compositions differ only in species names ({campaigns[0].label}: {_formula(first)}, "
                          f"{campaign.label}: {_formula(other)}); per-species rows and panels pair species by "
                          "their position in the type order", CompareWarning, stacklevel=3)


def _formula(composition: dict[str, float]) -> str:
    total = sum(composition.values()) or 1.0
    return "".join(f"{name}{100 * value / total:g}" for name, value in composition.items())
