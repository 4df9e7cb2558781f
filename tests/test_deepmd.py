"""glassdyn under DeePMD-kit's pair_style deepmd, with a model the project trains itself.

The tiny Cu-Zr model is made once per session from the Mendelev EAM reference (sampling with
LAMMPS, ``dp --tf train``, ``dp --tf freeze``; about a minute) by ``glassdyn.deepmd.make_tiny_model``.
Without DeePMD-kit every test here is skipped with the reason.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from glassdyn.deepmd import deepmd_available, missing_deepmd_message
from glassdyn.launching import run_lammps

pytestmark = [pytest.mark.slow, pytest.mark.deepmd,
              pytest.mark.skipif(not deepmd_available(), reason=missing_deepmd_message())]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    from glassdyn.deepmd import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("tiny-model"), nprocs=2)


def test_tiny_model_reproduces_the_reference(tiny_model):
    """Held-out frames (every fifth, never trained on): the model must have learned the EAM.

    The reference forces over 700-2000 K have an RMS of ~0.9 eV/A and the per-atom energies span
    ~0.35 eV. 1000 training steps on 96 frames (seconds, not DeePMD-kit's usual 1e5-1e6 steps)
    reach ~0.35 eV/A and ~40 meV/atom here. Bounds with margin for other machines' floating point:
    forces better than half the RMS reference force and half the untrained network's error,
    energies within 60 meV/atom and a quarter of the untrained network's error.
    """
    print(tiny_model.summary())
    assert tiny_model.type_map == ("Cu", "Zr")
    assert tiny_model.frames_test >= 20
    assert tiny_model.force_rmse < 0.5 * tiny_model.force_rms_reference
    assert tiny_model.force_rmse < 0.5 * tiny_model.untrained_force_rmse
    assert tiny_model.energy_rmse < 0.060
    assert tiny_model.energy_rmse < 0.25 * tiny_model.untrained_energy_rmse


# 256 atoms of Cu64Zr36 on an fcc lattice (random types), with the tiny model.
CUZR_256 = """
units           metal
atom_style      atomic
lattice         fcc 3.9
region          box block 0 4 0 4 0 4
create_box      2 box
create_atoms    1 box
set             type 1 type/ratio 2 0.36 {seed}
mass            1 63.546
mass            2 91.224
pair_style      deepmd {model}
pair_coeff      * * Cu Zr
neighbor        1.0 bin
"""

NVE = CUZR_256 + """
timestep        0.001
velocity        all create 1200 4242 dist gaussian
fix             md all nvt temp 600 600 0.1
run             500
unfix           md
fix             md all nve
reset_timestep  0
thermo          20
thermo_style    custom step temp pe etotal
thermo_modify   format float %.10g
run             2000
"""


def thermo_table(output: str) -> np.ndarray:
    """The thermo lines of the last run in a LAMMPS output."""
    rows = []
    for line in output.split("Step")[-1].splitlines()[1:]:
        if not re.match(r"^\s*\d+\s", line):
            break
        rows.append([float(v) for v in line.split()])
    return np.array(rows)


def test_nve_conserves_energy(tiny_model, tmp_path: Path):
    """2 ps of NVE at ~600 K with a 1 fs step: forces must be the gradient of the energy.

    A model whose forces and energies disagree heats or cools steadily. Bound: drift of the total
    energy below 1 meV/atom/ps and its fluctuation below 1 meV/atom, where the potential energy
    itself fluctuates by tens of meV/atom.
    """
    script = tmp_path / "in.nve"
    script.write_text(NVE.format(model=tiny_model.path, seed=4242))
    run = run_lammps(script, nprocs=2, deepmd=True, check=True, timeout=600)
    table = thermo_table(run.output)
    nve = table  # the NVE run: steps 0..2000 every 20
    assert len(nve) == 101
    natoms = 256
    time = nve[:, 0] * 0.001
    etotal = nve[:, 3] / natoms
    drift = abs(np.polyfit(time, etotal, 1)[0])
    spread = np.std(etotal - np.polyval(np.polyfit(time, etotal, 1), time))
    pe_spread = np.std(nve[:, 2] / natoms)
    print(f"drift {1000 * drift:.4f} meV/atom/ps, etotal spread {1000 * spread:.4f} meV/atom, "
          f"pe spread {1000 * pe_spread:.2f} meV/atom, T = {nve[:, 1].mean():.0f} K")
    assert drift < 1e-3
    assert spread < 1e-3 < pe_spread


PREPARE = CUZR_256 + """
timestep        0.002
velocity        all create 2400 777 dist gaussian
fix             md all nvt temp 1200 1200 0.1
run             1000
write_restart   liquid.restart
"""

STYLES = """
units           metal
atom_style      atomic
read_restart    liquid.restart
pair_style      deepmd {model}
pair_coeff      * * Cu Zr
neighbor        1.0 bin
comm_modify     cutoff 12.0
timestep        0.002
fix             md all nvt temp 1200 1200 0.1
reset_timestep  0
compute         sa all centroid/stress/atom NULL
fix             dms all dms x amplitude 0.02 period 0.4 harmonics 3 discard 1 peratom sa
compute         str all stringlike/atom delta 1.4 sync dms
compute         cage all cage/atom cutoff 3.6 sync dms
compute         pu all displacement/distribution str
compute         peratom all reduce sum f_dms[1] f_dms[2]
run             400
print           "RESULT $(f_dms[1]:%.12g) $(f_dms[3]:%.12g) $(f_dms[5]:%.12g) $(c_str[1]:%.12g) $(c_str[2]:%.12g) $(c_str[4]:%.12g) $(c_str[7]:%.12g) $(c_cage[1]:%.12g) $(c_cage[2]:%.12g) $(c_pu[1]:%.12g) $(c_peratom[1]:%.12g) $(c_peratom[2]:%.12g)"
"""


@pytest.mark.mpi
def test_styles_identical_on_one_and_two_ranks(tiny_model, tmp_path: Path):
    """strings, cages, p(u) and fix dms (global and per-atom) under pair_style deepmd, 1 vs 2 ranks.

    Both runs start from the same restart of a 1200 K liquid (made on one rank) and run two
    0.4 ps cycles, so only the summation order differs: values agree to 1e-6 relative (roundoff
    grows by a few orders of magnitude in 0.8 ps of a liquid), counts exactly. Sanity: fractions
    within [0, 1], a finite loss and a positive storage modulus.
    """
    (tmp_path / "in.prepare").write_text(PREPARE.format(model=tiny_model.path, seed=777))
    run_lammps(tmp_path / "in.prepare", nprocs=1, deepmd=True, check=True, timeout=900)
    script = tmp_path / "in.styles"
    script.write_text(STYLES.format(model=tiny_model.path))
    results = []
    for nprocs in (1, 2):
        run = run_lammps(script, nprocs=nprocs, deepmd=True, check=True, timeout=900)
        line = next(line for line in run.output.splitlines() if line.startswith("RESULT"))
        results.append(np.array([float(v) for v in line.split()[1:]]))
    one, two = results
    print("1 rank:", one, "\n2 ranks:", two)
    storage, loss, tan_delta, n_fast, n_str, n_strings, str_fraction, fraction_broken, lost, u_mean, m1, m2 = one
    assert storage > 0 and np.isfinite(loss) and np.isfinite(tan_delta)
    assert n_fast == round(0.05 * 256) and 0 <= str_fraction <= 1 and 0 <= fraction_broken <= 1 and u_mean > 0
    assert np.array_equal(one[3:6], two[3:6])  # counts
    np.testing.assert_allclose(one, two, rtol=1e-6, atol=1e-9)


def test_driver_campaign_with_the_tiny_model(tiny_model, tmp_path: Path):
    """A whole (tiny) campaign under pair_style deepmd: the model is checked, every stage runs,
    snapshots included (the inherent structure has a lower energy than the thermal one)."""
    config = tmp_path / "dp.toml"
    config.write_text(f"""
[campaign]
name = "dp"

[system]
potential = "deepmd"
model = "{tiny_model.path}"
type_map = ["Cu", "Zr"]
composition = {{ Cu = 64, Zr = 36 }}
atoms = 128

[preparation]
melt_temperature = 1800.0
melt_time = 0.6
quench_rate = 2000.0
low_temperature = 600.0

[dms]
temperatures = [800.0, 1200.0]
periods = [0.4]
cycles = 2
equilibration_time = 0.2

[analysis]
string_delta = 1.4
cage_cutoff = 3.6

[snapshots]
temperatures = [800.0]

[launch]
np = 2
""")
    completed = subprocess.run([sys.executable, "-m", "glassdyn", "run", str(config), "--quiet"],
                               capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr
    import glassdyn

    results = glassdyn.load(tmp_path / "dp")
    assert results.metadata["potential"] == "deepmd" and results.metadata["versions"]["deepmd-kit"] == "3.2.0"
    assert len(results.cycles) == 4 and (results.summary["storage"] > 0).all()
    assert "pair_style deepmd" in results.inputs["T800/P0.4/seg001"]
    # [snapshots]: the inherent structure is minimised under the same deep potential (FIRE, fixed box).
    assert "pair_style deepmd" in results.inputs["T800/P0.4/inherent002"]
    inherent = results.snapshot(temperature=800.0, kind="inherent")
    assert inherent.info["pe_inherent"] < inherent.info["pe_thermal"] and inherent.natoms == 128
    # A type map that contradicts the model is refused before any stage runs.
    config.write_text(config.read_text().replace('type_map = ["Cu", "Zr"]', 'type_map = ["Zr", "Cu"]')
                      .replace('name = "dp"', 'name = "dp2"'))
    refused = subprocess.run([sys.executable, "-m", "glassdyn", "run", str(config), "--quiet"],
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and "system.type_map" in refused.stderr
    assert not (tmp_path / "dp2" / "prep" / "melt01").exists()


def test_runs_without_deepmd_never_load_tensorflow(tmp_path: Path):
    """With DeePMD-kit installed, glassdyn's Python and its non-deepmd LAMMPS runs stay light.

    Importing the driver, the results and the DeePMD helpers must not import TensorFlow, and a
    LAMMPS run started without ``deepmd=True`` loads only glassdyn's plugin.
    """
    code = ("import sys, glassdyn, glassdyn.campaign, glassdyn.launching, glassdyn.results.store, glassdyn.deepmd, "
            "glassdyn.deepmd.tiny_model; print('tensorflow' in sys.modules, 'deepmd.tf' in sys.modules)")
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert imported.stdout.split() == ["False", "False"]
    script = tmp_path / "in.plain"
    script.write_text("units lj\nregion b block 0 2 0 2 0 2\ncreate_box 1 b\nplugin list\n")
    run = run_lammps(script, check=True)
    assert "Loaded 1 plugins" in run.output and "deepmd" not in run.output.lower()
