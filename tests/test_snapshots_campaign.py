"""[snapshots] in a tiny Kob-Andersen campaign end to end (300 atoms, 2 temperatures, one cycle per
segment, ``mpiexec -n 2 lmp`` subprocesses, ~30 s): the dumps leave the live run unchanged, the
harvested snapshots are exactly the dumps and reload unchanged from results.h5, the per-atom
dynamics add up to the global values of the same window, and the inherent structures are
minima of the same potential below the thermal energy.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import glassdyn
from glassdyn.launching import run_lammps
from glassdyn.results.snapshots import read_dump
from test_driver_campaign import journal, run_cli, thermo_rows

pytestmark = [pytest.mark.slow, pytest.mark.mpi]

TINY = """
[campaign]
name = "tiny-snap"
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
temperatures = [0.5, 0.8]
periods = [5.0]
cycles = 3
equilibration_time = 2.5

[snapshots]
temperatures = [0.8]

[launch]
np = 2
"""

STEPS = 1000  # one period of 5 tau at the default time step 0.005


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("snap")
    path = folder / "snap.toml"
    path.write_text(TINY)
    completed = run_cli(path)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return folder / "tiny-snap"


def test_stages_and_files(campaign: Path):
    """Only T = 0.8 takes snapshots, of cycle 2 (the first used one): its segment 2 writes both dumps
    (the thermal one at its first step, 1000, the window start), one inherent stage runs, once."""
    segment = campaign / "T0.8/P5/seg002"
    assert read_dump(segment / "thermal.dump").step == STEPS
    assert read_dump(segment / "dynamics.dump").step == 2 * STEPS
    assert not list(campaign.glob("T0.5/P5/seg*/*.dump")) and not list(campaign.glob("T0.8/P5/seg00[13]/*.dump"))
    runs = [r["stage"] for r in journal(campaign) if r["event"] == "done" and "inherent" in r["stage"]]
    assert runs == ["T0.8/P5/inherent002"]


def test_the_live_run_is_unchanged(campaign: Path, tmp_path: Path):
    """The snapshot segment run again without its dump lines (the input of the same campaign
    without [snapshots]) prints the same thermo output to every digit and the same windows."""
    segment = "T0.8/P5/seg002"
    text = (campaign / segment / "in.lammps").read_text()
    plain = "\n".join(line for line in text.splitlines()
                      if not line.startswith(("dump", "variable        gd_skip"))).replace(f"{segment}/", "plain/")
    assert "dump" not in plain and [line.split()[1] for line in text.splitlines()
                                     if line.startswith("dump ")] == ["gd_thermal", "gd_dynamics"]
    (campaign / "plain").mkdir()
    (campaign / "in.plain").write_text(plain + "\n")
    result = run_lammps(campaign / "in.plain", nprocs=2, cwd=campaign, extra_args=("-log", "plain/log.lammps"))
    assert result.ok, result.error_message()
    with_dumps = thermo_rows(campaign / segment / "log.lammps")
    without = thermo_rows(campaign / "plain/log.lammps")
    assert len(with_dumps) >= 10 and with_dumps == without
    assert (campaign / segment / "windows.txt").read_text() == (campaign / "plain/windows.txt").read_text()


def test_harvest_equals_the_dumps_and_reloads(campaign: Path):
    """Every harvested snapshot holds exactly the dump's numbers (positions to every digit LAMMPS
    wrote, %.17g), and results.h5 gives back the same snapshots."""
    results = glassdyn.load(campaign)
    assert [(s.temperature, s.kind) for s in results.snapshots] == [(0.8, "thermal"), (0.8, "inherent"),
                                                                      (0.8, "dynamics")]
    files = {"thermal": "T0.8/P5/seg002/thermal.dump", "inherent": "T0.8/P5/inherent002/inherent.dump",
             "dynamics": "T0.8/P5/seg002/dynamics.dump"}
    dynamics = read_dump(campaign / files["dynamics"])
    for kind, name in files.items():
        shot = results.snapshot(temperature=0.8, kind=kind)
        frame = read_dump(campaign / name)
        assert np.array_equal(shot.ids, frame.column("id")) and np.array_equal(shot.types, frame.column("type"))
        assert np.array_equal(shot.positions, np.column_stack([frame.column(c) for c in "xyz"]))
        assert np.array_equal(shot.images, np.column_stack([frame.column(c) for c in ("ix", "iy", "iz")]))
        assert np.array_equal(shot.box.lo, frame.box.lo) and np.array_equal(shot.box.hi, frame.box.hi)
        for column in shot.dynamics.columns.drop("id"):
            assert np.array_equal(shot.dynamics[column].to_numpy(), dynamics.column(column)), column
        assert shot.species == ("A", "B") and shot.units == "lj" and shot.cycle == 2
    assert results.snapshot(0.8, kind="thermal").step == STEPS
    assert results.snapshot(0.8, kind="dynamics").time == pytest.approx(2 * STEPS * 0.005)
    with pytest.raises(KeyError, match="no snapshot"):
        results.snapshot(temperature=0.5)


def test_dynamics_add_up_to_the_window_values(campaign: Path):
    """The per-atom columns of the window of cycle 2 sum to that cycle's global values written to
    windows.txt: N_fast = sum(mobile), N_str = sum(in_string), N_long = sum(in_long), C = broken
    over analysed atoms; and u is the distance between the window's end and start positions
    (drift of the centre of mass removed, as stringlike/atom does by default)."""
    results = glassdyn.load(campaign)
    shot = results.snapshot(0.8, kind="dynamics")
    start = results.snapshot(0.8, kind="thermal")
    row = results.cycles.query("temperature == 0.8 and cycle == 2").iloc[0]
    d = shot.dynamics
    assert d["mobile"].sum() == row["n_fast"] > 0
    assert d["in_string"].sum() == row["n_str"] and d["in_long"].sum() == row["n_long"]
    assert d["broken"].sum() / d["analysed"].sum() == pytest.approx(row["fraction_broken"], rel=1e-12)
    assert set(d.loc[d["in_string"] == 1, "string_size"]) <= set(range(2, 301))
    moved = shot.unwrapped - start.unwrapped
    moved -= moved.mean(axis=0)
    assert np.allclose(np.linalg.norm(moved, axis=1), d["u"].to_numpy(), atol=1e-6)


def test_inherent_structures_are_minima(campaign: Path):
    """The minimised copy has a lower energy than the thermal snapshot, converged forces (the
    stage's log line), the same atoms and box, and atoms moved by less than a particle diameter."""
    results = glassdyn.load(campaign)
    thermal, inherent = results.snapshot(0.8, kind="thermal"), results.snapshot(0.8, kind="inherent")
    info = inherent.info
    assert info["pe_inherent"] < info["pe_thermal"] and info["fnorm"] < 1e-8
    assert info["iterations"] > 0 and info["stopping"] == "force tolerance"
    assert np.array_equal(inherent.box.lo, thermal.box.lo) and np.array_equal(inherent.ids, thermal.ids)
    shift = np.linalg.norm(inherent.unwrapped - thermal.unwrapped, axis=1)
    assert 0 < shift.max() < 1.0


def test_an_unfinished_inherent_stage_is_run_again_alone(campaign: Path):
    """The inherent stage is journaled and resumed like the others: without its done.json (as after
    an interruption) a second run repeats that stage alone and harvests the same snapshots."""
    before = glassdyn.load(campaign).snapshots
    (campaign / "T0.8/P5/inherent002/done.json").unlink()
    completed = run_cli(campaign.parent / "snap.toml")
    assert completed.returncode == 0, completed.stderr + completed.stdout
    starts = [r["stage"] for r in journal(campaign) if r["event"] == "start"]
    assert starts.count("T0.8/P5/inherent002") == 2 and starts.count("T0.8/P5/seg002") == 1
    after = glassdyn.load(campaign).snapshots
    for old, new in zip(before, after, strict=True):
        assert (old.kind, old.step) == (new.kind, new.step)
        assert np.array_equal(old.positions, new.positions) and old.dynamics.equals(new.dynamics)


def test_report_draws_the_strings_picture(campaign: Path, tmp_path: Path):
    """make_report adds strings_snapshot.png (the thermal snapshot of the report's period) beside
    its panels when the campaign has snapshots."""
    import warnings

    from glassdyn.results.report import make_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a 2-temperature scan has no T_alpha: the report says so
        written = make_report(glassdyn.load(campaign), tmp_path, formats=("png",))
    picture = tmp_path / "strings_snapshot.png"
    assert picture in written and picture.stat().st_size > 1000
    assert written[-1].name == "fits.json"
