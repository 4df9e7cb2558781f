"""Validation: shear MD-DMS of a viscous liquid gives G''/w = eta, the Green-Kubo viscosity.

A Kob-Andersen 80:20 liquid (1000 atoms, rho = 1.2) at T = 2.0 relaxes in a fraction of a time
unit, so at a period of 10 time units (w tau << 1) it responds like a Newtonian fluid: G' ~ 0,
G'' = eta w. The same LAMMPS run first measures eta by Green-Kubo (fix ave/correlate of the
off-diagonal pressure components), then applies fix dms xy and compares. Target (issue 4): the
two agree within 15 %.

Usage: python validation/dms_viscosity_ka.py [--nprocs 2]   (prints the figures; ~3-5 min on 2 cores)
"""
from __future__ import annotations

import argparse
import math
import re
import tempfile
from pathlib import Path

from glassdyn.run.environment import run_lammps
from glassdyn.run.potentials import get_potential

KOB_ANDERSEN = "\n".join(get_potential("kob-andersen").commands(["A", "B"]))

PERIOD, AMPLITUDE, CYCLES, DISCARD = 10.0, 0.1, 40, 2
SCRIPT = f"""
units lj
atom_style atomic
region box prism 0 9.41 0 9.41 0 9.41 0 0 0
create_box 2 box
create_atoms 1 random 800 4511 NULL overlap 0.7
create_atoms 2 random 200 8813 NULL overlap 0.7
mass * 1.0
pair_style soft 1.0
pair_coeff * * 10.0
minimize 1e-4 1e-4 200 2000
{KOB_ANDERSEN}
neighbor 0.3 bin
timestep 0.005
velocity all create 2.0 2934 loop geom
fix md all nvt temp 2.0 2.0 0.5
thermo 10000
run 10000

# Green-Kubo: eta = V/T * integral <P_ab(0) P_ab(t)> dt, averaged over xy, xz, yz.
reset_timestep 0
variable pxy equal pxy
variable pxz equal pxz
variable pyz equal pyz
fix corr all ave/correlate 2 500 1000 v_pxy v_pxz v_pyz type auto ave running
variable scale equal vol/temp*2*dt
variable gk equal (trap(f_corr[3])+trap(f_corr[4])+trap(f_corr[5]))*v_scale/3
run 200000
print "GK_VISCOSITY $(v_gk:%.6g)"
unfix corr

# MD-DMS in shear at a period long compared with the relaxation time.
fix dms all dms xy amplitude {AMPLITUDE} period {PERIOD} discard {DISCARD}
run {int(CYCLES * PERIOD / 0.005)}
print "DMS $(f_dms[1]:%.6g) $(f_dms[2]:%.6g) $(f_dms[3]:%.6g) $(f_dms[4]:%.6g) $(f_dms[7]:%.0f)"
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nprocs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "in.validate"
        script.write_text(SCRIPT)
        output = run_lammps(script, nprocs=args.nprocs, check=True, timeout=3600).output
    eta_gk = float(re.search(r"GK_VISCOSITY (\S+)", output).group(1))
    storage, storage_std, loss, loss_std, used = (float(v) for v in re.search(r"DMS (\S+) (\S+) (\S+) (\S+) (\S+)",
                                                                             output).groups())
    omega = 2 * math.pi / PERIOD
    eta_dms = loss / omega
    error = loss_std / math.sqrt(used) / omega
    print(f"Green-Kubo viscosity           eta_GK  = {eta_gk:.4f}")
    print(f"fix dms xy (period {PERIOD}, amplitude {AMPLITUDE}, {used:.0f} cycles): G' = {storage:.4f} +- "
          f"{storage_std / math.sqrt(used):.4f}, G''/w = {eta_dms:.4f} +- {error:.4f}")
    print(f"ratio G''/(w eta_GK) = {eta_dms / eta_gk:.3f}  (target: within 15 %: "
          f"{'PASS' if abs(eta_dms / eta_gk - 1) <= 0.15 else 'FAIL'})")


if __name__ == "__main__":
    main()
