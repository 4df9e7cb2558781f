"""Structure in a comparison of campaigns with ``[snapshots]``: SOAP similarity rows of the table
and the side-by-side structure-dynamics page (docs/compare.md, "Structure rows").

Species are paired by type order, like every per-species row of the comparison: the SOAP
descriptor labels type k "type<k>" in every campaign, so Pd-Cu-P against Pd-Ni-P compares Cu
with Ni. Nothing here runs when no campaign has snapshots.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from glassdyn.comparison.checks import CompareWarning
from glassdyn.comparison.numbers import CampaignNumbers, Quantity, missing
from glassdyn.comparison.table import Row
from glassdyn.results.snapshots import Snapshot
from glassdyn.results.structure_dynamics import (REPORT_FOLDER, campaign_structure_dynamics, length_scale,
                                                 snapshot_structure)

#: SOAP centres drawn per structure (the estimator's error is reported; docs/structure.md: ~4e-4 at 500).
SOAP_CENTERS = 500
#: Structures the similarity uses, in order of preference.
SIMILARITY_KINDS = ("inherent", "thermal")
NO_SNAPSHOTS = "no [snapshots] in this campaign"


@dataclass
class StructureComparison:
    """What the comparison adds for snapshots: table rows, written files, sentences for comparison.md."""

    rows: list[Row] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)


def compare_structure(numbers: Sequence[CampaignNumbers], reduced_temperature: float, out: Path,
                      formats: Sequence[str]) -> StructureComparison:
    """Similarity rows and the structure-dynamics page; empty when no campaign has snapshots."""
    if not any(n.campaign.results.snapshots for n in numbers):
        return StructureComparison()
    found = StructureComparison(rows=similarity_rows(numbers, reduced_temperature))
    found.written, found.sentences = structure_dynamics_page(numbers, out / REPORT_FOLDER, formats)
    return found


# ---------------------------------------------------------------------------------------------- similarity
def _structures(n: CampaignNumbers) -> tuple[str, list[Snapshot]]:
    """The campaign's inherent (else thermal) snapshots at the comparison's period (else any), by T."""
    snapshots = n.campaign.results.snapshots
    for kind in SIMILARITY_KINDS:
        chosen = [s for s in snapshots if s.kind == kind]
        if chosen:
            at_period = [s for s in chosen if math.isclose(s.period, n.period, rel_tol=1e-9)]
            return kind, sorted(at_period or chosen, key=lambda s: (s.temperature, s.period, s.cycle))
    return "", []


def _nearest(n: CampaignNumbers, shots: list[Snapshot], reduced: float) -> tuple[Snapshot, Optional[float]]:
    """The snapshot nearest ``reduced`` T_alpha and its T/T_alpha (without T_alpha: the coldest, None)."""
    if n.peak is None:
        return shots[0], None
    target = reduced * n.peak.t_alpha
    best = min(shots, key=lambda s: abs(s.temperature - target))
    return best, best.temperature / n.peak.t_alpha


def similarity_rows(numbers: Sequence[CampaignNumbers], reduced_temperature: float) -> list[Row]:
    """SOAP K of each campaign's structure near ``reduced_temperature`` T_alpha with the first
    campaign's, the T and T/T_alpha each used, and each campaign's K(coldest, hottest snapshot)."""
    at = f"T/T_alpha ~ {reduced_temperature:g}"
    first = numbers[0].label
    names = [f"SOAP similarity K to {first} at {at}", f"T of the SOAP structure at {at}",
             f"T/T_alpha of the SOAP structure at {at}", "SOAP self-similarity K(coldest, hottest snapshot)"]
    units = ["", numbers[0].units.temperature, "", ""]
    chosen = [_structures(n) for n in numbers]
    try:
        from glassdyn.structure import SOAPDescriptor, StructuralSimilarity  # noqa: F401

        descriptor = _descriptor(numbers, chosen)
        cells = _similarity_cells(numbers, chosen, descriptor, reduced_temperature)
    except ImportError as error:
        warnings.warn(f"no SOAP similarity rows: {error}", CompareWarning, stacklevel=3)
        cells = [[missing(f"needs the structure extras: {error}")] * len(numbers) for _ in names]
    return [Row(name, unit, row, digits=6) for name, unit, row in zip(names, units, cells)]


def _descriptor(numbers: Sequence[CampaignNumbers], chosen: list[tuple[str, list[Snapshot]]]) -> Any:
    from glassdyn.structure import SOAPDescriptor

    first = next(shots[0] for _, shots in chosen if shots)
    types = max(int(s.types.max()) for _, shots in chosen for s in shots)
    types = max(types, max(len(n.species) for n in numbers))
    scale = length_scale(first)       # the docs/structure.md defaults (Å), scaled by the spacing in lj units
    return SOAPDescriptor([f"type{k}" for k in range(1, types + 1)], r_cut=6.0 * scale, sigma=0.5 * scale,
                          n_centers=SOAP_CENTERS)


def _similarity_cells(numbers: Sequence[CampaignNumbers], chosen: list[tuple[str, list[Snapshot]]], descriptor: Any,
                      reduced: float) -> list[list[Quantity]]:
    averages: dict[int, Any] = {}

    def average(shot: Snapshot) -> Any:
        if id(shot) not in averages:
            averages[id(shot)] = descriptor.compute(snapshot_structure(shot)).average()
        return averages[id(shot)]

    from glassdyn.structure import StructuralSimilarity

    similarity, temperature, ratio, self_k = [], [], [], []
    reference = None
    for k, (n, (kind, shots)) in enumerate(zip(numbers, chosen)):
        if not shots:
            for column in (similarity, temperature, ratio, self_k):
                column.append(missing(NO_SNAPSHOTS))
            continue
        shot, reduced_at = _nearest(n, shots, reduced)
        where = f"{kind} snapshot at T = {shot.temperature:g}"
        temperature.append(Quantity(shot.temperature, 0.0, where if reduced_at is not None
                                    else f"{where}: no T_alpha, the coldest snapshot"))
        ratio.append(Quantity(reduced_at) if reduced_at is not None else missing("no T_alpha at this period"))
        if k == 0:
            reference = shot
            similarity.append(Quantity(1.0, 0.0, "the reference campaign"))
        elif reference is None:
            similarity.append(missing(f"the reference campaign {numbers[0].label}: {NO_SNAPSHOTS}"))
        else:
            found = StructuralSimilarity(descriptor).compute(average(reference), average(shot))
            similarity.append(Quantity(found.similarity, found.error, "species paired by type order; "
                                       f"{SOAP_CENTERS} SOAP centres each (error: the estimator's bootstrap)"))
        low, high = shots[0], shots[-1]
        if math.isclose(low.temperature, high.temperature):
            self_k.append(missing("snapshots at one temperature only"))
        else:
            found = StructuralSimilarity(descriptor).compute(average(low), average(high))
            self_k.append(Quantity(found.similarity, found.error,
                                   f"{kind} snapshots at T = {low.temperature:g} and {high.temperature:g}"))
    return [similarity, temperature, ratio, self_k]


# ---------------------------------------------------------------------------------------------- page
def structure_dynamics_page(numbers: Sequence[CampaignNumbers], out: Path,
                            formats: Sequence[str]) -> tuple[list[Path], list[str]]:
    """correlation_report of every campaign with snapshots side by side in ``out``, and the
    sentences for comparison.md ("geometry predicts X % ... in A and Y % in B ...")."""
    from_campaigns, sentences = [], []
    for n in numbers:
        if not n.campaign.results.snapshots:
            sentences.append(f"{n.label}: {NO_SNAPSHOTS}, no structure-dynamics page.")
            continue
        kinds = {s.kind for s in n.campaign.results.snapshots}
        kind = "inherent" if "inherent" in kinds else "thermal" if "thermal" in kinds else "dynamics"
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = campaign_structure_dynamics(n.campaign.results, kind=kind, name=n.label)
        except (ImportError, ValueError) as error:
            warnings.warn(f"{n.label}: no structure-dynamics page: {error}", CompareWarning, stacklevel=3)
            sentences.append(f"{n.label}: no structure-dynamics page: {error}.")
            continue
        for warning in caught:
            warnings.warn(f"{n.label}: {warning.message}", CompareWarning, stacklevel=3)
            sentences.append(f"{n.label}: {warning.message}.")
        from_campaigns.append(result)
    if not from_campaigns:
        return [], sentences
    from glassdyn.correlate import comparison_sentences, correlation_report, predictability_sentences

    written = correlation_report(from_campaigns, out, formats=formats)
    together = comparison_sentences(from_campaigns)
    if together:
        sentences = [s[0].upper() + s[1:] + "." for s in together] + sentences
    else:
        sentences = [f"{r.name}: {s}." for r in from_campaigns if r.linear is not None
                     for s in predictability_sentences(r.linear)] + sentences
    return written, sentences
