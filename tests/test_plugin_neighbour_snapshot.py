"""One neighbour search per window start, shared by window computes (issue 11, item 8).

Two cage/atom computes on the same group, cutoffs and schedule take their cages from one
snapshot; a third with another cutoff searches on its own. Each must equal the offline twin.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import KOB_ANDERSEN
from glassdyn.analysis import Cages
from glassdyn.io import read_dump


@pytest.mark.mpi
def test_shared_snapshot_gives_each_compute_its_own_cages(lammps, tmp_path, ka_liquid):
    script = f"""
    units lj
    atom_style atomic
    read_data {ka_liquid}
    mass * 1.0
    {KOB_ANDERSEN}
    neighbor 0.3 bin
    fix md all nve
    timestep 0.005
    compute a all cage/atom cutoff 1.4 window 100
    compute b all cage/atom cutoff 1.4 window 100
    compute c all cage/atom cutoff 1.3 window 100 cutoff/pair 1 2 1.2
    dump f all custom 100 frames.dump id type xu yu zu c_a[1] c_a[2] c_b[1] c_b[2] c_c[1] c_c[2]
    dump_modify f sort id format float %.17g
    run 200
    """
    lammps(script, nprocs=2)
    frames = read_dump(tmp_path / "frames.dump")
    assert [f.timestep for f in frames] == [0, 100, 200]
    for start, end in zip(frames, frames[1:]):
        np.testing.assert_array_equal(end["c_a[1]"], end["c_b[1]"])
        np.testing.assert_array_equal(end["c_a[2]"], end["c_b[2]"])
        same = Cages(cutoff=1.4).compute_frames(start, end)
        other = Cages(cutoff=1.3, cutoff_pairs={(1, 2): 1.2}).compute_frames(start, end)
        np.testing.assert_array_equal(end["c_a[1]"].astype(np.int64), same.n_cage)
        np.testing.assert_array_equal(end["c_a[2]"].astype(np.int64), same.n_lost)
        np.testing.assert_array_equal(end["c_c[1]"].astype(np.int64), other.n_cage)
        np.testing.assert_array_equal(end["c_c[2]"].astype(np.int64), other.n_lost)
        assert not np.array_equal(end["c_a[1]"], end["c_c[1]"])
