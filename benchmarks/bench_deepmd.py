"""DeePMD MD throughput with and without glassdyn's analysis, on 1 and 2 ranks.

The tiny Cu-Zr model of ``glassdyn.deepmd.make_tiny_model`` (made once into ``--model-dir``)
drives a Cu64Zr36 liquid at 1000 K. Inside one LAMMPS run per rank count, blocks of B steps
alternate between

* **plain**: NVT only;
* **analysis**: NVT + ``fix dms`` (oscillating the box every step and sampling the stress every
  step, or every 10 steps) + ``compute stringlike/atom`` and ``compute cage/atom`` synced to its
  cycles (two cycles, i.e. two window ends, per block) + ``compute displacement/distribution``.

Each block's loop time is read from the log; the medians over the blocks give the throughput
(katom-step/s) and the ratio analysis / plain. Target (issue 6): overhead < 2 %. Sampling the
stress makes LAMMPS ask the pair style for the virial on that step, which plain MD skips.

Usage: python benchmarks/bench_deepmd.py [--cells 6] [--block 200] [--blocks 4] [--every 1 10]
       [--ranks 1 2] [--model-dir DIR]
"""
from __future__ import annotations

import argparse
import re
import statistics
import tempfile
from pathlib import Path

from glassdyn.deepmd import deepmd_available, make_tiny_model, missing_deepmd_message
from glassdyn.run.environment import run_lammps

SETUP = """
units           metal
atom_style      atomic
lattice         fcc 3.9
region          box block 0 {cells} 0 {cells} 0 {cells}
create_box      2 box
create_atoms    1 box
set             type 1 type/ratio 2 0.36 4242
mass            1 63.546
mass            2 91.224
pair_style      deepmd {model}
pair_coeff      * * Cu Zr
neighbor        1.0 bin
comm_modify     cutoff 12.0
timestep        0.002
velocity        all create 2000 4242 dist gaussian
fix             md all nvt temp 1000 1000 0.1
thermo          1000000
run             300
"""

PLAIN = """
run             {block}
"""

ANALYSIS = """
fix             dms all dms x amplitude 0.01 period {period} harmonics 3 every {every}
compute         str all stringlike/atom delta 1.4 sync dms
compute         cage all cage/atom cutoff 3.6 sync dms
compute         pu all displacement/distribution str
run             {block}
uncompute       pu
uncompute       cage
uncompute       str
unfix           dms
"""


def measure(model: Path, cells: int, block: int, blocks: int, nprocs: int, workdir: Path, every: int = 1) -> dict:
    period = 0.002 * block / 2  # two cycles, i.e. two window ends, per analysis block
    script = SETUP.format(cells=cells, model=model)
    for _ in range(blocks):
        script += PLAIN.format(block=block) + ANALYSIS.format(block=block, period=period, every=every)
    path = workdir / f"in.bench_{nprocs}"
    path.write_text(script)
    run = run_lammps(path, nprocs=nprocs, deepmd=True, check=True, timeout=3600)
    loops = [float(t) for t in re.findall(r"Loop time of ([0-9.eE+-]+) on", run.output)][1:]  # skip the warm-up
    # LAMMPS's timer books fixes and computes (fix dms, the window evaluations) under "Modify" and
    # the force field under "Pair": their per-block averages separate the analysis from the noise
    # of a shared machine, which moves whole blocks by several per cent.
    modify = [float(t) for t in re.findall(r"^Modify\s*\|\s*[0-9.eE+-]+\s*\|\s*([0-9.eE+-]+)", run.output, re.M)][1:]
    pair = [float(t) for t in re.findall(r"^Pair\s*\|\s*[0-9.eE+-]+\s*\|\s*([0-9.eE+-]+)", run.output, re.M)][1:]
    plain, analysis = loops[0::2], loops[1::2]
    natoms = 4 * cells ** 3
    t_plain, t_analysis = statistics.median(plain), statistics.median(analysis)
    return {"nprocs": nprocs, "natoms": natoms, "plain": natoms * block / t_plain / 1000,
            "analysis": natoms * block / t_analysis / 1000, "ratio": t_analysis / t_plain,
            "spread": (max(plain) - min(plain)) / t_plain,
            "modify": (statistics.median(modify[1::2]) - statistics.median(modify[0::2])) / t_plain,
            "pair": statistics.median(pair[1::2]) / statistics.median(pair[0::2])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=6, help="fcc cells per edge (4 cells^3 atoms)")
    parser.add_argument("--block", type=int, default=200, help="steps per block")
    parser.add_argument("--blocks", type=int, default=4, help="blocks of each kind")
    parser.add_argument("--model-dir", type=Path, default=Path(tempfile.gettempdir()) / "glassdyn-tiny-model")
    parser.add_argument("--every", type=int, nargs="+", default=[1, 10], help="stress sampling intervals of fix dms")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if not deepmd_available():
        raise SystemExit(missing_deepmd_message())
    model = make_tiny_model(args.model_dir, nprocs=2)
    print(model.summary())
    with tempfile.TemporaryDirectory() as tmp:
        for nprocs in args.ranks:
            for every in args.every:
                r = measure(model.path, args.cells, args.block, args.blocks, nprocs, Path(tmp), every)
                print(f"{r['natoms']} atoms, {nprocs} rank(s), stress every {every} step(s): plain {r['plain']:.2f} "
                      f"katom-step/s, with analysis {r['analysis']:.2f} katom-step/s, ratio analysis/plain = "
                      f"{r['ratio']:.4f} (block-to-block spread of plain {100 * r['spread']:.1f} %); analysis in "
                      f"Modify = {100 * r['modify']:.2f} % of a plain block, Pair time ratio {r['pair']:.4f}",
                      flush=True)


if __name__ == "__main__":
    main()
