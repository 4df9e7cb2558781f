"""Extra memory per atom of each glassdyn style (issue 11), from LAMMPS's own reports.

For two atom counts, one LAMMPS process (1 rank) per configuration: a Kob-Andersen liquid with
no glassdyn style, then with each style alone. Each runs past one window end, requests the
per-atom output where there is one, then ``run 0`` prints the "Per MPI rank memory allocation"
line (the sum of every style's ``memory_usage()`` with atom, neighbour and comm memory) and
``info memory`` the heap in use ("Current reserved memory pool size", from mallinfo: what was
really allocated, independent of memory_usage). Extra bytes per atom = (with - without) / atoms; the two atom
counts separate the per-atom part from fixed costs.

Usage: python benchmarks/bench_memory.py [--cells 16 24]   (4 cells^3 atoms)
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from ka_system import ka_box

HERE = Path(__file__).resolve()

WINDOW = 20
STYLES = {
    "(none)": "",
    "compute stringlike/atom": f"compute s all stringlike/atom delta 0.55 window {WINDOW}\n"
                               "variable m atom c_s[1]",
    "compute cage/atom (maxcage 32)": f"compute c all cage/atom cutoff 1.4 window {WINDOW}\n"
                                      "variable m atom c_c[1]",
    "compute displacement/distribution": f"compute s all stringlike/atom delta 0.55 window {WINDOW}\n"
                                         "compute p all displacement/distribution s\n"
                                         "variable m atom c_s[1]\nvariable pu equal c_p[1]",
    "fix dms (no peratom)": "fix d all dms x amplitude 0.01 period 0.5",
    "fix dynamics/correlate (origins 8)": f"fix t all dynamics/correlate every {WINDOW} origins 8 "
                                          f"lags log 1 {8 * WINDOW} 10 q 7.25",
    "(compute stress/atom)": "compute sa all stress/atom NULL virial\n"
                             "variable m atom c_sa[1]",
    "fix dms peratom (harmonics 1)": "compute sa all stress/atom NULL virial\n"
                                     "fix d all dms x amplitude 0.01 period 0.5 peratom sa volume 0.8333\n"
                                     "variable m atom f_d[1]",
}
# Each row is measured against its baseline: the distribution needs its stringlike/atom, the
# per-atom dms needs a stress/atom compute.
BASELINE = {"compute displacement/distribution": "compute stringlike/atom",
            "fix dms peratom (harmonics 1)": "(compute stress/atom)"}

SCRIPT = """
{box}
neighbor 0.3 bin
velocity all create 1.0 8111 loop geom
fix md all nvt temp 1.0 1.0 0.5
timestep 0.005
{style}
{thermo}
run {steps}
run 0
info memory out log
"""


def measure(cells: int, label: str) -> tuple[float, float, int]:
    """(memory report MB, heap MB, atom->nmax) of one configuration, in a fresh process."""
    from glassdyn.run.environment import lammps_environment, mpiexec_path
    done = subprocess.run([str(mpiexec_path()), "-n", "1", sys.executable, str(HERE), "--inner", str(cells), label], env=lammps_environment(),
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True, timeout=1200)
    reported, heap, nmax = done.stdout.split()[-3:]
    return float(reported), float(heap), int(nmax)


def inner(cells: int, label: str) -> None:
    from lammps import lammps

    style = STYLES[label]
    if "variable m atom" not in style:    # every run carries the same per-atom request (compute reduce
        style += "\nvariable m atom x"    # holds 8 bytes per atom of its own)
    fields = "c_sum" + (" v_pu" if "variable pu" in style else "")
    thermo = f"compute sum all reduce sum v_m\nthermo_style custom step {fields}\nthermo {WINDOW}"
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "log.lammps"
        lmp = lammps(cmdargs=["-screen", "none", "-log", str(log), "-nocite"])
        lmp.commands_string(SCRIPT.format(box=ka_box(cells), style=style, thermo=thermo, steps=2 * WINDOW + 1))
        nmax = lmp.extract_global("nmax")
        lmp.close()
        out = log.read_text()
    reported = re.findall(r"Per MPI rank memory allocation \(min/avg/max\) = [\d.]+ \| ([\d.]+)", out)
    heap = re.findall(r"Current reserved memory pool size:\s+([\d.]+)", out)
    print(reported[-1], heap[-1], nmax)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, nargs=2, default=[16, 24], help="two sizes, fcc cells per edge")
    parser.add_argument("--inner", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(int(args.inner[0]), args.inner[1])
        return
    sizes = [4 * c ** 3 for c in args.cells]
    print(f"== Extra memory per atom of each style (1 rank, Kob-Andersen liquid, {' and '.join(map(str, sizes))} atoms). "
          "'report' = LAMMPS's 'Per MPI rank memory allocation' line (the sum of the styles' memory_usage()); "
          "'heap' = malloc'd bytes in use ('info memory', independent of memory_usage). LAMMPS sizes per-atom arrays "
          "by atom->nmax (grows in steps of 16384, counts ghost atoms too), so bytes are given per owned atom and "
          "per nmax slot.", flush=True)
    results = {}
    for cells in args.cells:
        for label in STYLES:
            results[label, cells] = measure(cells, label)
    print(f"  {'style':34s} {'atoms':>6s} {'nmax':>6s} {'report B/atom':>13s} {'heap B/atom':>11s} "
          f"{'report B/slot':>13s} {'heap B/slot':>11s}")
    for label in STYLES:
        if label.startswith("("):
            continue
        base = BASELINE.get(label, "(none)")
        for cells, n in zip(args.cells, sizes):
            (rep, heap, nmax), (rep0, heap0, _) = results[label, cells], results[base, cells]
            extra, extra_heap = (rep - rep0) * 2 ** 20, (heap - heap0) * 2 ** 20
            print(f"  {label:34s} {n:6d} {nmax:6d} {extra / n:13.1f} {extra_heap / n:11.1f} {extra / nmax:13.1f} "
                  f"{extra_heap / nmax:11.1f}", flush=True)
    print("  (displacement/distribution: minus the run with its stringlike/atom alone; fix dms peratom: minus a run "
          "with compute stress/atom alone; work arrays that live only during a window-end evaluation are in neither "
          "column)")

if __name__ == "__main__":
    main()
