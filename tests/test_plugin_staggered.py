"""Staggered windows (`origins K`) of compute stringlike/atom and cage/atom (issue 13, item 2).

K overlapping windows of one length N, a new one every N/K steps. Each window must be
evaluated exactly as a single window would be: the reference is the same independent compute
with `window N` started at that window's start step. Both run in the same LAMMPS run (so they
see the same trajectory) and are compared window by window, on 1 and 3 ranks. A restart
written mid-window on 2 ranks and continued on 3 must continue the staggered windows as the
uninterrupted run does.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import KOB_ANDERSEN
from glassdyn.io import read_dump
from lammps_outputs import read_ave_time_scalars

N, K = 100, 4
STRIDE = N // K
STRINGS = "compute {id} all stringlike/atom delta 0.55 window 100 fraction 0.05{extra}"
CAGES = "compute {id} all cage/atom cutoff 1.4 window 100{extra}"

# The 1000-atom Kob-Andersen liquid at T = 1.0 (conftest.ka_liquid), in NVE: over 100 steps
# (0.5 tau) it has strings and broken cages.
LIQUID = """
units lj
atom_style atomic
read_data {data}
mass * 1.0
""" + KOB_ANDERSEN + """
neighbor 0.3 bin
fix md all nve
timestep 0.005
"""

NSTRING_VALUES = 8    # global vector of stringlike/atom (src/core/schema/strings.hpp)
NCAGE_VALUES = 3      # global vector of cage/atom (src/core/schema/cages.hpp)


def staggered_and_independent_script(data: Path, steps: int) -> str:
    """Staggered computes st/ct from step 0; independent computes s<j>/c<j> defined at step
    j*N/K, so that their windows start with window j of the staggered ones."""
    lines = [LIQUID.format(data=data), STRINGS.format(id="st", extra=f" origins {K}"), CAGES.format(id="ct", extra=f" origins {K}")]
    for j in range(K):
        lines += [STRINGS.format(id=f"s{j}", extra=""), CAGES.format(id=f"c{j}", extra="")]
        if j < K - 1:
            lines.append(f"run {STRIDE}")
    ids = ["st", "ct"] + [f"s{j}" for j in range(K)] + [f"c{j}" for j in range(K)]
    values = " ".join(f"c_{i}[*]" for i in ids)
    lines.append(f"fix g all ave/time {STRIDE} 1 {STRIDE} {values} file global.txt format ' %.17g'")
    lines.append(f"dump d all custom {STRIDE} atoms.dump id {values}")
    lines.append("dump_modify d sort id format float %.17g")
    lines.append(f"run {steps}")
    return "\n".join(lines) + "\n"


def split_global(row: np.ndarray) -> dict[str, np.ndarray]:
    """One fix ave/time row into the global vectors of st, ct, s0..s3, c0..c3."""
    out, k = {}, 0
    for name, n in [("st", NSTRING_VALUES), ("ct", NCAGE_VALUES)] + [(f"s{j}", NSTRING_VALUES) for j in range(K)] \
            + [(f"c{j}", NCAGE_VALUES) for j in range(K)]:
        out[name] = row[k:k + n]
        k += n
    assert k == len(row)
    return out


def per_atom_blocks(frame) -> dict[str, np.ndarray]:
    """The per-atom columns of every compute in a dump frame, by compute ID (rows by atom ID)."""
    blocks: dict[str, list[np.ndarray]] = {}
    for column in frame.columns:
        if column.startswith("c_"):
            name = column[2:].split("[")[0]
            blocks.setdefault(name, []).append(np.asarray(frame[column], dtype=float))
    return {name: np.column_stack(cols) for name, cols in blocks.items()}


@pytest.mark.mpi
@pytest.mark.parametrize("nprocs", [1, 3])
def test_each_staggered_window_equals_an_independent_window(lammps, tmp_path, ka_liquid, nprocs):
    """Windows of N = 100 steps, K = 4 origins: a window ends every 25 steps. At each end step t
    (t >= N) the staggered outputs describe the window [t - N, t], which is exactly the window
    of the independent compute defined at step t - N (j = (t / 25) mod 4). Global vectors
    and every per-atom column must agree: integers exactly, displacements to 1e-12 (the two
    computes record unwrapped positions at the same step; a periodic remap between them can
    change the last bit). Outputs before a compute's first window end are 0 and skipped."""
    lammps(staggered_and_independent_script(ka_liquid, steps=3 * STRIDE + 200), nprocs=nprocs)
    rows = read_ave_time_scalars(tmp_path / "global.txt")
    frames = {f.timestep: f for f in read_dump(tmp_path / "atoms.dump")}
    compared = 0
    for step in range(N, 3 * STRIDE + 201, STRIDE):
        j = (step // STRIDE) % K
        values = split_global(rows[step])
        np.testing.assert_allclose(values["st"], values[f"s{j}"], rtol=1e-12, atol=0,
                                   err_msg=f"strings, step {step}")
        np.testing.assert_allclose(values["ct"], values[f"c{j}"], rtol=1e-12, atol=0,
                                   err_msg=f"cages, step {step}")
        atoms = per_atom_blocks(frames[step])
        np.testing.assert_allclose(atoms["st"], atoms[f"s{j}"], rtol=0, atol=1e-12,
                                   err_msg=f"per-atom strings, step {step}")
        np.testing.assert_array_equal(atoms["ct"], atoms[f"c{j}"], err_msg=f"per-atom cages, step {step}")
        assert values["st"][1] > 0 and values["ct"][0] > 0, "windows must have strings and broken cages"
        # Overlapping windows differ, so the comparison tells them apart (all four have results
        # from step N + 3 N/K on).
        if step >= N + STRIDE * (K - 1):
            assert not np.allclose(atoms["st"], atoms[f"s{(j + 1) % K}"], rtol=0, atol=1e-6)
        compared += 1
    assert compared == 8


def restart_script(steps: int, extra: str = "") -> str:
    return f"""
    {extra}
    {STRINGS.format(id="st", extra=f" origins {K}")}
    {CAGES.format(id="ct", extra=f" origins {K}")}
    fix g all ave/time {STRIDE} 1 {STRIDE} c_st[*] c_ct[*] file global.txt format ' %.17g'
    dump d all custom {STRIDE} atoms.dump id c_st[*] c_ct[*]
    dump_modify d sort id format float %.17g
    run {steps}
    """


@pytest.mark.mpi
def test_restart_mid_window_continues_the_staggered_windows(lammps, tmp_path, ka_liquid):
    """Restart written at step 140 (inside all four open windows, which began at 50, 75, 100,
    125) on 2 ranks, read and continued on 3 ranks to step 250. The K references per atom and
    the schedule travel in the restart file, so every window end 150..250 gives what the
    uninterrupted 2-rank run gives. Trajectories differ only by summation order over 110 NVE
    steps, so the outputs agree to 1e-8 (as for one window in test_plugin_dynamics)."""
    liquid = LIQUID.format(data=ka_liquid)
    whole = tmp_path / "whole"
    whole.mkdir()
    lammps(liquid + restart_script(250), nprocs=2, cwd=whole)
    parts = tmp_path / "parts"
    parts.mkdir()
    first = liquid + restart_script(140) + "\nwrite_restart half.restart\n"
    lammps(first, nprocs=2, cwd=parts, name="in.first")
    second = restart_script(110, extra="read_restart half.restart\n" + KOB_ANDERSEN
                            + "\nneighbor 0.3 bin\nfix md all nve\ntimestep 0.005")
    result = lammps(second, nprocs=3, cwd=parts, name="in.second")
    assert "discarded" not in result.output
    expected = read_ave_time_scalars(whole / "global.txt")
    resumed = read_ave_time_scalars(parts / "global.txt")
    frames_whole = {f.timestep: f for f in read_dump(whole / "atoms.dump")}
    frames_parts = {f.timestep: f for f in read_dump(parts / "atoms.dump")}
    for step in range(150, 251, STRIDE):
        np.testing.assert_allclose(resumed[step], expected[step], rtol=1e-8, err_msg=f"step {step}")
        a, b = per_atom_blocks(frames_whole[step]), per_atom_blocks(frames_parts[step])
        np.testing.assert_allclose(b["st"], a["st"], rtol=0, atol=1e-8)
        np.testing.assert_array_equal(b["ct"], a["ct"])
    # The windows ending after the restart began before it and hold strings.
    assert all(resumed[step][1] > 0 for step in range(150, 251, STRIDE))


def test_percolation_refuses_a_staggered_source(lammps, ka_liquid):
    """percolation/atom follows one window of its source at a time (its reference and the
    source's must start together), so a source with origins > 1 is refused by name."""
    script = LIQUID.format(data=ka_liquid) + STRINGS.format(id="s", extra=" origins 2") + "\n" + \
        "compute p all percolation/atom s cutoff 1.3 mobile fraction 0.1 immobile fraction 0.1\nrun 0\n"
    result = lammps(script, expect_ok=False)
    assert not result.ok
    assert "compute s runs staggered windows (origins 2)" in result.output


def test_memory_grows_by_one_reference_per_origin(lammps, tmp_path, ka_liquid):
    """The store holds K copies of one window's reference: 3 doubles per atom per extra origin
    for strings (7 + 3(K-1) doubles), 1 + maxcage for cages (36 + 33(K-1) with maxcage 32).
    With K = 10 that is 34 and 333 doubles. The widths are read from the message of a restart
    read with K = 1, which names both (the restart file records the store's width per atom)."""
    liquid = LIQUID.format(data=ka_liquid)
    lammps(liquid + STRINGS.format(id="s", extra=" origins 10") + "\nrun 0\nwrite_restart r.restart\n", name="in.a")
    result = lammps("read_restart r.restart\n" + STRINGS.format(id="s", extra="") + "\nrun 0\n",
                    expect_ok=False, name="in.b")
    assert "restart file holds 34 values per atom, expected 7" in result.output
    lammps(liquid + CAGES.format(id="c", extra=" origins 10") + "\nrun 0\nwrite_restart c.restart\n", name="in.c")
    result = lammps("read_restart c.restart\n" + KOB_ANDERSEN + "\n"
                    + CAGES.format(id="c", extra="") + "\nrun 0\n", expect_ok=False, name="in.d")
    assert "restart file holds 333 values per atom, expected 36" in result.output


def window_end_steps(path: Path) -> list[int]:
    """Steps at which the staggered compute evaluated a window: where the sum of u changed."""
    rows = [line.split() for line in path.read_text().splitlines() if not line.startswith("#")]
    return [int(step) for (_, before), (step, value) in zip(rows, rows[1:]) if value != before]


SUM_OF_U = "compute su all reduce sum c_st[4]\nfix w all ave/time 1 1 1 c_su file w.txt format ' %.17g'"


def test_timestep_jump_discards_all_staggered_windows(lammps, tmp_path, ka_liquid):
    """reset_timestep 60 -> 200 between runs: the three open windows (begun at 0, 25 and 50)
    would span more steps than they claim, so all are discarded with one warning, and windows
    start again at step 200: the next ends are 300, 325, 350 (a window ends every 25 steps from
    200 + N on), none before."""
    script = LIQUID.format(data=ka_liquid) + STRINGS.format(id="st", extra=f" origins {K}") + f"""
    run 60
    reset_timestep 200
    {SUM_OF_U}
    run 150
    """
    result = lammps(script)
    assert ("the 3 open staggered windows (the oldest began at step 0) are discarded: the timestep changed from 60 "
            "to 200 between runs; windows start again at step 200") in result.output
    assert window_end_steps(tmp_path / "w.txt") == [300, 325, 350]


def test_restart_with_another_window_length_starts_anew(lammps, tmp_path, ka_liquid):
    """A restart written with window 100 origins 4 (a start every 25 steps) and re-issued with
    window 200 origins 4 (every 50): the store has the same width but the open windows were
    timed for the other length, so they are discarded with a warning naming both, and windows
    start at the restart step 60: the first end is 260."""
    liquid = LIQUID.format(data=ka_liquid)
    lammps(liquid + STRINGS.format(id="st", extra=f" origins {K}") + "\nrun 60\nwrite_restart r.restart\n",
           name="in.first")
    second = "read_restart r.restart\n" + KOB_ANDERSEN + "\nneighbor 0.3 bin\nfix md all nve\n" + \
        STRINGS.format(id="st", extra=f" origins {K}").replace("window 100", "window 200") + f"\n{SUM_OF_U}\nrun 210\n"
    result = lammps(second, name="in.second")
    assert ("the restart file's staggered windows (4 origins, a start every 25 steps) do not match origins 4 window "
            "200; they are discarded and windows start anew") in result.output
    assert window_end_steps(tmp_path / "w.txt") == [260]


def test_atom_created_mid_window_enters_every_open_window(lammps, tmp_path, ka_liquid):
    """Atom 1 is replaced at step 30 by a new atom (ID 1001) at its place (no overlap), while the
    windows of 100 steps begun at 0 and 25 are open. The new atom gets its
    position at creation as the reference of every open window: at the ends 100 and 125 its u
    is its displacement since step 30 (drift no), as from the dumped unwrapped positions. The
    window begun at 50 after it was created measures it from step 50 like every other atom."""
    liquid = LIQUID.format(data=ka_liquid).replace("atom_style atomic", "atom_style atomic\natom_modify map yes")
    script = liquid + STRINGS.format(id="st", extra=" origins 4 drift no") + """
    run 30
    variable px equal x[1]
    variable py equal y[1]
    variable pz equal z[1]
    variable x0 equal ${px}
    variable y0 equal ${py}
    variable z0 equal ${pz}
    group first id 1
    delete_atoms group first compress no
    create_atoms 1 single ${x0} ${y0} ${z0} units box
    dump d all custom 5 atoms.dump id xu yu zu c_st[4]
    dump_modify d sort id format float %.17g
    run 120
    """
    lammps(script)
    frames = {f.timestep: f for f in read_dump(tmp_path / "atoms.dump")}
    new_id = 1001
    assert new_id in frames[30]["id"] and 1 not in frames[30]["id"]

    def row(step: int) -> tuple[np.ndarray, float]:
        frame = frames[step]
        k = int(np.flatnonzero(frame["id"] == new_id)[0])
        return np.array([frame["xu"][k], frame["yu"][k], frame["zu"][k]]), float(frame["c_st[4]"][k])

    at_30 = row(30)[0]
    for end in (100, 125):
        position, u = row(end)
        assert u == pytest.approx(np.linalg.norm(position - at_30), rel=1e-9), end
    position, u = row(150)
    assert u == pytest.approx(np.linalg.norm(position - row(50)[0]), rel=1e-9)


def test_rerun_frames_follow_the_staggered_windows(lammps, tmp_path, ka_liquid):
    """A rerun over frames every 25 steps (= N/K) sets up every frame at its own step; the
    staggered windows must end at the same steps as in the original run and give the same sum
    of u (positions are read back from the dump at full precision, so to 1e-9 relative)."""
    liquid = LIQUID.format(data=ka_liquid)
    lammps(liquid + "dump f all custom 25 f.dump id type x y z ix iy iz\ndump_modify f format float %.17g\n"
           + STRINGS.format(id="st", extra=f" origins {K}") + f"\n{SUM_OF_U.replace('w.txt', 'md.txt')}\nrun 200\n",
           name="in.md")
    result = lammps(liquid + STRINGS.format(id="st", extra=f" origins {K}") + f"\n{SUM_OF_U}\n"
                    "rerun f.dump dump x y z ix iy iz\n", name="in.rerun")
    assert "discarded" not in result.output
    original = read_ave_time_scalars(tmp_path / "md.txt")
    rerun = read_ave_time_scalars(tmp_path / "w.txt")
    assert window_end_steps(tmp_path / "w.txt") == [100, 125, 150, 175, 200]
    for step in (100, 125, 150, 175, 200):
        np.testing.assert_allclose(rerun[step], original[step], rtol=1e-9)
