"""compute stringlike/atom needs no ghost atoms beyond the force field's (issue 11, item 2).

A Kob-Andersen liquid at T = 3 moves its most mobile atoms more than 3 sigma in one window,
far beyond the default ghost shell (pair cutoff 2.5 + skin 0.3). With stringlike/atom and
cage/atom defined and *default* communication settings the run succeeds, the strings equal
the brute-force reference, and replaying the same window on 1, 2 and 3 ranks gives
identical results (the mobile atoms are exchanged at the window end, not read as ghosts).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from conftest import KOB_ANDERSEN
from glassdyn.analysis import Cages
from glassdyn.io import read_dump
from lammps_outputs import read_ave_time_scalars
from string_reference import reference_strings

WINDOW = 400
COMPUTES = f"""
compute s all stringlike/atom delta 0.55 window {WINDOW} fraction 0.05
compute c all cage/atom cutoff 1.4 window {WINDOW}
"""
AVERAGES = f"""
fix gv all ave/time {WINDOW} 1 {WINDOW} c_s[1] c_s[2] c_s[3] c_s[4] c_s[5] c_s[6] c_s[7] c_s[8] c_c[1] c_c[2] c_c[3] file global.txt format " %.15g"
"""
FIELDS = "id type x y z xu yu zu ix iy iz c_s[1] c_s[2] c_s[3] c_s[4] c_c[1] c_c[2] c_c[3]"


def hot_run(data: Path) -> str:
    return f"""
    units lj
    atom_style atomic
    read_data {data}
    mass * 1.0
    {KOB_ANDERSEN}
    neighbor 0.3 bin
    velocity all create 3.0 8111 loop geom
    fix md all nvt temp 3.0 3.0 0.5
    timestep 0.005
    {COMPUTES}
    {AVERAGES}
    dump f all custom {WINDOW} frames.dump {FIELDS}
    dump_modify f sort id format float %.17g
    run {WINDOW}
    """


def replay(data: Path, end_frame: Path) -> str:
    """The same window with the end positions read in: no integrator, so every rank count
    sees bit-identical positions at both ends of the window."""
    return f"""
    units lj
    atom_style atomic
    read_data {data}
    mass * 1.0
    {KOB_ANDERSEN}
    neighbor 0.3 bin
    {COMPUTES}
    run 0
    read_dump {end_frame} 0 x y z ix iy iz box no replace yes
    {AVERAGES}
    dump f all custom {WINDOW} frames.dump {FIELDS}
    dump_modify f sort id format float %.17g
    run {WINDOW}
    """


def strings_of(frame):
    return (frame["c_s[1]"].astype(bool), frame["c_s[2]"].astype(np.int64), frame["c_s[3]"].astype(np.int64),
            frame["c_s[4]"])


@pytest.mark.mpi
@pytest.mark.slow
def test_hot_liquid_with_default_comm_runs_and_is_rank_independent(lammps, tmp_path, ka_liquid):
    hot = tmp_path / "hot"
    hot.mkdir()
    lammps(hot_run(ka_liquid), nprocs=2, cwd=hot)
    start, end = read_dump(hot / "frames.dump")
    assert (start.timestep, end.timestep) == (0, WINDOW)
    ref = reference_strings(end.box.matrix, end["id"], start.unwrapped_positions(), end.unwrapped_positions(),
                            0.55, fraction=0.05)
    u_max = ref.u[ref.mobile].max()
    assert u_max > 3.0, f"the window must move a mobile atom more than 3 sigma (u_max = {u_max:.3f})"
    mobile, string_id, size, u = strings_of(end)
    np.testing.assert_allclose(u, ref.u, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(mobile, ref.mobile)
    np.testing.assert_array_equal(string_id, ref.string_id)
    np.testing.assert_array_equal(size, ref.string_size)

    # The end frame at step 0, to replay the window from the data file's positions.
    text = (hot / "frames.dump").read_text()
    last = text.rindex("ITEM: TIMESTEP")
    end_frame = tmp_path / "end0.dump"
    end_frame.write_text(re.sub(r"ITEM: TIMESTEP\n\d+", "ITEM: TIMESTEP\n0", text[last:], count=1))

    results = {}
    for nprocs in (1, 2, 3):
        folder = tmp_path / f"np{nprocs}"
        folder.mkdir()
        lammps(replay(ka_liquid, end_frame), nprocs=nprocs, cwd=folder)
        frame = read_dump(folder / "frames.dump")[-1]
        assert frame.timestep == WINDOW
        results[nprocs] = (frame, read_ave_time_scalars(folder / "global.txt")[WINDOW])

    frame1, glob1 = results[1]
    replay_ref = reference_strings(frame1.box.matrix, frame1["id"], start.unwrapped_positions(),
                                   frame1.unwrapped_positions(), 0.55, fraction=0.05)
    assert replay_ref.u[replay_ref.mobile].max() > 3.0
    mobile, string_id, size, u = strings_of(frame1)
    np.testing.assert_array_equal(mobile, replay_ref.mobile)
    np.testing.assert_array_equal(string_id, replay_ref.string_id)
    np.testing.assert_array_equal(size, replay_ref.string_size)
    assert glob1[3] > 0, "the window must contain strings"
    cages = Cages(cutoff=1.4).compute_frames(start, frame1)
    np.testing.assert_array_equal(frame1["c_c[2]"].astype(np.int64), cages.n_lost)
    np.testing.assert_allclose(glob1[8:], cages.global_vector, rtol=1e-12)

    for nprocs in (2, 3):
        frame, glob = results[nprocs]
        for a, b in zip(strings_of(frame1)[:3], strings_of(frame)[:3]):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(strings_of(frame)[3], u, rtol=0, atol=1e-12)
        for column in ("c_c[1]", "c_c[2]", "c_c[3]"):
            np.testing.assert_array_equal(frame[column], frame1[column])
        np.testing.assert_allclose(glob, glob1, rtol=1e-12)
