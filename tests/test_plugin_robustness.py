"""Misuse of the plugin styles ends in a clear message, never in a crash or a silent number
(issue 10, plugin side).

Each bad input is a case of data: the input lines, the message fragment LAMMPS must print, and
why that message is the right answer. Behaviour that must go on working (wildcards, timestep
jumps, 2-D cages, reruns) is checked with the values it produces.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

# A small Lennard-Jones liquid (108 or 256 atoms, two types): fast, and it moves.
LIQUID = """
units lj
atom_style atomic
{pre}
lattice fcc 1.0
region box block 0 {cells} 0 {cells} 0 {cells}
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.2 4321
mass * 1.0
pair_style lj/cut 2.5
pair_coeff * * 1.0 1.0
neighbor 0.3 bin
velocity all create 1.5 8811 loop geom
fix md all nvt temp 1.5 1.5 0.5
timestep 0.005
"""

# The same in 2-D: a square lattice in a box that is thin along z, as 2-D inputs usually are.
LIQUID_2D = """
units lj
dimension 2
atom_style atomic
lattice sq 0.8
region box block 0 8 0 8 -0.1 0.1
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.2 4321
mass * 1.0
pair_style lj/cut 2.5
pair_coeff * * 1.0 1.0
neighbor 0.3 bin
velocity all create 1.0 8811 loop geom
fix md all nvt temp 1.0 1.0 0.5
fix flat all enforce2d
timestep 0.005
"""


def liquid(pre: str = "", cells: int = 3) -> str:
    return LIQUID.format(pre=pre, cells=cells)


def dump_frames(path: Path) -> list[tuple[int, list[str], np.ndarray]]:
    """(timestep, column names, values sorted by atom id) of every frame of a dump custom file."""
    frames, lines, k = [], path.read_text().splitlines(), 0
    while k < len(lines):
        step = int(lines[k + 1])
        natoms = int(lines[k + 3])
        names = lines[k + 8].split()[2:]
        rows = np.array([[float(v) for v in line.split()] for line in lines[k + 9:k + 9 + natoms]])
        frames.append((step, names, rows[np.argsort(rows[:, 0])]))
        k += 9 + natoms
    return frames


def thermo_table(output: str) -> tuple[list[str], np.ndarray]:
    """Header and rows of the last thermo block of a LAMMPS output."""
    lines = output.splitlines()
    start = max(i for i, line in enumerate(lines) if line.split()[:1] == ["Step"])
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("Loop time"):
            break
        rows.append([float(v) for v in line.split()])
    return lines[start].split(), np.array(rows)


# ---------------------------------------------------------------------------------------------
# Item 1: c_ID[*] / f_ID[*] wildcards. LAMMPS expands a wildcard in per-atom commands to the
# columns of a style's *global array* when it has one. Our per-atom arrays used to be narrower,
# so the command stopped with an out-of-range error whose argument index pointed past the input
# line; LAMMPS's error report then read past it and crashed (exit 11, no ERROR line). The
# per-atom arrays now have exactly as many columns as the global arrays.

WILDCARD_STYLES = {
    # style: (definition lines, reference, per-atom columns, global vector length)
    "stringlike": ("compute X all stringlike/atom delta 0.5 window 10 long 3", "c_X", 6, 8),
    "cage": ("compute X all cage/atom cutoff 1.3 window 10", "c_X", 5, 3),
    "dms": ("compute sa all stress/atom NULL\nfix X all dms x amplitude 0.01 period 0.1 peratom sa", "f_X", 7, 11),
}


def check_derived_columns(style: str, values: np.ndarray) -> None:
    """The columns beyond the stored ones follow from the stored ones (docs, Output info)."""
    if style == "stringlike":
        in_string = values[:, 2] > 0                      # string ID
        np.testing.assert_array_equal(values[:, 5], in_string)
        np.testing.assert_array_equal(values[:, 6], in_string & (values[:, 3] >= 3))    # long 3
    elif style == "cage":
        n_cage, n_lost = values[:, 1], values[:, 2]
        np.testing.assert_array_equal(values[:, 4], n_cage > 0)
        np.testing.assert_allclose(values[:, 5], np.where(n_cage > 0, n_lost / np.maximum(n_cage, 1), 0.0))
    else:
        # 3 cycles of 20 steps, discard 1: two cycles averaged per atom, finite standard deviations.
        np.testing.assert_array_equal(values[:, 5], 2.0)
        assert np.all(np.isfinite(values[:, 1:])) and np.all(values[:, 6:8] >= 0.0)
        assert np.any(values[:, 6] > 0.0)


@pytest.mark.parametrize("nprocs", [1, 2])
@pytest.mark.parametrize("cells", [3, 4])
@pytest.mark.parametrize("style", sorted(WILDCARD_STYLES))
def test_wildcards_expand_to_the_right_columns(lammps, tmp_path, style, cells, nprocs):
    """c_ID[*] / f_ID[*] in dump custom, fix ave/atom, compute reduce and thermo_style: each
    expands to all per-atom columns (or, in thermo, all global values), in order, and every
    expanded value equals the explicitly named one. Run with 108 and 256 atoms on 1 and 2
    ranks because the old crash depended on memory layout; a word after the wildcard makes
    its expansion grow the argument list in the middle."""
    definition, ref, ncols, nvector = WILDCARD_STYLES[style]
    explicit = " ".join(f"{ref}[{k}]" for k in range(1, ncols + 1))
    script = liquid(cells=cells) + f"""
    {definition}
    dump d all custom 20 d.dump id {ref}[*] type
    dump_modify d format float %.17g
    fix avg all ave/atom 20 1 20 {ref}[*]
    dump a all custom 20 a.dump id f_avg[*]
    dump_modify a format float %.17g
    compute red all reduce sum {ref}[*]
    compute one all reduce sum {explicit}
    thermo 20
    thermo_style custom step {ref}[*] c_red[*] c_one[*]
    thermo_modify norm no format float %.17g
    run 60
    """
    result = lammps(script, nprocs=nprocs)
    step, names, values = dump_frames(tmp_path / "d.dump")[-1]
    assert step == 60
    assert names == ["id"] + [f"{ref}[{k}]" for k in range(1, ncols + 1)] + ["type"]
    check_derived_columns(style, values)
    _, avg_names, averaged = dump_frames(tmp_path / "a.dump")[-1]
    assert avg_names == ["id"] + [f"f_avg[{k}]" for k in range(1, ncols + 1)]
    np.testing.assert_array_equal(averaged[:, 1:], values[:, 1:ncols + 1])     # one sample averaged
    header, rows = thermo_table(result.output)
    assert header == (["Step"] + [f"{ref}[{k}]" for k in range(1, nvector + 1)]
                      + [f"c_red[{k}]" for k in range(1, ncols + 1)] + [f"c_one[{k}]" for k in range(1, ncols + 1)])
    last = rows[-1]
    reduced = last[1 + nvector:1 + nvector + ncols]
    np.testing.assert_array_equal(reduced, last[1 + nvector + ncols:])
    columns = values[:, 1:ncols + 1]
    np.testing.assert_allclose(reduced, columns.sum(axis=0), rtol=1e-12, atol=1e-12 * np.abs(columns).sum())


# ---------------------------------------------------------------------------------------------
# Bad inputs as data: (id, lines after the liquid, expected message (regex), why it is right).
# "{pre}" lines go before the box is made (boundary, dimension, ...).

DMS = "fix d all dms {axis} amplitude 0.01 period 0.1"
PERATOM = "compute sa all stress/atom NULL\n" + DMS.format(axis="x") + " peratom sa"
VOLUME = """fix vol all property/atom d_vol
set group all d_vol {value}
compute v all property/atom d_vol
compute sa all stress/atom NULL
""" + DMS.format(axis="x") + " peratom sa volume c_v\nrun 25"

BAD_INPUTS = [
    # item 6: fix dms in 2-D along a dimension that does not exist
    ("dms-2d-z", "2d", "fix d all dms z amplitude 0.01 period 0.1\nrun 0",
     r"Fix dms: axis z does not exist in a 2d simulation; allowed in 2d: x, y \(uniaxial\) or xy \(shear\)",
     "a 2-D box has no z extent to strain; M' = M'' = 0 would be reported"),
    ("dms-2d-xz", "2d", "change_box all triclinic\nfix d all dms xz amplitude 0.01 period 0.1\nrun 0",
     "axis xz does not exist in a 2d simulation", "there is no xz tilt in 2-D"),
    ("dms-2d-yz", "2d", "change_box all triclinic\nfix d all dms yz amplitude 0.01 period 0.1\nrun 0",
     "axis yz does not exist in a 2d simulation", "there is no yz tilt in 2-D"),
    # item 7: non-periodic strain axis
    ("dms-shrink-wrapped-axis", "boundary s p p", DMS.format(axis="x") + "\nrun 0",
     r"Fix dms: axis x needs a periodic box along x \(boundary p\), but it is ss",
     "a shrink-wrapped face follows the atoms, not the strain: no stress responds"),
    ("dms-fixed-axis", "boundary p f p", DMS.format(axis="y") + "\nrun 0",
     "axis y needs a periodic box along y \\(boundary p\\), but it is ff",
     "a free surface carries no load along the strain"),
    ("dms-shear-second-dim", "boundary p s p", "change_box all triclinic\n" + DMS.format(axis="xy") + "\nrun 0",
     "axis xy needs a periodic box along y", "the xy tilt shears x against y: both must be periodic"),
    ("dms-shear-first-dim", "boundary m p p", "change_box all triclinic\n" + DMS.format(axis="xy") + "\nrun 0",
     "axis xy needs a periodic box along x \\(boundary p\\), but it is mm", "as above, the first dimension"),
    # item 9: the box changed between runs by another command
    ("dms-change-box-lateral", "", DMS.format(axis="x") + "\nrun 30\nchange_box all y scale 1.01 remap\nrun 10",
     r"Fix dms d: the box was changed since its last run, not by this fix \(ylo = .* was .*\); .*unfix d and define "
     "it again", "the lateral box must stay fixed for M' to be the longitudinal modulus"),
    ("dms-change-box-axis", "", DMS.format(axis="x") + "\nrun 30\nchange_box all x final 0 5 remap\nrun 10",
     r"the box was changed since its last run, not by this fix \(xhi = 7.937\d* was 4.762",
     "on the strain axis the change would be silently undone by the next strain"),
    ("dms-change-box-tilt", "", "change_box all triclinic\n" + DMS.format(axis="xy")
     + "\nrun 30\nchange_box all xz final 0.1 remap\nrun 10",    # 0.1 lattice units
     r"not by this fix \(xz = 0.1587\d* was 0\)", "another tilt changed: G' assumes the rest of the box is fixed"),
    # item 8: a backward timestep jump during the oscillation
    ("dms-timestep-back", "", DMS.format(axis="x") + "\nrun 30\nreset_timestep 10\nrun 10",
     r"Fix dms d: the timestep was set back from 30 to 10 during the oscillation, so its cycles would be sampled twice",
     "cycle [20, 40) would get its samples 10..30 twice (a fit from the wrong number of samples)"),
    ("dms-timestep-back-same-cycle", "", DMS.format(axis="x") + "\nrun 35\nreset_timestep 25\nrun 10",
     "the timestep was set back from 35 to 25", "a jump back that stays inside the open cycle is no better"),
    # item 10: a user's fix under the internal store's ID
    ("dms-store-replaced-window", "", PERATOM + "\nrun 0\nunfix d_GLASSDYN_DMS_ATOM\n"
     "fix d_GLASSDYN_DMS_ATOM all GLASSDYN/WINDOW 3\nrun 10",
     "Fix dms d: its internal fix d_GLASSDYN_DMS_ATOM was deleted and replaced by a fix of style GLASSDYN/WINDOW "
     "that holds none of its data", "a 3-column store read as 15 columns is garbage (or out of bounds)"),
    ("dms-store-replaced-other-style", "", PERATOM + "\nrun 0\nunfix d_GLASSDYN_DMS_ATOM\n"
     "fix d_GLASSDYN_DMS_ATOM all nve\nrun 10", "replaced by a fix of style nve", "not a store at all"),
    ("stringlike-store-replaced", "", "compute s all stringlike/atom delta 0.5 window 10\nrun 0\n"
     "unfix s_GLASSDYN_WINDOW\nfix s_GLASSDYN_WINDOW all GLASSDYN/WINDOW 7\nrun 10",
     "Compute stringlike/atom s: its internal fix s_GLASSDYN_WINDOW was deleted and replaced by a fix "
     "s_GLASSDYN_WINDOW of style GLASSDYN/WINDOW that holds none of its data",
     "even the right width holds no reference positions of this compute"),
    ("cage-store-replaced", "", "compute c all cage/atom cutoff 1.3 window 10\nrun 0\n"
     "unfix c_GLASSDYN_WINDOW\nfix c_GLASSDYN_WINDOW all GLASSDYN/WINDOW 2\nrun 10",
     "Compute cage/atom c: its internal fix c_GLASSDYN_WINDOW was deleted and replaced",
     "a 2-column store has no cage lists (the old garbage C = 0.996)"),
    ("pu-source-store-deleted", "", "compute s all stringlike/atom delta 0.5 window 10\n"
     "compute pu all displacement/distribution s\nrun 0\nunfix s_GLASSDYN_WINDOW\nprint \"$(c_pu[1])\"",
     "Compute stringlike/atom s: its internal fix s_GLASSDYN_WINDOW is missing: it was deleted",
     "p(u) reads the store of its source; it must not follow a dangling pointer"),
    # item 4: the deleted store of fix dms, then per-atom output
    ("dms-store-deleted-run", "", PERATOM + "\ndump x all custom 10 x.dump id f_d[1]\nrun 0\n"
     "unfix d_GLASSDYN_DMS_ATOM\nrun 10",
     "Fix dms d: its internal fix d_GLASSDYN_DMS_ATOM is missing: it was deleted; unfix d and define it again",
     "the dump would read freed per-atom rows"),
    ("dms-store-deleted-write-dump", "", PERATOM + "\nrun 0\nunfix d_GLASSDYN_DMS_ATOM\n"
     "write_dump all custom w.dump id f_d[1]", "Dump custom fix d does not compute per-atom info",
     "after the deletion the fix no longer offers per-atom output; this used to segfault"),
    # item 11: per-atom volumes that are not finite and positive
    ("dms-volume-zero", "", VOLUME.format(value="0.0"),
     r"Fix dms d volume: compute v gives atom \d+ the volume 0; per-atom moduli need a finite volume > 0",
     "dividing by a zero volume gives inf/NaN per-atom moduli"),
    ("dms-volume-negative", "", VOLUME.format(value="-2.0"), r"gives atom \d+ the volume -2;",
     "a negative volume has no meaning"),
    ("dms-volume-infinite", "", "variable big atom 1e308*10\n" + VOLUME.format(value="v_big"),
     r"gives atom \d+ the volume inf;", "an infinite volume would silently give 0"),
    # hardening: fix dms
    ("dms-empty-group", "", "group nobody empty\nfix d nobody dms x amplitude 0.01 period 0.1\nrun 0",
     "Fix dms d: group nobody has no atoms", "no atom follows the box, so no stress responds to the strain"),
    ("dms-tiny-amplitude", "", "fix d all dms x amplitude 1e-300 period 0.1\nrun 0",
     r"amplitude: EA = 1e-300 is below 1e-09", "the box would not change; the moduli were ~1e298"),
    ("dms-period-too-long", "", "fix d all dms x amplitude 0.01 period 1e17\nrun 0",
     r"period: TW = 1e\+17 is 2e\+19 steps of 0.005, more than 2\^52 steps",
     "the step count would overflow its integer"),
    ("dms-peratom-wildcard-without-peratom", "", DMS.format(axis="x") + "\ndump x all custom 10 x.dump id f_d[*]",
     "Dump custom fix d does not compute per-atom info", "without peratom there are no per-atom values"),
    ("dms-volume-bracket", "", "compute sa all stress/atom NULL\n" + DMS.format(axis="x")
     + " peratom sa volume c_v[2",
     "Expected integer parameter instead of NULL or empty string", "a broken c_ID[k] reference"),
    # hardening: windows
    ("window-too-long", "", "compute s all stringlike/atom delta 0.5 window 4503599627370497",
     r"window: N must be at most 2\^52 = 4503599627370496 steps",
     "window ends would overflow and restart files keep steps as doubles"),
    ("cage-window-too-long", "", "compute c all cage/atom cutoff 1.3 window 9223372036854775807",
     r"Compute cage/atom window: N must be at most 2\^52", "as above"),
    ("dms-rerun", "", "dump f all custom 10 f.dump id type x y z ix iy iz\nrun 20\nundump f\n"
     + DMS.format(axis="x") + "\nrerun f.dump dump x y z ix iy iz",
     "Fix dms d: cannot be used with rerun",
     "rerun reads the box from the dump; every frame looked like a timestep jump and no cycle was fitted"),
    ("dms-dynamic-group", "", "region lo block INF INF INF INF 0 1.5\ngroup dyn dynamic all region lo\n"
     "fix d dyn dms x amplitude 0.01 period 0.1\nrun 20",
     "Fix dms cannot use the dynamic group dyn: the atoms that follow the strain must not change",
     "atoms entering or leaving the group would follow the strain for part of a cycle (it said 'no atoms')"),
    ("dms-restart-then-change-box", "", DMS.format(axis="x") + "\nrun 25\nwrite_restart r.restart\nclear\n"
     "read_restart r.restart\nchange_box all y scale 1.1\n" + DMS.format(axis="x") + "\nrun 10",
     r"Fix dms d: the box was changed since its last run, not by this fix \(ylo = ",
     "the restart file records the box the oscillation left, so a change after read_restart is seen too"),
    ("dms-volume-denormal", "", "compute sa all stress/atom NULL\n" + DMS.format(axis="x")
     + " peratom sa volume 1e-310", r"volume: V = 1e-310 is so small that 1/\(EA V\) overflows",
     "per-atom moduli would be infinite"),
    ("dms-volume-compute-denormal", "", VOLUME.format(value="1e-310"), r"gives atom \d+ the volume 1e-310;",
     "the same from a volume compute"),
    ("cage-nlost-above-maxcage", "", "compute c all cage/atom cutoff 1.3 window 10 maxcage 8 nlost 9",
     "nlost: N = 9 exceeds maxcage = 8, so no cage could break", "C would be 0 whatever happens"),
    ("store-too-wide", "", "fix w all GLASSDYN/WINDOW 100000000", r"ncolumns must be in 1..10000, got 100000000",
     "a hand-made store of 10^8 columns per atom would exhaust memory"),
    # staggered windows (issue 13, item 2)
    ("origins-zero", "", "compute s all stringlike/atom delta 0.5 window 10 origins 0",
     r"Compute stringlike/atom origins: K must be an integer in 1\.\.64, got 0", "no window at all"),
    ("origins-too-many", "", "compute c all cage/atom cutoff 1.3 window 130 origins 65",
     r"Compute cage/atom origins: K must be an integer in 1\.\.64, got 65",
     "K reference copies per atom: a bound keeps the store's memory sensible"),
    ("origins-not-dividing", "", "compute s all stringlike/atom delta 0.5 window 10 origins 3",
     r"origins: K = 3 must divide the window length N = 10 \(a window starts every N/K steps\)",
     "windows would start at fractional steps"),
    ("origins-with-sync", "", DMS.format(axis="x") + "\ncompute s all stringlike/atom delta 0.5 sync d origins 2",
     r"origins: K > 1 cannot be combined with sync d: the fix's windows are its oscillation cycles, one at a time, "
     "each starting at zero strain", "DMS windows are whole cycles; a window starting mid-cycle has no meaning there"),
    ("origins-cage-too-wide", "", "compute c all cage/atom cutoff 1.3 window 640 maxcage 1000 origins 64",
     r"origins: K = 64 copies of the 1001 reference values per atom exceed the store's 10000 values per atom",
     "64 x 1001 doubles per atom would exhaust memory"),
    ("restart-other-maxcage", "", "compute c all cage/atom cutoff 1.3 window 100\nrun 20\nwrite_restart r.restart\n"
     "clear\nread_restart r.restart\npair_style lj/cut 2.5\npair_coeff * * 1.0 1.0\n"
     "compute c all cage/atom cutoff 1.3 window 100 maxcage 8\nrun 10",
     r"restart file holds 36 values per atom, expected 12",
     "the stored cage lists have another width: reading them would mix neighbour IDs and outputs"),
]


def bad_input_script(pre: str, lines: str) -> str:
    if pre == "2d":
        return LIQUID_2D + lines + "\n"
    return liquid(pre=pre) + lines + "\n"


@pytest.mark.parametrize("case_id, pre, lines, message, why", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_stops_with_a_message(lammps, case_id, pre, lines, message, why):
    """Each case stops LAMMPS with an ERROR line that matches `message` (see `why`)."""
    result = lammps(bad_input_script(pre, lines), expect_ok=False)
    assert re.search(message, result.error_message()), f"{why}\n{result.error_message()}\n{result.output[-2000:]}"


# Non-finite and out-of-range numbers for every numeric keyword of every style. LAMMPS's
# number parsers refuse 'nan' and 'inf' and numbers beyond double range; the styles must not
# bypass them (e.g. by parsing with strtod). (style line with {v}, parser message for 'nan')
NUMERIC_KEYWORDS = [
    ("compute s all stringlike/atom delta {v} window 10", "floating point"),
    ("compute s all stringlike/atom delta 0.5 window {v}", "integer"),
    ("compute s all stringlike/atom delta 0.5 window 10 fraction {v}", "floating point"),
    ("compute s all stringlike/atom delta 0.5 window 10 range {v} 1", "floating point"),
    ("compute s all stringlike/atom delta 0.5 window 10 range 0 {v}", "floating point"),
    ("compute s all stringlike/atom delta 0.5 window 10 delta/pair 1 2 {v}", "floating point"),
    ("compute s all stringlike/atom delta 0.5 window 10 long {v}", "integer"),
    ("compute s all stringlike/atom delta 0.5 window 10 maxsize {v}", "integer"),
    ("compute c all cage/atom cutoff {v} window 10", "floating point"),
    ("compute c all cage/atom cutoff 1.3 window 10 cutoff/pair 1 1 {v}", "floating point"),
    ("compute c all cage/atom cutoff 1.3 window 10 hysteresis {v}", "floating point"),
    ("compute c all cage/atom cutoff 1.3 window 10 nlost {v}", "integer"),
    ("compute c all cage/atom cutoff 1.3 window 10 maxcage {v}", "integer"),
    ("compute c all cage/atom cutoff 1.3 window 10 origins {v}", "integer"),
    ("compute s all stringlike/atom delta 0.5 window 10\ncompute pu all displacement/distribution s umax {v}",
     "floating point"),
    ("compute s all stringlike/atom delta 0.5 window 10\ncompute pu all displacement/distribution s logmin {v}",
     "floating point"),
    ("compute s all stringlike/atom delta 0.5 window 10\ncompute pu all displacement/distribution s beyond {v}",
     "floating point"),
    ("compute s all stringlike/atom delta 0.5 window 10\ncompute pu all displacement/distribution s bins {v}",
     "integer"),
    ("fix d all dms x amplitude {v} period 0.1", "floating point"),
    ("fix d all dms x amplitude 0.01 period {v}", "floating point"),
    ("fix d all dms x amplitude 0.01 period 0.1 every {v}", "integer"),
    ("fix d all dms x amplitude 0.01 period 0.1 harmonics {v}", "integer"),
    ("fix d all dms x amplitude 0.01 period 0.1 discard {v}", "integer"),
    ("compute sa all stress/atom NULL\nfix d all dms x amplitude 0.01 period 0.1 peratom sa volume {v}",
     "floating point"),
]
NUMERIC_CASES = [(line, kind, value) for line, kind in NUMERIC_KEYWORDS for value in ("nan", "-inf", "1e400")]


def numeric_case_id(index: int, line: str, value: str) -> str:
    words = line.split()
    keyword = words[[i for i, w in enumerate(words) if "{v}" in w][0] - 1]
    return f"{index:02d}-{keyword}-{value}"


@pytest.mark.parametrize("line, kind, value", NUMERIC_CASES,
                         ids=[numeric_case_id(i, c[0], c[2]) for i, c in enumerate(NUMERIC_CASES)])
def test_non_finite_numbers_are_refused(lammps, line, kind, value):
    """'nan', '-inf' and '1e400' given to a numeric keyword stop with LAMMPS's parser message:
    a NaN would pass checks written as `x < 0` and reach the analysis."""
    result = lammps(liquid() + line.format(v=value) + "\nrun 0\n", expect_ok=False)
    message = result.error_message()
    if value == "1e400" and kind == "floating point":
        expected = "Floating point number 1e400 in input script or data file is out of range"
    else:
        expected = f"Expected {kind} parameter instead of '{value}'"
    assert expected in message, message


# ---------------------------------------------------------------------------------------------
# Items 8 and 19: timestep jumps inside an open window or cycle, and what the warnings say.

# The sum of the displacements u of the last window changes at every window end.
WINDOW_OUTPUT = "compute su all reduce sum c_s[4]\nfix w all ave/time 1 1 1 c_su file w.txt"


def window_ends(path: Path) -> list[int]:
    """Steps at which a window was evaluated: those where the sum of u changed."""
    rows = [line.split() for line in path.read_text().splitlines() if not line.startswith("#")]
    return [int(step) for (_, before), (step, value) in zip(rows, rows[1:]) if value != before]


def test_minimize_inside_a_window_discards_it(lammps, tmp_path):
    """A minimize advances the step count without dynamics: the open window would not span the
    steps it claims, so it is discarded, and the warning states the change of step it saw."""
    script = liquid() + """
    compute s all stringlike/atom delta 0.5 window 100
    run 50
    minimize 0 0 5 5
    run 10
    """
    result = lammps(script)
    match = re.search(r"the window that began at step 0 \(due to end at step 100\) is discarded: the timestep changed "
                      r"from 50 to (\d+) between runs; the next window starts at step (\d+)", result.output)
    assert match and match.group(1) == match.group(2) and int(match.group(1)) > 50, result.output[-3000:]


def test_peratom_added_at_a_restart_skips_the_partial_cycle(lammps, tmp_path):
    """An oscillation written to a restart without `peratom` and continued with it at step 30,
    inside cycle [20, 40): the per-atom sums of that cycle miss its first 10 samples, so it gives
    no per-atom terms (it used to be fitted from 10 of 20 samples). Cycles [40, 60) and [60, 80)
    do: every atom has 2 cycles in its means, and a warning names step 40."""
    lammps(liquid() + DMS.format(axis="x") + " discard 0\nrun 30\nwrite_restart r.restart\n", name="in.first")
    second = """
    read_restart r.restart
    fix md all nvt temp 1.5 1.5 0.5
    compute sa all stress/atom NULL
    fix d all dms x amplitude 0.01 period 0.1 discard 0 peratom sa
    dump p all custom 10 p.dump id f_d[5]
    run 50
    """
    result = lammps(second, name="in.second")
    assert ("Fix dms d: the restart file holds no per-atom sums of the open cycle (written without peratom); per-atom "
            "terms start with the cycle at step 40") in result.output
    step, _, values = dump_frames(tmp_path / "p.dump")[-1]
    assert step == 80 and np.all(values[:, 1] == 2.0)


@pytest.mark.parametrize("jump_to, next_start", [(70, 70), (20, 20)])
def test_timestep_jump_inside_a_window_discards_it(lammps, tmp_path, jump_to, next_start):
    """reset_timestep forward (50 -> 70) or back (50 -> 20) inside the window [0, 100): the window
    would have spanned 120 or 70 steps while claiming 100, so it is discarded with a warning
    that states the jump that happened and the step where the next window really starts; that
    window then runs its full 100 steps."""
    script = liquid() + f"""
    compute s all stringlike/atom delta 0.5 window 100
    run 50
    reset_timestep {jump_to}
    {WINDOW_OUTPUT}
    run 150
    """
    result = lammps(script)
    assert (f"the window that began at step 0 (due to end at step 100) is discarded: the timestep changed from 50 to "
            f"{jump_to} between runs; the next window starts at step {next_start}") in result.output
    ends = window_ends(tmp_path / "w.txt")
    assert min(ends) == next_start + 100, ends


def dms_sync_script(middle: str) -> str:
    # Period 0.5 = 100 steps; windows are whole cycles starting at 0, 100, 200, ...
    return liquid() + f"""
    fix d all dms x amplitude 0.01 period 0.5 discard 0
    compute s all stringlike/atom delta 0.5 sync d
    run 250
    {middle}
    {WINDOW_OUTPUT}
    run 400
    """


def test_forward_jump_with_sync_names_the_true_next_window(lammps, tmp_path):
    """reset_timestep 250 -> 330 inside cycle [200, 300): the cycle and the window are dropped.
    Windows follow the cycles, so the next one starts at 400, not at 330 (the old warning named
    the current step); fix dms says the same of its next complete cycle."""
    result = lammps(dms_sync_script("reset_timestep 330"))
    assert ("the window that began at step 200 (due to end at step 300) is discarded: the timestep changed from 250 "
            "to 330 between runs; the next window starts at step 400") in result.output
    assert ("Fix dms d: the timestep jumped from 250 to 330 outside a run; the open cycle is dropped and the next "
            "complete cycle starts at step 400") in result.output
    assert min(window_ends(tmp_path / "w.txt")) == 500


def test_redefined_sync_fix_in_place_discards_the_window(lammps, tmp_path):
    """fix dms defined again (same ID) at step 250: a new oscillation starts there, so the open
    window [200, 300) no longer matches any cycle. It is discarded for that reason (not for a
    timestep change, which did not happen) and the next window starts with the new cycle at 250."""
    result = lammps(dms_sync_script("fix d all dms x amplitude 0.01 period 0.5 discard 0"))
    assert ("the window that began at step 200 (due to end at step 300) is discarded: the fix named by 'sync' was "
            "defined again, and its cycles do not start at this window's start; the next window starts at step 250"
            ) in result.output
    assert "timestep changed" not in result.output
    assert min(window_ends(tmp_path / "w.txt")) == 350


def test_redefined_sync_fix_after_the_compute_names_the_true_next_window(lammps, tmp_path):
    """unfix + fix dms at step 250: the new fix comes after the compute's store, which therefore
    sees its first cycle start one cycle later, at 350 (the old warning named the current step)."""
    result = lammps(dms_sync_script("unfix d\nfix d all dms x amplitude 0.01 period 0.5 discard 0"))
    assert "defined again, and its cycles do not start at this window's start; the next window starts at step 350" \
        in result.output
    assert min(window_ends(tmp_path / "w.txt")) == 450


def test_restart_with_a_shorter_window_states_the_reason(lammps, tmp_path):
    """A restart at step 60 re-issued with window 50: the open window [0, 50) ended before the
    current step. The warning says so, names the next window start (60) and not a jump."""
    first = liquid() + "compute s all stringlike/atom delta 0.5 window 100\nrun 60\nwrite_restart r.restart\n"
    lammps(first, name="in.first")
    second = f"""
    read_restart r.restart
    pair_style lj/cut 2.5
    pair_coeff * * 1.0 1.0
    fix md all nvt temp 1.5 1.5 0.5
    compute s all stringlike/atom delta 0.5 window 50
    {WINDOW_OUTPUT}
    run 120
    """
    result = lammps(second, name="in.second")
    assert ("the window that began at step 0 (due to end at step 50) is discarded: with the current window length it "
            "ended at step 50, before the current step 60; the next window starts at step 60") in result.output
    assert min(window_ends(tmp_path / "w.txt")) == 110


def test_rerun_frames_are_not_timestep_jumps(lammps, tmp_path):
    """A rerun sets up every frame at its own step: its frames jump by design and must not
    discard windows. Windows of 20 steps over frames every 10 steps are evaluated at 20 and 40,
    with the same mobile count as the original run and no warning."""
    lammps(liquid() + "dump f all custom 10 f.dump id type x y z ix iy iz\nrun 40\n", name="in.md")
    rerun = liquid() + """
    compute s all stringlike/atom delta 0.5 window 20
    fix w all ave/time 10 1 10 c_s[1] c_s[4] file w.txt
    rerun f.dump dump x y z ix iy iz
    """
    result = lammps(rerun, name="in.rerun")
    assert "discarded" not in result.output
    rows = {int(r.split()[0]): float(r.split()[1]) for r in (tmp_path / "w.txt").read_text().splitlines()
            if not r.startswith("#")}
    assert rows[20] == rows[40] == 5.0 and rows[10] == 0.0     # 5 % of 108 atoms, rounded


# ---------------------------------------------------------------------------------------------
# Item 16 and other inputs that must work.

@pytest.mark.parametrize("nprocs", [1, 2])
def test_cage_and_strings_in_2d_with_a_thin_z(lammps, tmp_path, nprocs):
    """A 2-D box 0.2 thick along z: the cage compute used to refuse it (z counted in the
    periodic-width check, though no neighbour lies along z). Now both computes run, and the
    cages are those of a square lattice: 4 nearest neighbours within 1.3 lattice spacings."""
    script = LIQUID_2D.replace("velocity all create 1.0", "velocity all create 0.01") + """
    compute c all cage/atom cutoff 1.3 window 10
    compute s all stringlike/atom delta 0.5 window 10
    run 10
    print "$(c_c[3]:%.6f) $(c_s[1]:%.0f)" file out.txt
    """
    lammps(script, nprocs=nprocs)
    mean_cage, n_fast = (float(v) for v in (tmp_path / "out.txt").read_text().split())
    assert mean_cage == 4.0 and n_fast == 3.0      # 5 % of 64 atoms


def test_delete_atoms_mid_window(lammps, tmp_path):
    """Atoms deleted while a window is open drop out: the mobile count is 5 % of the atoms left,
    cages lose nothing spurious for survivors far from the hole, and nothing crashes."""
    script = liquid() + """
    compute s all stringlike/atom delta 0.5 window 20
    compute c all cage/atom cutoff 1.3 window 20
    run 10
    region hole sphere 2.4 2.4 2.4 1.2
    delete_atoms region hole
    run 10
    print "$(atoms) $(c_s[1]:%.0f) $(c_c[1]:%.6f)" file out.txt
    """
    lammps(script, nprocs=2)
    natoms, n_fast, broken = (float(v) for v in (tmp_path / "out.txt").read_text().split())
    assert natoms < 108 and n_fast == math.floor(0.05 * natoms + 0.5) and 0.0 <= broken <= 1.0


@pytest.mark.parametrize("style", ["compute s nobody stringlike/atom delta 0.5 window 10",
                                   "compute c nobody cage/atom cutoff 1.3 window 10"])
def test_empty_group_gives_zeros_not_a_crash(lammps, tmp_path, style):
    """An empty group has no mobile atoms and no cages: every output is exactly 0."""
    ref = style.split()[1]
    lammps(liquid() + f"group nobody empty\n{style}\nrun 20\nprint \"$(c_{ref}[1]) $(c_{ref}[2])\" file out.txt\n")
    assert [float(v) for v in (tmp_path / "out.txt").read_text().split()] == [0.0, 0.0]


def test_deleted_dms_store_warns_and_reads_nan(lammps, tmp_path):
    """unfix of fix dms's store: a compute reduce defined before can still read the fix's
    per-atom output outside a run. It reads NaN (never freed memory: this used to segfault),
    a warning says why at the unfix, and the next run stops with the error."""
    script = liquid() + PERATOM + """
    compute r all reduce sum f_d[1]
    run 0
    unfix d_GLASSDYN_DMS_ATOM
    print "$(c_r)" file r.txt
    run 10
    """
    result = lammps(script, expect_ok=False)
    assert ("Fix dms d: its internal fix d_GLASSDYN_DMS_ATOM was deleted: the per-atom outputs of fix d read NaN from "
            "now on and the next run stops") in result.output
    assert (tmp_path / "r.txt").read_text().strip().lstrip("-") == "nan"
    assert "its internal fix d_GLASSDYN_DMS_ATOM is missing: it was deleted" in result.error_message()


TWO_RANK_CASES = ["origins-with-sync", "dms-volume-zero", "dms-change-box-lateral", "dms-timestep-back", "stringlike-store-replaced",
                  "dms-store-deleted-run", "dms-shrink-wrapped-axis"]


@pytest.mark.parametrize("case_id", TWO_RANK_CASES)
def test_bad_input_on_two_ranks_does_not_hang(lammps, case_id):
    """The same stops on 2 ranks: every rank reaches the collective error (or the rank holding a
    bad atom stops all with error->one), within the fixture's timeout."""
    _, pre, lines, message, why = next(c for c in BAD_INPUTS if c[0] == case_id)
    result = lammps(bad_input_script(pre, lines), nprocs=2, expect_ok=False, timeout=60)
    assert re.search(message, result.error_message()), f"{why}\n{result.output[-2000:]}"
