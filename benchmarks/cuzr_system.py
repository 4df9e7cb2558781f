"""The Cu64Zr36 EAM box the benchmarks measure on (potential from glassdyn's registry)."""
from __future__ import annotations

from glassdyn.run.potentials import get_potential


def cuzr_box(cells: int, seed: int = 4242) -> str:
    """LAMMPS commands: an fcc start of 4*cells^3 atoms, 36 % Zr, with the Cu-Zr EAM potential.

    The lattice is dilated (a = 3.9 A) so that a short hot run melts it into a dense liquid.
    """
    potential = "\n".join(get_potential("cuzr-eam").commands(["Cu", "Zr"]))
    return f"""
units metal
atom_style atomic
lattice fcc 3.9
region box block 0 {cells} 0 {cells} 0 {cells}
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.36 {seed}
{potential}
neighbor 1.0 bin
timestep 0.002
"""


def glass_at_800k(data: str) -> str:
    """LAMMPS commands: the prepared glass read from ``data``, with the same potential and NVT at
    800 K, as every benchmark on it measures (no velocities: the data file carries them)."""
    return f"""
units metal
atom_style atomic
read_data {data}
pair_style eam/fs
pair_coeff * * CuZr_mm.eam.fs Cu Zr
neighbor 1.0 bin
timestep 0.002
fix md all nvt temp 800 800 0.1
thermo 100000
"""
