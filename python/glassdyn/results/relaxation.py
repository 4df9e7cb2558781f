"""Harvest of the relaxation stages (``T<T>/relaxation``): fix dynamics/correlate and the string windows.

Three tidy tables, every column named as in :mod:`glassdyn.schema`:

* lags: one row per (temperature, species, lag): the fix's global array (``lag``, ``time``, ``msd``,
  ``alpha2``, ``fs``, ``overlap``, ``chi4``, ``n_origins``) at the stage's last step, read from
  ``correlate.txt``;
* derived: one row per (temperature, species): the fix's global vector (``tau_alpha``, ``diffusion``,
  ``diffusive_from``, ``diffusive_to``, ``t_star``, ``alpha2_peak``, ``chi4_peak``, ``chi4_time``),
  read from the ``glassdyn-relaxation`` line the stage printed to its log;
* windows: one row per (temperature, window): the stringlike/atom global vector averaged over the
  finished windows of that length (the rows of ``window<N>.txt`` at its window ends), with
  ``window`` (time), ``window_steps`` and ``n_windows``; with analysis.mobile = "both" also the jump
  definition's values (``windowj<N>.txt``) as ``jump_<name>``.

``species`` is "all" (every atom) or a species name, in atom type order.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from glassdyn.run.config import CampaignConfig
from glassdyn.run.inputs import (CORRELATE_ARRAY, CORRELATE_VECTOR, JUMP_PREFIX, RELAXATION_LINE, STRINGS,
                                 WINDOW_LINE, window_steps)
from glassdyn.run.plan import Plan, Stage

LAG_COLUMNS = CORRELATE_ARRAY.names
DERIVED_COLUMNS = CORRELATE_VECTOR.names
WINDOW_COLUMNS = STRINGS.names
#: The jump definition's window values (analysis.mobile = "both"), beside WINDOW_COLUMNS.
JUMP_WINDOW_COLUMNS = tuple(JUMP_PREFIX + name for name in STRINGS.names)


@dataclass
class RelaxationTables:
    lags: pd.DataFrame
    derived: pd.DataFrame
    windows: pd.DataFrame


def empty_tables() -> RelaxationTables:
    return RelaxationTables(
        lags=pd.DataFrame(columns=["temperature", "species", *LAG_COLUMNS]),
        derived=pd.DataFrame(columns=["temperature", "species", *DERIVED_COLUMNS]),
        windows=pd.DataFrame(columns=["temperature", "window", "window_steps", "n_windows", *WINDOW_COLUMNS]))


def _printed(log: Path, prefix: str) -> list[list[str]]:
    return [line.split()[1:] for line in log.read_text(encoding="utf-8").splitlines() if line.startswith(prefix + " ")]


def harvest_relaxation(root: Path, config: CampaignConfig, stage: Stage, damaged: Callable[[Path, str], Exception],
                       read_vector: Callable[[Path], dict], read_scalar: Callable[[Path], dict]) -> RelaxationTables:
    """The three tables of one finished relaxation stage; ``damaged(path, what)`` builds the error
    for a short output and ``read_vector`` / ``read_scalar`` read a ``fix ave/time`` file, refusing
    a missing or unreadable one (all the harvest's own, so the advice and the parsing are the same
    everywhere)."""
    folder = root / stage.name
    species = ["all"] + list(config.system.species)
    ntypes = len(species) - 1
    temperature = stage.temperature
    blocks = read_vector(folder / "correlate.txt")
    if stage.steps not in blocks:
        raise damaged(folder / "correlate.txt", f"has no block for step {stage.steps} (truncated?)")
    block = blocks[stage.steps]
    rows = []
    for s, name in enumerate(species):
        record = {"temperature": temperature, "species": name}
        for column in LAG_COLUMNS:
            per_set = CORRELATE_ARRAY.column(column).per_set
            record[column] = block[:, CORRELATE_ARRAY.index(column, ntypes=ntypes, set=s if per_set else 0) - 1]
        rows.append(pd.DataFrame(record))
    log = folder / "log.lammps"
    if not log.exists():
        raise damaged(log, "missing")
    printed = _printed(log, RELAXATION_LINE)
    if len(printed) != 1 or len(printed[0]) != CORRELATE_VECTOR.width(ntypes):
        raise damaged(log, f"has no complete {RELAXATION_LINE} line")
    vector = np.array(printed[0], dtype=float)
    derived = [{"temperature": temperature, "species": name,
                **{c: vector[CORRELATE_VECTOR.index(c, ntypes=ntypes, set=s) - 1] for c in DERIVED_COLUMNS}}
               for s, name in enumerate(species)]
    windows = []
    both = config.analysis.mobile == "both"
    sources = [("", WINDOW_COLUMNS)] + ([("j", JUMP_WINDOW_COLUMNS)] if both else [])
    running = bool(_printed(log, WINDOW_LINE))
    for window, steps in zip(config.relaxation.string_windows, window_steps(config)):  # type: ignore[union-attr]
        record = {"temperature": temperature, "window": window, "window_steps": steps}
        for tag, columns in sources:
            path = folder / f"window{tag}{steps}.txt"
            values = window_values(read_scalar(path), steps, stage.steps, running)
            if values is None or values.shape[1] != len(columns):
                raise damaged(path, f"has not the {len(columns)} values at each of the {stage.steps // steps} window "
                                    f"ends (truncated?)")
            record["n_windows"] = len(values)
            record.update(zip(columns, values.mean(axis=0).tolist()))
        windows.append(record)
    tables = empty_tables()
    window_columns = list(tables.windows.columns) + (list(JUMP_WINDOW_COLUMNS) if both else [])
    return RelaxationTables(lags=pd.concat(rows, ignore_index=True),
                            derived=pd.DataFrame(derived, columns=tables.derived.columns),
                            windows=pd.DataFrame(windows, columns=window_columns))


def window_values(rows: dict[int, np.ndarray], window: int, steps: int, running: bool) -> np.ndarray | None:
    """The stringlike/atom vector of each finished window (windows x values) from a window file's
    rows (step -> values), or None when a window end is missing.

    The file's first row is the run's first step, before any window ended: fix ave/time samples the
    first step of a run when it is a multiple of its Nfreq, even with ``start`` later (LAMMPS
    FixAveTime::nextvalid), so that row is all zeros and is not a window. Stages written before 0.2
    (``running``) wrote running means ``ave running`` over the rows *including* that zero row, which
    biased every mean by K/(K+1) for K windows; the window values are recovered exactly from the
    running means A_j over samples 0..j as s_j = (j+1) A_j - j A_(j-1).
    """
    ends = list(range(window, steps + 1, window))
    if any(end not in rows for end in ends) or 0 not in rows:
        return None
    values = np.array([rows[end] for end in ends])
    if running:
        means = np.vstack([rows[0], values])
        counts = np.arange(1, len(means))[:, None]
        values = (counts + 1) * means[1:] - counts * means[:-1]
    return values


def harvest_all(root: Path, config: CampaignConfig, plan: Plan, damaged: Callable[[Path, str], Exception],
                read_vector: Callable[[Path], dict], read_scalar: Callable[[Path], dict]) -> RelaxationTables:
    """The relaxation tables of every temperature (empty tables without a relaxation stage)."""
    found = [harvest_relaxation(root, config, chain.relaxation, damaged, read_vector, read_scalar)
             for chain in plan.chains if chain.relaxation is not None]
    if not found:
        return empty_tables()
    return RelaxationTables(*(pd.concat([getattr(t, name) for t in found], ignore_index=True)
                              for name in ("lags", "derived", "windows")))


def relaxation_summary(derived: pd.DataFrame, windows: pd.DataFrame, species: Sequence[str]) -> pd.DataFrame:
    """One row per temperature for summary.csv: ``tau_alpha``, ``D``, ``t_star``, ``chi4_peak`` of all
    atoms, ``tau_alpha_<s>``, ``D_<s>``, ``t_star_<s>``, ``chi4_peak_<s>`` per species, and
    ``xi_peak_window``: the string window length with the largest mean <xi> (``xi_number``)."""
    rows = []
    for temperature, group in derived.groupby("temperature", sort=True):
        record = {"temperature": float(temperature)}
        for name in ["all", *species]:
            row = group[group["species"] == name]
            if row.empty:
                continue
            suffix = "" if name == "all" else f"_{name}"
            row = row.iloc[0]
            record.update({f"tau_alpha{suffix}": row["tau_alpha"], f"D{suffix}": row["diffusion"],
                           f"t_star{suffix}": row["t_star"], f"chi4_peak{suffix}": row["chi4_peak"]})
        scan = windows[windows["temperature"] == temperature]
        record["xi_peak_window"] = (float(scan.loc[scan["xi_number"].astype(float).idxmax(), "window"])
                                    if len(scan) else float("nan"))
        rows.append(record)
    return pd.DataFrame(rows)
