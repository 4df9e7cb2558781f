"""Memory per atom of each glassdyn style, and the analysis share of a DMS segment, at growing N.

Kob-Andersen 80:20 at density 1.2 from an fcc lattice (N = 4 n^3), heated to T = 1.0, then NVT
with fix dms (period = PERIOD steps) and the campaign's analysis computes synced to it, exactly as
a campaign's DMS segment sets them up (tests/docs: docs/cluster.md, "10^5-10^6 atoms").

Memory: LAMMPS's own "Per MPI rank memory allocation" line at the setup of the measured run
(every style's ``memory_usage()``: atoms, neighbour lists, buffers, fixes, computes), and the
largest resident set of a rank (``/usr/bin/time`` %M, which also sees what is allocated later,
e.g. the occasional full neighbour list built at a window end).
Time: CPU seconds of the run (user + system, from ``/usr/bin/time``; CPU time rather than wall
time because the machine is shared), with and without the analysis computes; the difference per
cycle is what the analysis costs per window.

    python benchmarks/bench_cluster_scale.py [--cells 10 20 30] [--np 1]
"""
from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

from glassdyn.launching import LammpsCommand

PERIOD = 100  # steps per oscillation cycle = analysis window
CYCLES = 3

BASE = """units lj
atom_style atomic
lattice fcc 1.2
region box block 0 {n} 0 {n} 0 {n}
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.2 4242
mass * 1.0
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0 2.5
pair_coeff 1 2 1.5 0.8 2.0
pair_coeff 2 2 0.5 0.88 2.2
neighbor 0.3 bin
neigh_modify every 1 delay 0 check yes
timestep 0.005
comm_modify cutoff 4.35
velocity all create 1.0 87287 dist gaussian mom yes
fix md all nvt temp 1.0 1.0 0.5
run 100
reset_timestep 0
fix dms all dms x amplitude 0.01 period {period_time} every 1 harmonics 3 discard 1
"""
STYLES = {
    "stringlike/atom": "compute str all stringlike/atom delta 0.55 sync dms fraction 0.05 long 6 maxsize 100",
    "cage/atom": "compute cage all cage/atom cutoff 1.45 cutoff/pair 1 2 1.25 cutoff/pair 2 2 1.15 hysteresis 0.1 "
                 "nlost 1 sync dms",
    "displacement/distribution": "compute pu all displacement/distribution str bins 200 umax 4 beyond 2",
}
OUTPUTS = {"stringlike/atom": "c_str[1]", "cage/atom": "c_cage[1]", "displacement/distribution": "c_pu[1]"}


def measure(n: int, styles: list[str], nprocs: int, folder: Path) -> tuple[float, float, float]:
    """(LAMMPS MB per rank, max RSS MB of a rank, CPU seconds) of the run with the given analysis styles."""
    lines = [BASE.format(n=n, period_time=PERIOD * 0.005)]
    lines += [STYLES[s] for s in styles]
    values = " ".join(OUTPUTS[s] for s in styles)
    if values:
        lines.append(f"fix out all ave/time {PERIOD} 1 {PERIOD} {values} file out.txt")
    lines += [f"thermo {PERIOD}", f"run {PERIOD * CYCLES}"]
    script = folder / "in.bench"
    script.write_text("\n".join(lines) + "\n")
    argv = ["/usr/bin/time", "-f", "GDTIME %M %U %S", *LammpsCommand().argv(nprocs, ["-in", str(script), "-log",
                                                                                     "none", "-nocite"])]
    run = subprocess.run(argv, cwd=folder, env=LammpsCommand().environment(), capture_output=True, text=True,
                         timeout=3600, check=True)
    memory = [float(m) for m in re.findall(r"memory allocation \(min/avg/max\) = \S+ \| \S+ \| (\S+) Mbytes",
                                          run.stdout)][-1]
    rss_kb, user, system = run.stderr.split("GDTIME")[-1].split()[:3]
    return memory, float(rss_kb) / 1024, float(user) + float(system)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, nargs="+", default=[10, 20, 30])
    parser.add_argument("--np", type=int, default=1)
    args = parser.parse_args()
    variants = [[], ["stringlike/atom"], ["stringlike/atom", "cage/atom"],
                ["stringlike/atom", "cage/atom", "displacement/distribution"]]
    print(f"# KA, fix dms period {PERIOD} steps, {CYCLES} cycles (+100 steps warm-up), {args.np} rank(s)")
    print("# atoms  analysis                       LAMMPS_MB/rank  +B/atom  maxRSS_MB/rank  +B/atom  CPU_s  +CPU_ms/cycle")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.cells:
            atoms = 4 * n**3
            base = None
            for styles in variants:
                memory, rss, cpu = measure(n, styles, args.np, Path(tmp))
                base = base or (memory, rss, cpu)
                per_atom = [(value - start) * 2**20 * args.np / atoms for value, start in zip((memory, rss), base)]
                name = "+".join(s.split("/")[0] for s in styles) or "md + fix dms only"
                print(f"{atoms:8d}  {name:<30} {memory:10.2f} {per_atom[0]:+8.0f} {rss:12.1f} {per_atom[1]:+8.0f}"
                      f" {cpu:7.2f} {(cpu - base[2]) / CYCLES * 1000:+9.0f}", flush=True)


if __name__ == "__main__":
    main()
