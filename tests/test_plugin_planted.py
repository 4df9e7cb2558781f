"""compute stringlike/atom on hand-built crystals with planted hops (known answers).

Between the window start and end every atom of a chain moves into the old site of its
predecessor, so each chain is exactly one string of its length, labelled by its smallest
atom ID; isolated movers are mobile but in no string. The moved frame is fed to LAMMPS with
read_dump (positions and image flags), so the input is identical on any number of ranks and
the results must be identical too, including ranks that own no atoms.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from glassdyn.io import read_dump
from lammps_outputs import read_ave_time_scalars, read_ave_time_vectors
from planted import PlantedCrystal, standard_plan
from string_reference import reference_strings

UNITS = {  # lattice constant, delta, pair cutoff, skin
    "lj": (1.5874, 0.55, 2.5, 0.3),
    "metal": (3.615, 1.4, 5.0, 1.0),
}


def planted_input(crystal: PlantedCrystal, units: str, *, processors: str = "* * *", group: str = "type 1 2",
                  selection: str | None = None, extra: str = "") -> str:
    _, delta, cutoff, skin = UNITS[units]
    selection = selection or f"fraction {crystal.movers / len(crystal.ids):.15f}"
    return f"""
    units {units}
    atom_style atomic
    processors {processors}
    read_data planted.data
    mass 1 1.0
    mass 2 2.0
    pair_style zero {cutoff}
    pair_coeff * *
    neighbor {skin} bin
    group analysed {group}
    compute s analysed stringlike/atom delta {delta} window 10 {selection} long 6 maxsize 8 {extra}
    run 0
    # read_dump resets the timestep (to 0 here), which LAMMPS forbids while dumps exist.
    read_dump moved.dump 0 x y z ix iy iz box no replace yes
    fix gv all ave/time 10 1 10 c_s[1] c_s[2] c_s[3] c_s[4] c_s[5] c_s[6] c_s[7] c_s[8] file global.txt format " %.15g"
    fix ga all ave/time 10 1 10 c_s[1] c_s[2] c_s[3] c_s[4] c_s[5] c_s[6] mode vector file table.txt
    dump d all custom 10 atoms.dump id type c_s[1] c_s[2] c_s[3] c_s[4]
    dump_modify d sort id
    run 10
    """


def run_planted(lammps, tmp_path: Path, crystal: PlantedCrystal, units: str, nprocs: int = 1, **kwargs):
    crystal.write_data(tmp_path / "planted.data")
    crystal.write_moved_dump(tmp_path / "moved.dump")
    lammps(planted_input(crystal, units, **kwargs), nprocs=nprocs)
    frame = read_dump(tmp_path / "atoms.dump")[-1]
    assert frame.timestep == 10
    glob = read_ave_time_scalars(tmp_path / "global.txt")[10]
    table = read_ave_time_vectors(tmp_path / "table.txt")[10]
    return frame, glob, table


def expected_per_atom(crystal: PlantedCrystal):
    n = len(crystal.ids)
    mobile = np.zeros(n, dtype=int)
    string_id = np.zeros(n, dtype=int)
    size = np.zeros(n, dtype=int)
    for chain in crystal.chains:
        for atom in chain:
            mobile[atom - 1], string_id[atom - 1], size[atom - 1] = 1, min(chain), len(chain)
    for atom in crystal.isolated:
        mobile[atom - 1], size[atom - 1] = 1, 1
    return mobile, string_id, size


def check_planted(crystal: PlantedCrystal, frame, glob, table, units: str) -> None:
    mobile, string_id, size = expected_per_atom(crystal)
    np.testing.assert_array_equal(frame["c_s[1]"].astype(int), mobile)
    np.testing.assert_array_equal(frame["c_s[2]"].astype(int), string_id)
    np.testing.assert_array_equal(frame["c_s[3]"].astype(int), size)
    # u: chain atoms hop one nearest-neighbour distance a/sqrt(2), the first of each chain a/2,
    # minus the small centre-of-mass drift the moves themselves cause.
    a = UNITS[units][0]
    u = frame["c_s[4]"]
    firsts = [chain[0] - 1 for chain in crystal.chains]
    hoppers = [atom - 1 for chain in crystal.chains for atom in chain[1:]]
    np.testing.assert_allclose(u[hoppers], a / np.sqrt(2), rtol=0.05)
    np.testing.assert_allclose(u[firsts], a / 2, rtol=0.05)

    sizes = [len(chain) for chain in crystal.chains]        # 2, 3, 5, 7
    n_str = sum(sizes)
    assert glob[0] == crystal.movers                        # N_fast
    assert glob[1] == n_str                                 # N_str
    assert glob[2] == 7                                     # N_long: only the 7-chain has xi >= 6
    assert glob[3] == len(sizes)                            # number of strings
    assert glob[4] == pytest.approx(n_str / len(sizes))
    assert glob[5] == pytest.approx(sum(s * s for s in sizes) / n_str)
    assert glob[6] == pytest.approx(n_str / crystal.movers)
    assert glob[7] == pytest.approx(7 / n_str)

    # Array: rows xi = 1..maxsize(8) + overflow; columns xi, n(xi), type, fast, string, long.
    n_of_size = np.zeros(9)
    n_of_size[0] = len(crystal.isolated)
    for s in sizes:
        n_of_size[s - 1] += 1
    np.testing.assert_array_equal(table[:, 0], np.arange(1, 10))
    np.testing.assert_array_equal(table[:, 1], n_of_size)
    types = crystal.types
    for t in (1, 2):
        row = table[t - 1]
        assert row[2] == t
        assert row[3] == np.sum(mobile[types == t])
        assert row[4] == np.sum((size >= 2)[types == t])
        assert row[5] == np.sum((size >= 6)[types == t])


@pytest.mark.parametrize("units", ["lj", "metal"])
def test_planted_strings_orthogonal(lammps, tmp_path, units):
    crystal = standard_plan(UNITS[units][0])
    check_planted(crystal, *run_planted(lammps, tmp_path, crystal, units), units)


@pytest.mark.parametrize("units", ["lj", "metal"])
def test_planted_strings_triclinic(lammps, tmp_path, units):
    """A box tilted by one lattice constant (xy = a) keeps the crystal periodic; the chain
    that crosses x = L must be found through the tilted periodic image."""
    a = UNITS[units][0]
    crystal = standard_plan(a, tilt_xy=a)
    check_planted(crystal, *run_planted(lammps, tmp_path, crystal, units), units)


@pytest.mark.mpi
@pytest.mark.parametrize("nprocs, processors", [(2, "2 1 1"), (3, "1 3 1"), (4, "2 2 1"), (4, "1 1 4")])
def test_planted_strings_identical_on_any_rank_count(lammps, tmp_path, nprocs, processors):
    """Same input on 2-4 ranks: exactly the single-rank answer. With 'processors 1 1 4' and
    a vacuum gap above the crystal, two ranks own no atoms; the 7-chain crosses the periodic
    x boundary and, on split grids, the chains cross subdomain boundaries."""
    a = UNITS["lj"][0]
    crystal = standard_plan(a, vacuum_z=6 * a if processors == "1 1 4" else 0.0)
    frame, glob, table = run_planted(lammps, tmp_path, crystal, "lj", nprocs=nprocs, processors=processors)
    check_planted(crystal, frame, glob, table, "lj")


def test_planted_strings_range_selection_and_subgroup(lammps, tmp_path):
    """range selection on type-1 atoms only. Atoms of type 2 are outside the group, so they
    are never mobile and the chains they belong to are cut there; compare with the
    independent brute-force reference given the same group."""
    crystal = standard_plan(UNITS["lj"][0])
    frame, glob, _ = run_planted(lammps, tmp_path, crystal, "lj", group="type 1", selection="range 0.5 1.5")
    group = crystal.types == 1
    ref = reference_strings(crystal.matrix, crystal.ids, crystal.r0, crystal.r1, 0.55,
                            masses=np.where(crystal.types == 1, 1.0, 2.0), u_range=(0.5, 1.5), group=group)
    np.testing.assert_array_equal(frame["c_s[1]"].astype(bool), ref.mobile)
    np.testing.assert_array_equal(frame["c_s[2]"].astype(int), ref.string_id)
    np.testing.assert_array_equal(frame["c_s[3]"].astype(int), ref.string_size)
    assert not frame["c_s[1]"][~group].any()
    chained_type2 = [atom for chain in crystal.chains for atom in chain if crystal.types[atom - 1] == 2]
    assert chained_type2, "the plan must put a type-2 atom into some chain"
    assert glob[1] < sum(len(c) for c in crystal.chains)


def test_delta_pair_changes_only_that_pair(lammps, tmp_path):
    """delta/pair 1 2 with a tiny distance removes exactly the links between a type-1 and a
    type-2 atom; the brute-force reference with the same per-pair table agrees."""
    crystal = standard_plan(UNITS["lj"][0])
    frame, _, _ = run_planted(lammps, tmp_path, crystal, "lj", extra="delta/pair 1 2 0.01")
    # Reference: the same test with the (1,2) cut at 0.01 — emulate by splitting the graph.
    mobile, _, _ = expected_per_atom(crystal)
    expected_id = np.zeros(len(crystal.ids), dtype=int)
    expected_size = mobile.copy()
    for chain in crystal.chains:
        pieces, current = [], [chain[0]]
        for previous, atom in zip(chain, chain[1:]):
            if crystal.types[previous - 1] != crystal.types[atom - 1]:
                pieces.append(current)
                current = [atom]
            else:
                current.append(atom)
        pieces.append(current)
        for piece in pieces:
            if len(piece) >= 2:
                for atom in piece:
                    expected_id[atom - 1], expected_size[atom - 1] = min(piece), len(piece)
    np.testing.assert_array_equal(frame["c_s[2]"].astype(int), expected_id)
    np.testing.assert_array_equal(frame["c_s[3]"].astype(int), expected_size)


def test_atom_created_mid_window_is_measured_from_its_creation(lammps, tmp_path):
    """create_atoms while a window is open: the new atom's reference is where it appears
    (u = 0 without dynamics), not leftover memory; the planted strings are unchanged."""
    crystal = standard_plan(UNITS["lj"][0])
    crystal.write_data(tmp_path / "planted.data")
    crystal.write_moved_dump(tmp_path / "moved.dump")
    script = planted_input(crystal, "lj").replace(
        "    run 10", "    create_atoms 1 single 4.4 4.4 4.4 units box\n    run 10")
    lammps(script)
    frame = read_dump(tmp_path / "atoms.dump")[-1]
    new = frame["id"] == len(crystal.ids) + 1
    assert new.sum() == 1
    assert frame["c_s[4]"][new][0] == pytest.approx(0.0, abs=1e-9)
    assert frame["c_s[1]"][new][0] == 0
    mobile, string_id, size = expected_per_atom(crystal)
    np.testing.assert_array_equal(frame["c_s[2]"][~new].astype(int), string_id)
