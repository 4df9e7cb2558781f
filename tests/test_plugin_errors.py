"""Every documented bad input of compute stringlike/atom stops LAMMPS with a message that
names the argument (docs/compute_stringlike_atom.md, section Restrictions/errors)."""
from __future__ import annotations

import re

import numpy as np
import pytest

from planted import standard_plan

BASE = """
units lj
atom_style atomic
{pre}
lattice fcc 1.0
region box block 0 4 0 4 0 4
create_box 2 box
create_atoms 1 box
mass * 1.0
pair_style zero 2.5
pair_coeff * *
{post}
compute s all stringlike/atom {args}
run 0
"""

CASES = [
    # (arguments, extra commands, expected message fragment)
    ("window 10", "", "first argument must be 'delta D'"),
    ("", "", "first argument must be 'delta D'"),
    ("delta -0.5 window 10", "", "delta must be > 0"),
    ("delta 0 window 10", "", "delta must be > 0"),
    ("delta abc window 10", "", "Expected floating point parameter instead of 'abc'"),
    ("delta 0.5", "", "needs 'window N'"),
    ("delta 0.5 window 0", "", "window: N must be a positive number of steps"),
    ("delta 0.5 window -5", "", "window: N must be a positive number of steps"),
    ("delta 0.5 window 2.5", "", "Expected integer parameter instead of '2.5'"),
    ("delta 0.5 window", "", "Illegal compute stringlike/atom window command: missing argument"),
    ("delta 0.5 window 10 fraction 0", "", r"fraction: F must be in \(0,1\]"),
    ("delta 0.5 window 10 fraction 1.5", "", r"fraction: F must be in \(0,1\]"),
    ("delta 0.5 window 10 range 1.0 0.5", "", "range: ulo must be < uhi"),
    ("delta 0.5 window 10 range 0.5 0.5", "", "range: ulo must be < uhi"),
    ("delta 0.5 window 10 range -1 0.5", "", "range: ulo must be >= 0"),
    ("delta 0.5 window 10 fraction 0.1 range 0.1 1", "", "fraction and range exclude each other"),
    ("delta 0.5 window 10 sync dmsfix", "", "window and sync exclude each other"),
    ("delta 0.5 sync nosuchfix", "", "sync: no fix with ID nosuchfix"),
    ("delta 0.5 sync integrate", "fix integrate all nve",
     "sync: fix integrate \\(style nve\\) does not publish window boundaries"),
    ("delta 0.5 window 10 foo 3", "", "unknown keyword 'foo'; allowed: delta/pair, window, origins, sync"),
    ("delta 0.5 window 10 delta/pair 1 3 0.4", "", r"delta/pair: atom types must be in 1..2, got 1 3"),
    ("delta 0.5 window 10 delta/pair 1 2 -0.4", "", "delta/pair: distance must be > 0"),
    ("delta 0.5 window 10 delta/pair 1 2", "", "Illegal compute stringlike/atom delta/pair command: missing"),
    ("delta 0.5 window 10 drift maybe", "", "Expected boolean parameter instead of 'maybe'"),
    ("delta 0.5 window 10 long 1", "", "long: L must be an integer >= 2"),
    ("delta 0.5 window 10 maxsize 0", "", "maxsize: M must be an integer in 1..100000"),
]


@pytest.mark.parametrize("args, post, message", CASES, ids=[c[0] or "empty" for c in CASES])
def test_bad_arguments(lammps, args, post, message):
    result = lammps(BASE.format(pre="", post=post, args=args), expect_ok=False)
    assert result.returncode != 0 or "ERROR" in result.output
    assert re.search(message, result.error_message()), result.error_message()


def test_dynamic_group_is_refused(lammps):
    post = "region lower block INF INF INF INF 0 2\ngroup moving dynamic all region lower"
    script = BASE.format(pre="", post=post, args="delta 0.5 window 10").replace("compute s all", "compute s moving")
    result = lammps(script, expect_ok=False)
    assert "cannot use the dynamic group moving" in result.error_message()


def test_atom_ids_are_required(lammps):
    result = lammps(BASE.format(pre="atom_modify id no", post="", args="delta 0.5 window 10"), expect_ok=False)
    assert "requires atom IDs" in result.error_message()


def test_far_jump_needs_no_larger_ghost_shell(lammps, tmp_path):
    """An atom that jumps 3 lattice constants has string partners far beyond the ghost atoms.
    The mobile atoms are exchanged at the window end, so the run needs no comm_modify cutoff
    and gives the same per-atom results on 1 and 2 ranks (issue 11: the ghost-reach error
    and its advice are gone)."""
    crystal = standard_plan(1.5874)
    far = crystal.isolated[0] - 1
    crystal.r1[far] = crystal.r0[far] + np.array([3.0, 0.0, 0.0]) * crystal.a
    crystal.write_data(tmp_path / "planted.data")
    crystal.write_moved_dump(tmp_path / "moved.dump")
    script = """
    units lj
    atom_style atomic
    read_data ../planted.data
    mass * 1.0
    pair_style zero 2.5
    pair_coeff * *
    compute s all stringlike/atom delta 0.55 window 10 fraction 0.05
    run 0
    read_dump ../moved.dump 0 x y z ix iy iz box no replace yes
    dump d all custom 10 out.dump id c_s[1] c_s[2] c_s[3] c_s[4]
    dump_modify d sort id format float %.17g
    run 10
    """
    outputs = []
    for nprocs in (1, 2):
        folder = tmp_path / f"np{nprocs}"
        folder.mkdir()
        result = lammps(script, nprocs=nprocs, cwd=folder)
        outputs.append(np.loadtxt((folder / "out.dump").read_text().split("ITEM: ATOMS")[-1].splitlines()[1:]))
    np.testing.assert_array_equal(outputs[0][:, :4], outputs[1][:, :4])
    np.testing.assert_allclose(outputs[0][:, 4], outputs[1][:, 4], rtol=0, atol=1e-12)
    assert outputs[0][far, 1] == 1.0, "the atom that jumped is mobile"


def test_comm_mode_multi_is_refused(lammps):
    """Cages read neighbours from ghost atoms out to RC (1 + h): per-type ghost cutoffs could
    hide some, so cage/atom refuses them (stringlike/atom reads no ghost atom)."""
    script = BASE.format(pre="", post="neighbor 0.3 multi\ncomm_modify mode multi", args="delta 0.5 window 10")
    result = lammps(script.replace("compute s all stringlike/atom delta 0.5 window 10",
                                   "compute c all cage/atom cutoff 1.2 window 10"), expect_ok=False)
    assert "requires comm_modify mode single" in result.error_message()


def test_deleting_the_internal_fix_is_reported(lammps):
    script = BASE.format(pre="", post="", args="delta 0.5 window 10").replace(
        "run 0", "run 0\nunfix s_GLASSDYN_WINDOW\nrun 0")
    result = lammps(script, expect_ok=False)
    assert "its internal fix s_GLASSDYN_WINDOW is missing" in result.error_message()


CAGE_CASES = [
    ("window 10", "first argument must be 'cutoff RC'"),
    ("cutoff -1 window 10", "cutoff must be > 0"),
    ("cutoff 1.2", "needs 'window N'"),
    ("cutoff 1.2 window 0", "window: N must be a positive number of steps"),
    ("cutoff 1.2 sync nofix", "sync: no fix with ID nofix"),
    ("cutoff 1.2 window 10 sync nofix", "window and sync exclude each other"),
    ("cutoff 1.2 window 10 cutoff/pair 1 3 1.0", r"cutoff/pair: atom types must be in 1..2, got 1 3"),
    ("cutoff 1.2 window 10 cutoff/pair 1 2 0", "cutoff/pair: distance must be > 0"),
    ("cutoff 1.2 window 10 hysteresis -0.1", "hysteresis: h must be >= 0"),
    ("cutoff 1.2 window 10 nlost 0", "nlost: N must be an integer >= 1"),
    ("cutoff 1.2 window 10 nlost 1.5", "Expected integer parameter instead of '1.5'"),
    ("cutoff 1.2 window 10 maxcage 0", r"maxcage: M must be an integer in 1..1000"),
    ("cutoff 1.2 window 10 maxcage", "Illegal compute cage/atom maxcage command: missing argument"),
    ("cutoff 1.2 window 10 bogus 1", "unknown keyword 'bogus'; allowed: cutoff/pair, hysteresis, nlost, maxcage"),
    ("cutoff 2.4 window 10", r"cutoff x \(1 \+ hysteresis\) = 2.64 exceeds the guaranteed ghost-atom reach 2.5"),
]


@pytest.mark.parametrize("args, message", CAGE_CASES, ids=[c[0] for c in CAGE_CASES])
def test_cage_bad_arguments(lammps, args, message):
    script = BASE.format(pre="", post="", args="delta 0.5 window 10").replace(
        "compute s all stringlike/atom delta 0.5 window 10", f"compute c all cage/atom {args}")
    result = lammps(script, expect_ok=False)
    assert re.search(message, result.error_message()), result.error_message()


def test_cage_dynamic_group_is_refused(lammps):
    post = "region lower block INF INF INF INF 0 2\ngroup moving dynamic all region lower"
    script = BASE.format(pre="", post=post, args="delta 0.5 window 10").replace(
        "compute s all stringlike/atom delta 0.5 window 10", "compute c moving cage/atom cutoff 1.2 window 10")
    assert "Compute cage/atom cannot use the dynamic group moving" in lammps(script, expect_ok=False).error_message()


PU_CASES = [
    ("", "usage: compute ID group displacement/distribution STRINGLIKE-ID"),
    ("nosuch", "no compute with ID nosuch; define the compute stringlike/atom first"),
    ("k", "compute k has style ke, not stringlike/atom"),
    ("s bins 0", r"bins: N must be an integer in 1..100000"),
    ("s umax 0", "umax: U must be > 0"),
    ("s beyond -1", "beyond: B must be >= 0"),
    ("s umax 4 logmin 1", r"logmin: L must be < log10\(umax\) = 0.6021"),
    ("s colour red", "unknown keyword 'colour'; allowed: bins, umax, logmin, beyond"),
    ("s bins", "Illegal compute displacement/distribution bins command: missing argument"),
]


@pytest.mark.parametrize("args, message", PU_CASES, ids=[c[0] or "empty" for c in PU_CASES])
def test_displacement_distribution_bad_arguments(lammps, args, message):
    script = BASE.format(pre="", post="compute k all ke", args="delta 0.5 window 10").replace(
        "run 0", f"compute pu all displacement/distribution {args}\nrun 0")
    result = lammps(script, expect_ok=False)
    assert re.search(message, result.error_message()), result.error_message()


def test_cage_box_narrower_than_twice_the_loss_distance(lammps):
    """A 6.35-wide box with cutoff 3.0 (loss distance 3.3): a neighbour could enter a cage
    through two periodic images, so the compute refuses (the ghost reach itself is enlarged)."""
    script = BASE.format(pre="", post="comm_modify cutoff 8.0", args="delta 0.5 window 10").replace(
        "compute s all stringlike/atom delta 0.5 window 10", "compute c all cage/atom cutoff 3.0 window 10")
    message = lammps(script, expect_ok=False).error_message()
    assert "twice cutoff x (1 + hysteresis) = 6.6 exceeds the smallest periodic box width 6.3" in message


def test_displacement_distribution_reports_a_deleted_source(lammps):
    script = BASE.format(pre="", post="", args="delta 0.5 window 10").replace(
        "run 0", "compute pu all displacement/distribution s\nrun 0\nuncompute s\nprint \"$(c_pu[1])\"")
    assert "its compute s was deleted" in lammps(script, expect_ok=False).error_message()


def test_displacement_distribution_is_zero_before_the_first_window(lammps, tmp_path):
    """Before any window has ended, densities and summaries are 0 and bin centres are set."""
    script = BASE.format(pre="", post="", args="delta 0.5 window 10").replace(
        "run 0", "compute pu all displacement/distribution s bins 4 umax 2.0\nrun 0\n"
        "print \"$(c_pu[1]) $(c_pu[2]) $(c_pu[1][1]) $(c_pu[4][1]) $(c_pu[2][2])\" file early.txt")
    lammps(script)
    values = [float(v) for v in (tmp_path / "early.txt").read_text().split()]
    assert values == [0.0, 0.0, 0.25, 1.75, 0.0]
