"""Cost of fix dynamics/correlate against MD, and against the offline route for the same statistics.

A 32 000-atom Cu64Zr36 EAM glass (benchmarks/cuzr_system.py, prepared as in bench_stringlike.py)
runs S steps of NVT at 800 K on 1 and 2 ranks:

* without the fix, and with ``fix dynamics/correlate every E origins 8 lags log 5 8E 30 q 2.8``
  (8 live origins once 8E steps have passed, 30 log-spaced lags): the analysis share is
  (Modify time with - Modify time without) / loop time, from LAMMPS's own timer (the fix
  works in end_of_step, which LAMMPS books under Modify), taking the smaller of the two loop
  times as the MD time (conservative on a loaded machine). Target <= 2 % (issue 13).
* the offline route for the same statistics: the same run dumping exactly the frames the
  statistics need (Correlations.needed_steps: the run cut at each, write_dump), then
  glassdyn.io.read_dump and glassdyn.analysis.Correlations (the twin, same C++ core). Reported:
  the dump's extra wall time (against the same run without it, both whole launches), the bytes on disk, the read and compute times, the total against
  the fix's cost, and the largest difference between the two results (the dump keeps 10 digits).

Usage: python benchmarks/bench_correlate.py [--atoms-per-edge 20] [--every 50] [--steps 800]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from bench_stringlike import parse_timings, prepare
from cuzr_system import glass_at_800k

RUN = "log {log}\n" + glass_at_800k("{data}") + """velocity all create 800 5151 dist gaussian
{extra}
{run}
"""

FIX = ("fix corr all dynamics/correlate every {every} origins 8 lags log 5 {longest} 30 q 2.8\n"
       "fix out all ave/time {steps} 1 {steps} f_corr[*] file fix_table.txt mode vector format \" %.17g\"")


def dumped_run(steps: list[int]) -> str:
    """Commands that run to each needed step in turn and write one frame there (write_dump, appended).

    LAMMPS has no dump schedule from a list of steps (``dump_modify every`` takes only equal-style
    variables, and a min over 30 lags nested in them is evaluated exponentially often), so the
    run is cut at the needed steps; ``pre no post no`` keeps each piece's set-up to a minimum."""
    lines, now = [], 0
    write = "write_dump all custom frames.dump id type xu yu zu modify append yes sort id format float %.10g"
    for step in steps:
        if step > now:
            lines.append(f"run {step - now} {'pre no ' if now > 0 else ''}post no")
            now = step
        lines.append(write)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--atoms-per-edge", type=int, default=20, help="fcc cells per edge (4 n^3 atoms)")
    parser.add_argument("--every", type=int, default=50, help="steps between origins (E)")
    parser.add_argument("--steps", type=int, default=800, help="steps per run (S)")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    from glassdyn import _core
    from glassdyn.analysis import Correlations
    from glassdyn.io import read_dump
    from glassdyn.run.environment import run_lammps

    longest = 8 * args.every
    lags = _core.TimeCorrelationsCore.log_spaced_lags(5, longest, 30)
    fix = FIX.format(every=args.every, longest=longest, steps=args.steps)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "cuzr_glass.data"
        prepare(data, args.atoms_per_edge)

        def timed_run(name: str, extra: str, ranks: int, run: str = "") -> tuple[float, float, float]:
            """Loop time, Modify time (LAMMPS timer, last run) and wall time of the whole launch."""
            log = folder / f"{name}_{ranks}.log"
            script = folder / f"in.{name}_{ranks}"
            script.write_text(RUN.format(log=log, data=data, extra=extra, run=run or f"run {args.steps}"))
            start = time.perf_counter()
            run_lammps(script, nprocs=ranks, cwd=folder, check=True, timeout=7200)
            wall = time.perf_counter() - start
            loops, modify = parse_timings(log)
            return (loops[-1] if loops else 0.0), (modify[-1] if modify else 0.0), wall

        print(f"{4 * args.atoms_per_edge ** 3} atoms, {args.steps} steps, origins every {args.every} steps, 8 live, "
              f"{len(lags)} lags {lags[0]}..{lags[-1]} steps", flush=True)
        fix_cost = {}
        for ranks in args.ranks:
            loop0, modify0, _ = timed_run("plain", "", ranks)
            loop1, modify1, _ = timed_run("fix", fix, ranks)
            # The smaller loop time is the MD time: under other load the loop times differ by more
            # than the fix costs, and the smaller one gives the conservative (larger) share.
            share = (modify1 - modify0) / min(loop0, loop1)
            fix_cost[ranks] = modify1 - modify0
            print(f"{ranks} rank(s): loop {loop0:.2f} s without, {loop1:.2f} s with the fix; Modify {modify0:.3f} -> "
                  f"{modify1:.3f} s; analysis share {100 * share:.2f} % of MD (target <= 2 %)", flush=True)

        ranks = max(args.ranks)
        twin = Correlations(every=args.every, origins=8, lags=lags, q=2.8)
        needed = twin.needed_steps(0, args.steps).tolist()
        _, _, wall0 = timed_run("plain", "", ranks)
        _, _, wall_dump = timed_run("dump", "", ranks, run=dumped_run(needed))
        size = (folder / "frames.dump").stat().st_size
        start = time.perf_counter()
        frames = read_dump(folder / "frames.dump")
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        twin.compute(frames, dt=0.002, masses={1: 63.546, 2: 91.224})
        compute_s = time.perf_counter() - start
        rows = [line.split() for line in (folder / "fix_table.txt").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
        fix_table = np.array([[float(v) for v in row[1:]] for row in rows[-len(lags):]])   # the last block
        difference = np.max(np.abs(fix_table - twin.table) / np.maximum(np.abs(twin.table), 1e-300))
        # Timing differences of whole runs drown in the noise of a loaded machine: a negative
        # difference is reported as such and counted as 0; the fix's cost is its largest measurement.
        offline = max(wall_dump - wall0, 0.0) + read_s + compute_s
        fix_s = max(fix_cost.values())
        print(f"offline route ({ranks} ranks): {len(frames)} frames, {size / 1e6:.0f} MB on disk; dump "
              f"{wall_dump - wall0:.2f} s extra wall time (writing, cut runs), read {read_s:.1f} s, compute {compute_s:.1f} s, total "
              f"{offline:.1f} s vs {fix_s:.2f} s for the fix: ratio {offline / fix_s:.0f}x; "
              f"largest relative difference fix vs twin {difference:.1e} (10-digit dump)", flush=True)


if __name__ == "__main__":
    main()
