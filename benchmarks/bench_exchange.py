"""No ghost-reach demand, and the cost of the mobile-atom exchange at window ends (issue 11).

compute stringlike/atom no longer reads ghost atoms: at a window end every rank receives every
mobile atom's record (id, type, r(t), d: STRING_RECORD_BYTES = 64 bytes) through one
MPI_Allgatherv and runs the pair test on that set. This script measures, on a Kob-Andersen
80:20 liquid at T = 3 (LJ units, rho = 1.2, pair cutoff 2.5 + skin 0.3), hot enough that the most
mobile atom moves more than 3 sigma in a window of 400 steps (dt = 0.005):

1. Ghost atoms per rank and MD step time, in one LAMMPS instance per rank count, interleaved
   blocks of one window each (the block with the computes ends on their window end, so its
   cost is included, spread over the window):
   * no computes, default communication;
   * stringlike/atom + cage/atom, default communication (what issue 11 allows);
   * the same with ``comm_modify cutoff delta + u_max + skin``, what v0.1 demanded
     (u_max measured in the preceding window).
   Ranks beyond the machine's cores are oversubscribed: their ghost counts are exact, their
   timings are not meaningful.
2. The exchange at a window end, for each rank count and two mobile sets (fraction 0.05 and
   0.3): the mobile count, the bytes of each rank's own records, received from the others and
   held after the gather (count x 64 B), and the time of the window-end evaluation (strings alone; LAMMPS timer, Modify section of the
   window-end step minus the median of three ordinary steps; median over window ends).
3. The per-rank bytes at 10^6 and 10^7 atoms, from the formula (every rank receives all
   records: N x fraction x 64 bytes, independent of the number of ranks).

Usage: python benchmarks/bench_exchange.py [--cells 20] [--ranks 1 2 4 8] [--ghost-ranks 2 8]
       [--repeats 2]   (4 cells^3 atoms; 20 -> 32 000)
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_stringlike import parse_timings
from ka_system import ka_box, ka_pair_commands

HERE = Path(__file__).resolve()
RECORD_BYTES = 64          # STRING_RECORD_BYTES in src/core/string_analysis.hpp
WINDOW = 400               # steps; u_max > 3 sigma at T = 3
EXCHANGE_WINDOW = 50       # the exchange cost does not depend on the window length
DELTA, SKIN, RC_CAGE = 0.55, 0.3, 1.4
COMPUTES = [f"compute s all stringlike/atom delta {DELTA} window {{window}} fraction {{fraction}}",
            f"compute c all cage/atom cutoff {RC_CAGE} window {{window}}"]


PREPARE = """
{box}
neighbor {skin} bin
velocity all create 3.0 8111 loop geom
fix md all nvt temp 3.0 3.0 0.5
timestep 0.005
thermo 100000
run 600
reset_timestep 0
write_data {data} nocoeff
"""

SYSTEM = """
units lj
atom_style atomic
read_data {data}
mass * 1.0
{ka}
neighbor {skin} bin
fix md all nvt temp 3.0 3.0 0.5
timestep 0.005
thermo 100000
"""


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


class Runner:
    """One LAMMPS instance on MPI.COMM_WORLD (launched under mpiexec); rank 0 prints."""

    def __init__(self, data: Path):
        from mpi4py import MPI
        from lammps import lammps
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD
        self.lmp = lammps(comm=self.comm, cmdargs=["-log", "none", "-screen", "none", "-nocite"])
        self.lmp.commands_string(SYSTEM.format(data=data, ka=ka_pair_commands(), skin=SKIN))
        self.lmp.command("run 0")
        self.natoms = self.lmp.get_natoms()

    def timed(self, command: str) -> float:
        self.comm.Barrier()
        start = time.perf_counter()
        self.lmp.command(command)
        self.comm.Barrier()
        return time.perf_counter() - start

    def per_rank(self, value: float) -> list[float]:
        return self.comm.allgather(value)

    def u_max(self) -> float:
        """Largest window displacement of this window (column 4 of the stringlike compute)."""
        u = self.lmp.numpy.extract_compute("s", 1, 2)
        local = float(u[:, 3].max()) if len(u) else 0.0
        return self.comm.allreduce(local, op=self.MPI.MAX)

    def own_mobile(self) -> int:
        mobile = self.lmp.numpy.extract_compute("s", 1, 2)
        return int(mobile[:, 0].sum()) if len(mobile) else 0

    def say(self, text: str) -> None:
        if self.comm.rank == 0:
            print(text, flush=True)


def measure_ghosts(runner: Runner, repeats: int) -> None:
    lmp, size = runner.lmp, runner.comm.size
    u_max = None
    rows: dict[str, list[tuple[float, list[float]]]] = {}
    labels = ["no computes, default comm", "strings + cages, default comm", "v0.1: comm_modify cutoff delta+u_max+skin"]
    cutoffs = {}
    for _ in range(repeats):
        for label in labels:
            with_computes = label != labels[0]
            if label == labels[2]:
                cutoffs[label] = DELTA + u_max + SKIN
                lmp.command(f"comm_modify cutoff {cutoffs[label]:.3f}")
            if with_computes:
                for line in COMPUTES:
                    lmp.command(line.format(window=WINDOW, fraction=0.05))
            lmp.command("run 0")     # set-up (and the window start) outside the timed block
            seconds = runner.timed(f"run {WINDOW} pre no post no")
            ghosts = runner.per_rank(float(lmp.extract_global("nghost")))
            rows.setdefault(label, []).append((seconds / WINDOW, ghosts))
            if with_computes:
                u_now = runner.u_max()
                if label == labels[1]:
                    u_max = u_now
                lmp.command("uncompute s")
                lmp.command("uncompute c")
            lmp.command("comm_modify cutoff 0.0")   # back to the default (pair cutoff + skin)
    base = statistics.median(step for step, _ in rows[labels[0]])
    runner.say(f"\n  ranks={size} atoms={runner.natoms} window={WINDOW} steps, u_max (last window) = {u_max:.2f} sigma "
               f"> 3: {u_max > 3}; load average {load_average()}"
               + ("  [oversubscribed: timings not meaningful]" if size > (os.cpu_count() or 1) else ""))
    runner.say(f"  {'configuration':44s} {'comm cutoff':>11s} {'ghosts/rank (mean, max)':>24s} "
               f"{'ms/step':>8s} {'/ no computes':>13s}  blocks (ms/step)")
    for label in labels:
        steps = [step for step, _ in rows[label]]
        ghosts = rows[label][-1][1]
        cutoff = cutoffs.get(label, 2.5 + SKIN)
        runner.say(f"  {label:44s} {cutoff:11.2f} {statistics.mean(ghosts):12.0f} {max(ghosts):11.0f} "
                   f"{statistics.median(steps) * 1e3:8.2f} {statistics.median(steps) / base:13.3f}  "
                   + ", ".join(f"{s * 1e3:.2f}" for s in steps))


def measure_exchange(runner: Runner, windows: int) -> None:
    """Window-end cost from LAMMPS's timer: the evaluation runs in the window store's
    end_of_step, booked under "Modify", so Modify(window-end step) - median Modify(ordinary
    steps) isolates it from the step-to-step jitter of pair forces and communication."""
    lmp, size = runner.lmp, runner.comm.size
    for fraction in (0.05, 0.3):
        lmp.command(COMPUTES[0].format(window=EXCHANGE_WINDOW, fraction=fraction))
        lmp.command("run 0")
        log_file = Path(f"exchange_{size}_{fraction}.log")
        lmp.command(f"log {log_file}")
        for _ in range(windows):
            lmp.command(f"run {EXCHANGE_WINDOW - 4} pre no")
            for _ in range(3):
                lmp.command("run 1 pre no")
            lmp.command("run 1 pre no")          # the window ends on this step
        lmp.command("log none")
        n_mobile = int(lmp.extract_compute("s", 0, 1)[0])
        own = runner.per_rank(runner.own_mobile())
        if runner.comm.rank == 0:
            loops, modify = parse_timings(log_file)
            md, extra = [], []
            for w in range(windows):
                block, ordinary, end = 5 * w, modify[5 * w + 1:5 * w + 4], 5 * w + 4
                md.append(loops[block] / (EXCHANGE_WINDOW - 4))
                extra.append(modify[end] - statistics.median(ordinary))
            received = [(n_mobile - k) * RECORD_BYTES for k in own]
            runner.say(f"  {size:5d} {runner.natoms:7d} {fraction:8.2f} {n_mobile:8d} "
                       f"{statistics.mean(own) * RECORD_BYTES / 1024:10.1f} {statistics.mean(received) / 1024:12.1f} "
                       f"{n_mobile * RECORD_BYTES / 1024:12.1f} {statistics.median(extra) * 1e3:10.2f} "
                       f"{statistics.median(extra) / statistics.median(md):9.3f}   {load_average()}")
        lmp.command("uncompute s")



def inner(args) -> None:
    runner = Runner(args.inner)
    if args.part == "ghosts":
        measure_ghosts(runner, args.repeats)
    else:
        measure_exchange(runner, args.windows)
    runner.lmp.close()


def on_paper() -> None:
    print("\nPer-rank exchange volume on paper: every rank receives all mobile records once per window end,\n"
          f"  held/rank = N x f x {RECORD_BYTES} B whatever P (own: N x f / P records); the pair test then runs on all "
          "N x f mobile atoms\n  on every rank, so the window-end time does not fall with P. MPI int counts cap the "
          "gathered set at 2^31 B = 33.5 M records.")
    print(f"  {'atoms N':>10s} {'f':>5s} {'mobile':>10s} {'held/rank':>14s} {'own/rank P=64':>15s} "
          f"{'own/rank P=1024':>17s}")
    for n in (10 ** 6, 10 ** 7):
        for f in (0.05, 0.3):
            mobile = n * f
            print(f"  {n:10.0e} {f:5.2f} {mobile:10.0f} {mobile * RECORD_BYTES / 1e6:11.1f} MB "
                  f"{mobile * RECORD_BYTES / 64 / 1e3:12.1f} kB {mobile * RECORD_BYTES / 1024 / 1e3:14.1f} kB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, default=20, help="fcc cells per edge (4 cells^3 atoms)")
    parser.add_argument("--ranks", type=int, nargs="*", default=[1, 2, 4, 8], help="rank counts, exchange table")
    parser.add_argument("--ghost-ranks", type=int, nargs="*", default=[2, 8], help="rank counts, ghost/step table")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved repeats of the ghost/step blocks")
    parser.add_argument("--windows", type=int, default=3, help="window ends timed per exchange row")
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--part", choices=["ghosts", "exchange"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args)
        return

    from glassdyn.run.environment import lammps_environment, mpiexec_path, run_lammps

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "ka_hot.data"
        script = Path(tmp) / "in.prepare"
        script.write_text(PREPARE.format(box=ka_box(args.cells), skin=SKIN, data=data))
        print(f"== No ghost-reach demand: Kob-Andersen liquid, {4 * args.cells ** 3} atoms, T = 3, "
              f"stringlike/atom delta {DELTA} fraction 0.05 + cage/atom cutoff {RC_CAGE}, window {WINDOW} steps",
              flush=True)
        run_lammps(script, nprocs=2, check=True, timeout=3600)

        def launch(ranks: int, part: str) -> None:
            done = subprocess.run([str(mpiexec_path()), "-n", str(ranks), sys.executable, str(HERE), "--inner", str(data),
                                   "--part", part, "--repeats", str(args.repeats), "--windows", str(args.windows)],
                                  env=lammps_environment(), cwd=tmp, stderr=subprocess.PIPE, text=True)
            if done.returncode:     # stderr is kept only on failure (the LAMMPS module is chatty)
                raise RuntimeError(f"{ranks}-rank {part} measurement failed:\n{done.stderr[-3000:]}")

        for ranks in args.ghost_ranks:
            launch(ranks, "ghosts")
        print(f"\n== Exchange at a window end (strings alone, window {EXCHANGE_WINDOW} steps, {args.windows} window "
              f"ends per row; time = Modify(window-end step) - median Modify(ordinary step); ranks > {os.cpu_count()} are "
              "oversubscribed, their times are not meaningful)", flush=True)
        print(f"  {'ranks':>5s} {'atoms':>7s} {'fraction':>8s} {'mobile':>8s} {'own kB/rk':>10s} "
              f"{'recv kB/rk':>12s} {'held kB/rk':>12s} {'end ms':>10s} {'/MD step':>9s}   load", flush=True)
        for ranks in args.ranks:
            launch(ranks, "exchange")
        on_paper()


if __name__ == "__main__":
    main()
