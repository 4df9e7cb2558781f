"""Extra memory per atom of each glassdyn style (issue 11), from LAMMPS's own reports.

For two atom counts, one LAMMPS process (1 rank) per configuration: a Kob-Andersen liquid with
no glassdyn style, then with each style alone. Each runs past one window end, requests the
per-atom output where there is one, then ``run 0`` prints the "Per MPI rank memory allocation"
line (the sum of every style's ``memory_usage()`` with atom, neighbour and comm memory) and
``info memory`` the heap in use ("Current reserved memory pool size", from mallinfo: what was
really allocated, independent of memory_usage). Extra bytes per atom = (with - without) / atoms; the two atom
counts separate the per-atom part from fixed costs.

Usage: python benchmarks/bench_memory.py [--cells 12 24]   (4 cells^3 atoms)
"""
from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

WINDOW = 20
STYLES = {
    "(none)": "",
    "compute stringlike/atom": f"compute s all stringlike/atom delta 0.55 window {WINDOW}\n"
                               "variable m atom c_s[1]\ncompute sum all reduce sum v_m",
    "compute cage/atom (maxcage 32)": f"compute c all cage/atom cutoff 1.4 window {WINDOW}\n"
                                      "variable m atom c_c[1]\ncompute sum all reduce sum v_m",
    "compute displacement/distribution": f"compute s all stringlike/atom delta 0.55 window {WINDOW}\n"
                                         "compute p all displacement/distribution s\n"
                                         "variable m atom c_s[1]\ncompute sum all reduce sum v_m\nvariable pu equal c_p[1]",
    "fix dms (no peratom)": "fix d all dms x amplitude 0.01 period 0.5",
    "(compute stress/atom)": "compute sa all stress/atom NULL virial\n"
                             "variable m atom c_sa[1]\ncompute sum all reduce sum v_m",
    "fix dms peratom (harmonics 1)": "compute sa all stress/atom NULL virial\n"
                                     "fix d all dms x amplitude 0.01 period 0.5 peratom sa volume 0.8333\n"
                                     "variable m atom f_d[1]\ncompute sum all reduce sum v_m",
}
# Each row is measured against its baseline: the distribution needs its stringlike/atom, the
# per-atom dms needs a stress/atom compute.
BASELINE = {"compute displacement/distribution": "compute stringlike/atom",
            "fix dms peratom (harmonics 1)": "(compute stress/atom)"}

SCRIPT = """
units lj
atom_style atomic
lattice fcc 1.2
region box block 0 {cells} 0 {cells} 0 {cells}
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.2 4511
mass * 1.0
{ka}
neighbor 0.3 bin
velocity all create 1.0 8111 loop geom
fix md all nvt temp 1.0 1.0 0.5
timestep 0.005
{style}
{thermo}
run {steps}
run 0
info memory
"""


def measure(cells: int, style: str, folder: Path) -> tuple[float, float]:
    from glassdyn.run.environment import run_lammps
    from glassdyn.run.potentials import get_potential

    ka = "\n".join(get_potential("kob-andersen").commands(["A", "B"]))
    fields = ("c_sum " if "compute sum" in style else "") + ("v_pu" if "v_pu" in style or "variable pu" in style else "")
    thermo = f"thermo_style custom step {fields}\nthermo {WINDOW}" if fields else "thermo 1000"
    script = folder / "in.memory"
    script.write_text(SCRIPT.format(cells=cells, ka=ka, style=style, thermo=thermo, steps=2 * WINDOW + 1))
    out = run_lammps(script, nprocs=1, check=True, timeout=1200).output
    reported = [float(m) for m in re.findall(r"Per MPI rank memory allocation \(min/avg/max\) = [\d.]+ \| ([\d.]+)", out)]
    heap = re.findall(r"Current reserved memory pool size:\s+([\d.]+)", out)
    return reported[-1], float(heap[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, nargs=2, default=[12, 24], help="two sizes, fcc cells per edge")
    args = parser.parse_args()
    sizes = [4 * c ** 3 for c in args.cells]
    print(f"== Extra memory per atom of each style (1 rank, Kob-Andersen, {sizes[0]} and {sizes[1]} atoms; "
          "'LAMMPS' = the 'Per MPI rank memory' line, i.e. memory_usage(); 'heap' = info memory, 'Current reserved memory pool size' (malloc in use, independent of memory_usage))",
          flush=True)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for cells in args.cells:
            for label, style in STYLES.items():
                results[label, cells] = measure(cells, style, Path(tmp))
    print(f"  {'style':36s} " + " ".join(f"{'LAMMPS B/atom @' + str(n):>19s} {'heap B/atom @' + str(n):>17s}"
                                          for n in sizes))
    for label in STYLES:
        if label.startswith("("):
            continue
        cols = []
        base = BASELINE.get(label, "(none)")
        for cells, n in zip(args.cells, sizes):
            (rep, os_mem), (rep0, os0) = results[label, cells], results[base, cells]
            cols.append(f"{(rep - rep0) * 2 ** 20 / n:19.1f} {(os_mem - os0) * 2 ** 20 / n:17.1f}")
        print(f"  {label:36s} " + " ".join(cols), flush=True)
    print("  (displacement/distribution: minus the stringlike/atom run; fix dms peratom: minus a run with compute "
          "stress/atom only. LAMMPS sizes per-atom arrays by atom->nmax, which grows in steps of 16384 and includes "
          "ghost atoms, so per-atom values are per owned atom at these sizes; work arrays freed before the report "
          "are in neither column)")


if __name__ == "__main__":
    main()
