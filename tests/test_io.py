"""glassdyn.io reads LAMMPS text dumps, including triclinic boxes and image flags."""
from __future__ import annotations

import numpy as np

from conftest import KOB_ANDERSEN
from glassdyn.io import read_dump


def test_triclinic_dump_box_and_unwrapping_agree_with_lammps(lammps, tmp_path):
    """LAMMPS writes the tilted box as bounding box + tilts; the reader must recover
    lo/hi/tilt (compared with LAMMPS's own lx, ly, lz, xy, xz, yz printed to a file), and
    x + image flags . h must equal LAMMPS's xu yu zu for atoms that crossed boundaries."""
    lammps(f"""
    units lj
    atom_style atomic
    region box prism 0 8 0 7 0 6 1.5 -1.0 0.7
    create_box 2 box
    create_atoms 1 random 300 1234 NULL overlap 0.8
    create_atoms 2 random 80 4321 NULL overlap 0.8
    mass * 1.0
    {KOB_ANDERSEN}
    velocity all create 3.0 99
    fix md all nve
    timestep 0.004
    run 300
    dump d all custom 1 tri.dump id type x y z ix iy iz xu yu zu
    dump_modify d sort id format float %.15g
    run 0
    print "$(lx) $(ly) $(lz) $(xy) $(xz) $(yz) $(xlo) $(ylo) $(zlo)" file box.txt
    """)
    frame = read_dump(tmp_path / "tri.dump")[-1]
    lx, ly, lz, xy, xz, yz, xlo, ylo, zlo = (float(v) for v in (tmp_path / "box.txt").read_text().split())
    np.testing.assert_allclose(frame.box.lo, (xlo, ylo, zlo), atol=1e-9)
    np.testing.assert_allclose(frame.box.lengths, (lx, ly, lz), atol=1e-9)
    np.testing.assert_allclose(frame.box.tilt, (xy, xz, yz), atol=1e-9)
    assert np.any(frame["ix"] != 0) and np.any(frame["iy"] != 0), "some atoms must have crossed boundaries"
    from_images = np.column_stack([frame["x"], frame["y"], frame["z"]]) + np.column_stack(
        [frame["ix"], frame["iy"], frame["iz"]]) @ frame.box.matrix.T
    np.testing.assert_allclose(from_images, np.column_stack([frame["xu"], frame["yu"], frame["zu"]]), atol=1e-9)
    assert np.array_equal(frame["id"], np.sort(frame["id"]))
