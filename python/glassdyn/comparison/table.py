"""``comparison.csv`` and ``comparison.md``: one row per headline number, one column per campaign."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd

from glassdyn.comparison.numbers import CampaignNumbers, Quantity, interpolate_log, missing, species_rows
from glassdyn.results.panels import format_with_error

#: Marks a beta row whose component failed the "resolved" test (docs/compare.md).
NOT_RESOLVED = "not resolved"


@dataclass(frozen=True)
class Row:
    """One line of the table: what, in which unit, and one :class:`Quantity` per campaign."""

    quantity: str
    unit: str
    cells: list[Quantity]
    #: Significant digits of a number shown without an error (SOAP similarities differ from 1 in the 4th).
    digits: int = 4


def table_rows(numbers: Sequence[CampaignNumbers], periods: Sequence[float], reduced_temperature: float,
               relaxation_reduced: Quantity, reference_time: float) -> list[Row]:
    """Every row of the comparison table, in the order of docs/compare.md."""
    u = numbers[0].units
    time, temp = u.time, u.temperature
    rows = [Row("T_g (quench)", temp, [n.t_g for n in numbers])]
    for p in periods:
        rows.append(Row(f"T_alpha (t_omega = {p:g} {time})", temp, [_alpha(n, p) for n in numbers]))
    for p in periods:
        rows.append(Row(f"T_beta (t_omega = {p:g} {time})", temp, [_beta(n, p) for n in numbers]))
    rows += [Row("E_alpha (periods)", u.energy, [n.e_alpha for n in numbers]),
             Row("E_beta (periods)", u.energy, [n.e_beta for n in numbers])]
    reference = (f"tau_alpha = {reference_time:.3g} {time}" if math.isfinite(reference_time)
                 else "no tau_alpha")
    rows += [Row(f"fragility m at {reference}", "", [_fragility_m(n) for n in numbers]),
             Row("T_ref of m", temp, [_fragility_t(n) for n in numbers]),
             Row("apparent E of tau_alpha at T_ref", u.energy, [_fragility_e(n) for n in numbers])]
    rows += [Row("T_perc immobile", temp, [n.t_perc["immobile"] for n in numbers]),
             Row("T_perc mobile", temp, [n.t_perc["mobile"] for n in numbers]),
             Row("T_perc immobile - mobile", temp, [n.t_perc_separation for n in numbers])]
    at = f"T/T_alpha ~ {reduced_temperature:g}"
    rows.append(Row(f"T/T_alpha used for '{at}'", "", [n.reduced_temperature for n in numbers]))
    rows.append(Row(f"N_str/N_fast at {at}", "", [n.str_fraction for n in numbers]))
    rows.append(Row(f"C (all) at {at}", "", [n.cage[0] for n in numbers]))
    for names in species_rows(numbers):
        label = "/".join(dict.fromkeys(name for name in names if name is not None))
        rows.append(Row(f"C ({label}) at {at}", "", [n.cage[1 + n.species.index(name)] if name is not None
                                                      else missing("no species in this row") for n, name in
                                                      zip(numbers, names)]))
    if relaxation_reduced.present:
        common = f"T/T_alpha = {relaxation_reduced.value:.3g}"
        tau = [interpolate_log(n, "tau_alpha", relaxation_reduced.value) for n in numbers]
        d = [interpolate_log(n, "diffusion", relaxation_reduced.value) for n in numbers]
    else:
        common = "a common T/T_alpha"
        tau = d = [missing(relaxation_reduced.note)] * len(numbers)
    rows += [Row(f"tau_alpha at {common}", time, tau),
             Row(f"D at {common}", f"{u.distance}^2/{time}" if u.distance else "", d),
             Row("decoupling xi (D ~ tau_alpha^-xi)", "", [_decoupling(n) for n in numbers])]
    return rows


def _alpha(n: CampaignNumbers, period: float) -> Quantity:
    peak = n.peaks.get(period)
    if peak is None:
        return missing("no T_alpha: too few scan temperatures")
    if peak.at_edge:
        return Quantity(peak.t_alpha, math.nan, "loss maximum at the scan edge: T_alpha is only a bound")
    beta = n.beta.get(period)
    if beta is not None and beta.resolved:
        # The parabola sees the beta component's tail as part of the alpha peak.
        return Quantity(peak.t_alpha, peak.t_alpha_err,
                        f"beta resolved at {period:g} {n.units.time}: the parabola's T_alpha may be pulled toward "
                        f"T_beta; the two-component fit puts alpha at {beta.t_alpha_two:.4g} {n.units.temperature}")
    return Quantity(peak.t_alpha, peak.t_alpha_err)


def _beta(n: CampaignNumbers, period: float) -> Quantity:
    found = n.beta.get(period)
    if found is None:
        return missing("no loss scan at this period")
    if not found.resolved:
        return Quantity(note=f"{NOT_RESOLVED}: {found.reason}")
    return Quantity(found.t_beta, found.t_beta_err)


def _fragility_m(n: CampaignNumbers) -> Quantity:
    if n.fragility is None:
        return missing("no [relaxation] stage" if n.relaxation.empty
                       else "tau_alpha(T) fit never reaches the reference time")
    return Quantity(n.fragility.m, n.fragility.m_err)


def _fragility_t(n: CampaignNumbers) -> Quantity:
    return _fragility_m(n) if n.fragility is None else Quantity(n.fragility.t_ref)


def _fragility_e(n: CampaignNumbers) -> Quantity:
    return _fragility_m(n) if n.fragility is None else Quantity(n.fragility.energy_at_ref,
                                                                n.fragility.energy_at_ref_err)


def _decoupling(n: CampaignNumbers) -> Quantity:
    if n.decoupling is None:
        return missing("fewer than 2 temperatures with tau_alpha and D")
    return Quantity(n.decoupling.xi, n.decoupling.xi_err)


# --------------------------------------------------------------------------------------------------


def write_csv(rows: Sequence[Row], labels: Sequence[str], path: Path) -> Path:
    """Numbers as numbers: per campaign a value, an error and a note column (empty when not needed)."""
    records = []
    for row in rows:
        record = {"quantity": row.quantity, "unit": row.unit}
        for label, cell in zip(labels, row.cells):
            record[label] = cell.value if cell.present else None
            record[f"{label}_err"] = cell.error if math.isfinite(cell.error) else None
            record[f"{label}_note"] = cell.note
        records.append(record)
    pd.DataFrame.from_records(records).to_csv(path, index=False, float_format="%.10g")
    return path


def write_markdown(rows: Sequence[Row], labels: Sequence[str], path: Path, caption: str,
                   extra: Sequence[str] = ()) -> Path:
    """'value ± error' cells; a missing number is '—' and a footnote says why; ``extra`` lines
    (a section of sentences) follow the footnotes."""
    notes: dict[str, int] = {}

    def cell_text(cell: Quantity, digits: int) -> str:
        mark = ""
        if cell.note:
            notes.setdefault(cell.note, len(notes) + 1)
            mark = f" [{notes[cell.note]}]"
        if cell.present:
            exact = not cell.error > 1e-6 * abs(cell.value)     # nan, 0, or below the printed digits
            return (f"{cell.value:.{digits}g}" if exact else format_with_error(cell.value, cell.error)) + mark
        return (NOT_RESOLVED if cell.note.startswith(NOT_RESOLVED) else "—") + mark

    lines = [caption, "", "| quantity | unit | " + " | ".join(labels) + " |",
             "|---|---|" + "---|" * len(labels)]
    for row in rows:
        cells = " | ".join(cell_text(c, row.digits) for c in row.cells)
        lines.append(f"| {row.quantity} | {row.unit} | {cells} |")
    if notes:
        lines.append("")
        lines += [f"[{k}] {note}" for note, k in notes.items()]
    if extra:
        lines += ["", *extra]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
