"""The Kob-Andersen 80:20 box the benchmarks build: an fcc lattice at density 1.2 (4 atoms per
cell), 20 % of the atoms turned into B, the pair style from the potentials registry."""
from __future__ import annotations

KA_BOX = """
units lj
atom_style atomic
lattice fcc 1.2
region box block 0 {cells} 0 {cells} 0 {cells}
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.2 4511
mass * 1.0
{ka}
"""


def ka_pair_commands() -> str:
    """The KA pair style and coefficients (and masses) from the potentials registry."""
    from glassdyn.run.potentials import get_potential
    return "\n".join(get_potential("kob-andersen").commands(["A", "B"]))


def ka_box(cells: int) -> str:
    """LAMMPS commands that create the box of 4 * cells^3 atoms and set the KA pair style."""
    return KA_BOX.format(cells=cells, ka=ka_pair_commands())
