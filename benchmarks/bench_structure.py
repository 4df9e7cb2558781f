"""Per-snapshot structure analysis of a 32 000-atom Cu64Zr36 EAM glass, and the error of the
subsampled SOAP similarity estimator against the all-atom average.

A 2000-atom glass is melted (2000 K), quenched to 700 K at ~1e14 K/s, replicated 2 x 2 x 4 into
32 000 atoms and run 1 ps at 700 K so the copies decorrelate locally (2 MPI ranks). On a dump
of it, each analysis of glassdyn.structure is timed on one core (OMP_NUM_THREADS=1):
PartialRDF (r_max 10 Å, 500 bins) + StructureFactor (X-ray and neutron totals), VoronoiMotifs,
excess_entropy, per_atom_descriptors (without SOAP), and SOAP similarity between the glass and
the liquid with n_centers = 2000 (the estimator), plus the cost per SOAP centre (so the all-atom
time is extrapolated, not run).

Estimator error: on the 2000-atom glass and liquid, the SOAP of every atom is computed once;
the all-atom similarity K_full is compared with the estimator from m random centres (10 seeds
per m): the mean |K_m - K_full| against the mean bootstrap error the estimator reports.

Usage: python benchmarks/bench_structure.py
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

from glassdyn.io import read_dump
from glassdyn.launching import run_lammps
from glassdyn.run.potentials import get_potential
from glassdyn.structure import (PartialRDF, SOAPDescriptor, StructuralSimilarity, Structure, StructureFactor,
                                VoronoiMotifs, excess_entropy, per_atom_descriptors)
from glassdyn.structure.soap import SOAPAverage, kernel

SPECIES = {1: "Cu", 2: "Zr"}


def prepare(folder: Path) -> None:
    potential = "\n".join(get_potential("cuzr-eam").commands(["Cu", "Zr"]))
    (folder / "in.prepare").write_text(f"""
units metal
atom_style atomic
lattice fcc 3.9
region box block 0 10 0 10 0 5
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.36 4242
{potential}
neighbor 1.0 bin
timestep 0.002
thermo 1000
velocity all create 2400 8311 loop geom
fix md all npt temp 2000 2000 0.1 iso 0 0 1.0
run 1000
write_dump all custom liquid.dump id type x y z modify sort id
unfix md
fix md all npt temp 2000 700 0.1 iso 0 0 1.0
run 6500
unfix md
fix md all nvt temp 700 700 0.1
run 500
write_dump all custom glass_small.dump id type x y z modify sort id
replicate 2 2 4
velocity all create 700 5511 loop geom
run 500
write_dump all custom glass.dump id type x y z modify sort id
""")
    print("preparing the Cu64Zr36 glass (2000 atoms, replicated to 32 000; 2 ranks) ...", flush=True)
    run_lammps(folder / "in.prepare", nprocs=2, cwd=folder, check=True, timeout=3600)


def timed(label: str, action):
    start = time.perf_counter()
    value = action()
    print(f"  {label:<46s} {time.perf_counter() - start:7.2f} s", flush=True)
    return value


def snapshot_costs(glass: Structure, liquid: Structure) -> None:
    print(f"32k-atom snapshot ({len(glass)} atoms), one core:")
    rdf = timed("PartialRDF r_max 10, 500 bins (3 partials + total)",
                lambda: PartialRDF(r_max=10.0, bins=500).compute(glass))
    timed("StructureFactor (100 q) + X-ray and neutron totals",
          lambda: [StructureFactor().compute(rdf).weighted(w, SPECIES) for w in ("xray", "neutron")])
    cells = timed("VoronoiMotifs (OVITO)", lambda: VoronoiMotifs().compute(glass))
    print(f"    Cu full-icosahedron fraction {cells.full_icosahedron_fraction(1):.3f}")
    timed("excess_entropy (sigma 0.2, cutoff 6)", lambda: excess_entropy(glass))
    timed("per_atom_descriptors (no SOAP)", lambda: per_atom_descriptors(glass, species=SPECIES))
    descriptor = SOAPDescriptor(["Cu", "Zr"], n_centers=2000)
    similarity = timed("SOAP similarity glass-liquid, 2000 centres each",
                       lambda: StructuralSimilarity(descriptor).compute(glass, liquid, SPECIES, SPECIES))
    print(f"    K = {similarity.similarity:.5f} +- {similarity.error:.5f}")
    start = time.perf_counter()
    SOAPDescriptor(["Cu", "Zr"], n_centers=1000, seed=1).compute(glass, SPECIES)
    per_centre = (time.perf_counter() - start) / 1000
    print(f"  SOAP per centre {1e3 * per_centre:.2f} ms (incl. set-up): all {len(glass)} atoms would take "
          f"~{per_centre * len(glass):.0f} s")


def estimator_error(glass: Structure, liquid: Structure) -> None:
    descriptor = SOAPDescriptor(["Cu", "Zr"])
    print(f"SOAP estimator against the all-atom average ({len(glass)}-atom glass vs liquid):")
    vectors = [timed(f"SOAP of all {len(s)} atoms", lambda s=s: descriptor.compute(s, SPECIES).vectors)
               for s in (glass, liquid)]
    full = float(kernel(vectors[0].mean(axis=0), vectors[1].mean(axis=0)))
    print(f"  K_full = {full:.6f}")
    print(f"  {'m':>6s} {'mean |K_m - K_full|':>20s} {'mean reported error':>20s} {'max |dK|/error':>15s}")
    for m in (100, 250, 500, 1000):
        deviations, errors = [], []
        for seed in range(10):
            rng = np.random.default_rng(seed)
            averages = [SOAPAverage.from_vectors(v[rng.choice(len(v), m, replace=False)], len(v), seed=seed)
                        for v in vectors]
            estimate = float(kernel(averages[0].mean, averages[1].mean))
            replicas = kernel(averages[0].bootstrap_means, averages[1].bootstrap_means)
            deviations.append(abs(estimate - full))
            errors.append(float(np.std(replicas, ddof=1)))
        ratio = max(d / e for d, e in zip(deviations, errors))
        print(f"  {m:6d} {np.mean(deviations):20.2e} {np.mean(errors):20.2e} {ratio:15.2f}")


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        prepare(folder)
        glass = Structure.from_frame(read_dump(folder / "glass.dump")[0])
        small = Structure.from_frame(read_dump(folder / "glass_small.dump")[0])
        liquid = Structure.from_frame(read_dump(folder / "liquid.dump")[0])
        snapshot_costs(glass, liquid)
        estimator_error(small, liquid)


if __name__ == "__main__":
    main()
