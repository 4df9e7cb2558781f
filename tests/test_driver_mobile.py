"""Which atoms are fast (issue 16): ``analysis.mobile`` = fraction | jump | both.

Config rows (good and bad, messages naming the field), unchanged records and inputs for existing
campaigns, a planted window where the two definitions differ by construction, and a tiny
Kob-Andersen campaign evaluating both definitions end to end (harvest = logs, report drawn).
"""
from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassdyn
from glassdyn.analysis import StringLike
from glassdyn.io import Box
from glassdyn.run.config import CampaignConfig, ConfigError
from glassdyn.run.plan import make_plan
from test_driver_campaign import run_cli, thermo_rows

VALID = {
    "campaign": {"name": "tiny", "seed": 7},
    "system": {"potential": "kob-andersen", "composition": {"A": 80, "B": 20}, "atoms": 250},
    "preparation": {"melt_temperature": 2.0, "melt_time": 5.0, "quench_rate": 0.5, "low_temperature": 0.4},
    "dms": {"temperatures": [0.6, 0.5], "periods": [5.0], "cycles": 3},
}


def with_analysis(**fields) -> dict:
    data = copy.deepcopy(VALID)
    data["analysis"] = dict(fields)
    return data


def dms_input(config: CampaignConfig) -> str:
    stage = next(s for s in make_plan(config).all_stages() if s.is_dms)
    return stage.input_text(config, None)


# ---------------------------------------------------------------------------- configuration
def test_default_is_the_fraction_definition_with_unchanged_record_and_inputs():
    """Without the new fields a campaign is what it was: mobile = "fraction", no jump range, the
    science record (hashed into the campaign folder's record) has no new keys, so folders made
    before issue 16 still match and resume; stating the default explicitly changes nothing."""
    plain = CampaignConfig.from_dict(VALID)
    explicit = CampaignConfig.from_dict(with_analysis(mobile="fraction"))
    assert plain.analysis.mobile == "fraction" and plain.analysis.jump_range is None
    assert "mobile" not in plain.science_dict()["analysis"] and "jump_range" not in plain.science_dict()["analysis"]
    assert plain.science_dict() == explicit.science_dict()
    text = dms_input(plain)
    assert "range" not in text and "gd_strj" not in text and "fraction 0.05 long 6" in text
    assert "mobile fraction 0.15" in text


@pytest.mark.parametrize("fields, analysis", [
    ({"mobile": "jump", "jump_range": [0.5, 1.3]}, {"mobile": "jump", "jump_range": (0.5, 1.3)}),
    ({"mobile": "both", "jump_range": [0, 1]}, {"mobile": "both", "jump_range": (0.0, 1.0)}),
    ({"mobile": "jump", "jump_range": [0.4, 1.2], "jump_range_unit": "r1"},
     {"mobile": "jump", "jump_range": (0.4, 1.2), "jump_range_unit": "r1"}),
])
def test_jump_and_both_are_accepted_and_recorded(fields, analysis):
    """Good rows: the range is stored as floats and enters the science record (other results)."""
    config = CampaignConfig.from_dict(with_analysis(**fields))
    for key, value in analysis.items():
        assert getattr(config.analysis, key) == value
    record = config.science_dict()["analysis"]
    assert record["mobile"] == analysis["mobile"] and tuple(record["jump_range"]) == analysis["jump_range"]


@pytest.mark.parametrize("fields, name, words", [
    ({"mobile": "fast"}, "analysis.mobile", "must be one of"),
    ({"mobile": 1}, "analysis.mobile", "must be one of"),
    ({"mobile": "jump"}, "analysis.jump_range", "is required"),
    ({"mobile": "both"}, "analysis.jump_range", "is required"),
    ({"jump_range": [0.5, 1.0]}, "analysis.jump_range", "only with"),
    ({"mobile": "jump", "jump_range": [0.5]}, "analysis.jump_range", "two distances"),
    ({"mobile": "jump", "jump_range": 0.5}, "analysis.jump_range", "two distances"),
    ({"mobile": "jump", "jump_range": [1.3, 0.5]}, "analysis.jump_range", "ulo must be < uhi"),
    ({"mobile": "jump", "jump_range": [-0.1, 0.5]}, "analysis.jump_range", ">= 0"),
    ({"mobile": "jump", "jump_range": [0.5, float("inf")]}, "analysis.jump_range", "finite"),
    ({"mobile": "jump", "jump_range": [0.5, "1"]}, "analysis.jump_range", "must be a number"),
    ({"mobile": "jump", "jump_range": [0.5, 1], "jump_range_unit": "sigma"}, "analysis.jump_range_unit", "one of"),
    ({"jump_range_unit": "r1"}, "analysis.jump_range_unit", "only with"),
])
def test_bad_mobile_fields_are_refused_naming_the_field(fields, name, words):
    """Bad rows: one-line ConfigError naming the field (the range order check is the core's
    StringOptions::validate() message, the one compute stringlike/atom gives for ``range``)."""
    with pytest.raises(ConfigError) as caught:
        CampaignConfig.from_dict(with_analysis(**fields))
    message = str(caught.value)
    assert name in message and words in message and "\n" not in message


def test_inputs_of_both_definitions_share_the_windows():
    """mobile = "both": a second stringlike/atom compute with ``range`` on the fix dms windows
    (sync), written after the other window vectors and to the thermo line; "jump" alone replaces
    the fraction selection and gives percolation/atom's mobile class ``above`` the range start."""
    both = dms_input(CampaignConfig.from_dict(with_analysis(mobile="both", jump_range=[0.5, 1.3])))
    assert re.search(r"compute\s+gd_str all stringlike/atom delta 0.55 sync gd_dms fraction 0.05 ", both)
    assert re.search(r"compute\s+gd_strj all stringlike/atom delta 0.55 sync gd_dms range 0.5 1.3 ", both)
    windows = next(line for line in both.splitlines() if "gd_windows" in line)
    assert windows.index("c_gd_perc") < windows.index("c_gd_strj[1]") and "c_gd_strj[8]" in windows
    assert "mobile fraction 0.15" in both
    jump = dms_input(CampaignConfig.from_dict(with_analysis(mobile="jump", jump_range=[0.5, 1.3])))
    assert "gd_strj" not in jump and "sync gd_dms range 0.5 1.3 long" in jump and "mobile above 0.5 " in jump


def test_relative_range_includes_the_r1_its_equilibration_measured():
    """jump_range_unit = "r1": each temperature's equilibration stage (timesteps from 0, so the
    g(r) average ends with the run) averages compute rdf over the second half of its run and writes
    r1 = position of the maximum of g(r) to r1.lammps; its DMS segments include that file and give
    stringlike/atom the range ends multiplied by v_gd_r1."""
    config = CampaignConfig.from_dict(with_analysis(mobile="jump", jump_range=[0.4, 1.2], jump_range_unit="r1"))
    plan = make_plan(config)
    equilibrate = plan.chains[0].stages[0]
    text = equilibrate.input_text(config, None)
    assert "reset_timestep  0" in text and re.search(r"compute\s+gd_rdf all rdf 200", text)
    assert f"file {equilibrate.name}/r1.lammps" in text
    dms = dms_input(config)
    assert f"include         {equilibrate.name}/r1.lammps" in dms
    assert "range $(0.4*v_gd_r1:%.10g) $(1.2*v_gd_r1:%.10g)" in dms and "mobile above $(0.4*v_gd_r1" in dms


# ---------------------------------------------------------------------------- planted window
def test_planted_window_where_the_definitions_differ():
    """A simple cubic crystal (spacing 1, 6^3 sites) where, in one window, a chain of 4 atoms each
    hops one site along x (u = 1, each lands on the next one's start: a string of 4) and 4 atoms far
    apart jump to cube centres (u = sqrt(3) x 1.5 = 2.6, 0.87 > delta from every start site: no
    partner). The fraction 4/216 of largest u is the 4 long jumpers: N_str = 0. The jump range
    [0.7, 1.3] takes the chain: N_fast = N_str = 4."""
    n = 6
    grid = np.array([(x, y, z) for x in range(n) for y in range(n) for z in range(n)], dtype=float) + 0.5
    start, end = grid.copy(), grid.copy()
    chain = [i for i in range(len(grid)) if grid[i, 1] == 0.5 and grid[i, 2] == 0.5 and grid[i, 0] < 4]
    end[chain] += (1.0, 0.0, 0.0)
    jumpers = [i for i in range(len(grid)) if tuple(grid[i]) in {(0.5, 3.5, 3.5), (3.5, 3.5, 0.5),
                                                                  (3.5, 0.5, 3.5), (2.5, 2.5, 2.5)}]
    end[jumpers] += 1.5
    box = Box(lo=(0, 0, 0), hi=(n, n, n))
    ids, types = np.arange(1, len(grid) + 1), np.ones(len(grid), dtype=int)
    fraction = StringLike(delta=0.55, fraction=4 / len(grid), remove_drift=False).compute(
        box, ids, types, start, end)
    jump = StringLike(delta=0.55, u_range=(0.7, 1.3), remove_drift=False).compute(box, ids, types, start, end)
    assert (fraction.n_fast, fraction.n_str, fraction.str_fraction) == (4, 0, 0.0)
    assert (jump.n_fast, jump.n_str, jump.n_strings, jump.str_fraction) == (4, 4, 1, 1.0)


# ---------------------------------------------------------------------------- end to end
BOTH = """
[campaign]
name = "tiny-both"
seed = 4242

[system]
potential = "kob-andersen"
composition = { A = 80, B = 20 }
atoms = 200

[preparation]
melt_temperature = 2.0
melt_time = 2.5
quench_rate = 0.4
low_temperature = 0.4

[dms]
temperatures = [0.5, 0.8]
periods = [5.0]
cycles = 3
equilibration_time = 1.0

[analysis]
mobile = "both"
jump_range = [0.3, 1.2]
jump_range_unit = "r1"

[relaxation]
time = 2.0
every = 0.5
origins = 2
lags = 5
string_windows = [0.5, 1.0]

[launch]
np = 2
"""


@pytest.fixture(scope="module")
def both_campaign(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("both")
    path = folder / "both.toml"
    path.write_text(BOTH)
    completed = run_cli(path, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return folder / "tiny-both"


@pytest.mark.slow
@pytest.mark.mpi
def test_both_definitions_harvested_equal_the_logs_and_are_drawn(both_campaign: Path, tmp_path: Path):
    """Real campaign (200 KA atoms, 2 ranks, with a short relaxation stage): every cycle's values
    of the two stringlike/atom computes are those LAMMPS printed (thermo: step temp pe pxx strain
    stress str[8] cage[3] strj[8]), stored under the schema names and the jump_ ones in results.h5,
    cycles.csv and summary.csv, and so are the relaxation stage's window means of both definitions
    (the rows of window<N>.txt and windowj<N>.txt at the window ends); r1 is the measured one and the range LAMMPS
    used is jump_range x r1; the definitions select different atoms (N_fast differs); the report
    draws both curves and shades the jump region of p(u) (figures not blank)."""
    from matplotlib.image import imread

    from glassdyn.schema import names

    strings = names("stringlike/atom", "vector")
    results = glassdyn.load(both_campaign)
    assert results.metadata["mobile"] == "both" and results.metadata["jump_range"] == [0.3, 1.2]
    assert results.metadata["jump_range_unit"] == "r1"
    for row in results.cycles.itertuples():
        log = both_campaign / f"T{row.temperature:g}" / f"P{row.period:g}" / f"seg{row.cycle:03d}" / "log.lammps"
        thermo = thermo_rows(log)[row.cycle * 1000]
        assert [getattr(row, name) for name in strings] == thermo[6:14]
        assert [getattr(row, f"jump_{name}") for name in strings] == thermo[17:25]
    assert (results.cycles["n_fast"] != results.cycles["jump_n_fast"]).any()
    # r1 as measured (the file the segments included) and the range LAMMPS was given: lo x r1, hi x r1.
    for temperature, rows in results.cycles.groupby("temperature"):
        measured = float((both_campaign / f"T{temperature:g}/equilibrate/r1.lammps").read_text().split()[-1])
        assert (rows["r1"] == measured).all()
        # Kob-Andersen: the total g(r) peaks near the A-A contact distance sigma_AA = 1 (the 80 % A-A and
        # A-B pairs dominate; W. Kob and H. C. Andersen, Phys. Rev. E 51, 4626 (1995), Fig. 2).
        assert 0.9 < measured < 1.15
        log = (both_campaign / f"T{temperature:g}/P5/seg001/log.lammps").read_text()
        assert f"sync gd_dms range {0.3 * measured:.10g} {1.2 * measured:.10g} long" in log
    assert "r1" in (both_campaign / "summary.csv").read_text().splitlines()[0].split(",")
    # The relaxation stage's string windows: both definitions, as printed (one line per window and definition).
    windows = results.string_windows
    assert len(windows) == 2 * 2
    for row in windows.itertuples():
        folder = both_campaign / f"T{row.temperature:g}/relaxation"
        for tag, names in (("", strings), ("j", [f"jump_{n}" for n in strings])):
            table = np.loadtxt(folder / f"window{tag}{row.window_steps}.txt")
            ends = table[table[:, 0] > 0, 1:]
            assert [getattr(row, name) for name in names] == pytest.approx(ends.mean(axis=0), rel=1e-12)
    assert (windows["n_fast"] != windows["jump_n_fast"]).any()
    assert results.cycles["jump_str_fraction"].between(0, 1).all()
    header = (both_campaign / "summary.csv").read_text().splitlines()[0].split(",")
    assert "jump_str_fraction" in header and "jump_long_fraction_std" in header
    assert "jump_n_str" in (both_campaign / "cycles.csv").read_text().splitlines()[0].split(",")
    out = tmp_path / "report"
    completed = subprocess.run([sys.executable, "-m", "glassdyn", "report", str(both_campaign), "--out", str(out)],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    for name in ("strings", "displacement"):
        image = imread(out / f"{name}.png")
        assert image.std() > 0.01, name
