"""A small, honest DeePMD model of Cu-Zr, learned from the Mendelev EAM potential.

The whole DeePMD workflow in a minute on a laptop core:

1. **sample** liquid and glass configurations of a small Cu-Zr box with LAMMPS and the EAM
   reference (several temperatures, each at three volumetric strains, so the model sees
   compressed and stretched neighbourhoods), recording energies, forces and virials;
2. **write** them in DeePMD-kit's ``deepmd/npy`` format, every fifth frame held out;
3. **train** a small ``se_e2_a`` model with ``dp --tf train`` and **freeze** it;
4. **test** it on the held-out frames against the reference, and against the same network before
   training, and report the RMSEs.

It is what the glassdyn tests use (a model made by the project, not downloaded), and a worked
example for users who have no model yet. From the command line::

    python -m glassdyn.deepmd.tiny_model OUTDIR

TensorFlow is imported only in the ``dp`` subprocesses, never in the calling process.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

import numpy as np

from glassdyn.launching.deepmd import deepmd_available, missing_deepmd_message
from glassdyn.launching.environment import lammps_environment
from glassdyn.launching.launchers import run_lammps
from glassdyn.units import unit_system

TYPE_MAP = ("Cu", "Zr")
#: Atom percent of the reference boxes unless ``composition`` says otherwise.
COMPOSITION = {"Cu": 64.0, "Zr": 36.0}
#: fcc lattice constant (A) of the Cu64Zr36 reference box; other compositions scale it with the
#: atomic volumes of Cu and Zr (A^3), so every box starts near its own liquid density.
LATTICE_CU64ZR36 = 3.9
ATOMIC_VOLUMES = {"Cu": 11.8, "Zr": 23.3}
METAL_NKTV2P = unit_system("metal").nktv2p  # bar * A^3 per eV: LAMMPS's conversion of virial to pressure


@dataclass(frozen=True)
class TinyModel:
    """A frozen model and how well it reproduces the reference on held-out frames."""

    path: Path
    type_map: tuple[str, ...]
    rcut: float
    training_steps: int
    frames_train: int
    frames_test: int
    energy_rmse: float           # eV/atom
    force_rmse: float            # eV/A
    virial_rmse: float           # eV/atom
    force_rms_reference: float   # RMS of the reference forces on the test frames, eV/A
    untrained_energy_rmse: float
    untrained_force_rmse: float
    composition: tuple[tuple[str, float], ...] = tuple(COMPOSITION.items())  # atom percent of the reference

    def summary(self) -> str:
        formula = "".join(f"{name}{amount:g}" for name, amount in self.composition)
        return (f"{self.path.name} ({formula}, type map {' '.join(self.type_map)}): "
                f"{self.frames_train} training / {self.frames_test} test frames, "
                f"{self.training_steps} steps, rcut {self.rcut} A\n"
                f"  test RMSE  energy {1000 * self.energy_rmse:.2f} meV/atom, force {self.force_rmse:.3f} eV/A "
                f"(reference forces RMS {self.force_rms_reference:.3f} eV/A), virial {1000 * self.virial_rmse:.2f} "
                f"meV/atom\n"
                f"  untrained  energy {1000 * self.untrained_energy_rmse:.1f} meV/atom, "
                f"force {self.untrained_force_rmse:.3f} eV/A")


# --------------------------------------------------------------------------------------------------
# 1. sampling with the reference potential

SAMPLING_INPUT = """\
units           metal
atom_style      atomic
boundary        p p p
lattice         fcc {lattice}
region          box block 0 {cells} 0 {cells} 0 {cells}
create_box      2 box
create_atoms    1 box
set             type 1 type/ratio 2 {zr_fraction} {seed}
mass            1 63.546
mass            2 91.224
pair_style      eam/fs
pair_coeff      * * CuZr_mm.eam.fs Cu Zr
neighbor        1.0 bin
timestep        0.002
compute         vir all pressure NULL virial
thermo_style    custom step temp pe
velocity        all create 2500 {seed} dist gaussian
fix             md all nvt temp 2500 2500 0.1
run             2000
write_restart   liquid.restart
"""

CONDITION_INPUT = """\
clear
units           metal
atom_style      atomic
boundary        p p p
read_restart    liquid.restart
pair_style      eam/fs
pair_coeff      * * CuZr_mm.eam.fs Cu Zr
neighbor        1.0 bin
timestep        0.002
compute         vir all pressure NULL virial
variable        volume equal vol
change_box      all x scale {scale} y scale {scale} z scale {scale} remap
velocity        all create {temperature} {seed} dist gaussian
fix             md all nvt temp {temperature} {temperature} 0.1
run             {equilibrate}
reset_timestep  0
dump            frames all custom {every} frames_{tag}.dump id type x y z fx fy fz
dump_modify     frames sort id format float %.12g
fix             energies all ave/time {every} 1 {every} c_thermo_pe c_vir[1] c_vir[2] c_vir[3] c_vir[4] c_vir[5] c_vir[6] v_volume file energies_{tag}.txt format " %.12g"
run             {steps}
undump          frames
unfix           energies
"""


def zr_fraction(composition: Mapping[str, float]) -> float:
    """The Zr atom fraction of a Cu-Zr composition (atom percent or fractions); names the bad field."""
    unknown = sorted(set(composition) - set(TYPE_MAP))
    if unknown or not composition:
        raise ValueError(f"composition: the EAM reference knows Cu and Zr only, got {sorted(composition)}")
    if any(not np.isfinite(v) or v < 0 for v in composition.values()) or sum(composition.values()) <= 0:
        raise ValueError(f"composition: amounts must be finite, >= 0 and not all 0, got {dict(composition)}")
    return composition.get("Zr", 0.0) / sum(composition.values())


def lattice_constant(composition: Mapping[str, float]) -> float:
    """fcc lattice constant of the starting box: 3.9 A for Cu64Zr36, scaled by the mean atomic volume."""
    def volume(x_zr: float) -> float:
        return (1 - x_zr) * ATOMIC_VOLUMES["Cu"] + x_zr * ATOMIC_VOLUMES["Zr"]

    return LATTICE_CU64ZR36 * (volume(zr_fraction(composition)) / volume(zr_fraction(COMPOSITION))) ** (1 / 3)


def sample_reference(workdir: Path, *, temperatures: Sequence[float] = (2000.0, 1400.0, 1000.0, 700.0),
                     strains: Sequence[float] = (-0.02, 0.0, 0.02), frames_per_condition: int = 10,
                     cells: int = 3, seed: int = 8128, nprocs: int = 1,
                     composition: Mapping[str, float] = COMPOSITION) -> list[dict]:
    """Frames of a Cu-Zr box (4 x cells^3 atoms, Cu64Zr36 unless ``composition`` says otherwise) at
    each temperature and strain. Types in the frames: 0 = Cu, 1 = Zr (the order of ``TYPE_MAP``)."""
    workdir.mkdir(parents=True, exist_ok=True)
    natoms = 4 * cells ** 3
    script = SAMPLING_INPUT.format(lattice=f"{lattice_constant(composition):.6g}", cells=cells,
                                   zr_fraction=f"{zr_fraction(composition):.6g}", seed=seed)
    tags = []
    for i, temperature in enumerate(temperatures):
        for j, strain in enumerate(strains):
            tag = f"T{temperature:g}_e{strain:+g}"
            tags.append(tag)
            script += CONDITION_INPUT.format(scale=1.0 + strain, temperature=temperature, seed=seed + 10 * i + j + 1,
                                             equilibrate=500, every=50, steps=50 * frames_per_condition, tag=tag)
    (workdir / "in.sample").write_text(script)
    run_lammps(workdir / "in.sample", nprocs=nprocs, cwd=workdir, check=True, timeout=1800)
    frames = []
    for tag in tags:
        frames += _read_condition(workdir, tag, natoms)
    return frames


def _read_condition(workdir: Path, tag: str, natoms: int) -> list[dict]:
    from glassdyn.io import read_dump

    dumps = read_dump(workdir / f"frames_{tag}.dump")
    energies = {int(row[0]): row[1:] for row in np.loadtxt(workdir / f"energies_{tag}.txt", ndmin=2)}
    frames = []
    for frame in dumps:
        step = frame.timestep
        if step == 0 or step not in energies:  # step 0 is the end of equilibration: keep sampled frames only
            continue
        pe, pxx, pyy, pzz, pxy, pxz, pyz, volume = energies[step]
        # DeePMD's virial has the sign of pressure x volume: W = P_virial V (eV), from LAMMPS's virial pressure.
        virial = np.array([[pxx, pxy, pxz], [pxy, pyy, pyz], [pxz, pyz, pzz]]) * volume / METAL_NKTV2P
        if len(frame) != natoms:
            raise RuntimeError(f"frame at step {step} of {tag} has {len(frame)} atoms, expected {natoms}")
        frames.append({"box": frame.box.matrix.T,  # DeePMD: cell vectors as rows
                       "coord": np.column_stack([frame["x"], frame["y"], frame["z"]]),
                       "type": frame["type"].astype(int) - 1,
                       "force": np.column_stack([frame["fx"], frame["fy"], frame["fz"]]),
                       "energy": pe, "virial": virial})
    return frames


# --------------------------------------------------------------------------------------------------
# 2. DeePMD data format


def write_deepmd_npy(frames: Sequence[dict], folder: Path, type_map: Sequence[str] = TYPE_MAP) -> None:
    """One DeePMD system (``type.raw``, ``type_map.raw``, ``set.000/*.npy``) from frames of equal atoms.

    The frames' types index ``TYPE_MAP`` (0 = Cu, 1 = Zr); ``type.raw`` indexes ``type_map``, which
    may list the elements in another order (a model whose type map is ["Zr", "Cu"]).
    """
    if sorted(type_map) != sorted(TYPE_MAP):
        raise ValueError(f"type_map: must order the reference's elements {list(TYPE_MAP)}, got {list(type_map)}")
    (folder / "set.000").mkdir(parents=True, exist_ok=True)
    index = np.array([list(type_map).index(name) for name in TYPE_MAP])
    np.savetxt(folder / "type.raw", index[frames[0]["type"]], fmt="%d")
    (folder / "type_map.raw").write_text("\n".join(type_map) + "\n")
    arrays = {"box": [f["box"].reshape(9) for f in frames], "coord": [f["coord"].reshape(-1) for f in frames],
              "force": [f["force"].reshape(-1) for f in frames], "energy": [f["energy"] for f in frames],
              "virial": [f["virial"].reshape(9) for f in frames]}
    for name, values in arrays.items():
        np.save(folder / "set.000" / f"{name}.npy", np.array(values, dtype=np.float64))


# --------------------------------------------------------------------------------------------------
# 3. training and freezing


def training_input(train: Path, validation: Path, steps: int, rcut: float, seed: int,
                   type_map: Sequence[str] = TYPE_MAP) -> dict:
    """A small se_e2_a model: enough to learn EAM forces, small enough to train in seconds."""
    sel = {"Cu": 48, "Zr": 32}  # neighbours of each element within rcut, with margin
    return {
        "model": {
            "type_map": list(type_map),
            "descriptor": {"type": "se_e2_a", "rcut": rcut, "rcut_smth": rcut - 1.0,
                           "sel": [sel[name] for name in type_map],
                           "neuron": [8, 16], "axis_neuron": 4, "resnet_dt": False, "seed": seed},
            "fitting_net": {"neuron": [32, 32], "resnet_dt": True, "seed": seed},
        },
        # A few hundred steps instead of DeePMD-kit's usual 1e5-1e6: a high starting learning rate,
        # one frame per batch, forces first and energies weighted up towards the end.
        "learning_rate": {"type": "exp", "start_lr": 0.02, "stop_lr": 2.0e-4, "decay_steps": max(1, steps // 25)},
        "loss": {"type": "ener", "start_pref_e": 0.02, "limit_pref_e": 5.0, "start_pref_f": 1000.0,
                 "limit_pref_f": 1.0, "start_pref_v": 0.0, "limit_pref_v": 0.0},
        "training": {
            "training_data": {"systems": [str(train)], "batch_size": 1},
            "validation_data": {"systems": [str(validation)], "batch_size": 1, "numb_btch": 4},
            "numb_steps": steps, "seed": seed, "disp_file": "lcurve.out", "disp_freq": max(1, steps // 10),
            "save_freq": steps, "save_ckpt": "model.ckpt",
        },
    }


def _dp(arguments: Sequence[str], cwd: Path) -> None:
    dp = Path(sys.executable).parent / "dp"
    completed = subprocess.run([str(dp), "--tf", *arguments], cwd=cwd, env=lammps_environment(deepmd=True),
                               capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"dp {' '.join(arguments)} failed in {cwd}:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}")


def train_and_freeze(workdir: Path, steps: int, rcut: float, seed: int, name: str,
                     type_map: Sequence[str] = TYPE_MAP) -> Path:
    folder = workdir / name
    folder.mkdir(parents=True, exist_ok=True)
    spec = training_input(workdir / "data" / "train", workdir / "data" / "test", steps, rcut, seed, type_map)
    (folder / "input.json").write_text(json.dumps(spec, indent=1))
    _dp(["train", "input.json"], folder)
    _dp(["freeze", "-o", f"{name}.pb"], folder)
    return folder / f"{name}.pb"


# --------------------------------------------------------------------------------------------------
# 4. testing on held-out frames (in a subprocess: it imports TensorFlow)

_EVALUATE = textwrap.dedent("""
    import json, sys
    import numpy as np
    from deepmd.infer import DeepPot
    model, data = sys.argv[1], sys.argv[2]
    dp = DeepPot(model)
    box = np.load(f"{data}/set.000/box.npy"); coord = np.load(f"{data}/set.000/coord.npy")
    atype = np.loadtxt(f"{data}/type.raw", dtype=int).reshape(-1)
    energy, force, virial = dp.eval(coord, box, atype)[:3]
    ref_e = np.load(f"{data}/set.000/energy.npy"); ref_f = np.load(f"{data}/set.000/force.npy")
    ref_v = np.load(f"{data}/set.000/virial.npy")
    n = len(atype)
    print(json.dumps({
        "energy_rmse": float(np.sqrt(np.mean((energy.reshape(-1) - ref_e) ** 2)) / n),
        "force_rmse": float(np.sqrt(np.mean((force.reshape(ref_f.shape) - ref_f) ** 2))),
        "virial_rmse": float(np.sqrt(np.mean((virial.reshape(ref_v.shape) - ref_v) ** 2)) / n),
        "force_rms_reference": float(np.sqrt(np.mean(ref_f ** 2))),
        "type_map": dp.get_type_map(), "rcut": float(dp.get_rcut())}))
""")


def evaluate(model: Path, data: Path) -> dict:
    completed = subprocess.run([sys.executable, "-c", _EVALUATE, str(model), str(data)],
                               env=lammps_environment(deepmd=True), capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"evaluating {model} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------------


def make_tiny_model(workdir: str | Path, *, steps: int = 1000, rcut: float = 5.0, seed: int = 8128,
                    frames_per_condition: int = 10, nprocs: int = 1, untrained_baseline: bool = True,
                    composition: Optional[Mapping[str, float]] = None,
                    type_map: Sequence[str] = TYPE_MAP) -> TinyModel:
    """Sample, train, freeze and test a tiny Cu-Zr DeePMD model in ``workdir``.

    Returns the cached result if ``workdir/tiny_model.json`` exists from an earlier call with the
    same settings.

    Parameters
    ----------
    composition : mapping, optional
        Atom percent of Cu and Zr in the reference boxes (default Cu64Zr36): a model of each glass
        of a comparison, e.g. ``{"Cu": 50, "Zr": 50}``.
    type_map : sequence of str
        The model's element order, ``("Cu", "Zr")`` or ``("Zr", "Cu")``; a campaign using the
        model gives the same list as ``system.type_map``.

    Examples
    --------
    >>> model = make_tiny_model("tiny-cuzr")       # doctest: +SKIP
    >>> print(model.summary())                      # doctest: +SKIP
    """
    if not deepmd_available():
        raise RuntimeError(missing_deepmd_message())
    composition = dict(COMPOSITION if composition is None else composition)
    zr_fraction(composition)  # a bad composition fails here, before any run
    type_map = tuple(type_map)
    if sorted(type_map) != sorted(TYPE_MAP):
        raise ValueError(f"type_map: must order the reference's elements {list(TYPE_MAP)}, got {list(type_map)}")
    workdir = Path(workdir).resolve()
    settings = {"steps": steps, "rcut": rcut, "seed": seed, "frames_per_condition": frames_per_condition}
    if composition != COMPOSITION or type_map != TYPE_MAP:  # the default model keeps its cache record
        settings.update(composition=composition, type_map=list(type_map))
    record = workdir / "tiny_model.json"
    if record.exists():
        stored = json.loads(record.read_text(encoding="utf-8"))
        if stored.get("settings") == settings and Path(stored["model"]["path"]).exists():
            return TinyModel(**{**stored["model"], "path": Path(stored["model"]["path"]),
                                "type_map": tuple(stored["model"]["type_map"]),
                                "composition": tuple((k, v) for k, v in stored["model"].get(
                                    "composition", COMPOSITION.items()))})
    frames = sample_reference(workdir / "sampling", frames_per_condition=frames_per_condition, seed=seed,
                              nprocs=nprocs, composition=composition)
    test = frames[4::5]
    train = [f for k, f in enumerate(frames) if k % 5 != 4]
    write_deepmd_npy(train, workdir / "data" / "train", type_map)
    write_deepmd_npy(test, workdir / "data" / "test", type_map)
    path = train_and_freeze(workdir, steps, rcut, seed, "tiny", type_map)
    scores = evaluate(path, workdir / "data" / "test")
    untrained = {"energy_rmse": float("nan"), "force_rmse": float("nan")}
    if untrained_baseline:
        untrained = evaluate(train_and_freeze(workdir, 1, rcut, seed, "untrained", type_map),
                             workdir / "data" / "test")
    model = TinyModel(path=path, type_map=tuple(scores["type_map"]), rcut=scores["rcut"], training_steps=steps,
                      frames_train=len(train), frames_test=len(test), energy_rmse=scores["energy_rmse"],
                      force_rmse=scores["force_rmse"], virial_rmse=scores["virial_rmse"],
                      force_rms_reference=scores["force_rms_reference"],
                      untrained_energy_rmse=untrained["energy_rmse"], untrained_force_rmse=untrained["force_rmse"],
                      composition=tuple(composition.items()))
    record.write_text(json.dumps({"settings": settings, "model": {**asdict(model), "path": str(path)}}, indent=1))
    return model


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m glassdyn.deepmd.tiny_model",
                                     description="Train a tiny Cu-Zr DeePMD model from the EAM reference.")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--steps", type=int, default=1000, help="training steps")
    parser.add_argument("--np", type=int, default=1, help="MPI ranks for the LAMMPS sampling")
    parser.add_argument("--composition", default="Cu=64,Zr=36", help="atom percent of the reference boxes")
    parser.add_argument("--type-map", default="Cu,Zr", help="the model's element order (Cu,Zr or Zr,Cu)")
    args = parser.parse_args(argv)
    try:
        composition = {name.strip(): float(value) for name, value in
                       (item.split("=") for item in args.composition.split(","))}
    except ValueError:
        parser.error(f"--composition: expected NAME=AMOUNT,NAME=AMOUNT (e.g. Cu=50,Zr=50), got {args.composition!r}")
    type_map = [name.strip() for name in args.type_map.split(",")]
    try:
        model = make_tiny_model(args.outdir, steps=args.steps, nprocs=args.np, composition=composition,
                                type_map=type_map)
    except ValueError as error:
        parser.error(str(error))
    print(model.summary())
    print(f"model: {model.path}\nuse it with:  pair_style deepmd {model.path}\n"
          f"              pair_coeff * * {' '.join(model.type_map)}   (types 1, 2 = {', '.join(model.type_map)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
