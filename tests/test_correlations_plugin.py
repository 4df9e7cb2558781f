"""fix dynamics/correlate in real LAMMPS runs.

* every lag and origin equals the offline twin glassdyn.analysis.Correlations on the dumped
  frames, on 1-4 ranks (atoms cross periodic and subdomain boundaries; a slab leaves ranks empty);
* a restart written mid-origin on 2 ranks and continued on 3 equals the uninterrupted run;
* ideal gas (no forces, metal units): MSD = 3 k_B T t^2 / m, F_s = exp(-q^2 k_B T t^2 / 2m), alpha2 = 0;
* one origin: MSD equals LAMMPS's own compute msd (com yes) to 1e-12;
* harmonic-like crystal at low T: MSD plateau = 2 <u^2> and F_s plateau = exp(-q^2 <u^2> / 3);
* Kob-Andersen liquid: D and tau_alpha of the literature's order of magnitude at two temperatures;
* bad input is refused with a message naming the keyword.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import KOB_ANDERSEN
from glassdyn.analysis import Correlations
from glassdyn.io import read_dump
from lammps_outputs import read_ave_time_scalars, read_ave_time_vectors

FIX = "fix c all dynamics/correlate every 20 origins 4 lags 5 10 20 40 80 q 7.25 overlap 0.3"
TWIN = dict(every=20, origins=4, lags=[5, 10, 20, 40, 80], q=7.25, overlap=0.3)


def ka_input(data: Path, *, steps: int, processors: str = "* * *", fix: str = FIX, extra: str = "",
             restart: str = "", pre: str = "") -> str:
    return f"""
    units lj
    atom_style atomic
    processors {processors}
    read_data {data}
    {pre}
    mass * 1.0
    {KOB_ANDERSEN}
    neighbor 0.3 bin
    velocity all create 1.0 8123 loop geom
    fix md all nve
    timestep 0.005
    {fix}
    fix out all ave/time 10 1 10 f_c[*] file table.txt mode vector format " %.17g"
    fix vec all ave/time 10 1 10 f_c[*] file vector.txt format " %.17g"
    {extra}
    run {steps}
    {restart}
    """


DUMP = """dump f all custom 5 frames.dump id type xu yu zu
    dump_modify f sort id format float %.17g"""


def assert_equals_offline(folder: Path, twin: dict, dt: float = 0.005) -> int:
    """Every output step of the fix against the twin on the frames up to that step."""
    frames = read_dump(folder / "frames.dump")
    tables = read_ave_time_vectors(folder / "table.txt")
    vectors = read_ave_time_scalars(folder / "vector.txt")
    checked = 0
    for step, table in sorted(tables.items()):
        offline = Correlations(**twin).compute([f for f in frames if f.timestep <= step], dt=dt)
        np.testing.assert_allclose(table, offline.table, rtol=1e-12, atol=1e-14, err_msg=f"step {step}")
        np.testing.assert_allclose(vectors[step], offline.global_vector, rtol=1e-10, atol=1e-14,
                                   err_msg=f"step {step}")
        checked += 1
    return checked


# The 4-rank case stretches the box along x to 3x the liquid's width: the liquid keeps its slab
# (free surfaces at x = 0 and 9.41), so the third of 4 x slabs (x from 14.1 to 21.2) owns no atom.
SLAB = "change_box all x final 0 28.23 units box"


@pytest.mark.parametrize("nprocs,processors,pre", [(1, "* * *", ""), (2, "* * *", ""), (3, "* * *", ""),
                                                   (4, "4 1 1", SLAB)])
def test_every_lag_and_origin_equal_the_offline_twin(lammps, tmp_path, ka_liquid, nprocs, processors, pre):
    """200 steps of a KA liquid, origins every 20 steps (K = 4), lags 5..80, frames every 5 steps:
    the fix's array and vector at every 10th step equal Correlations on the frames up to that
    step (same core code, same order) to 1e-12, with atoms crossing periodic and subdomain
    boundaries; on 4 ranks one of them owns no atom (SLAB). The vector's derived times go through
    a logarithm and an interpolation, so 1e-10."""
    lammps(ka_input(ka_liquid, steps=200, processors=processors, extra=DUMP, pre=pre), nprocs=nprocs)
    assert assert_equals_offline(tmp_path, TWIN) == 21
    last = read_ave_time_vectors(tmp_path / "table.txt")[200]
    # Origins at steps 0, 20, ..., 180 whose lag ends by step 200 (t0 <= 200 - lag).
    assert last[:, -3].tolist() == [10, 10, 10, 9, 7]


def test_empty_ranks_and_restart_mid_origin_on_other_ranks(lammps, tmp_path, ka_liquid):
    """A run of 200 steps on 2 ranks, against: 110 steps on 2 ranks (origins of steps 40-100 alive),
    write_restart, read_restart on 3 ranks with the fix defined again, 90 more steps. The totals,
    the origin schedule and every atom's references come back from the restart file, so the
    final array equals the uninterrupted one; NVE trajectories on 2 and 3 ranks differ by
    round-off amplified by the chaotic dynamics over 200 steps, hence 1e-9 rather than 1e-12."""
    whole = tmp_path / "whole"
    first = tmp_path / "first"
    for folder in (whole, first):
        folder.mkdir()
    lammps(ka_input(ka_liquid, steps=200), nprocs=2, cwd=whole)
    lammps(ka_input(ka_liquid, steps=110, restart="write_restart mid.restart"), nprocs=2, cwd=first)
    continued = f"""
    read_restart mid.restart
    {KOB_ANDERSEN}
    neighbor 0.3 bin
    fix md all nve
    timestep 0.005
    {FIX}
    fix out all ave/time 10 1 10 f_c[*] file table2.txt mode vector format " %.17g"
    run 90
    """
    lammps(continued, nprocs=3, cwd=first, name="in.continue")
    expected = read_ave_time_vectors(whole / "table.txt")
    got = read_ave_time_vectors(first / "table2.txt")
    for step in (120, 160, 200):
        np.testing.assert_allclose(got[step], expected[step], rtol=1e-9, atol=1e-12, err_msg=f"step {step}")


def test_restart_with_other_settings_is_refused(lammps, tmp_path, ka_liquid):
    lammps(ka_input(ka_liquid, steps=30, restart="write_restart mid.restart"), nprocs=1)
    other = FIX.replace("q 7.25", "q 7.0")
    result = lammps(f"""
    read_restart mid.restart
    {KOB_ANDERSEN}
    {other}
    run 10
    """, name="in.other", expect_ok=False)
    assert not result.ok
    assert "written with other settings" in result.error_message()


# LAMMPS's metal constants (src/update.cpp): k_B in eV/K and mv^2 -> eV for g/mol, Angstrom, ps.
BOLTZ_METAL = 8.617343e-5
MVV2E_METAL = 1.0364269e-4


def test_ideal_gas_is_ballistic_gaussian(lammps, tmp_path):
    """4000 non-interacting Cu atoms (pair_style zero, metal units) with Maxwell velocities at
    T = 300 K move ballistically: dr = v t. velocity create scales to exactly T with 3N - 3
    degrees of freedom and zero total momentum (no drift), so MSD = 3 (1 - 1/N) k_B T t^2 / m to
    rounding, for every lag. F_s(q,t) = exp(-q^2 k_B T t^2 / 2m) and alpha2 = 0 hold for the
    Maxwell distribution; for N sampled velocities their errors are statistical: alpha2's
    estimator 3<x^2>/(5<x>^2) - 1 with x = v^2 m / k_B T ~ chi^2_3 has, by the delta method with
    E x^k = 3, 15, 105, 945, a standard deviation 0.6 sqrt(120/81) / sqrt(N) = 0.0115, and F_s
    one below 0.5 / sqrt(N) = 0.008 (|sin x / x| <= 1 around a mean); tolerances are 4 of those.
    Without forces any timestep is exact (0.02 ps here), so atoms fly through the 20 A periodic box
    several times over the longest lag (unwrapping is tested too)."""
    n, temperature, mass, q = 4000, 300.0, 63.546, 3.0
    lammps(f"""
    units metal
    atom_style atomic
    region box block 0 20 0 20 0 20
    create_box 1 box
    create_atoms 1 random {n} 4711 NULL
    mass 1 {mass}
    pair_style zero 3.0
    pair_coeff * *
    velocity all create {temperature} 9137 dist gaussian
    fix md all nve
    timestep 0.02
    fix c all dynamics/correlate every 250 origins 4 lags log 1 1000 16 q {q}
    fix out all ave/time 1000 1 1000 f_c[*] file table.txt mode vector format " %.17g"
    run 1000
    """, nprocs=2)
    table = read_ave_time_vectors(tmp_path / "table.txt")[1000]
    t = table[:, 1]
    kt_over_m = BOLTZ_METAL * temperature / (mass * MVV2E_METAL)
    msd, alpha2, fs = table[:, 2], table[:, 4], table[:, 6]        # set "all" (one type: sets all, 1)
    np.testing.assert_allclose(msd, 3 * (1 - 1 / n) * kt_over_m * t ** 2, rtol=1e-9)
    np.testing.assert_allclose(fs, np.exp(-q ** 2 * kt_over_m * t ** 2 / 2), atol=4 * 0.5 / np.sqrt(n))
    np.testing.assert_allclose(alpha2, 0.0, atol=4 * 0.6 * np.sqrt(120 / 81) / np.sqrt(n))
    assert fs[-1] < 0.01 and msd[-1] > 20 ** 2    # decayed; atoms crossed the box


def test_single_origin_msd_equals_compute_msd(lammps, tmp_path, ka_liquid):
    """One origin (every 1000 > run) at step 0: the MSD of all atoms equals the 4th value of
    LAMMPS's compute msd with com yes, which subtracts the group's (mass-weighted, unwrapped)
    centre-of-mass displacement as the fix does, at every lag, to 1e-12."""
    fix = "fix c all dynamics/correlate every 1000 origins 1 lags 10 20 30 50 80 100 150 200 q 7.25"
    lammps(ka_input(ka_liquid, steps=200, fix=fix, extra="""
    compute m all msd com yes
    fix lm all ave/time 10 1 10 c_m[4] file msd.txt format " %.17g"
    """))
    ours = read_ave_time_vectors(tmp_path / "table.txt")[200]
    theirs = read_ave_time_scalars(tmp_path / "msd.txt")
    for lag, msd in zip(ours[:, 0].astype(int), ours[:, 2]):
        assert msd == pytest.approx(theirs[lag][0], rel=1e-12), lag


BAD = [
    ("every 0 origins 2 lags 1 q 1", "every: N must be an integer >= 1"),
    ("every 10 origins 2 lags 1 30 q 1", "origins x every = 20"),
    ("every 10 origins 2 lags 5 3 q 1", "lags must increase strictly"),
    ("every 10 origins 2 lags log 10 1 5 q 1", "lags: log MIN MAX"),
    ("every 10 origins 2 lags q 1", "lags: expected lags in steps"),
    ("every 10 origins 2 lags 1 q -1", "q: Q must be a finite wave number"),
    ("every 10 origins 2 lags 1 q 1 overlap 0", "overlap: a must be"),
    ("every 10 origins 2 lags 1 q 1 drift maybe", "maybe"),
    ("every 10 origins 2 lags 1 q 1 colour red", "unknown keyword 'colour'"),
    ("every 10 origins 2 lags 1", "every, origins, lags and q are required"),
]


@pytest.mark.parametrize("args,message", BAD)
def test_bad_input_names_the_keyword(lammps, tmp_path, ka_liquid, args, message):
    result = lammps(f"""
    units lj
    atom_style atomic
    read_data {ka_liquid}
    mass * 1.0
    fix c all dynamics/correlate {args}
    """, expect_ok=False)
    assert not result.ok
    assert message in result.error_message() + result.output, result.error_message()


def test_fix_dms_is_refused_with_a_reason(lammps, tmp_path, ka_liquid):
    result = lammps(f"""
    units lj
    atom_style atomic
    read_data {ka_liquid}
    mass * 1.0
    {KOB_ANDERSEN}
    change_box all triclinic
    fix md all nve
    fix d all dms xy amplitude 0.01 period 10
    {FIX}
    run 1
    """, expect_ok=False)
    assert "cannot run together with fix dms" in result.error_message()


@pytest.mark.slow
def test_kob_andersen_d_and_tau_alpha_match_the_literature(lammps, tmp_path, ka_liquid):
    """Kob-Andersen 80:20 LJ mixture at rho = 1.2, N = 1000 (the model and size of Kob & Andersen,
    PRE 51, 4626 (1995) and PRE 52, 4134 (1995)), A particles, q = 7.25 (first peak of S_AA(q)).

    Reference values, approximate readings of those papers' figures (tau_alpha of F_s^A at
    q = 7.25; D_A from the MSD): T = 1.0: tau_alpha ~ 1, D_A ~ 1e-2 to 5e-2; T = 0.8: tau_alpha ~ 3.
    Our runs are short (8 live origins, ~15 tau_alpha of data after a short NVT equilibration) and
    the readings are coarse, so the checks are: tau_alpha within a factor 2.5 of the reading, D_A
    inside the quoted range widened by 2.5, both moving the right way on cooling; and, independent
    of the literature, the Gaussian estimate of the MSD at which F_s = 1/e, 6 / q^2, compared with
    6 D tau_alpha: their ratio is below 1 (F_s decays before the Gaussian estimate because alpha2
    > 0) and of order 1 (0.3-1.5); t* lies before the diffusive range."""
    measured = {}
    for temperature, every, equilibrate in ((1.0, 400, 2000), (0.8, 1000, 6000)):
        folder = tmp_path / f"T{temperature}"
        folder.mkdir()
        lammps(f"""
        units lj
        atom_style atomic
        read_data {ka_liquid}
        mass * 1.0
        {KOB_ANDERSEN}
        neighbor 0.3 bin
        timestep 0.005
        fix md all nvt temp {temperature} {temperature} 0.5
        run {equilibrate}
        reset_timestep 0
        fix c all dynamics/correlate every {every} origins 8 lags log 1 {8 * every} 30 q 7.25
        fix out all ave/time {16 * every} 1 {16 * every} f_c[*] file vector.txt format " %.10g"
        run {16 * every}
        """, nprocs=2, cwd=folder)
        vector = read_ave_time_scalars(folder / "vector.txt")[16 * every]
        a = vector[8:16]      # block of type 1 (A particles): tau_alpha, diffusion, range, t_star, ...
        measured[temperature] = dict(tau=a[0], d=a[1], d_from=a[2], d_to=a[3], t_star=a[4])
    print(measured)
    assert 1.0 / 2.5 < measured[1.0]["tau"] < 1.0 * 2.5
    assert 3.0 / 2.5 < measured[0.8]["tau"] < 3.0 * 2.5
    assert 1e-2 / 2.5 < measured[1.0]["d"] < 5e-2 * 2.5
    assert measured[0.8]["d"] < measured[1.0]["d"] and measured[0.8]["tau"] > measured[1.0]["tau"]
    for got in measured.values():
        assert 0.3 < 6 * got["d"] * got["tau"] / (6 / 7.25 ** 2) < 1.5, got
        assert 0 < got["t_star"] < got["d_from"] < got["d_to"], got


@pytest.mark.slow
def test_crystal_plateau_equals_the_vibration_amplitude(lammps, tmp_path):
    """A 256-atom LJ fcc crystal at T = 0.05 (a tenth of its melting temperature: nearly
    harmonic) never diffuses: for lags long against the vibration period (~0.2 tau) the
    displacements r(t0 + t) - r(t0) are the difference of two independent thermal displacements
    u about the lattice site, so MSD -> 2 <u^2> and, u being Gaussian in a harmonic crystal,
    F_s -> exp(-q^2 <u^2> / 3) (Debye-Waller). <u^2> is measured independently from frames every
    20 steps of the same run as the mean square deviation from each atom's time-averaged position.
    Tolerance 5 % on the plateau mean over the lags >= 500 steps (5 lags); measured: MSD 0.3 % and
    F_s 0.002 % off."""
    lammps("""
    units lj
    atom_style atomic
    lattice fcc 1.2
    region box block 0 4 0 4 0 4
    create_box 1 box
    create_atoms 1 box
    mass 1 1.0
    pair_style lj/cut 2.5
    pair_coeff 1 1 1.0 1.0
    neighbor 0.3 bin
    timestep 0.005
    velocity all create 0.1 5512 loop geom
    fix md all nvt temp 0.05 0.05 0.5
    run 2000
    reset_timestep 0
    fix c all dynamics/correlate every 500 origins 8 lags log 1 4000 20 q 7.25
    fix out all ave/time 8000 1 8000 f_c[*] file table.txt mode vector format " %.17g"
    dump f all custom 20 frames.dump id type xu yu zu
    dump_modify f sort id format float %.17g
    run 8000
    """, nprocs=2)
    frames = read_dump(tmp_path / "frames.dump")
    positions = np.stack([f.unwrapped_positions() for f in frames])
    positions -= positions.mean(axis=1, keepdims=True)             # no drift of the crystal
    u2 = ((positions - positions.mean(axis=0)) ** 2).sum(axis=2).mean()
    table = read_ave_time_vectors(tmp_path / "table.txt")[8000]
    plateau = table[:, 1] >= 2.5                                      # lags >= 500 steps
    msd, fs = table[plateau, 2], table[plateau, 6]
    assert msd.mean() == pytest.approx(2 * u2, rel=0.05)
    assert fs.mean() == pytest.approx(np.exp(-7.25 ** 2 * u2 / 3), rel=0.05)
    # A plateau, no growth: each lag within 25 % (a few origins see the slow collective phonons
    # of a 4x4x4 cell in phase, so single lags scatter by ~15 % about the mean).
    assert np.all(np.abs(msd / (2 * u2) - 1) < 0.25), msd / (2 * u2)
