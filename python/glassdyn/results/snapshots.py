"""Per-atom snapshots of a campaign (``[snapshots]``): reading the dumps, the HDF5 groups, :class:`Snapshot`.

At a chosen (temperature, period, cycle) the DMS segment writes the configuration at the start of
the cycle's analysis window (``thermal``), the configuration and the per-atom dynamics at its end
(``dynamics``), and a later stage the energy-minimised thermal configuration (``inherent``). Each
becomes a :class:`Snapshot` carrying the dynamics of that window, one row per atom.

Layout in ``results.h5``::

    /snapshots/T<T>/P<period>/cycle<k>/<kind>/     kind: thermal, inherent, dynamics
        attributes: stage, step, time, temperature, period, cycle, kind, units, species (JSON),
                    box_lo, box_hi, tilt (xy xz yz), columns (JSON: the per-atom dynamics names);
                    inherent also pe_thermal, pe_inherent (per atom), fnorm, stopping, iterations
        id, type                 one value per atom, sorted by id
        position                 atoms x 3 (wrapped into the box, distance units)
        image                    atoms x 3 (periodic image flags; unwrapped = position + image . cell)
        dynamics/<column>        in the ``dynamics`` group only (thermal and inherent share it): the
                                 window's per-atom outputs (names of glassdyn.schema), atoms in the
                                 order of id
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from glassdyn.run.config import CampaignConfig
from glassdyn.run.inputs import (DYNAMICS_DUMP, INHERENT_DUMP, INHERENT_LINE, POSITION_COLUMNS, THERMAL_DUMP,
                                 snapshot_columns, snapshot_step)
from glassdyn.run.plan import Plan, snapshot_segment

#: Kinds of snapshot, in the order they are stored.
KINDS = ("thermal", "inherent", "dynamics")


@dataclass(frozen=True, eq=False)  # arrays: compare fields with numpy, not ==
class Box:
    """A LAMMPS box: ``lo`` and ``hi`` corners and the tilts ``(xy, xz, yz)`` (zero if orthogonal)."""

    lo: np.ndarray
    hi: np.ndarray
    tilt: np.ndarray = field(default_factory=lambda: np.zeros(3))

    @property
    def cell(self) -> np.ndarray:
        """The three box vectors as rows: a = (lx, 0, 0), b = (xy, ly, 0), c = (xz, yz, lz)."""
        lx, ly, lz = self.hi - self.lo
        xy, xz, yz = self.tilt
        return np.array([[lx, 0.0, 0.0], [xy, ly, 0.0], [xz, yz, lz]])

    @property
    def lengths(self) -> np.ndarray:
        return self.hi - self.lo


@dataclass(frozen=True, eq=False)
class Snapshot:
    """One per-atom snapshot of a campaign.

    Attributes
    ----------
    temperature, period : float
        The scan point.
    cycle : int
        The oscillation cycle whose analysis window the snapshot belongs to (1-based).
    kind : str
        ``"thermal"`` (window start), ``"inherent"`` (thermal, energy-minimised) or ``"dynamics"``
        (window end).
    step : int
        LAMMPS time step of the configuration (for ``inherent``: of the thermal one it came from).
    time : float
        ``step`` x time step, in time units.
    stage : str
        The stage folder that wrote it.
    box : Box
    ids, types : ndarray of int
        Atom IDs (sorted) and LAMMPS types (1-based).
    species : tuple of str
        Species names in type order (type t is ``species[t - 1]``).
    positions : ndarray, shape (atoms, 3)
        Positions as written by LAMMPS (wrapped into the box).
    images : ndarray of int, shape (atoms, 3)
        Periodic image flags.
    dynamics : DataFrame
        The window's per-atom outputs, one row per atom in the order of ``ids`` (column ``id`` and
        the schema's names: ``mobile``, ``string_id``, ``string_size`` (xi of the atom's string),
        ``u``, ``in_string``, ``in_long``, ``n_cage``, ``n_lost``, ``broken``, ``analysed``,
        ``fraction_lost``, ``atom_class``, ``cluster_id``, ``cluster_size``, ``wraps``, ...).
    units : str
        ``"metal"`` or ``"lj"``.
    info : dict
        More provenance: for ``inherent`` the energies per atom before and after the minimisation
        (``pe_thermal``, ``pe_inherent``), the final force norm ``fnorm``, LAMMPS's ``stopping``
        criterion and ``iterations``.
    """

    temperature: float
    period: float
    cycle: int
    kind: str
    step: int
    time: float
    stage: str
    box: Box
    ids: np.ndarray
    types: np.ndarray
    species: tuple[str, ...]
    positions: np.ndarray
    images: np.ndarray
    dynamics: pd.DataFrame
    units: str
    info: dict = field(default_factory=dict)

    @property
    def natoms(self) -> int:
        return len(self.ids)

    @property
    def atom_species(self) -> np.ndarray:
        """The species name of each atom."""
        return np.asarray(self.species, dtype=object)[self.types - 1]

    @property
    def unwrapped(self) -> np.ndarray:
        """Positions with the image flags applied (continuous trajectories across the boundaries)."""
        return self.positions + self.images @ self.box.cell

    def __repr__(self) -> str:
        return (f"Snapshot({self.kind}, T={self.temperature:g}, period={self.period:g}, cycle={self.cycle}, "
                f"step={self.step}, {self.natoms} atoms)")


def select(snapshots: Sequence[Snapshot], *, temperature: Optional[float] = None, period: Optional[float] = None,
           cycle: Optional[int] = None, kind: str = "thermal") -> Snapshot:
    """The one snapshot matching the given keys (temperature and period to 6 significant digits);
    a missing or ambiguous choice raises KeyError naming what exists."""
    if kind not in KINDS:
        raise KeyError(f"kind must be one of {KINDS}, got {kind!r}")

    def same(a: float, b: Optional[float]) -> bool:
        return b is None or f"{a:g}" == f"{b:g}"

    found = [s for s in snapshots if s.kind == kind and same(s.temperature, temperature) and same(s.period, period)
             and (cycle is None or s.cycle == cycle)]
    if len(found) == 1:
        return found[0]
    have = sorted({(s.temperature, s.period, s.cycle, s.kind) for s in snapshots})
    shown = ", ".join(f"(T={t:g}, period={p:g}, cycle={c}, {k})" for t, p, c, k in have) or "none"
    what = "no snapshot" if not found else f"{len(found)} snapshots (give more keys)"
    raise KeyError(f"{what} with temperature={temperature}, period={period}, cycle={cycle}, kind={kind!r}; "
                   f"the campaign has: {shown}")


# ---------------------------------------------------------------------------------------------- dumps
@dataclass(frozen=True, eq=False)
class DumpFrame:
    """One frame of a LAMMPS ``dump custom`` text file."""

    step: int
    box: Box
    columns: tuple[str, ...]
    values: np.ndarray            # atoms x columns, float64 (every digit LAMMPS wrote)

    def column(self, name: str) -> np.ndarray:
        return self.values[:, self.columns.index(name)]


def read_dump(path: Path) -> DumpFrame:
    """The single frame of a snapshot dump (ValueError when it is not one complete frame)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) < 9 or lines[0] != "ITEM: TIMESTEP" or not lines[2].startswith("ITEM: NUMBER OF ATOMS"):
        raise ValueError("not a LAMMPS dump frame")
    step, natoms = int(lines[1]), int(lines[3])
    bounds = lines[4].split()
    rows = np.array([line.split() for line in lines[5:8]], dtype=float)
    if "xy" in bounds:  # triclinic: bounding box and tilts (LAMMPS manual, dump command)
        xy, xz, yz = rows[:, 2]
        lo = rows[:, 0] - np.array([min(0.0, xy, xz, xy + xz), min(0.0, yz), 0.0])
        hi = rows[:, 1] - np.array([max(0.0, xy, xz, xy + xz), max(0.0, yz), 0.0])
        box = Box(lo, hi, np.array([xy, xz, yz]))
    else:
        box = Box(rows[:, 0], rows[:, 1])
    if not lines[8].startswith("ITEM: ATOMS"):
        raise ValueError("no ITEM: ATOMS line")
    columns = tuple(lines[8].split()[2:])
    body = lines[9:]
    if len(body) != natoms:
        raise ValueError(f"{len(body)} atom lines for {natoms} atoms (truncated, or more than one frame)")
    values = np.array([line.split() for line in body], dtype=float).reshape(natoms, len(columns))
    return DumpFrame(step, box, columns, values)


def _snapshot(frame: DumpFrame, dynamics: pd.DataFrame, *, config: CampaignConfig, temperature: float, period: float,
              cycle: int, kind: str, stage: str, step: int, info: Optional[dict] = None) -> Snapshot:
    missing = [c for c in POSITION_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"no column {missing[0]}")
    ids = frame.column("id").astype(np.int64)
    if not np.array_equal(ids, dynamics["id"].to_numpy()):
        raise ValueError("atom IDs differ from those of the window's dynamics dump")
    return Snapshot(temperature=temperature, period=period, cycle=cycle, kind=kind, step=step,
                    time=step * config.system.timestep, stage=stage, box=frame.box, ids=ids,
                    types=frame.column("type").astype(np.int64),
                    positions=np.column_stack([frame.column(c) for c in ("x", "y", "z")]),
                    images=np.column_stack([frame.column(c) for c in ("ix", "iy", "iz")]).astype(np.int64),
                    species=tuple(config.system.species), dynamics=dynamics, units=config.units, info=info or {})


def dynamics_table(frame: DumpFrame, names: Sequence[str]) -> pd.DataFrame:
    """The per-atom dynamics of a ``dynamics.dump`` frame: ``id`` then the schema's columns."""
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise ValueError(f"no column {missing[0]} (the dump's columns: {' '.join(frame.columns)})")
    table = {"id": frame.column("id").astype(np.int64)}
    table.update({name: frame.column(name) for name in names})
    return pd.DataFrame(table)


_STOPPING = re.compile(r"^\s*Stopping criterion = (.+?)\s*$")
_ITERATIONS = re.compile(r"^\s*Iterations, force evaluations = (\d+) (\d+)")


def inherent_info(log: Path) -> dict[str, Any]:
    """Energies per atom, force norm, stopping criterion and iterations from the stage's log."""
    info: dict[str, Any] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        if line.startswith(INHERENT_LINE + " "):
            pe0, pe1, fnorm = (float(v) for v in line.split()[1:4])
            info.update(pe_thermal=pe0, pe_inherent=pe1, fnorm=fnorm)
        elif (match := _STOPPING.match(line)):
            info["stopping"] = match.group(1)
        elif (match := _ITERATIONS.match(line)):
            info["iterations"], info["force_evaluations"] = int(match.group(1)), int(match.group(2))
    if "pe_inherent" not in info:
        raise ValueError(f"no '{INHERENT_LINE}' line")
    return info


def harvest_snapshots(root: Path, config: CampaignConfig, plan: Plan, damaged) -> list[Snapshot]:
    """Every snapshot of a finished campaign (``damaged(path, what)`` makes the error for a bad file)."""
    shots = config.snapshots
    if shots is None:
        return []
    names = [name for _, name in snapshot_columns(config)]
    out: list[Snapshot] = []
    for chain in plan.chains:
        for period in chain.periods():
            segment = snapshot_segment(config, chain, period)
            if segment is None:
                continue
            folder = root / segment.name
            start = snapshot_step(config, period)
            end = start + config.steps(period)
            keys = dict(config=config, temperature=chain.temperature, period=period, cycle=shots.cycle)
            frame = _read(folder / DYNAMICS_DUMP, damaged, end)
            try:
                dynamics = dynamics_table(frame, names)
            except ValueError as error:
                raise damaged(folder / DYNAMICS_DUMP, str(error)) from None
            if shots.thermal:
                thermal = _read(folder / THERMAL_DUMP, damaged, start)
                out.append(_checked(folder / THERMAL_DUMP, damaged, thermal, dynamics, kind="thermal",
                                    stage=segment.name, step=start, **keys))
            if shots.inherent:
                stage = next(s for s in chain.stages if s.kind == "inherent" and s.period == period)
                path = root / stage.name / INHERENT_DUMP
                frame_is = _read(path, damaged, None)
                try:
                    info = inherent_info(root / stage.name / "log.lammps")
                except (OSError, ValueError) as error:
                    raise damaged(root / stage.name / "log.lammps", str(error)) from None
                out.append(_checked(path, damaged, frame_is, dynamics, kind="inherent", stage=stage.name, step=start,
                                    info=info, **keys))
            out.append(_checked(folder / DYNAMICS_DUMP, damaged, frame, dynamics, kind="dynamics",
                                stage=segment.name, step=end, **keys))
    return out


def _read(path: Path, damaged, step: Optional[int]) -> DumpFrame:
    try:
        frame = read_dump(path)
    except FileNotFoundError:
        raise damaged(path, "missing") from None
    except (ValueError, IndexError, UnicodeDecodeError) as error:
        raise damaged(path, f"unreadable ({' '.join(str(error).split())[:80]})") from None
    if step is not None and frame.step != step:
        raise damaged(path, f"holds step {frame.step}, expected {step}")
    return frame


def _checked(path: Path, damaged, frame: DumpFrame, dynamics: pd.DataFrame, **keys: Any) -> Snapshot:
    try:
        return _snapshot(frame, dynamics, **keys)
    except ValueError as error:
        raise damaged(path, str(error)) from None


# ---------------------------------------------------------------------------------------------- HDF5
def snapshot_group(snapshot: Snapshot) -> str:
    """The HDF5 group of a snapshot: ``snapshots/T<T>/P<period>/cycle<k>/<kind>``."""
    return f"snapshots/T{snapshot.temperature:g}/P{snapshot.period:g}/cycle{snapshot.cycle}/{snapshot.kind}"


def write_snapshots(h5, snapshots: Sequence[Snapshot], units: dict[str, str]) -> None:
    """Write snapshots into an open ``h5py.File`` (``units``: kind -> unit name, e.g. length -> Angstrom)."""
    from glassdyn import schema

    described = {c.name: c for style in ("stringlike/atom", "cage/atom", "percolation/atom")
                 for c in schema.layout(style, "peratom").columns}
    for shot in snapshots:
        group = h5.create_group(snapshot_group(shot))
        attrs = {"stage": shot.stage, "step": shot.step, "time": shot.time, "temperature": shot.temperature,
                 "period": shot.period, "cycle": shot.cycle, "kind": shot.kind, "units": shot.units,
                 "species": json.dumps(list(shot.species)), "box_lo": shot.box.lo, "box_hi": shot.box.hi,
                 "tilt": shot.box.tilt, "columns": json.dumps([c for c in shot.dynamics.columns if c != "id"]),
                 "info": json.dumps(shot.info)}
        group.attrs.update(attrs)
        length = units.get("length", "")
        for name, data, unit, text in (("id", shot.ids, "", "atom ID"), ("type", shot.types, "", "atom type"),
                                       ("position", shot.positions, length, "x y z as written (wrapped)"),
                                       ("image", shot.images, "", "periodic image flags ix iy iz")):
            dataset = group.create_dataset(name, data=data)
            dataset.attrs.update({"unit": unit, "description": text})
        if shot.kind != "dynamics":
            continue  # the window's dynamics are stored once, with the window-end snapshot
        dynamics = group.create_group("dynamics")
        for name in shot.dynamics.columns:
            if name == "id":
                continue
            column = described.get(name.removeprefix("jump_"))
            dataset = dynamics.create_dataset(name, data=shot.dynamics[name].to_numpy())
            dataset.attrs.update({"unit": units.get(column.unit, "") if column else "",
                                  "description": column.meaning if column else name})


def read_snapshots(h5) -> list[Snapshot]:
    """Every snapshot of an open results file (empty without a ``snapshots`` group)."""
    if "snapshots" not in h5:
        return []
    out = []

    def visit(name: str, item) -> None:
        if hasattr(item, "keys") and "kind" in item.attrs:
            out.append(_read_group(item))

    h5["snapshots"].visititems(visit)
    order = {kind: k for k, kind in enumerate(KINDS)}
    return sorted(out, key=lambda s: (s.temperature, s.period, s.cycle, order[s.kind]))


def _read_group(group) -> Snapshot:
    attrs = group.attrs

    def text(value) -> str:
        return value.decode() if isinstance(value, bytes) else str(value)

    ids = group["id"][()]
    columns = json.loads(text(attrs["columns"]))
    stored = group["dynamics"] if "dynamics" in group else group.parent["dynamics"]["dynamics"]
    if not np.array_equal(group.parent["dynamics"]["id"][()], ids):
        raise ValueError(f"{group.name}: atom IDs differ from those of the window's dynamics")
    dynamics = pd.DataFrame({"id": ids, **{c: stored[c][()] for c in columns}})
    return Snapshot(temperature=float(attrs["temperature"]), period=float(attrs["period"]), cycle=int(attrs["cycle"]),
                    kind=text(attrs["kind"]), step=int(attrs["step"]), time=float(attrs["time"]),
                    stage=text(attrs["stage"]), box=Box(attrs["box_lo"][()], attrs["box_hi"][()], attrs["tilt"][()]),
                    ids=ids, types=group["type"][()], species=tuple(json.loads(text(attrs["species"]))),
                    positions=group["position"][()], images=group["image"][()], dynamics=dynamics,
                    units=text(attrs["units"]), info=json.loads(text(attrs["info"])))
