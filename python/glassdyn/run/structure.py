"""The starting configuration of a campaign: exactly the requested atoms and composition.

LAMMPS's ``create_atoms random`` silently drops atoms it cannot place without overlap, so the
driver writes the start itself: a simple cubic grid at the configured number density with a
seeded random choice of occupied sites and a seeded random assignment of species. The melt
(after an energy minimisation) erases the grid.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from glassdyn.run.config import CampaignConfig


def write_initial_data(config: CampaignConfig, path: Path) -> None:
    """Write a LAMMPS data file with the campaign's atoms (types in ``config.system.species`` order)."""
    system = config.system
    counts = system.counts()
    natoms = system.atoms
    rng = np.random.default_rng(config.seed)
    grid = math.ceil(round(natoms ** (1.0 / 3.0), 9))
    box = (natoms / system.density) ** (1.0 / 3.0)
    spacing = box / grid
    sites = rng.permutation(grid ** 3)[:natoms]
    cells = np.stack(np.unravel_index(np.sort(sites), (grid, grid, grid)), axis=1)
    positions = (cells + 0.5) * spacing
    types = np.concatenate([np.full(n, t, dtype=int) for t, n in enumerate(counts.values(), start=1)])
    rng.shuffle(types)
    lines = [f"glassdyn {config.name}: {natoms} atoms " + " ".join(f"{s}{n}" for s, n in counts.items()), "",
             f"{natoms} atoms", f"{len(counts)} atom types", "",
             f"0.0 {box:.12g} xlo xhi", f"0.0 {box:.12g} ylo yhi", f"0.0 {box:.12g} zlo zhi", "",
             "Atoms # atomic", ""]
    lines += [f"{i} {t} {x:.12g} {y:.12g} {z:.12g}" for i, (t, (x, y, z)) in enumerate(zip(types, positions), start=1)]
    path.write_text("\n".join(lines) + "\n")
