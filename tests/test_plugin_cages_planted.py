"""compute cage/atom on hand-built fcc crystals whose cage changes are known.

fcc with lattice constant a: the 12 nearest neighbours sit at a/sqrt(2) = 0.707a, the next
shell at a; the cage cutoff 0.85a lies between them, the loss distance 0.85a * 1.1 = 0.935a.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from glassdyn.io import read_dump
from lammps_outputs import read_ave_time_scalars, read_ave_time_vectors
from planted import PlantedCrystal

A = 1.5874              # lj, rho = 1
CUTOFF = 0.85 * A


def cage_input(crystal: PlantedCrystal, *, hysteresis: float = 0.1, cutoff: float = CUTOFF, nprocs_grid: str = "* * *",
               extra: str = "") -> str:
    return f"""
    units lj
    atom_style atomic
    processors {nprocs_grid}
    read_data planted.data
    mass * 1.0
    pair_style zero 2.5
    pair_coeff * *
    neighbor 0.3 bin
    compute c all cage/atom cutoff {cutoff} hysteresis {hysteresis} window 10 {extra}
    run 0
    read_dump moved.dump 0 x y z ix iy iz box no replace yes
    fix gv all ave/time 10 1 10 c_c[1] c_c[2] c_c[3] file global.txt format " %.15g"
    fix ga all ave/time 10 1 10 c_c[1] c_c[2] c_c[3] c_c[4] c_c[5] mode vector file table.txt format " %.15g"
    dump d all custom 10 cages.dump id type c_c[1] c_c[2] c_c[3]
    dump_modify d sort id
    run 10
    """


def run_cages(lammps, tmp_path: Path, crystal: PlantedCrystal, nprocs: int = 1, **kwargs):
    crystal.write_data(tmp_path / "planted.data")
    crystal.write_moved_dump(tmp_path / "moved.dump")
    lammps(cage_input(crystal, **kwargs), nprocs=nprocs)
    frame = read_dump(tmp_path / "cages.dump")[-1]
    assert frame.timestep == 10
    return frame, read_ave_time_scalars(tmp_path / "global.txt")[10], read_ave_time_vectors(tmp_path / "table.txt")[10]


def interstitial_crystal() -> tuple[PlantedCrystal, int, list[int], list[int]]:
    """One atom moved by a/2 along +x to an octahedral site. Of its 12 neighbours, the 4 on the
    -x side end up at a*sqrt(5)/2 = 1.118a (lost); the 4 in the x = 0 plane at a*sqrt(3)/2 =
    0.866a (beyond the cutoff 0.85a but inside the loss distance 0.935a: kept only thanks to the
    hysteresis); the 4 on the +x side at a/2 (kept)."""
    crystal = PlantedCrystal(a=A, cells=6, tilt_xy=0.0)
    centre = crystal.site_index(np.array([3.0, 3.0, 3.0]) * A + 0.01 * A)
    crystal.r1[centre] = crystal.r0[centre] + np.array([0.5 * A, 0.0, 0.0])
    rel = crystal.r0 - crystal.r0[centre]
    near = np.flatnonzero(np.abs(np.linalg.norm(rel, axis=1) - A / np.sqrt(2)) < 1e-6)
    assert len(near) == 12
    behind = [int(j) for j in near if rel[j, 0] < -1e-6]
    level = [int(j) for j in near if abs(rel[j, 0]) < 1e-6]
    return crystal, int(centre), behind, level


def test_interstitial_jump_with_hysteresis(lammps, tmp_path):
    crystal, centre, behind, level = interstitial_crystal()
    frame, glob, table = run_cages(lammps, tmp_path, crystal)
    n = len(crystal.ids)
    expected_lost = np.zeros(n, dtype=int)
    expected_lost[centre] = 4
    expected_lost[behind] = 1               # each lost the mover; nobody else changed
    np.testing.assert_array_equal(frame["c_c[1]"], np.full(n, 12))
    np.testing.assert_array_equal(frame["c_c[2]"].astype(int), expected_lost)
    np.testing.assert_array_equal(frame["c_c[3]"].astype(int), (expected_lost >= 1).astype(int))
    assert glob[0] == pytest.approx(5 / n)   # fraction broken
    assert glob[1] == pytest.approx(8 / n)   # mean neighbours lost
    assert glob[2] == pytest.approx(12.0)
    types = crystal.types
    for t in (1, 2):
        members = types == t
        assert table[t - 1][0] == t and table[t - 1][1] == members.sum()
        assert table[t - 1][2] == pytest.approx((expected_lost[members] >= 1).mean())
        assert table[t - 1][3] == pytest.approx(expected_lost[members].mean())


def test_interstitial_jump_without_hysteresis(lammps, tmp_path):
    """With h = 0 the 4 neighbours in the x = 0 plane (0.866a > 0.85a) are lost too."""
    crystal, centre, behind, level = interstitial_crystal()
    frame, glob, _ = run_cages(lammps, tmp_path, crystal, hysteresis=0.0)
    lost = frame["c_c[2]"].astype(int)
    assert lost[centre] == 8
    assert all(lost[j] == 1 for j in behind + level)
    assert lost.sum() == 16 and (lost > 0).sum() == 9


@pytest.mark.parametrize("hysteresis, any_broken", [(0.1, False), (0.0, True)])
def test_vibrations_inside_the_hysteresis_break_nothing(lammps, tmp_path, hysteresis, any_broken):
    """Every atom displaced randomly by at most 0.04a per coordinate: neighbour distances grow
    at most by 2*0.04a*sqrt(3) = 0.139a, to 0.846a < 0.935a. With a cutoff just above the
    nearest-neighbour distance (0.75a) some distances cross it: h = 0 breaks cages, h = 0.1 none."""
    crystal = PlantedCrystal(a=A, cells=6, tilt_xy=0.0)
    rng = np.random.default_rng(5)
    crystal.r1 = crystal.r0 + rng.uniform(-0.04 * A, 0.04 * A, crystal.r0.shape)
    frame, glob, _ = run_cages(lammps, tmp_path, crystal, hysteresis=hysteresis, cutoff=0.75 * A)
    assert (frame["c_c[3]"].sum() > 0) == any_broken
    np.testing.assert_array_equal(frame["c_c[1]"], np.full(len(crystal.ids), 12))


def vacancy_chain_crystal() -> tuple[PlantedCrystal, list[int]]:
    """A vacancy at one site and a chain of three atoms hopping along [110] into it, each into
    the site its predecessor left. The vacancy is made by leaving that atom out of the data."""
    crystal = PlantedCrystal(a=A, cells=6, tilt_xy=0.0)
    hop = np.array([0.5, 0.5, 0.0]) * A
    start = np.array([2.0, 2.0, 2.0]) * A + 0.01 * A
    chain = [crystal.site_index(start + k * hop) for k in range(4)]    # chain[0] becomes the vacancy
    for k in range(1, 4):
        crystal.r1[chain[k]] = crystal.r0[chain[k]] - hop
    movers = [int(crystal.ids[chain[k]]) for k in range(1, 4)]
    keep = np.ones(len(crystal.ids), dtype=bool)
    keep[chain[0]] = False
    crystal.ids, crystal.types = crystal.ids[keep], crystal.types[keep]
    crystal.r0, crystal.r1 = crystal.r0[keep], crystal.r1[keep]
    return crystal, movers


def brute_force_cages(matrix: np.ndarray, r0: np.ndarray, r1: np.ndarray, cutoff: float, h: float):
    """Cages and losses by minimum-image distances over all pairs (orthogonal box)."""
    lengths = np.diag(matrix)

    def distances(r):
        d = r[:, None, :] - r[None, :, :]
        d -= np.round(d / lengths) * lengths
        return np.linalg.norm(d, axis=2)

    d0, d1 = distances(r0), distances(r1)
    cage = (d0 < cutoff) & ~np.eye(len(r0), dtype=bool)
    lost = cage & (d1 > cutoff * (1 + h))
    return cage.sum(axis=1), lost.sum(axis=1)


def test_vacancy_hop_chain(lammps, tmp_path):
    """Each hopping atom leaves some neighbours behind (brute-force count), the atoms next to
    the vacancy start with 11 neighbours, and every hopper's cage breaks."""
    crystal, movers = vacancy_chain_crystal()
    frame, _, _ = run_cages(lammps, tmp_path, crystal)
    n_cage, n_lost = brute_force_cages(crystal.matrix, crystal.r0, crystal.r1, CUTOFF, 0.1)
    np.testing.assert_array_equal(frame["c_c[1]"].astype(int), n_cage)
    np.testing.assert_array_equal(frame["c_c[2]"].astype(int), n_lost)
    assert (n_cage == 11).sum() == 12          # the vacancy's 12 neighbours
    assert all(frame["c_c[3]"][np.searchsorted(frame["id"], m)] == 1 for m in movers)


@pytest.mark.mpi
@pytest.mark.parametrize("nprocs, grid", [(2, "2 1 1"), (3, "1 3 1"), (4, "2 2 1")])
def test_planted_cages_identical_on_any_rank_count(lammps, tmp_path, nprocs, grid):
    crystal, _ = vacancy_chain_crystal()
    frame, glob, table = run_cages(lammps, tmp_path, crystal, nprocs=nprocs, nprocs_grid=grid)
    n_cage, n_lost = brute_force_cages(crystal.matrix, crystal.r0, crystal.r1, CUTOFF, 0.1)
    np.testing.assert_array_equal(frame["c_c[1]"].astype(int), n_cage)
    np.testing.assert_array_equal(frame["c_c[2]"].astype(int), n_lost)
    assert glob[0] == pytest.approx((n_lost >= 1).mean())


def test_maxcage_overflow_names_the_keyword(lammps, tmp_path):
    """A cutoff that takes in the second shell (18 neighbours) with maxcage 12: an error that
    says which value to give maxcage, never a silent truncation."""
    crystal = PlantedCrystal(a=A, cells=6, tilt_xy=0.0)
    crystal.write_data(tmp_path / "planted.data")
    crystal.write_moved_dump(tmp_path / "moved.dump")
    result = lammps(cage_input(crystal, cutoff=1.05 * A, extra="maxcage 12"), expect_ok=False)
    assert "an atom has 18 neighbours within the cutoff" in result.error_message()
    assert "'maxcage 18'" in result.error_message()
