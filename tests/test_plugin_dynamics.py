"""compute stringlike/atom during real MD of a Kob-Andersen liquid.

* every window against a brute-force O(N^2) NumPy implementation of the definition, and
  against the offline twin glassdyn.analysis.StringLike on the dumped frames;
* identical results on 1, 2, 3 and 4 ranks from the same data file over one window in
  which atoms cross periodic and subdomain boundaries, plus a slab with empty ranks;
* a restart written in the middle of a window (on 2 ranks) and continued (on 3 ranks)
  gives the same window result as the uninterrupted run.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import KOB_ANDERSEN
from glassdyn.analysis import StringLike
from glassdyn.io import read_dump
from lammps_outputs import read_ave_time_scalars
from string_reference import reference_strings

COMPUTE = "compute s all stringlike/atom delta 0.55 window {window} fraction 0.05 long 4"
OUTPUTS = """
dump f all custom {window} frames.dump id type xu yu zu ix iy iz proc c_s[1] c_s[2] c_s[3] c_s[4]
dump_modify f sort id format float %.15g
fix gv all ave/time {window} 1 {window} c_s[1] c_s[2] c_s[3] c_s[4] c_s[5] c_s[6] c_s[7] c_s[8] file global.txt format " %.15g"
"""


def md_input(data: Path, *, window: int, steps: int, processors: str = "* * *", pre: str = "") -> str:
    return f"""
    units lj
    atom_style atomic
    processors {processors}
    read_data {data}
    {pre}
    mass * 1.0
    {KOB_ANDERSEN}
    neighbor 0.3 bin
    comm_modify cutoff 4.0
    fix md all nve
    timestep 0.005
    {COMPUTE.format(window=window)}
    {OUTPUTS.format(window=window)}
    run {steps}
    """


def per_atom(frame):
    return (frame["c_s[1]"].astype(bool), frame["c_s[2]"].astype(np.int64), frame["c_s[3]"].astype(np.int64),
            frame["c_s[4]"])


@pytest.mark.slow
def test_every_window_matches_brute_force_and_offline(lammps, tmp_path, ka_liquid):
    """Three consecutive windows of 200 steps: the values dumped at step 200k describe the
    window (200(k-1), 200k], since the reference is renewed only after the evaluation."""
    lammps(md_input(ka_liquid, window=200, steps=600), nprocs=2)
    frames = read_dump(tmp_path / "frames.dump")
    assert [f.timestep for f in frames] == [0, 200, 400, 600]
    glob = read_ave_time_scalars(tmp_path / "global.txt")
    total_strings = 0
    for start, end in zip(frames, frames[1:]):
        mobile, string_id, size, u = per_atom(end)
        ids = end["id"]
        r0, r1 = start.unwrapped_positions(), end.unwrapped_positions()
        ref = reference_strings(end.box.matrix, ids, r0, r1, 0.55, fraction=0.05)
        np.testing.assert_allclose(u, ref.u, rtol=0, atol=1e-9)
        np.testing.assert_array_equal(mobile, ref.mobile)
        np.testing.assert_array_equal(string_id, ref.string_id)
        np.testing.assert_array_equal(size, ref.string_size)

        offline = StringLike(delta=0.55, fraction=0.05, long=4).compute_frames(start, end)
        np.testing.assert_array_equal(offline.mobile, mobile)
        np.testing.assert_array_equal(offline.string_id, string_id)
        np.testing.assert_array_equal(offline.string_size, size)
        np.testing.assert_allclose(offline.global_vector, glob[end.timestep], rtol=1e-12)
        assert glob[end.timestep][0] == 50          # round(0.05 * 1000) mobile atoms
        total_strings += offline.n_strings
    assert total_strings >= 3, "a T = 1.0 KA liquid shows strings within one time unit"


def run_window_on(lammps, tmp_path: Path, data: Path, nprocs: int, processors: str = "* * *", pre: str = ""):
    folder = tmp_path / f"np{nprocs}_{processors.replace(' ', '')}"
    folder.mkdir()
    lammps(md_input(data, window=150, steps=150, processors=processors, pre=pre), nprocs=nprocs, cwd=folder)
    frames = read_dump(folder / "frames.dump")
    return frames, read_ave_time_scalars(folder / "global.txt")[150]


def assert_same_window(reference, other) -> None:
    (frames_a, glob_a), (frames_b, glob_b) = reference, other
    a, b = per_atom(frames_a[-1]), per_atom(frames_b[-1])
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(a[2], b[2])
    np.testing.assert_allclose(a[3], b[3], rtol=0, atol=1e-9)
    np.testing.assert_allclose(glob_a, glob_b, rtol=1e-12)


@pytest.mark.mpi
@pytest.mark.slow
def test_identical_on_one_to_four_ranks(lammps, tmp_path, ka_liquid):
    """Same data file, one 150-step window, 1-4 ranks. Trajectories differ only by
    floating-point summation order over so short a window."""
    results = {n: run_window_on(lammps, tmp_path, ka_liquid, n) for n in (1, 2, 3, 4)}
    frames = results[4][0]
    crossed_box = np.any(frames[0]["ix"] != frames[-1]["ix"]) or np.any(frames[0]["iy"] != frames[-1]["iy"])
    changed_rank = np.any(frames[0]["proc"] != frames[-1]["proc"])
    assert crossed_box and changed_rank, "the window must move atoms across periodic and rank boundaries"
    assert results[1][1][3] > 0, "the window must contain strings"
    for n in (2, 3, 4):
        assert_same_window(results[1], results[n])


@pytest.mark.mpi
@pytest.mark.slow
def test_identical_with_empty_ranks(lammps, tmp_path, ka_liquid):
    """The liquid as a slab in a box three times taller: with 'processors 1 1 4' the top
    ranks own no atoms (and no string partners) yet take part in every collective step."""
    pre = "change_box all z final 0 28.23 units box"
    serial = run_window_on(lammps, tmp_path, ka_liquid, 1, pre=pre)
    split = run_window_on(lammps, tmp_path, ka_liquid, 4, processors="1 1 4", pre=pre)
    assert set(split[0][0]["proc"]) <= {0, 1}, "ranks 2 and 3 must own no atoms"
    assert_same_window(serial, split)


@pytest.mark.slow
def test_restart_mid_window_equals_uninterrupted(lammps, tmp_path, ka_liquid):
    """Window of 200 steps; restart written at step 100 on 2 ranks, read and continued on 3.
    The per-atom reference travels in the restart file, so the window result is unchanged."""
    whole = tmp_path / "whole"
    whole.mkdir()
    lammps(md_input(ka_liquid, window=200, steps=200), nprocs=2, cwd=whole)

    parts = tmp_path / "parts"
    parts.mkdir()
    first = md_input(ka_liquid, window=200, steps=100).replace(OUTPUTS.format(window=200), "")
    lammps(first + "\nwrite_restart half.restart\n", nprocs=2, cwd=parts, name="in.first")
    second = f"""
    read_restart half.restart
    {KOB_ANDERSEN}
    neighbor 0.3 bin
    comm_modify cutoff 4.0
    fix md all nve
    {COMPUTE.format(window=200)}
    {OUTPUTS.format(window=200)}
    run 100
    """
    lammps(second, nprocs=3, cwd=parts, name="in.second")

    expected = read_dump(whole / "frames.dump")[-1]
    resumed = read_dump(parts / "frames.dump")[-1]
    assert expected.timestep == resumed.timestep == 200
    a, b = per_atom(expected), per_atom(resumed)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(a[2], b[2])
    np.testing.assert_allclose(a[3], b[3], rtol=0, atol=1e-8)
    np.testing.assert_allclose(read_ave_time_scalars(whole / "global.txt")[200],
                               read_ave_time_scalars(parts / "global.txt")[200], rtol=1e-12)
    assert b[0].sum() == 50


@pytest.mark.slow
def test_skipped_window_end_is_discarded_with_a_warning(lammps, tmp_path, ka_liquid):
    """reset_timestep past the end of an open window: the window cannot be evaluated at its
    end step, so it is dropped with a warning and a fresh window runs to completion."""
    script = md_input(ka_liquid, window=50, steps=20).replace(OUTPUTS.format(window=50), "")
    script += f"""
    reset_timestep 100
    {OUTPUTS.format(window=50)}
    run 60
    """
    result = lammps(script)
    assert "window that began at step 0 (due to end at step 50) is discarded" in result.output
    frame = read_dump(tmp_path / "frames.dump")[-1]
    assert frame.timestep == 150
    assert frame["c_s[1]"].sum() == 50
