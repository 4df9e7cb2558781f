"""Driver misuse: every user error is one line naming the file or field, exit status 2.

Cases of issue 10 (items 14, 15, 17, 18) and what an adversarial user tries next. Bad campaign
values are data (``BAD_VALUES``): each is a small edit of a valid campaign and the expected
message must name the field, because that is what the user has to change. Damaged campaign
folders are made by running a real tiny Kob-Andersen campaign once (about 2 s: 250 atoms) and
then damaging a copy of its folder the way a kill, a full disk or a careless hand would.
"""
from __future__ import annotations

import copy
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import h5py
import pytest

from glassdyn.cli import main
from glassdyn.run.config import CampaignConfig, ConfigError

VALID: dict[str, Any] = {
    "campaign": {"name": "tiny", "seed": 7},
    "system": {"potential": "kob-andersen", "composition": {"A": 80, "B": 20}, "atoms": 250},
    "preparation": {"melt_temperature": 2.0, "melt_time": 5.0, "quench_rate": 0.5, "low_temperature": 0.4},
    "dms": {"temperatures": [0.6, 0.5], "periods": [5.0], "cycles": 3},
}
METAL = {
    "system": {"potential": "cuzr-eam", "composition": {"Cu": 64, "Zr": 36}, "atoms": 2000},
    "preparation": {"melt_temperature": 2000.0, "melt_time": 10.0, "quench_rate": 100.0, "low_temperature": 700.0},
    "dms": {"temperatures": [800.0], "periods": [10.0]},
}


def edited(edits: dict[str, Any], base: dict[str, Any] = VALID) -> dict[str, Any]:
    data = copy.deepcopy(base)
    for path, value in edits.items():
        *tables, key = path.split(".")
        target = data
        for table in tables:
            target = target.setdefault(table, {})
        target[key] = value
    return data


def on_valid(base: dict[str, Any]) -> dict[str, Any]:
    """VALID with the tables of ``base`` replaced (METAL: a Cu-Zr campaign in metal units)."""
    return {**copy.deepcopy(VALID), **copy.deepcopy(base)}


# (edits, base, expected message). Box of 250 KA atoms at rho 1.2: edge 5.93, usable width ~5.2.
BAD_VALUES = [
    # item 18: the three values of the issue, which LAMMPS refused late and obscurely
    ({"analysis.cage_cutoff": 100}, VALID, r"analysis.cage_cutoff: twice the cage radius .* exceeds the usable box"),
    ({"analysis.string_delta": 1e6}, VALID, r"analysis.string_delta: 1e\+06 is more than half the usable box"),
    ({"dms.temperatures": [1e300]}, VALID, r"dms.temperatures: 1e\+300 is outside the sane range for lj units"),
    # item 17: atoms = 1e11 (numpy MemoryError for 745 GiB)
    ({"system.atoms": 1e11}, VALID, r"system.atoms: 1e\+11 atoms exceed the 2147483647 that LAMMPS's 32-bit"),
    ({"system.atoms": 2_000_000_000}, VALID, r"system.atoms: 2000000000 atoms need about .* GiB"),
    # distances and cage sizes
    ({"analysis.cage_cutoff": 2.4}, VALID, r"analysis.cage_cutoff: 2.4 encloses about 69 neighbours"),
    ({"analysis.cage_cutoff_pairs": {"A-B": 3.0}}, VALID, r"analysis.cage_cutoff_pairs: twice the cage radius"),
    ({"analysis.hysteresis": 5.0}, VALID, r"analysis.hysteresis: twice the cage radius"),
    ({"analysis.comm_cutoff": 1e6}, VALID, r"analysis.comm_cutoff: 1e\+06 is larger than the box"),
    # percolation/atom classes, checked by the core's PercolationOptions::validate()
    ({"analysis.percolation_mobile": 1.0}, VALID, r"analysis.percolation_mobile: mobile: fraction F must be in \(0,1\)"),
    ({"analysis.percolation_immobile": 0.9}, VALID, r"analysis.percolation_immobile: immobile: the mobile and immobile"),
    ({"analysis.percolation_dfmin": 1}, VALID, r"analysis.percolation_dfmin: dfmin: the smallest cluster size"),
    ({"analysis.percolation_mobile": "x"}, VALID, r"analysis.percolation_mobile"),
    # temperatures, pressures, time steps, times in sane ranges per units
    ({"preparation.melt_temperature": 1e9}, VALID, r"preparation.melt_temperature: 1e\+09 is outside the sane"),
    ({"dms.temperatures": [0.4]}, METAL, r"dms.temperatures: 0.4 is outside the sane range for metal units"),
    ({"preparation.pressure": 1e12}, METAL, r"preparation.pressure: 1e\+12 is outside the sane range"),
    ({"system.timestep": 0.1}, VALID, r"system.timestep: 0.1 is outside the sane range for lj units"),
    ({"system.density": 1e-6}, VALID, r"system.density: 1e-06 is far from the usual 1.2"),
    ({"preparation.tdamp": 1e-4}, VALID, r"preparation.tdamp: 0.0001 is shorter than one time step"),
    ({"preparation.quench_rate": 1e-30}, VALID, r"preparation.quench_rate: 1e-30 makes a quench of .* time steps"),
    ({"preparation.melt_time": 1e300}, VALID, r"preparation.melt_time: 1e\+300 is .* time steps"),
    ({"dms.periods": [1e300]}, VALID, r"dms.periods: 1e\+300 is 2e\+302 time steps"),
    ({"dms.equilibration_time": 1e12}, VALID, r"dms.equilibration_time: 1e\+12 is .* at most 2147483647"),
    ({"dms.cycles": 10**12}, VALID, r"dms.cycles: the campaign would have .* stages"),
    ({"dms.cycles_per_segment": 10**7, "dms.cycles": 10**7}, VALID, r"dms.cycles_per_segment: .* at most"),
    ({"preparation.sample_every": 10**15}, VALID, r"preparation.sample_every: 1000000000000000 is longer than a"),
    ({"preparation.segment_steps": 2**40}, VALID, r"preparation.segment_steps: must be at most 2147483647"),
    ({"dms.amplitude": 1e-300}, VALID, r"dms.amplitude: 1e-300 is below 1e-06"),
    ({"analysis.fraction": 1e-9}, VALID, r"analysis.fraction: 1e-09 of 250 atoms selects no mobile atom"),
    ({"analysis.long_string": 10**6}, VALID, r"analysis.long_string: 1000000 is more than the 250 atoms"),
    ({"analysis.nlost": 1000}, VALID, r"analysis.nlost: 1000 exceeds the largest cage"),
    # NaN, inf and numbers beyond a float anywhere
    ({"system.atoms": 10**400}, VALID, r"system.atoms: is too large"),
    ({"dms.amplitude": math.nan}, VALID, r"dms.amplitude: must be finite, got nan"),
    ({"analysis.cage_cutoff_pairs": {"A-B": math.inf}}, VALID, r"analysis.cage_cutoff_pairs.A-B: must be finite"),
    ({"system.composition": {"A": math.nan, "B": 20}}, VALID, r"system.composition.A: must be finite"),
    ({"dms.periods": [5.0, -math.inf]}, VALID, r"dms.periods: must be finite"),
    # wrong types where a table is expected
    ({"system": [1, 2]}, VALID, r"system: must be a table"),
    ({"dms": "x"}, VALID, r"dms: must be a table"),
]


@pytest.mark.parametrize("edits,base,message", BAD_VALUES, ids=[repr(c[0])[:60] for c in BAD_VALUES])
def test_bad_values_are_refused_at_config_time(edits, base, message):
    """Each value passed the old checks and failed later (deep inside LAMMPS, in numpy, or by
    hanging in the planner); now the configuration refuses it with the field's name."""
    data = edited(edits, on_valid(base))
    with pytest.raises(ConfigError, match=message):
        CampaignConfig.from_dict(data)


def test_sane_campaigns_still_pass():
    """The limits do not refuse the usual campaigns: KA and Cu-Zr defaults, the shear axes."""
    CampaignConfig.from_dict(VALID)
    for axis in ("xy", "xz", "yz"):
        CampaignConfig.from_dict(edited({"dms.axis": axis}))
    assert CampaignConfig.from_dict(on_valid(METAL)).units == "metal"


# ---------------------------------------------------------------------- command line, files
def run_main(capsys, *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    return status, capsys.readouterr().err


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("glassdyn: error: "), err
    return lines[0]


def test_utf16_campaign_file_is_one_line(tmp_path: Path, capsys):
    """A campaign file saved as UTF-16 (a Windows editor's 'Unicode') raised UnicodeDecodeError."""
    path = tmp_path / "c.toml"
    path.write_text('[campaign]\nname = "x"\n', encoding="utf-16")
    status, err = run_main(capsys, "run", str(path))
    assert status == 2
    assert re.search(r"c\.toml: not UTF-8 text .*save it as UTF-8", one_line_error(err))


def test_campaign_folder_that_is_a_file(tmp_path: Path, capsys):
    """--folder pointing at a file raised FileExistsError from mkdir, with a traceback."""
    config = tmp_path / "c.toml"
    config.write_text(toml_text(VALID))
    (tmp_path / "taken").write_text("a file")
    status, err = run_main(capsys, "run", str(config), "--folder", str(tmp_path / "taken"), "--quiet")
    assert status == 2
    assert "taken is a file; choose another folder" in one_line_error(err)


def test_debug_shows_the_traceback(tmp_path: Path, capsys):
    """--debug: the same error, with the traceback above it (for a bug report)."""
    config = tmp_path / "c.toml"
    config.write_bytes(b"\xff\xfe[\x00")
    status, err = run_main(capsys, "run", str(config), "--debug")
    assert status == 2 and "Traceback" in err and "not UTF-8 text" in err.splitlines()[-1]


def test_report_before_any_result(tmp_path: Path, capsys):
    """`glassdyn report` on a campaign that has not finished: one line, run it first."""
    (tmp_path / "unfinished").mkdir()
    status, err = run_main(capsys, "report", str(tmp_path / "unfinished"))
    assert status == 2 and "run the campaign first" in one_line_error(err)


def toml_text(data: dict[str, Any]) -> str:
    lines = []
    for table, content in data.items():
        lines.append(f"[{table}]")
        for key, value in content.items():
            if isinstance(value, dict):
                value = "{ " + ", ".join(f'"{k}" = {v!r}' for k, v in value.items()) + " }"
            elif isinstance(value, str):
                value = json.dumps(value)
            lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- damaged campaign folders
TINY = {
    "campaign": {"name": "tiny", "seed": 11},
    "system": {"potential": "kob-andersen", "composition": {"A": 80, "B": 20}, "atoms": 250},
    "preparation": {"melt_temperature": 2.0, "melt_time": 1.0, "quench_rate": 1.0, "low_temperature": 0.5},
    "dms": {"temperatures": [0.5], "periods": [1.0], "cycles": 2, "equilibration_time": 0.5},
    "launch": {"np": 1},
}


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A finished tiny campaign (250 KA atoms, ~900 steps in all, 1 rank); returns its folder."""
    root = tmp_path_factory.mktemp("finished")
    config = root / "tiny.toml"
    config.write_text(toml_text(TINY))
    status = main(["run", str(config), "--quiet"])
    assert status == 0
    return root / "tiny"


@pytest.fixture
def copy_of(finished: Path, tmp_path: Path) -> Path:
    """A private copy of the finished campaign (folder tmp/tiny, campaign file tmp/tiny.toml)."""
    target = tmp_path / "tiny"
    shutil.copytree(finished, target)
    shutil.copy(finished.parent / "tiny.toml", tmp_path / "tiny.toml")
    return target


def events(folder: Path) -> list[str]:
    return [line for line in (folder / "journal.jsonl").read_text().splitlines() if line.strip()]


@pytest.mark.slow
@pytest.mark.parametrize("change,expected", [
    ({"preparation.melt_time": 2.0}, r"finished stage prep/melt01 differs from the plan \(steps 200 -> 400"),
    ({"campaign.seed": 12}, r"prep/initial.data was made with seed = 11, the campaign now asks for 12"),
    ({"dms.amplitude": 0.02}, r"finished stage T0.5/P1/seg001 differs .*LAMMPS input text differs"),
    ({"preparation.low_temperature": 0.6, "dms.temperatures": [0.6]},
     r"finished stage prep/quench01 differs from the plan \(steps 300 -> 280; ramp \[2.0, 0.5\] -> \[2.0, 0.6"),
])
def test_changed_config_without_campaign_json_is_refused(copy_of: Path, capsys, change, expected):
    """Item 14: with campaign.json gone, a changed campaign file used to keep finished stages of
    the old settings (a 200-step melt01 while the plan says 400). Every finished stage now
    records its steps, parameters and input hash, and a mismatch is refused before anything runs,
    naming stage, field, old -> new, and how to start afresh."""
    (copy_of / "campaign.json").unlink()
    (copy_of / "results.h5").unlink()
    before = events(copy_of)
    data = edited(change, TINY)
    (copy_of.parent / "tiny.toml").write_text(toml_text(data))
    status, err = run_main(capsys, "run", str(copy_of.parent / "tiny.toml"), "--quiet")
    line = one_line_error(err)
    assert status == 2 and re.search(expected, line), line
    assert "start afresh with another campaign.name (or --folder), or delete" in line
    assert events(copy_of) == before  # nothing ran
    assert not (copy_of / "results.h5").exists()


@pytest.mark.slow
def test_unchanged_config_without_campaign_json_resumes(copy_of: Path, capsys):
    """The records do not refuse the campaign that made them (campaign.json is rewritten)."""
    (copy_of / "campaign.json").unlink()
    status, err = run_main(capsys, "run", str(copy_of.parent / "tiny.toml"), "--quiet")
    assert status == 0, err
    assert (copy_of / "campaign.json").exists()


@pytest.mark.slow
def test_a_campaign_begun_with_an_automatic_ghost_cutoff_resumes(copy_of: Path, capsys):
    """Before issue 11 the driver wrote ``comm_modify cutoff`` (force range + skin + delta + 1)
    into every DMS segment and recorded it in done.json. The shell only decides which atoms are
    copied between ranks, not any result, so a resume keeps such a finished segment: the
    records rebuild its input with the recorded cutoff (the hash matches), and only the
    unfinished segment runs, now without the line. A segment whose recorded cutoff does not
    match its input is still refused as a changed input."""
    from glassdyn.run.plan import make_plan
    from glassdyn.run.records import text_hash

    config = CampaignConfig.from_dict(TINY)
    stage = next(s for s in make_plan(config).all_stages() if s.name == "T0.5/P1/seg001")
    old_text = stage.input_text(config, 4.35)    # what glassdyn before issue 11 wrote
    assert "comm_modify     cutoff 4.35" in old_text
    done = copy_of / stage.name / "done.json"
    (copy_of / stage.name / "in.lammps").write_text(old_text)
    record = json.loads(done.read_text())
    record.update(input_sha256=text_hash(old_text), comm_cutoff=4.35)
    done.write_text(json.dumps(record))
    (copy_of / "T0.5/P1/seg002/done.json").unlink()
    before = len(events(copy_of))
    status, err = run_main(capsys, "run", str(copy_of.parent / "tiny.toml"), "--quiet")
    assert status == 0, err
    started = [json.loads(line)["stage"] for line in events(copy_of)[before:] if json.loads(line)["event"] == "start"]
    assert started == ["T0.5/P1/seg002"]
    assert "comm_modify" not in (copy_of / "T0.5/P1/seg002/in.lammps").read_text()

    record["comm_cutoff"] = None    # the recorded settings no longer give the recorded input
    done.write_text(json.dumps(record))
    status, err = run_main(capsys, "run", str(copy_of.parent / "tiny.toml"), "--quiet")
    assert status == 2 and "finished stage T0.5/P1/seg001 differs" in one_line_error(err)


@pytest.mark.slow
def test_torn_last_journal_line_does_not_block_a_resume(copy_of: Path, capsys):
    """Item 17: a kill or a full disk during an append leaves a cut last line; every resume then
    died with JSONDecodeError. Now it is removed with a warning and the resume finishes."""
    (copy_of / "T0.5/P1/seg002/done.json").unlink()  # so the resume has a stage to run
    with open(copy_of / "journal.jsonl", "a") as handle:
        handle.write('{"time": 17.5, "stage": "T0.5/P1/se')
    with pytest.warns(UserWarning, match="unfinished last line"):
        status, err = run_main(capsys, "run", str(copy_of.parent / "tiny.toml"), "--quiet")
    assert status == 0, err
    records = [json.loads(line) for line in events(copy_of)]  # every line is whole again
    assert records[-1]["event"] == "done" and records[-1]["stage"] == "T0.5/P1/seg002"


@pytest.mark.slow
def test_damaged_journal_line_elsewhere_is_refused(copy_of: Path, capsys):
    """A damaged line that is not the last is not what an interrupted append leaves: refused
    with the file and line number."""
    (copy_of / "T0.5/P1/seg002/done.json").unlink()
    lines = (copy_of / "journal.jsonl").read_text().splitlines()
    lines[2] = lines[2][:20]
    (copy_of / "journal.jsonl").write_text("\n".join(lines) + "\n")
    status, err = run_main(capsys, "run", str(copy_of.parent / "tiny.toml"), "--quiet")
    assert status == 2 and "journal.jsonl, line 3: damaged record" in one_line_error(err)


@pytest.mark.slow
@pytest.mark.parametrize("damage,command,expected", [
    # item 17: a corrupt done.json (JSONDecodeError, no file named)
    (lambda f: (f / "prep/quench01/done.json").write_text('{"stage": "prep/qu'), "run",
     r"prep/quench01/done.json is damaged .*delete the folder"),
    # item 17: a truncated windows.txt (KeyError at harvest)
    (lambda f: _truncate(f / "T0.5/P1/seg002/windows.txt", 40), "run",
     r"seg002/windows.txt: unreadable \(the last line is cut short"),
    (lambda f: _drop_last_line(f / "T0.5/P1/seg002/windows.txt"), "run",
     r"seg002/windows.txt: has no line for step 400 \(truncated\?\)"),
    (lambda f: _truncate(f / "prep/quench01/trace.txt", 7), "run", r"quench01/trace.txt: unreadable"),
    (lambda f: _truncate(f / "T0.5/P1/seg001/pu.txt", 300), "run", r"seg001/pu.txt: unreadable"),
    (lambda f: (f / "T0.5/P1/seg001/cycles.txt").unlink(), "run", r"seg001/cycles.txt: missing"),
    (lambda f: (f / "campaign.json").write_text("{"), "run", r"campaign.json is damaged \(not JSON\)"),
    # item 17: a corrupt results.h5 (h5py OSError)
    (lambda f: _truncate(f / "results.h5", 2000), "report", r"results.h5 is not a readable glassdyn results file"),
    (lambda f: (f / "results.h5").write_bytes(b"not hdf5"), "report", r"results.h5 is not a readable"),
    # item 17: report --period 9 for a period not in the results
    (lambda f: None, "report --period 9", r"--period 9: not in the results of .*; its periods are 1"),
])
def test_damaged_folder_gives_one_line(copy_of: Path, capsys, damage, command, expected):
    """Each damage raised a traceback (JSONDecodeError, KeyError, OSError, ValueError); now it is
    one line naming the file and what to do, with exit status 2."""
    damage(copy_of)
    if command == "run":
        (copy_of / "results.h5").unlink()  # so that the run harvests again
        argv = ["run", str(copy_of.parent / "tiny.toml"), "--quiet"]
    else:
        argv = command.split() + [str(copy_of)]
        argv = [argv[0], argv[-1], *argv[1:-1]]
    status, err = run_main(capsys, *argv)
    assert status == 2 and re.search(expected, one_line_error(err)), err


def _drop_last_line(path: Path) -> None:
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]))


def _truncate(path: Path, keep_from_end: int) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:max(0, len(data) - keep_from_end)])


@pytest.mark.slow
def test_corrupt_results_file_is_rebuilt_by_run(copy_of: Path, capsys):
    """What the results message advises works: `glassdyn run` rebuilds results.h5 from the stages."""
    (copy_of / "results.h5").write_bytes(b"garbage")
    status, _ = run_main(capsys, "run", str(copy_of.parent / "tiny.toml"), "--quiet")
    assert status == 0
    with h5py.File(copy_of / "results.h5") as h5:
        assert "scan" in h5


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder(copy_of: Path, capsys):
    """A campaign folder without write permission: one line, not a PermissionError traceback."""
    (copy_of / "T0.5/P1/seg002/done.json").unlink()
    copy_of.chmod(0o555)
    try:
        status, err = run_main(capsys, "run", str(copy_of.parent / "tiny.toml"), "--quiet")
    finally:
        copy_of.chmod(0o755)
    assert status == 2 and "is not writable" in one_line_error(err)


def test_cli_exit_status_of_a_real_process(tmp_path: Path):
    """The console entry point itself (not only main()) exits 2 with one stderr line."""
    config = tmp_path / "c.toml"
    config.write_text(toml_text(edited({"analysis.cage_cutoff": 100})))
    completed = subprocess.run([sys.executable, "-m", "glassdyn", "run", str(config)], capture_output=True, text=True,
                               timeout=120)
    assert completed.returncode == 2
    assert "analysis.cage_cutoff: twice the cage radius" in one_line_error(completed.stderr)


# ---------------------------------------------------------------------- item 20: no TensorFlow
def _deepmd_installed() -> bool:
    from glassdyn.deepmd import deepmd_available

    return deepmd_available()


needs_deepmd = pytest.mark.skipif(not _deepmd_installed(), reason="DeePMD-kit not installed: nothing could load "
                                                                  "TensorFlow")

PROBE_INPROCESS = r"""
import sys
from pathlib import Path
from mpi4py import MPI
from glassdyn.launching import InProcessLauncher
root = Path(sys.argv[1])
(root / "in.probe").write_text("units lj\nregion b block 0 3 0 3 0 3\ncreate_box 1 b\nplugin list\n")
InProcessLauncher(MPI.COMM_WORLD, deepmd=sys.argv[2] == "deepmd").run("probe", root / "in.probe",
                                                                         root / "log.probe", root)
maps = Path("/proc/self/maps").read_text()
print("modules", "tensorflow" in sys.modules, "maps", "libtensorflow" in maps)
"""


@pytest.mark.slow
@needs_deepmd
@pytest.mark.parametrize("potential,expected", [("kob-andersen", "modules False maps False"),
                                                ("deepmd", "modules True maps True")])
def test_in_process_route_loads_tensorflow_only_for_deepmd(tmp_path: Path, potential, expected):
    """Item 20: `--mode inprocess` imported lammps, whose entry-point scan imported TensorFlow
    through DeePMD-kit's `lammps.plugins` entry point (3-4 s per rank) even for Kob-Andersen.
    The launched process's own sys.modules and /proc/self/maps must hold no TensorFlow for a
    non-deepmd run; the deepmd run is the positive control that the probe sees it."""
    env = {k: v for k, v in os.environ.items() if k != "LAMMPS_PLUGIN_PATH"}
    completed = subprocess.run([sys.executable, "-c", PROBE_INPROCESS, str(tmp_path), potential], capture_output=True,
                               text=True, timeout=300, env=env)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert expected in completed.stdout
    assert "stringlike/atom" in (tmp_path / "log.probe").read_text()  # glassdyn's plugin was loaded


PROBE_SCRIPT = """#!/bin/sh
# Walk up from this shell to the lmp process that ran `shell`; count TensorFlow and DeePMD-kit
# libraries (its plugin, which opens TensorFlow when pair_style deepmd is used) in its maps.
p=$PPID
while [ "$p" -gt 1 ]; do
  if [ "$(cat /proc/$p/comm)" = "lmp" ]; then grep -c -E 'libtensorflow|libdeepmd' /proc/$p/maps > tf.txt; exit 0; fi
  p=$(awk '/^PPid/ {print $2}' /proc/$p/status)
done
echo none > tf.txt
"""


@pytest.mark.slow
@needs_deepmd
@pytest.mark.parametrize("deepmd,loaded", [(False, False), (True, True)])
def test_subprocess_route_loads_tensorflow_only_for_deepmd(tmp_path: Path, deepmd, loaded):
    """The subprocess route runs the real lmp binary (not the console script, whose Python
    wrapper imports TensorFlow through the entry point) with only glassdyn's plugin on the path:
    the lmp process's memory map holds neither DeePMD-kit nor TensorFlow libraries, even when the
    user's environment names DeePMD-kit's plugin folder. With deepmd=True (the control) it does."""
    from glassdyn.launching import SubprocessLauncher
    from glassdyn.launching.deepmd import deepmd_plugin_dir

    (tmp_path / "probe.sh").write_text(PROBE_SCRIPT)
    (tmp_path / "in.probe").write_text("units lj\nregion b block 0 3 0 3 0 3\ncreate_box 1 b\nshell sh probe.sh\n")
    os.environ["LAMMPS_PLUGIN_PATH"], saved = str(deepmd_plugin_dir()), os.environ.get("LAMMPS_PLUGIN_PATH")
    try:
        SubprocessLauncher(1, deepmd=deepmd).run("probe", tmp_path / "in.probe", tmp_path / "log.probe", tmp_path)
    finally:
        os.environ.pop("LAMMPS_PLUGIN_PATH")
        if saved is not None:
            os.environ["LAMMPS_PLUGIN_PATH"] = saved
    count = (tmp_path / "tf.txt").read_text().strip()
    assert count != "none", "the probe did not find the lmp process"
    assert (int(count) > 0) == loaded


# ---------------------------------------------------------------------- item 15: shear campaigns
SHEAR = {
    "campaign": {"name": "shear", "seed": 99},
    "system": {"potential": "kob-andersen", "composition": {"A": 80, "B": 20}, "atoms": 250},
    "preparation": {"melt_temperature": 2.0, "melt_time": 2.5, "quench_rate": 0.5, "low_temperature": 0.3},
    "dms": {"temperatures": [0.3], "periods": [2.5], "axis": "xy", "amplitude": 0.02, "cycles": 3,
            "equilibration_time": 0.5},
    "launch": {"np": 2},
}


@pytest.mark.slow
@pytest.mark.mpi
def test_shear_campaign_runs_end_to_end(tmp_path: Path):
    """Item 15: `dms.axis = "xy"` failed at the first DMS stage ("needs a triclinic box") after the
    whole preparation. A 250-atom Kob-Andersen glass at T = 0.3 (below T_g ~ 0.43) is a solid, so
    its shear storage modulus G' is positive (about 10-20 epsilon/sigma^3); G'' must be a finite
    number. The results and the summary line call the modulus G."""
    config = tmp_path / "shear.toml"
    config.write_text(toml_text(SHEAR))
    completed = subprocess.run([sys.executable, "-m", "glassdyn", "run", str(config)], capture_output=True,
                               text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "G' = " in completed.stdout + completed.stderr
    import glassdyn

    results = glassdyn.load(tmp_path / "shear")
    assert results.metadata["modulus"] == "G" and results.metadata["axis"] == "xy"
    used = results.cycles[results.cycles["used"]]
    assert len(used) == 2
    assert (used["storage"] > 0).all() and used["loss"].map(math.isfinite).all()
    segment = (tmp_path / "shear/T0.3/P2.5/seg001/in.lammps").read_text()
    assert "change_box      all triclinic" in segment and " pxy " in segment
    # The preparation stays orthogonal (NPT/NVT exactly as for uniaxial campaigns).
    assert "triclinic" not in (tmp_path / "shear/T0.3/equilibrate/in.lammps").read_text()


@pytest.mark.slow
def test_deleted_restart_of_a_finished_stage(copy_of: Path, capsys):
    """A user deletes final.restart of a finished stage to save space, then resumes: LAMMPS used
    to stop with 'Cannot open restart file' (exit 1). Now: one line naming the file and the fix."""
    (copy_of / "T0.5/P1/seg002/done.json").unlink()
    (copy_of / "T0.5/P1/seg001/final.restart").unlink()
    status, err = run_main(capsys, "run", str(copy_of.parent / "tiny.toml"), "--quiet")
    assert status == 2 and re.search(r"seg001/final.restart is missing, .*delete .*seg001 to run that stage again",
                                     one_line_error(err))


def _append_many(folder: str, writer: int) -> None:
    from glassdyn.run import journal

    for k in range(200):
        journal.append(Path(folder), {"stage": f"w{writer}", "event": "start", "k": k, "pad": "x" * 500})


def test_concurrent_journal_appends_stay_whole(tmp_path: Path):
    """Temperature groups append from several processes at once: the torn-tail repair must never
    cut another writer's line (it runs under flock), so every one of the 3 x 200 lines is whole."""
    import multiprocessing

    from glassdyn.run import journal

    processes = [multiprocessing.get_context("fork").Process(target=_append_many, args=(str(tmp_path), w))
                 for w in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    records = journal.read(tmp_path)
    assert len(records) == 600 and {r["stage"] for r in records} == {"w0", "w1", "w2"}


def test_ctrl_c_is_one_line(monkeypatch, capsys):
    """Ctrl-C used to print a KeyboardInterrupt traceback; the stages were already stopped and
    nothing finished is lost, so one line says how to resume (status 130, as shells use)."""
    import glassdyn.cli as cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_command", interrupted)
    status, err = run_main(capsys, "run", "any.toml")
    assert status == 130 and "interrupted; run the same command again to resume" in one_line_error(err)


@pytest.mark.slow
def test_start_structure_of_other_settings_without_records(copy_of: Path, capsys):
    """A folder without prep/initial.json (an earlier glassdyn) and without campaign.json: the
    start structure is made again from the campaign file and compared, so a changed seed is
    refused rather than melting the old structure under the new name."""
    for name in ("campaign.json", "prep/initial.json", "results.h5"):
        (copy_of / name).unlink()
    shutil.rmtree(copy_of / "prep/melt01")  # not finished yet: nothing else would notice
    (copy_of.parent / "tiny.toml").write_text(toml_text(edited({"campaign.seed": 12}, TINY)))
    status, err = run_main(capsys, "run", str(copy_of.parent / "tiny.toml"), "--quiet")
    assert status == 2 and "prep/initial.data is not the start structure this campaign file makes" in \
        one_line_error(err)
    # ... and the unchanged file passes the same comparison and finishes the campaign.
    (copy_of.parent / "tiny.toml").write_text(toml_text(TINY))
    status, err = run_main(capsys, "run", str(copy_of.parent / "tiny.toml"), "--quiet")
    assert status == 0, err
