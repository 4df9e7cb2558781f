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
