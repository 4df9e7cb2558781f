"""Reading what the stages wrote into tidy tables (:class:`CampaignResults`).

Only the cycle ends of each segment are taken: the line ``fix ave/time`` writes at a segment's
first step repeats the previous segment's last cycle (or holds zeros at step 0).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from glassdyn import schema
from glassdyn.results.campaign_data import CYCLE_QUANTITIES, CampaignResults
from glassdyn.results.relaxation import RelaxationTables, harvest_all, harvest_relaxation, relaxation_summary
from glassdyn.results.snapshots import harvest_snapshots
from glassdyn.run.config import CampaignConfig
from glassdyn.run.errors import StateError
from glassdyn.run.inputs import CYCLE_COLUMNS, JUMP_PREFIX, SHEAR_AXES, SIZE_COLUMNS, window_layouts
from glassdyn.run.plan import Plan, Stage
from glassdyn.units import unit_system

# Column names are the schema's (glassdyn.schema, declared in C++): the same from the plugin's
# outputs to the HDF5 datasets and CSV columns.
STRING_COLUMNS = schema.names("stringlike/atom", "vector")
#: The same values by the jump definition, beside the fraction ones (analysis.mobile = "both").
JUMP_STRING_COLUMNS = tuple(JUMP_PREFIX + name for name in STRING_COLUMNS)
#: Per-cycle columns present only in some campaigns: the jump definition's values and the r1 the
#: jump range is relative to (analysis.jump_range_unit = "r1"; one value per temperature).
OPTIONAL_CYCLE_COLUMNS = JUMP_STRING_COLUMNS + ("r1",)
CAGE_COLUMNS = schema.names("cage/atom", "vector")
PERCOLATION_COLUMNS = schema.names("percolation/atom", "vector")
#: p(u) summary of set 0 (all atoms) only; per-type p(u) is kept as histograms.
PU_SUMMARY = schema.names("displacement/distribution", "vector")
#: Per-type cage table columns (the cage/atom array without its ``type`` column).
CAGE_TYPE_COLUMNS = tuple(name for name in schema.names("cage/atom", "array") if name != "type")
QUENCH_COLUMNS = ("stage", "step", "time", "temperature", "target", "pe", "enthalpy", "volume")


def tidy_tables(results: CampaignResults) -> CampaignResults:
    """One row order for every table (scan keys, then species in type order), and the summary
    computed from the ordered tables, so that a harvested campaign and the same campaign loaded
    from its file compare equal (the summary's per-species columns follow type order)."""
    order = {name: k for k, name in enumerate(["all"] + list(results.metadata["species"]))}

    def by(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        if "species" in frame:
            frame = frame.assign(_order=frame["species"].map(order))
            keys = [("_order" if k == "species" else k) for k in keys]
            return frame.sort_values(keys, kind="stable").drop(columns="_order").reset_index(drop=True)
        return frame.sort_values(keys, kind="stable").reset_index(drop=True)

    scan = ["temperature", "period"]
    results.cycles = by(results.cycles, scan + ["cycle"])
    results.cage_types = by(results.cage_types, scan + ["cycle", "species"])
    results.string_sizes = by(results.string_sizes, scan + ["cycle", "xi"])
    results.displacement = by(results.displacement, scan + ["species", "bin"])
    results.summary = summarise_cycles(results.cycles, results.cage_types)
    if len(results.relaxation_times):
        results.relaxation = by(results.relaxation, ["temperature", "species", "lag"])
        results.relaxation_times = by(results.relaxation_times, ["temperature", "species"])
        results.string_windows = by(results.string_windows, ["temperature", "window"])
        relaxed = relaxation_summary(results.relaxation_times, results.string_windows, results.metadata["species"])
        results.summary = results.summary.merge(relaxed, on="temperature", how="left")
    results.quench = results.quench[list(QUENCH_COLUMNS)]
    return results


def _complete_lines(path: Path) -> list[str]:
    """The lines of an output file; LAMMPS ends every line, so a last line without its newline
    was cut short (a full disk, a damaged copy) and is refused rather than read as numbers."""
    text = path.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        raise ValueError("the last line is cut short (truncated file)")
    return text.splitlines()


def read_scalar_table(path: Path) -> dict[int, np.ndarray]:
    """A ``fix ave/time`` file of scalars: step -> values."""
    rows: dict[int, np.ndarray] = {}
    for line in _complete_lines(path):
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split()
        rows[int(fields[0])] = np.array(fields[1:], dtype=float)
    return rows


def read_vector_table(path: Path) -> dict[int, np.ndarray]:
    """A ``fix ave/time ... mode vector`` file: step -> (rows x columns), row index dropped."""
    blocks: dict[int, np.ndarray] = {}
    lines = [line for line in _complete_lines(path) if line.strip() and not line.startswith("#")]
    k = 0
    while k < len(lines):
        step, nrows = (int(v) for v in lines[k].split()[:2])
        block = np.array([line.split()[1:] for line in lines[k + 1:k + 1 + nrows]], dtype=float)
        if block.shape[0] != nrows:  # a truncated file ends inside a block
            raise ValueError(f"the block of step {step} has {block.shape[0]} of its {nrows} rows")
        blocks[step] = block
        k += 1 + nrows
    return blocks


def read_cycle_moduli(path: Path) -> dict[int, np.ndarray]:
    """``cycles.txt`` of a segment: cycle -> the values of :data:`CYCLE_COLUMNS`."""
    out: dict[int, np.ndarray] = {}
    for line in _complete_lines(path):
        if line.startswith("glassdyn-cycle"):
            fields = line.split()
            out[int(fields[1])] = np.array(fields[2:2 + len(CYCLE_COLUMNS)], dtype=float)
    return out


@dataclass
class PeriodData:
    """Everything measured at one (temperature, period)."""

    cycles: pd.DataFrame
    cage_types: pd.DataFrame
    string_sizes: pd.DataFrame
    u: np.ndarray                  # linear bin centres
    log10_u: np.ndarray            # log bin centres
    p_u: np.ndarray                # cycles x sets x bins
    p_log10_u: np.ndarray


def harvest_period(root: Path, config: CampaignConfig, stages: Sequence[Stage]) -> PeriodData:
    """Collect the per-cycle records of the (finished) segments of one temperature and period."""
    species = list(config.system.species)
    ntypes = len(species)
    nsets = ntypes + 1
    temperature, period = stages[0].temperature, stages[0].period
    cycle_steps = config.steps(float(period))  # type: ignore[arg-type]
    rows, cage_rows, size_rows, p_u, p_log = [], [], [], [], []
    u = log10_u = np.zeros(0)
    # Positions (0-based) of every value read, by name from the schema.
    layouts = window_layouts(config)
    window_width = sum(lay.width(ntypes) for _, lay in layouts)
    window_starts = np.cumsum([0] + [lay.width(ntypes) for _, lay in layouts])
    # The jump definition's compute (analysis.mobile = "both") is harvested under prefixed names.
    prefixes = [JUMP_PREFIX if compute == "c_gd_strj" else "" for compute, _ in layouts]
    cage_array = schema.layout("cage/atom", "array")
    cage_columns = [cage_array.index(name) - 1 for name in CAGE_TYPE_COLUMNS]
    size_columns = [schema.column_index("stringlike/atom", "array", name) - 1 for name in SIZE_COLUMNS]
    pu_array = schema.layout("displacement/distribution", "array")

    def pu_columns(name: str) -> slice:
        first = pu_array.index(name, ntypes=ntypes) - 1
        return slice(first, first + (nsets if pu_array.column(name).per_set else 1))

    r1 = read_r1(root, config, stages[0])
    for stage in stages:
        folder = root / stage.name
        windows = _read_output(read_scalar_table, folder / "windows.txt")
        cage_types = _read_output(read_vector_table, folder / "cage_types.txt")
        sizes = _read_output(read_vector_table, folder / "string_sizes.txt")
        pu = _read_output(read_vector_table, folder / "pu.txt")
        moduli = _read_output(read_cycle_moduli, folder / "cycles.txt")
        for cycle in range(stage.first_cycle, stage.first_cycle + stage.cycles):
            step = cycle * cycle_steps
            used = cycle > config.dms.discard
            record = {"temperature": temperature, "period": period, "cycle": cycle, "used": used}
            if r1 is not None:
                record["r1"] = r1
            record.update(zip(CYCLE_COLUMNS, _entry(moduli, cycle, folder / "cycles.txt", f"cycle {cycle}",
                                                    len(CYCLE_COLUMNS))))
            values = _entry(windows, step, folder / "windows.txt", f"step {step}", window_width)
            for (_, lay), start, prefix in zip(layouts, window_starts, prefixes):
                names = [prefix + name for name in lay.names]
                record.update(zip(names, values[start:start + len(lay.names)]))  # set 0 of p(u)
            rows.append(record)
            block = _entry(cage_types, step, folder / "cage_types.txt", f"step {step}", None)
            for t, name in enumerate(species):
                cage_rows.append({"temperature": temperature, "period": period, "cycle": cycle, "species": name,
                                  "used": used, **dict(zip(CAGE_TYPE_COLUMNS, block[t, cage_columns]))})
            table = _entry(sizes, step, folder / "string_sizes.txt", f"step {step}", None)
            for xi, n_xi in table[:, size_columns]:
                if xi > 0:
                    size_rows.append({"temperature": temperature, "period": period, "cycle": cycle, "xi": int(xi),
                                      "n_xi": n_xi, "used": used})
            block = _entry(pu, step, folder / "pu.txt", f"step {step}", None)
            u, log10_u = block[:, pu_columns("u")][:, 0], block[:, pu_columns("log10_u")][:, 0]
            p_u.append(block[:, pu_columns("p_u")].T)
            p_log.append(block[:, pu_columns("p_log10_u")].T)
    return PeriodData(cycles=pd.DataFrame(rows), cage_types=pd.DataFrame(cage_rows),
                      string_sizes=pd.DataFrame(size_rows), u=u, log10_u=log10_u, p_u=np.array(p_u),
                      p_log10_u=np.array(p_log))


def read_r1(root: Path, config: CampaignConfig, stage: Stage) -> float | None:
    """The r1 measured at the stage's temperature (analysis.jump_range_unit = "r1"), else None."""
    analysis = config.analysis
    if analysis.mobile == "fraction" or analysis.jump_range_unit != "r1":
        return None
    path = root / str(stage.r1_source)
    try:
        fields = path.read_text(encoding="utf-8").split()
        return float(fields[-1]) if fields[:3] == ["variable", "gd_r1", "equal"] else _bad_r1(path)
    except (OSError, ValueError):
        return _bad_r1(path)


def _bad_r1(path: Path) -> float:
    raise _damaged(path, "it does not hold the line 'variable gd_r1 equal <r1>' of the equilibration stage")


def relaxation_tables(root: Path, config: CampaignConfig, stage: Stage) -> RelaxationTables:
    """The tables of one finished relaxation stage (see :mod:`glassdyn.results.relaxation`)."""
    return harvest_relaxation(root, config, stage, _damaged, *_relaxation_readers())


def _relaxation_readers() -> tuple[Callable[[Path], dict], Callable[[Path], dict]]:
    """The vector- and scalar-table readers of a relaxation stage's outputs, refusing by name."""
    return (lambda path: _read_output(read_vector_table, path)), (lambda path: _read_output(read_scalar_table, path))


def _damaged(path: Path, what: str) -> StateError:
    folder = path.parent
    return StateError(f"{path}: {what}; the stage output is damaged: delete {folder}/done.json and run the campaign "
                      f"again to repeat that stage (later stages of the same temperature and period must be repeated "
                      f"too: delete their folders)")


def _read_output(reader, path: Path) -> dict:
    """One output table of a finished stage; a missing or unreadable file is refused by name."""
    try:
        return reader(path)
    except FileNotFoundError:
        raise _damaged(path, "missing") from None
    except (ValueError, IndexError, UnicodeDecodeError) as error:
        raise _damaged(path, f"unreadable ({' '.join(str(error).split())[:80]})") from None


def _entry(table: dict, key: int, path: Path, what: str, width: int | None) -> np.ndarray:
    """The row of a cycle end; absent (a truncated file) or short rows are refused by name."""
    if key not in table:
        raise _damaged(path, f"has no line for {what} (truncated?)")
    row = table[key]
    if width is not None and len(row) != width:
        raise _damaged(path, f"the line for {what} has {len(row)} values, expected {width}")
    if width is None and (row.ndim != 2 or row.shape[0] == 0):
        raise _damaged(path, f"the block for {what} is incomplete")
    return row


def summarise_cycles(cycles: pd.DataFrame, cage_types: pd.DataFrame | None = None) -> pd.DataFrame:
    """Mean and sample standard deviation over the used cycles, one row per (temperature, period)."""
    used = cycles[cycles["used"]].copy()
    for cls in ("mobile", "immobile"):   # percolation/atom writes d_f = 0 when fewer than 3 clusters entered
        column = f"{cls}_fractal_dimension"
        if column in used:
            used[column] = used[column].where(used[f"{cls}_fractal_clusters"] >= 3)
    keys = ["temperature", "period"]
    grouped = used.groupby(keys, sort=True)
    quantities = list(CYCLE_QUANTITIES) + [name for name in OPTIONAL_CYCLE_COLUMNS if name in used]
    means = grouped[quantities].mean()
    stds = grouped[quantities].std(ddof=1).add_suffix("_std")
    summary = pd.concat([means, stds, grouped.size().rename("n_cycles")], axis=1)
    if cage_types is not None and len(cage_types):
        used_types = cage_types[cage_types["used"]]
        per_type = used_types.groupby(keys + ["species"], sort=False)["fraction_broken"].agg(["mean", "std"])
        for species in cage_types["species"].unique():  # first appearance = type order
            rows = per_type.xs(species, level="species").reindex(summary.index)
            summary[f"fraction_broken_{species}"] = rows["mean"]
            summary[f"fraction_broken_{species}_std"] = rows["std"]  # NaN with a single used cycle
    return summary.reset_index()


def _quench_table(root: Path, config: CampaignConfig, plan: Plan) -> pd.DataFrame:
    frames = []
    for stage in plan.preparation:
        path = root / stage.name / "trace.txt"
        data = _read_output(read_scalar_table, path)
        if not data:
            continue
        steps = np.array(sorted(data))
        if len({len(row) for row in data.values()}) != 1 or len(data[steps[0]]) < 5:
            raise _damaged(path, "its lines have different or too few columns (truncated?)")
        values = np.array([data[s] for s in steps])
        frames.append(pd.DataFrame({"stage": stage.kind, "step": steps, "time": steps * config.system.timestep,
                                    "temperature": values[:, 0], "target": values[:, 1], "pe": values[:, 2],
                                    "enthalpy": values[:, 3], "volume": values[:, 4]}))
    if not frames:
        return pd.DataFrame(columns=list(QUENCH_COLUMNS))
    # A segment's first step repeats the previous segment's last sample when a sample is one step.
    return pd.concat(frames, ignore_index=True).drop_duplicates(subset="step", keep="first", ignore_index=True)


def _versions() -> dict[str, str]:
    from importlib import metadata

    versions = {}
    for package in ("glassdyn", "lammps", "deepmd-kit"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def campaign_metadata(config: CampaignConfig) -> dict:
    units = unit_system(config.units)
    return {
        "name": config.name, "units": config.units, "species": list(config.system.species),
        "composition": dict(config.system.composition), "natoms": config.system.atoms,
        "potential": config.system.potential, "model": config.system.model or "",
        "modulus": "G" if config.dms.axis in SHEAR_AXES else "M", "axis": config.dms.axis,
        "amplitude": config.dms.amplitude, "discard": config.dms.discard, "cycles": config.dms.cycles,
        "timestep": config.system.timestep,
        "pressure_unit": units.pressure_unit, "pressure_scale": units.pressure_scale,
        "temperature_unit": units.temperature_unit, "time_unit": units.time_unit,
        "distance_unit": units.distance_unit, "energy_unit": units.energy_unit,
        "versions": _versions(), "config": config.source_text,
        "mobile": config.analysis.mobile, "jump_range": list(config.analysis.jump_range or ()),
        "jump_range_unit": config.analysis.jump_range_unit,
    }


def harvest_campaign(root: Path, config: CampaignConfig, plan: Plan) -> CampaignResults:
    """Read every finished stage of a campaign into :class:`CampaignResults` (moduli in GPa for metal)."""
    cycles, cages, sizes, displacement = [], [], [], []
    species = ["all"] + list(config.system.species)
    metadata = campaign_metadata(config)
    scale = metadata["pressure_scale"]
    for chain in plan.chains:
        for period, stages in chain.periods().items():
            data = harvest_period(root, config, stages)
            frame = data.cycles.copy()
            for column in ("storage", "loss", "offset"):
                frame[column] *= scale
            cycles.append(frame)
            cages.append(data.cage_types)
            sizes.append(data.string_sizes)
            used = frame["used"].to_numpy()
            mean_p = data.p_u[used].mean(axis=0)
            mean_log = data.p_log10_u[used].mean(axis=0)
            for s, name in enumerate(species):
                displacement.append(pd.DataFrame({"temperature": chain.temperature, "period": period, "species": name,
                                                  "bin": np.arange(1, len(data.u) + 1), "u": data.u,
                                                  "p_u": mean_p[s], "log10_u": data.log10_u,
                                                  "p_log10_u": mean_log[s]}))
    cycles_df = pd.concat(cycles, ignore_index=True)
    cages_df = pd.concat(cages, ignore_index=True)
    inputs = {stage.name: (root / stage.name / "in.lammps").read_text(encoding="utf-8") for stage in plan.all_stages()}
    relaxation = harvest_all(root, config, plan, _damaged, *_relaxation_readers())
    return tidy_tables(CampaignResults(metadata=metadata, cycles=cycles_df, cage_types=cages_df,
                                       string_sizes=pd.concat(sizes, ignore_index=True),
                                       displacement=pd.concat(displacement, ignore_index=True),
                                       summary=pd.DataFrame(), quench=_quench_table(root, config, plan),
                                       inputs=inputs, relaxation=relaxation.lags,
                                       relaxation_times=relaxation.derived, string_windows=relaxation.windows,
                                       snapshots=harvest_snapshots(root, config, plan, _damaged)))
