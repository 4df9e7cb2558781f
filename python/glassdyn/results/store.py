"""The campaign's results file (HDF5), its CSV tables, and :func:`load`.

Layout of ``results.h5`` (every dataset has ``unit`` and ``description`` attributes)::

    /                         attributes: name, units, species, potential, modulus, axis, amplitude,
                              versions (JSON), composition (JSON), config (the campaign file) ...
    /scan/T<T>/P<period>/     attributes temperature, period
        cycle, used, storage, loss, tan_delta, r2, r3, offset      one value per cycle
        n_fast, n_str, n_long, n_strings, xi_number, xi_weight, str_fraction, long_fraction
        jump_n_fast, jump_n_str, ...    the same by the jump definition (analysis.mobile = "both")
        r1                              with analysis.jump_range_unit = "r1": the measured r1
        fraction_broken, mean_lost, mean_cage
        u_mean, u_most_probable, u_beyond_fraction, u_outside_fraction
        cage/<species>/n_analysed, fraction_broken, mean_lost, mean_cage   one value per cycle
        xi, n_xi                                                    n(xi): cycles x sizes
        u, p_u, log10_u, p_log10_u                                  sets (all, species...) x bins,
                                                                    mean over the used cycles
    /scan/T<T>/relaxation/    with a [relaxation] stage: attribute temperature; lag, time (one per lag);
        msd, alpha2, fs, overlap, chi4, n_origins                  sets (all, species...) x lags
        tau_alpha, diffusion, diffusive_from, diffusive_to, t_star, alpha2_peak, chi4_peak, chi4_time
                                                                    one value per set
        window, window_steps, n_windows, n_fast, n_str, ... str_fraction, xi_number ...
                                                                    one value per string window length
    /snapshots/T<T>/P<period>/cycle<k>/{thermal,inherent,dynamics}/   with [snapshots]: per-atom
                              snapshots (id, type, position, image; the window's per-atom
                              dynamics under dynamics/dynamics/; glassdyn.results.snapshots)
    /quench/<column>          the preparation trace
    /inputs/<stage>           the exact LAMMPS input of every stage

Dataset names, descriptions and unit kinds of the per-cycle values come from
:mod:`glassdyn.schema` (the C++ declaration of the plugin's outputs): the same names as in the
plugin's docs, the analysis classes and the CSV files.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from glassdyn import schema
from glassdyn.results.campaign_data import CampaignResults
from glassdyn.results.harvest import (CAGE_COLUMNS, CAGE_TYPE_COLUMNS, CYCLE_COLUMNS, OPTIONAL_CYCLE_COLUMNS,
                                      PERCOLATION_COLUMNS, PU_SUMMARY, STRING_COLUMNS, tidy_tables)
from glassdyn.results.snapshots import read_snapshots, write_snapshots
from glassdyn.results.relaxation import (DERIVED_COLUMNS, JUMP_WINDOW_COLUMNS, LAG_COLUMNS, WINDOW_COLUMNS,
                                         RelaxationTables, empty_tables)
from glassdyn.run.errors import UserError
from glassdyn.run.inputs import CORRELATE_ARRAY, CORRELATE_VECTOR, JUMP_PREFIX


class ResultsError(UserError, ValueError):
    """A results file that is missing, damaged or does not hold what was asked for."""


class ResultsMissing(ResultsError, FileNotFoundError):
    """No results file yet (the campaign has not finished)."""

def _descriptions() -> dict[str, tuple[str, str]]:
    """Dataset name -> (unit kind, description) of the per-cycle values, from the schema."""
    out = {"cycle": ("", "oscillation cycle, 1-based"),
           "used": ("", "False for the transient cycles left out of the averages (dms.discard)")}
    out["r1"] = ("length", "first peak of the total g(r) at this temperature (equilibration stage); "
                           "analysis.jump_range is in units of it")
    for style in ("dms array", "stringlike/atom vector", "cage/atom vector", "displacement/distribution vector",
                  "percolation/atom vector"):
        for column in schema.layouts()[style].columns:
            out.setdefault(column.name, (column.unit, column.meaning))
            if style == "stringlike/atom vector":  # analysis.mobile = "both": the jump definition's values
                out.setdefault(JUMP_PREFIX + column.name, (column.unit, f"{column.meaning} (jump definition: "
                                                                         "u in analysis.jump_range)"))
    return out


_DESCRIPTIONS = _descriptions()


def _unit(kind: str, metadata: dict) -> str:
    return {"pressure": metadata["pressure_unit"], "length": metadata["distance_unit"]}.get(kind, "")


def _dataset(group, name: str, data, unit: str = "", description: str = "") -> None:
    dataset = group.create_dataset(name, data=data)
    dataset.attrs["unit"] = unit
    dataset.attrs["description"] = description


def write_hdf5(results: CampaignResults, path: Path) -> None:
    import h5py

    meta = results.metadata
    temporary = path.with_suffix(".tmp")
    with h5py.File(temporary, "w") as h5:
        for key, value in meta.items():
            h5.attrs[key] = json.dumps(value) if isinstance(value, (dict, list)) else value
        scan = h5.create_group("scan")
        species = ["all"] + list(meta["species"])
        pu_by_key = {key: frame for key, frame in results.displacement.groupby(["temperature", "period"])}
        for (temperature, period), cycles in results.cycles.groupby(["temperature", "period"], sort=True):
            group = scan.create_group(f"T{temperature:g}/P{period:g}")
            group.attrs["temperature"] = temperature
            group.attrs["period"] = period
            cycles = cycles.sort_values("cycle")
            for column in (("cycle", "used") + CYCLE_COLUMNS + STRING_COLUMNS + CAGE_COLUMNS + PU_SUMMARY
                           + PERCOLATION_COLUMNS + tuple(c for c in OPTIONAL_CYCLE_COLUMNS if c in cycles)):
                kind, text = _DESCRIPTIONS.get(column, ("", column))
                _dataset(group, column, cycles[column].to_numpy(), _unit(kind, meta), text)
            cages = results.cage_types[(results.cage_types.temperature == temperature)
                                       & (results.cage_types.period == period)]
            for name, rows in cages.groupby("species"):
                sub = group.create_group(f"cage/{name}")
                rows = rows.sort_values("cycle")
                for column in CAGE_TYPE_COLUMNS:
                    kind_text = schema.layout("cage/atom", "array").column(column)
                    _dataset(sub, column, rows[column].to_numpy(), _unit(kind_text.unit, meta), kind_text.meaning)
            sizes = results.string_sizes[(results.string_sizes.temperature == temperature)
                                         & (results.string_sizes.period == period)]
            table = sizes.pivot_table(index="cycle", columns="xi", values="n_xi").sort_index()
            _dataset(group, "xi", table.columns.to_numpy(), "", "string size; the last value collects larger ones")
            _dataset(group, "n_xi", table.to_numpy(), "", "n(xi) per cycle (rows) and size (columns)")
            pu = pu_by_key[(temperature, period)]
            first = pu[pu.species == "all"].sort_values("bin")
            _dataset(group, "u", first["u"].to_numpy(), meta["distance_unit"], "linear bin centres")
            _dataset(group, "log10_u", first["log10_u"].to_numpy(), "", "log10 bin centres")
            for column, unit in (("p_u", f"1/{meta['distance_unit']}"), ("p_log10_u", "1/decade")):
                matrix = np.array([pu[pu.species == s].sort_values("bin")[column].to_numpy() for s in species])
                _dataset(group, column, matrix, unit, f"{column} over the used cycles; rows: {', '.join(species)}")
        for temperature, rows in results.relaxation_times.groupby("temperature", sort=True):
            _write_relaxation(scan.create_group(f"T{temperature:g}/relaxation"), results, float(temperature),
                              species, meta)
        write_snapshots(h5, results.snapshots, {"length": meta["distance_unit"]})
        quench = h5.create_group("quench")
        for column in results.quench.columns:
            values = results.quench[column].to_numpy()
            _dataset(quench, column, values.astype("S") if values.dtype == object else values)
        inputs = h5.create_group("inputs")
        for stage, text in results.inputs.items():
            inputs.create_dataset(stage, data=text)
    temporary.replace(path)


def _write_relaxation(group, results: CampaignResults, temperature: float, species: list[str], meta: dict) -> None:
    """One temperature's relaxation: the per-lag array per set, the derived vector, the window scan."""
    group.attrs["temperature"] = temperature
    units = {"time": meta["time_unit"], "length^2": f"{meta['distance_unit']}^2",
             "length^2/time": f"{meta['distance_unit']}^2/{meta['time_unit']}"}
    lags = results.relaxation[results.relaxation.temperature == temperature]
    first = lags[lags.species == "all"].sort_values("lag")
    for column in LAG_COLUMNS:
        info = CORRELATE_ARRAY.column(column)
        if info.per_set:
            data = np.array([lags[lags.species == s].sort_values("lag")[column].to_numpy() for s in species])
            text = f"{info.meaning}; rows: {', '.join(species)}"
        else:
            data, text = first[column].to_numpy(), info.meaning
        _dataset(group, column, data, units.get(info.unit, ""), text)
    derived = results.relaxation_times[results.relaxation_times.temperature == temperature].set_index("species")
    for column in DERIVED_COLUMNS:
        info = CORRELATE_VECTOR.column(column)
        _dataset(group, column, derived.loc[species, column].to_numpy(dtype=float), units.get(info.unit, ""),
                 f"{info.meaning}; one per set: {', '.join(species)}")
    windows = results.string_windows[results.string_windows.temperature == temperature].sort_values("window")
    _dataset(group, "window", windows["window"].to_numpy(dtype=float), meta["time_unit"], "string window length")
    for column in ("window_steps", "n_windows"):
        _dataset(group, column, windows[column].to_numpy(dtype=np.int64), "", column.replace("_", " "))
    for column in WINDOW_COLUMNS + tuple(c for c in JUMP_WINDOW_COLUMNS if c in windows):
        info = schema.layout("stringlike/atom", "vector").column(column.removeprefix(JUMP_PREFIX))
        meaning = info.meaning + (" (jump definition)" if column.startswith(JUMP_PREFIX) else "")
        _dataset(group, column, windows[column].to_numpy(dtype=float), "", f"{meaning}; mean over the windows")


def _read_relaxation(group, species: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    temperature = float(group.attrs["temperature"])
    lags = []
    for s, name in enumerate(species):
        lags.append(pd.DataFrame({"temperature": temperature, "species": name,
                                  **{c: group[c][s] if CORRELATE_ARRAY.column(c).per_set else group[c][()]
                                     for c in LAG_COLUMNS}}))
    derived = pd.DataFrame({"temperature": temperature, "species": species,
                            **{c: group[c][()] for c in DERIVED_COLUMNS}})
    windows = pd.DataFrame({"temperature": temperature, "window": group["window"][()],
                            "window_steps": group["window_steps"][()], "n_windows": group["n_windows"][()],
                            **{c: group[c][()] for c in WINDOW_COLUMNS + JUMP_WINDOW_COLUMNS if c in group}})
    return pd.concat(lags, ignore_index=True), derived, windows


def write_results(results: CampaignResults, folder: Path) -> None:
    """``results.h5``, ``summary.csv`` (one row per temperature x period) and ``cycles.csv``."""
    write_hdf5(results, folder / "results.h5")
    for name, table in (("summary.csv", results.summary), ("cycles.csv", results.cycles)):
        temporary = folder / f".{name}.tmp"
        table.to_csv(temporary, index=False, float_format="%.17g")
        temporary.replace(folder / name)


def load(campaign: str | Path) -> CampaignResults:
    """Read a campaign's results (its folder or its ``results.h5``) into pandas tables.

    Examples
    --------
    >>> results = glassdyn.load("cuzr-demo")                    # doctest: +SKIP
    >>> results.summary[["temperature", "loss", "loss_std"]]    # doctest: +SKIP
    """
    path = Path(campaign)
    if path.is_dir():
        path = path / "results.h5"
    if not path.is_file():
        raise ResultsMissing(f"{path} does not exist: run the campaign first, to its end (glassdyn run "
                             "CAMPAIGN.toml); results.h5 is written when every stage has finished")
    try:
        return _read(path)
    except (OSError, KeyError, ValueError, TypeError, IndexError) as error:
        # h5py raises OSError for a truncated or foreign file, KeyError for a missing group.
        reason = " ".join(str(error).split()) or type(error).__name__
        raise ResultsError(f"{path} is not a readable glassdyn results file ({reason[:200]}); run "
                           "'glassdyn run' on its campaign file again to rebuild it from the stage files") from error


def _read(path: Path) -> CampaignResults:
    import h5py

    cycles, cages, sizes, displacement = [], [], [], []
    relaxed: list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] = []
    with h5py.File(path, "r") as h5:
        metadata = {key: _decode(value) for key, value in h5.attrs.items()}
        species = ["all"] + list(metadata["species"])
        for tname in h5["scan"]:
            for pname in h5["scan"][tname]:
                group = h5["scan"][tname][pname]
                if pname == "relaxation":
                    relaxed.append(_read_relaxation(group, species))
                    continue
                temperature, period = float(group.attrs["temperature"]), float(group.attrs["period"])
                columns = (("cycle", "used") + CYCLE_COLUMNS + STRING_COLUMNS + CAGE_COLUMNS + PU_SUMMARY
                           + PERCOLATION_COLUMNS + tuple(c for c in OPTIONAL_CYCLE_COLUMNS if c in group))
                frame = pd.DataFrame({c: group[c][()] for c in columns})
                frame.insert(0, "period", period)
                frame.insert(0, "temperature", temperature)
                cycles.append(frame)
                for name in group["cage"]:
                    sub = group["cage"][name]
                    cages.append(pd.DataFrame({"temperature": temperature, "period": period, "cycle": frame["cycle"],
                                               "species": name, "used": frame["used"],
                                               **{c: sub[c][()] for c in CAGE_TYPE_COLUMNS}}))
                xi, table = group["xi"][()], group["n_xi"][()]
                for row, cycle in enumerate(frame["cycle"]):
                    sizes.append(pd.DataFrame({"temperature": temperature, "period": period, "cycle": cycle,
                                               "xi": xi.astype(int), "n_xi": table[row],
                                               "used": bool(frame["used"].iloc[row])}))
                u, log10_u = group["u"][()], group["log10_u"][()]
                for s, name in enumerate(species):
                    displacement.append(pd.DataFrame({"temperature": temperature, "period": period, "species": name,
                                                      "bin": np.arange(1, len(u) + 1), "u": u,
                                                      "p_u": group["p_u"][s], "log10_u": log10_u,
                                                      "p_log10_u": group["p_log10_u"][s]}))
        quench = pd.DataFrame({c: _column(h5["quench"][c][()]) for c in h5["quench"]})
        inputs = {name: _decode(h5["inputs"][name][()]) for name in _walk(h5["inputs"])}
        snapshots = read_snapshots(h5)
    cycles_df = pd.concat(cycles, ignore_index=True)
    cages_df = pd.concat(cages, ignore_index=True)
    tables = empty_tables()
    if relaxed:
        tables = RelaxationTables(*(pd.concat([t[k] for t in relaxed], ignore_index=True) for k in range(3)))
    return tidy_tables(CampaignResults(metadata=metadata, cycles=cycles_df, cage_types=cages_df,
                                       string_sizes=pd.concat(sizes, ignore_index=True),
                                       displacement=pd.concat(displacement, ignore_index=True),
                                       summary=pd.DataFrame(), quench=quench, inputs=inputs,
                                       relaxation=tables.lags, relaxation_times=tables.derived,
                                       string_windows=tables.windows, snapshots=snapshots))


def _walk(group, prefix: str = "") -> list[str]:
    names = []
    for key in group:
        item = group[key]
        path = f"{prefix}/{key}" if prefix else key
        names += _walk(item, path) if hasattr(item, "keys") else [path]
    return names


def _column(values: np.ndarray) -> np.ndarray:
    return values.astype(str) if values.dtype.kind == "S" else values


def _decode(value):
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    if isinstance(value, np.generic):
        return value.item()
    return value
