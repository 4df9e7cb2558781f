"""The [relaxation] stage of a tiny Kob-Andersen campaign end to end (300 atoms, 2 temperatures,
``mpiexec -n 2 lmp`` subprocesses, ~20 s): harvested values are exactly what the stage's fixes
wrote, a killed campaign resumes without rerunning a finished relaxation stage and ends with the
same results file, and the report draws the relaxation figure and its fits.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import glassdyn
from glassdyn import schema
from test_driver_campaign import assert_same_results, journal, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.mpi]

TINY = """
[campaign]
name = "tiny-relax"
seed = 4242

[system]
potential = "kob-andersen"
composition = { A = 80, B = 20 }
atoms = 300

[preparation]
melt_temperature = 2.0
melt_time = 5.0
quench_rate = 0.2
low_temperature = 0.4

[dms]
temperatures = [1.2, 2.0]
periods = [5.0]
cycles = 2
equilibration_time = 2.5

[relaxation]
time = 20.0
every = 2.0
origins = 5
lags = 12
string_windows = [0.25, 0.5, 1.0, 2.5]

[launch]
np = 2
"""

SPECIES = ["all", "A", "B"]


def write(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "relax.toml"
    path.write_text(TINY)
    return path


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The campaign run uninterrupted; returns its folder."""
    folder = tmp_path_factory.mktemp("relax")
    completed = run_cli(write(folder))
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return folder / "tiny-relax"


def test_harvest_equals_the_stage_outputs(campaign: Path):
    """Every relaxation value in results.h5 is the one the stage's fixes wrote: the derived vector
    as printed from f_gd_corr to the log, the per-lag array as fix ave/time wrote it, and each
    window length's mean over the rows of its file at the window ends; summary.csv carries them."""
    results = glassdyn.load(campaign)
    vector = schema.layout("dynamics/correlate", "vector")
    array = schema.layout("dynamics/correlate", "array")
    for temperature in (1.2, 2.0):
        folder = campaign / f"T{temperature:g}" / "relaxation"
        printed = next(line.split()[1:] for line in (folder / "log.lammps").read_text().splitlines()
                       if line.startswith("glassdyn-relaxation "))
        for s, name in enumerate(SPECIES):
            row = results.relaxation_times.query("temperature == @temperature and species == @name").iloc[0]
            for column in vector.names:
                assert row[column] == float(printed[vector.index(column, ntypes=2, set=s) - 1]), (name, column)
        lines = (folder / "correlate.txt").read_text().splitlines()
        block = np.array([line.split()[1:] for line in lines[-12:]], dtype=float)  # last block: step 4000
        assert lines[-13].split()[:2] == ["4000", "12"]
        for s, name in enumerate(SPECIES):
            rows = results.relaxation.query("temperature == @temperature and species == @name").sort_values("lag")
            for column in ("msd", "alpha2", "fs", "overlap", "chi4", "n_origins"):
                assert np.array_equal(rows[column].to_numpy(), block[:, array.index(column, ntypes=2, set=s) - 1])
        windows = results.string_windows.query("temperature == @temperature").sort_values("window")
        assert windows["window_steps"].tolist() == [50, 100, 200, 500]
        assert windows["n_windows"].tolist() == [80, 40, 20, 8]
        for row in windows.itertuples():
            table = np.loadtxt(folder / f"window{row.window_steps}.txt")
            ends = table[table[:, 0] > 0]
            assert ends[:, 0].tolist() == [row.window_steps * k for k in range(1, row.n_windows + 1)]
            assert [row.n_fast, row.xi_number, row.str_fraction] == pytest.approx(ends[:, [1, 5, 7]].mean(axis=0),
                                                                                  rel=1e-12)
            # An independent count: the 5 % of 300 atoms with the largest u (ties by ID) are exactly
            # 15 in every window, so their mean is 15 -- a mean that also took in the run's first
            # step, before any window ended, would be 15 K/(K+1).
            assert row.n_fast == 15.0
    # The physics is sane: F_s falls from ~1 to below 1/e and the liquid diffuses (D > 0 for all
    # atoms and the 240 A atoms; the 60 B atoms' MSD is too noisy for a diffusive range at every
    # temperature in 10 tau) at both temperatures; hotter is faster.
    times = results.relaxation_times.set_index(["temperature", "species"])
    assert (times["tau_alpha"] > 0).all()
    assert (times.loc[(slice(None), ["all", "A"]), "diffusion"] > 0).all()
    assert times.loc[(2.0, "all"), "tau_alpha"] < times.loc[(1.2, "all"), "tau_alpha"]
    assert times.loc[(2.0, "all"), "diffusion"] > times.loc[(1.2, "all"), "diffusion"]
    header = (campaign / "summary.csv").read_text().splitlines()[0].split(",")
    for column in ("tau_alpha", "D", "t_star", "chi4_peak", "tau_alpha_A", "D_B", "xi_peak_window"):
        assert column in header
    summary = results.summary.set_index("temperature")
    assert summary.loc[2.0, "D_A"] == times.loc[(2.0, "A"), "diffusion"]


def test_load_gives_back_the_harvested_relaxation(campaign: Path):
    """glassdyn.load rebuilds the three relaxation tables from results.h5 as harvested from the stage
    files, and the per-temperature progress line shows tau_alpha."""
    from pandas.testing import assert_frame_equal

    from glassdyn.campaign import Campaign
    from glassdyn.results.harvest import harvest_campaign

    config = Campaign.from_toml(campaign.parent / "relax.toml")
    harvested = harvest_campaign(campaign, config.config, config.plan)
    loaded = glassdyn.load(campaign)
    for name in ("relaxation", "relaxation_times", "string_windows", "summary"):
        assert_frame_equal(getattr(loaded, name), getattr(harvested, name), check_dtype=False, obj=name)
    # The progress line after each temperature starts with its relaxation times.
    from glassdyn.results.summary import temperature_summary

    line = temperature_summary(campaign, config.config, config.plan.chains[0])
    tau = harvested.relaxation_times.query("temperature == 1.2 and species == 'all'")["tau_alpha"].iloc[0]
    assert line.startswith(f"T = 1.2: tau_alpha = {tau:.4g}, D = ")


def test_damaged_relaxation_output_is_named(campaign: Path, tmp_path: Path):
    """A relaxation stage whose correlate.txt is missing, or whose log lost its printed vector, is
    refused by file name with the advice to repeat the stage (not read as zeros)."""
    import shutil

    from glassdyn.campaign import Campaign
    from glassdyn.results.harvest import relaxation_tables
    from glassdyn.run.errors import StateError

    config = Campaign.from_toml(campaign.parent / "relax.toml")
    stage = config.plan.chains[0].relaxation
    copy = tmp_path / "copy"
    shutil.copytree(campaign / stage.name, copy / stage.name)
    log = copy / stage.name / "log.lammps"
    log.write_text("".join(line for line in log.read_text().splitlines(keepends=True)
                           if not line.startswith("glassdyn-relaxation ")))
    with pytest.raises(StateError, match=r"log\.lammps: has no complete glassdyn-relaxation line.*done\.json"):
        relaxation_tables(copy, config.config, stage)
    (copy / stage.name / "correlate.txt").unlink()
    with pytest.raises(StateError, match=r"correlate\.txt: missing"):
        relaxation_tables(copy, config.config, stage)


def test_resume_after_kill_keeps_the_finished_relaxation(campaign: Path, tmp_path: Path):
    """Killed during the first DMS segment at T = 1.2 (its relaxation stage done): the rerun starts
    neither that relaxation stage nor any other finished stage again, and ends with the same file."""
    config = write(tmp_path)
    folder = tmp_path / "tiny-relax"
    process = subprocess.Popen([sys.executable, "-m", "glassdyn", "run", str(config), "--quiet"],
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target = "T1.2/P5/seg001"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        log = folder / target / "log.lammps"
        if log.exists() and "Step" in log.read_text():
            break
        time.sleep(0.05)
    else:
        pytest.fail("the campaign never reached the stage to interrupt")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert (folder / "T1.2/relaxation/done.json").exists()
    assert not (folder / target / "done.json").exists()
    finished = run_cli(config)
    assert finished.returncode == 0, finished.stderr
    assert_same_results(campaign / "results.h5", folder / "results.h5")
    started = Counter(e["stage"] for e in journal(folder) if e["event"] == "start")
    assert started["T1.2/relaxation"] == 1 and started["T2/relaxation"] == 1
    assert started[target] == 2


def test_report_draws_the_relaxation_figure(campaign: Path, tmp_path: Path):
    """make_report writes relaxation.png (not blank: many distinct colours) and fits.json with the
    Arrhenius fits per species and, for the 5 tau period, the temperature where omega tau_alpha = 1."""
    import matplotlib.image

    from glassdyn.results.fits import fit_arrhenius
    from glassdyn.results.report import make_report

    results = glassdyn.load(campaign)
    written = make_report(results, tmp_path, formats=("png",))
    assert tmp_path / "relaxation.png" in written
    image = matplotlib.image.imread(tmp_path / "relaxation.png")
    assert image.std() > 0.05 and len(np.unique(image.reshape(-1, image.shape[-1]), axis=0)) > 50
    fits = json.loads((tmp_path / "fits.json").read_text())["relaxation"]
    times = results.relaxation_times.query("species == 'all'")
    expected = fit_arrhenius(times["temperature"], times["tau_alpha"])
    assert fits["fits"]["tau_alpha"]["all"]["arrhenius"]["b"] == pytest.approx(expected.b)
    assert set(fits["fits"]["diffusion"]) == set(SPECIES)
    crossing = fits["omega_tau_alpha_1"][0]
    assert crossing["period"] == 5.0 and crossing["law"] == "arrhenius"
    assert crossing["omega_tau_alpha_1_temperature"] == pytest.approx(expected.temperature_at(5.0 / (2 * np.pi)))
    assert "t_alpha_loss_peak" in crossing


def test_window_values_of_a_stage_written_with_running_means():
    """Relaxation stages written before 0.2 kept ``ave running`` means that took in the run's first
    step (all zeros, no window had ended): planted per-window values, turned into exactly those
    running means, come back exactly, and the new per-window files are read as they are."""
    from glassdyn.results.relaxation import window_values

    rng = np.random.default_rng(7)
    planted = rng.uniform(1, 10, size=(8, 3))
    samples = np.vstack([np.zeros(3), planted])
    running = np.cumsum(samples, axis=0) / np.arange(1, 10)[:, None]
    rows = {50 * k: running[k] for k in range(9)}
    assert np.allclose(window_values(rows, 50, 400, running=True), planted, rtol=1e-12)
    assert np.array_equal(window_values({50 * k: samples[k] for k in range(9)}, 50, 400, running=False), planted)
    del rows[200]
    assert window_values(rows, 50, 400, running=True) is None
