"""Restart files written before the per-atom store and the window schedule were separated.

``data/store_format_20251122.restart`` was written by the previous glassdyn plugin (store
record format 20251122.1, which held the window schedule) at step 100 of a 500-atom
Lennard-Jones run on 2 ranks, in the middle of a 200-step window of ``stringlike/atom`` and
``cage/atom``. That plugin, run on without interruption, printed the global outputs below at
step 200. The current plugin must read the old record (the window stays open, its reference
positions and cages come from the file) and reproduce those numbers exactly, here on 3 ranks.
The fixture's input script is ``SCRIPT_BEFORE`` (the restart) + ``run 100``.
"""
from __future__ import annotations

import shutil
from pathlib import Path

FIXTURE = Path(__file__).parent / "data" / "store_format_20251122.restart"

SCRIPT_BEFORE = """
units lj
atom_style atomic
lattice fcc 1.2
region box block 0 5 0 5 0 5
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.2 4242
mass * 1.0
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0 2.5
pair_coeff 1 2 1.5 0.8 2.0
pair_coeff 2 2 0.5 0.88 2.2
neighbor 0.3 bin
velocity all create 2.0 777 dist gaussian
fix md all nve
timestep 0.005
compute s all stringlike/atom delta 0.55 window 200 fraction 0.05 long 4
compute c all cage/atom cutoff 1.45 window 200 maxcage 24
run 100
write_restart mid_window.restart
"""

CONTINUE = """
read_restart mid_window.restart
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0 2.5
pair_coeff 1 2 1.5 0.8 2.0
pair_coeff 2 2 0.5 0.88 2.2
neighbor 0.3 bin
fix md all nve
compute s all stringlike/atom delta 0.55 window 200 fraction 0.05 long 4
compute c all cage/atom cutoff 1.45 window 200 maxcage 24
run 100
print "STRINGS $(c_s[1]:%.17g) $(c_s[2]:%.17g) $(c_s[3]:%.17g) $(c_s[4]:%.17g) $(c_s[5]:%.17g) $(c_s[6]:%.17g) $(c_s[7]:%.17g) $(c_s[8]:%.17g)"
print "CAGES $(c_c[1]:%.17g) $(c_c[2]:%.17g) $(c_c[3]:%.17g)"
"""

# Printed by the previous plugin at step 200 of the uninterrupted run (2 ranks).
EXPECTED_STRINGS = [25, 11, 0, 4, 2.75, 2.8181818181818183, 0.44, 0]
EXPECTED_CAGES = [0.496, 0.81999999999999995, 12]


def printed(output: str, label: str) -> list[float]:
    line = next(line for line in output.splitlines() if line.startswith(label + " "))
    return [float(v) for v in line.split()[1:]]


def test_old_store_record_is_read_and_the_window_result_is_unchanged(lammps, tmp_path):
    """The open window of the old restart ends at step 200 with the previous plugin's numbers."""
    shutil.copy(FIXTURE, tmp_path / "mid_window.restart")
    result = lammps(CONTINUE, nprocs=3)
    assert "is discarded" not in result.output, "the restored window must stay open"
    assert printed(result.output, "STRINGS") == EXPECTED_STRINGS
    assert printed(result.output, "CAGES") == EXPECTED_CAGES
