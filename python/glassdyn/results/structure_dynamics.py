"""Structure-dynamics correlation of a campaign's snapshots: per-atom geometry against the
per-atom dynamics of the same analysis window (docs/correlate.md, "In campaigns").

Each snapshot of the chosen kind (``inherent`` by default: H4's Voronoi indices of thermal
configurations are noisy) is one group: its per-atom descriptors
(:func:`glassdyn.structure.per_atom_descriptors`) are joined by atom ID with the window's
dynamics (``u``, ``string_size`` = xi, ``in_string``, ``mobile``, ``broken``, ``fraction_lost``:
the harvested names that exist and vary). With ``standardise="group"`` (default) every numeric
descriptor and every quantity is turned into z-scores within its own snapshot before the
snapshots are pooled, so the models predict where an atom ranks within its own window (the
"propensity" view) and the temperature dependence of the means does not pass for a structural
effect. Then :class:`DescriptorCorrelation` and :class:`CoarseGrainedCorrelation` (each
snapshot's own positions and box) of the scalar descriptors and, from 3 snapshots on,
:class:`LinearPredictability` (whole snapshots held out) of all of them, partial-RDF shell counts
included.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from glassdyn.results.panels import ReportWarning
from glassdyn.results.snapshots import Snapshot

__all__ = ["DEFAULT_QUANTITIES", "REPORT_FOLDER", "campaign_structure_dynamics", "length_scale",
           "report_structure_dynamics", "snapshot_structure"]

#: Per-atom dynamics correlated by default (the harvested names; those a campaign lacks are left out).
DEFAULT_QUANTITIES = ("u", "string_size", "in_string", "mobile", "broken", "fraction_lost")
#: The report's folder for the page.
REPORT_FOLDER = "structure_dynamics"
#: Mean interatomic spacing (V/N)^(1/3) of the Cu64Zr36 glass the Å defaults of glassdyn.structure
#: were chosen for; lj runs scale every default length by their own spacing over this one.
METAL_SPACING = 2.55
#: The partial-RDF shell counts (tens of columns): features of the linear model only, left out of the
#: coefficient heat map and the coarse-graining (which they would make unreadable and slow to draw).
PROFILE_PREFIX = "prdf_"
#: Fewest snapshots (groups) for the held-out linear model (LinearPredictability.MIN_GROUPS).
MIN_GROUPS = 3


def length_scale(snapshot: Snapshot) -> float:
    """Factor applied to glassdyn.structure's Å defaults: 1 in metal units; in lj units the
    snapshot's mean spacing (V/N)^(1/3) over :data:`METAL_SPACING`."""
    if snapshot.units == "metal":
        return 1.0
    volume = abs(float(np.linalg.det(snapshot.box.cell)))
    return (volume / snapshot.natoms) ** (1.0 / 3.0) / METAL_SPACING


def snapshot_structure(snapshot: Snapshot) -> Any:
    """The snapshot as a :class:`glassdyn.structure.Structure` (its box, positions, types, ids)."""
    from glassdyn.io import Box
    from glassdyn.structure import Structure

    box = Box(tuple(float(v) for v in snapshot.box.lo), tuple(float(v) for v in snapshot.box.hi),
              tuple(float(v) for v in snapshot.box.tilt))
    return Structure(box, snapshot.positions, snapshot.types, snapshot.ids)


def _label(snapshot: Snapshot) -> str:
    return f"T{snapshot.temperature:g}_P{snapshot.period:g}_c{snapshot.cycle}"


def _chosen(results: Any, kind: str, temperatures: Optional[Sequence[float]]) -> list[Snapshot]:
    snapshots: list[Snapshot] = list(getattr(results, "snapshots", []) or [])
    if not snapshots:
        raise ValueError("the campaign has no snapshots: add a [snapshots] table (docs/driver.md)")
    kinds = sorted({s.kind for s in snapshots})
    chosen = [s for s in snapshots if s.kind == kind]
    if not chosen:
        raise ValueError(f"kind={kind!r}: the campaign has no such snapshots; it has {kinds}")
    if temperatures is not None:
        wanted = {f"{float(t):g}" for t in temperatures}
        have = sorted({s.temperature for s in chosen})
        chosen = [s for s in chosen if f"{s.temperature:g}" in wanted]
        if not chosen:
            raise ValueError(f"temperatures={list(temperatures)}: no {kind} snapshot there; snapshot temperatures: "
                             f"{have}")
    return sorted(chosen, key=lambda s: (s.temperature, s.period, s.cycle))


def _quantities(snapshots: Sequence[Snapshot], quantities: Optional[Sequence[str]]) -> list[str]:
    columns = [c for c in snapshots[0].dynamics.columns if c != "id"]
    if quantities is None:
        return [q for q in DEFAULT_QUANTITIES if q in columns]
    missing = [q for q in quantities if q not in columns]
    if missing:
        raise ValueError(f"quantities: {missing} are not per-atom dynamics of the snapshots; they have {columns}")
    return list(quantities)


def _zscores(table: pd.DataFrame, groups: np.ndarray) -> pd.DataFrame:
    """Each numeric column as (value - group mean) / group s.d.; 0 where a group's column is constant."""
    out = table.copy()
    numeric = [c for c in table.columns
               if pd.api.types.is_numeric_dtype(table[c]) or pd.api.types.is_bool_dtype(table[c])]
    values = table[numeric].to_numpy(dtype=float)
    result = np.zeros_like(values)
    for group in pd.unique(groups):
        rows = groups == group
        block = values[rows]
        scale = block.std(axis=0)
        result[rows] = np.where(scale > 0, (block - block.mean(axis=0)) / np.where(scale > 0, scale, 1.0), 0.0)
    for k, column in enumerate(numeric):
        out[column] = result[:, k]
    return out


def _constant(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if table[c].nunique(dropna=False) <= 1]


def _descriptor_lengths(scale: float, height: float) -> dict[str, Any]:
    """glassdyn.structure's Å defaults times ``scale``, kept below half the thinnest box (the
    neighbour search's limit; the entropy integral reaches 3 sigma past its cutoff)."""
    limit = 0.49 * height
    sigma = 0.2 * scale
    edges = np.round(np.arange(2.0, 6.0 + 1e-9, 0.25) * scale, 6)
    edges = edges[edges < limit]
    return dict(entropy_sigma=sigma, entropy_cutoff=min(6.0 * scale, limit - 3.5 * sigma),
                profile_edges=edges if len(edges) >= 2 else None)


def structure_dynamics_tables(results: Any, *, kind: str = "inherent", temperatures: Optional[Sequence[float]] = None,
                              quantities: Optional[Sequence[str]] = None, standardise: str = "group"
                              ) -> dict[str, Any]:
    """The pooled inputs of the correlation classes: ``descriptors``, ``dynamics`` (index (group,
    id)), ``groups``, ``positions`` (N, 3), ``boxes`` (group -> glassdyn.io.Box), ``scale``
    (:func:`length_scale`) and ``notes`` (what was chosen or left out, in words)."""
    from glassdyn.structure import per_atom_descriptors

    if standardise not in ("group", "none"):
        raise ValueError(f"standardise must be 'group' or 'none', got {standardise!r}")
    snapshots = _chosen(results, kind, temperatures)
    names = _quantities(snapshots, quantities)
    if not names:
        raise ValueError("quantities: the snapshots have none of the default per-atom dynamics "
                         f"{list(DEFAULT_QUANTITIES)}; name them with quantities=")
    scale = length_scale(snapshots[0])
    structures = [snapshot_structure(shot) for shot in snapshots]
    options = _descriptor_lengths(scale, min(s.shortest_height() for s in structures))
    parts, dynamics, positions, boxes = [], [], [], {}
    for shot, structure in zip(snapshots, structures):
        label = _label(shot)
        table = per_atom_descriptors(structure, species=list(shot.species), **options).drop(columns=["species"])
        window = shot.dynamics.set_index("id").loc[table.index, names]
        index = pd.MultiIndex.from_arrays([np.full(len(table), label, dtype=object), table.index],
                                          names=["group", "id"])
        parts.append(table.set_axis(index))
        dynamics.append(window.set_axis(index).astype(float))
        positions.append(structure.positions)
        boxes[label] = structure.box
    descriptors = pd.concat(parts).fillna(0.0)      # a species missing from one snapshot: zero counts
    dynamic = pd.concat(dynamics)
    groups = descriptors.index.get_level_values("group").to_numpy()
    notes = [f"{len(snapshots)} {kind} snapshot(s) (groups): {', '.join(pd.unique(groups))}"]
    dropped = _constant(dynamic)
    if standardise == "group":
        descriptors, dynamic = _zscores(descriptors, groups), _zscores(dynamic, groups)
        notes.append("descriptors and dynamics standardised within each snapshot (z-scores): the models predict "
                     "where an atom ranks within its own window")
    dropped = sorted(set(dropped) | set(_constant(dynamic)))
    if dropped:
        notes.append(f"quantities left out (constant within every snapshot): {dropped}")
        dynamic = dynamic.drop(columns=dropped)
    if dynamic.shape[1] == 0:
        raise ValueError(f"every quantity ({names}) is constant within every snapshot: nothing to correlate")
    constant = _constant(descriptors)
    if constant:
        descriptors = descriptors.drop(columns=constant)
        notes.append(f"{len(constant)} constant descriptor column(s) left out")
    return dict(descriptors=descriptors, dynamics=dynamic, groups=groups, positions=np.concatenate(positions),
                boxes=boxes, scale=scale, notes=notes)


def _radii(radii: Optional[Sequence[float]], scale: float, boxes: dict[str, Any]) -> list[float]:
    from glassdyn.correlate.coarse import DEFAULT_RADII
    from glassdyn.structure import Structure

    if radii is not None:
        return list(radii)
    # Below half the thinnest box (the neighbour search's limit) in every snapshot.
    limit = min(Structure(box, np.zeros((2, 3)), [1, 1]).shortest_height() for box in boxes.values()) * 0.49
    return [r * scale for r in DEFAULT_RADII if r * scale < limit]


def campaign_structure_dynamics(results: Any, *, kind: str = "inherent", temperatures: Optional[Sequence[float]] = None,
                                quantities: Optional[Sequence[str]] = None, radii: Optional[Sequence[float]] = None,
                                model: str = "ridge", standardise: str = "group", name: Optional[str] = None) -> Any:
    """Correlate per-atom structure with per-atom dynamics over a campaign's snapshots.

    Parameters
    ----------
    results : CampaignResults
        A campaign with ``[snapshots]`` (:attr:`CampaignResults.snapshots`).
    kind : str
        Structure the descriptors are computed on: ``"inherent"`` (default), ``"thermal"`` (window
        start) or ``"dynamics"`` (window end); the dynamics are always the window's.
    temperatures : sequence of float, optional
        Only the snapshots at these temperatures (default all).
    quantities : sequence of str, optional
        Per-atom dynamics columns (default those of :data:`DEFAULT_QUANTITIES` present). Columns
        constant within every snapshot are left out.
    radii : sequence of float, optional
        Coarse-graining radii (default glassdyn.correlate's, times :func:`length_scale`, below half
        the thinnest box).
    model : str
        ``"ridge"`` or ``"lasso"`` for :class:`LinearPredictability`.
    standardise : str
        ``"group"`` (default): z-scores within each snapshot before pooling; ``"none"``: raw values.
    name : str, optional
        Name of the result (default the campaign's name).

    Returns
    -------
    glassdyn.correlate.CorrelationResults
        coefficients, coarse and (with 3 or more snapshots) linear; with fewer the linear model is
        skipped with a :class:`ReportWarning` saying why. ``correlation_report`` draws the page.
    """
    return _compute(results, kind=kind, temperatures=temperatures, quantities=quantities, radii=radii, model=model,
                    standardise=standardise, name=name)[0]


def _compute(results: Any, *, kind: str, temperatures: Optional[Sequence[float]], quantities: Optional[Sequence[str]],
             radii: Optional[Sequence[float]], model: str, standardise: str, name: Optional[str]
             ) -> tuple[Any, list[str]]:
    from glassdyn.correlate import (CoarseGrainedCorrelation, CorrelationResults, DescriptorCorrelation,
                                    LinearPredictability)

    tables = structure_dynamics_tables(results, kind=kind, temperatures=temperatures, quantities=quantities,
                                       standardise=standardise)
    x, y, groups, notes = tables["descriptors"], tables["dynamics"], tables["groups"], tables["notes"]
    local = x[[c for c in x.columns if not c.startswith(PROFILE_PREFIX)]]
    coefficients = DescriptorCorrelation().compute(local, y, groups)
    chosen_radii = _radii(radii, tables["scale"], tables["boxes"])
    coarse = CoarseGrainedCorrelation(radii=chosen_radii).compute(local, y, tables["positions"], tables["boxes"],
                                                                 groups)
    linear = None
    n_groups = len(pd.unique(groups))
    if n_groups >= MIN_GROUPS:
        linear = LinearPredictability(model=model).compute(x, y, groups)
    else:
        why = (f"no linear model: {n_groups} snapshot(s), LinearPredictability needs at least {MIN_GROUPS} to hold "
               "whole snapshots out (atoms of one snapshot are spatially correlated)")
        notes.append(why)
        warnings.warn(why, ReportWarning, stacklevel=3)
    label = name or str(getattr(results, "metadata", {}).get("name") or "campaign")
    return CorrelationResults(label, coefficients=coefficients, coarse=coarse, linear=linear), notes


def report_structure_dynamics(results: Any, outdir: str | Path, formats: Sequence[str] = ("png", "pdf")) -> list[Path]:
    """The report's structure-dynamics page in ``<outdir>/structure_dynamics/`` (correlation_report
    plus ``settings.txt``), on the inherent snapshots (else the thermal ones). Nothing, and nothing
    imported, for a campaign without snapshots; a :class:`ReportWarning` saying why when the page
    cannot be drawn (missing package, bad data) or lacks the linear model (fewer than 3 snapshots)."""
    snapshots = getattr(results, "snapshots", None)
    if not snapshots:
        return []
    kinds = {s.kind for s in snapshots}
    kind = "inherent" if "inherent" in kinds else "thermal" if "thermal" in kinds else "dynamics"
    try:
        from glassdyn.correlate import correlation_report

        result, notes = _compute(results, kind=kind, temperatures=None, quantities=None, radii=None, model="ridge",
                                 standardise="group", name=None)
    except ImportError as error:
        warnings.warn(f"no structure-dynamics page: {error}", ReportWarning, stacklevel=2)
        return []
    except ValueError as error:
        warnings.warn(f"no structure-dynamics page: {error}", ReportWarning, stacklevel=2)
        return []
    folder = Path(outdir) / REPORT_FOLDER
    written = correlation_report(result, folder, formats=formats)
    settings = folder / "settings.txt"
    settings.write_text("\n".join(notes) + "\n", encoding="utf-8")
    return written + [settings]
