"""Bad input to the offline API and the dump reader (issue 10, items 2, 3, 5, 12, 13, 16).

Every case here once crashed the process, hung, or returned numbers for meaningless input.
Each must now end in one ValueError or TypeError whose message names the argument (or, from
``read_dump``, a :class:`DumpFormatError` naming the file and line). Cases that used to
segfault run in a child process so that, before the fix, the test fails instead of killing
pytest.
"""
from __future__ import annotations

import math
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

from glassdyn import _core
from glassdyn.analysis import Cages, DisplacementDistribution, DMSFit, StringLike
from glassdyn.io import Box, DumpFormatError, DumpFrame, read_dump

NAN, INF = float("nan"), float("inf")
BOX = Box(lo=(0, 0, 0), hi=(10, 10, 10))
R0 = np.array([[1.0, 1, 1], [2, 1, 1], [3, 1, 1], [7, 7, 7]])
R1 = np.array([[2.0, 1, 1], [3, 1, 1], [4, 1, 1], [7, 7, 7]])   # a chain of 3 hops and one still atom
IDS, TYPES = [1, 2, 3, 4], [1, 1, 1, 1]


def with_row(array: np.ndarray, row: int, values: Any) -> np.ndarray:
    out = np.array(array, dtype=float)
    out[row] = values
    return out


def run_child(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (a segfault there fails the test, not pytest)."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)


# ---------------------------------------------------------------- item 2: NaN into the histogram
def test_item2_nan_displacement_raises_instead_of_segfault():
    """Item 2: NaN passed ``u < 0`` and became an out-of-range bin index (segfault, exit -11).
    Python now refuses it naming ``u``; the child must exit normally after catching ValueError."""
    child = run_child("""
        from glassdyn.analysis import DisplacementDistribution
        try:
            DisplacementDistribution().compute([0.1, float("nan"), 0.3], [1, 1, 1])
        except ValueError as error:
            print("ValueError:", error)
    """)
    assert child.returncode == 0, f"crashed with {child.returncode}: {child.stderr[-500:]}"
    assert "ValueError: u must be finite" in child.stdout


@pytest.mark.parametrize("u", [NAN, -0.5, -1e300, INF])
def test_item2_core_histogram_refuses_bad_u_itself(u):
    """The core histogram is also used on the fly, where no Python check runs: a NaN, negative
    or infinite u must throw std::invalid_argument (a ValueError here) before it reaches a bin
    index or an infinite sum. Called through the binding to bypass the Python checks."""
    child = run_child(f"""
        from glassdyn import _core
        try:
            _core.DisplacementHistogram(bins=200, u_max=4.0, log_min=-3.0, beyond=2.0).compute(
                [0.1, float("{u!r}"), 0.3], [1, 1, 1], 1)
        except ValueError as error:
            print("ValueError:", error)
    """)
    assert child.returncode == 0, f"crashed with {child.returncode}: {child.stderr[-500:]}"
    assert "displacement u must be finite and >= 0" in child.stdout


def test_item12_core_pair_table_of_a_huge_type_raises_instead_of_segfault():
    """A type of 10^9 segfaulted StringLike: the core's per-pair table computed (ntypes + 1)^2 in
    int, which overflowed to a small table indexed far past its end. The Python API now caps
    types at 1000 (case type_huge); the core itself sizes the table in size_t, so even through
    the raw binding the allocation fails cleanly (MemoryError) instead of corrupting memory."""
    child = run_child("""
        from glassdyn import _core
        try:
            _core.StringLinks(ntypes=10**9, delta=1.0, search_radius=1.0).compute(
                [[0.0, 0, 0], [0.1, 0, 0]], [[0.0] * 3] * 2, [1, 1], 2)
        except MemoryError as error:
            print("MemoryError")
    """)
    assert child.returncode == 0, f"crashed with {child.returncode}: {child.stderr[-500:]}"
    assert "MemoryError" in child.stdout


# ---------------------------------------------------------------- item 3: one NaN coordinate
def dump_text(frames: list[dict[str, Any]]) -> str:
    """LAMMPS text dump of frames {step, rows, box (3 lines), columns, count (declared)}."""
    out = []
    for f in frames:
        rows = f["rows"]
        out += ["ITEM: TIMESTEP", str(f.get("step", 0)), "ITEM: NUMBER OF ATOMS", str(f.get("count", len(rows))),
                f.get("box_header", "ITEM: BOX BOUNDS pp pp pp"), *f.get("box", ["0 10", "0 10", "0 10"]),
                "ITEM: ATOMS " + f.get("columns", "id type xu yu zu"), *rows]
    return "\n".join(out) + "\n"


def chain_rows(positions: np.ndarray) -> list[str]:
    return [f"{i + 1} 1 {x} {y} {z}" for i, (x, y, z) in enumerate(positions)]


def test_item3_nan_coordinate_in_a_dump_is_refused_with_file_line_and_atom(tmp_path):
    """Item 3: read_dump accepted 'nan' as a coordinate. The refusal names the file, the line
    of the row (frame 2 starts at line 14; its 3rd row is line 25) and the atom ID."""
    bad = chain_rows(R1)
    bad[2] = "3 1 nan 1 1"
    path = tmp_path / "nan.dump"
    path.write_text(dump_text([{"step": 0, "rows": chain_rows(R0)}, {"step": 10, "rows": bad}]))
    with pytest.raises(DumpFormatError, match=r"nan\.dump, line 25: atom id 3, column 'xu' must be finite"):
        read_dump(path)


def test_item3_nan_positions_never_reach_the_analyses():
    """Item 3: frames with a NaN position (built by hand, bypassing the reader) gave NaN drift
    and u and still 25 'mobile' atoms (StringLike), a fraction (Cages), and compute_from then
    segfaulted. Each analysis now refuses the window naming the array."""
    child = run_child("""
        import numpy as np
        from glassdyn.analysis import Cages, DisplacementDistribution, StringLike
        from glassdyn.io import Box, DumpFrame
        box = Box(lo=(0, 0, 0), hi=(10, 10, 10))
        rng = np.random.default_rng(3)
        r0 = rng.uniform(0, 10, (500, 3)); r1 = r0 + rng.normal(0, 0.1, (500, 3)); r1[7, 0] = np.nan
        frame = lambda r: DumpFrame(0, box, {"id": np.arange(1, 501), "type": np.ones(500, int),
                                             "xu": r[:, 0], "yu": r[:, 1], "zu": r[:, 2]})
        for name, run in [("strings", lambda: StringLike(delta=0.6).compute_frames(frame(r0), frame(r1))),
                          ("cages", lambda: Cages(cutoff=1.5).compute_frames(frame(r0), frame(r1)))]:
            try:
                run(); print(name, "returned")
            except ValueError as error:
                print(name, "ValueError:", error)
    """)
    assert child.returncode == 0, f"crashed with {child.returncode}: {child.stderr[-500:]}"
    assert "strings ValueError: current must be finite, but current[7, 0] = nan" in child.stdout
    assert "cages ValueError: current must be finite, but current[7, 0] = nan" in child.stdout


# ---------------------------------------------------------------- item 5: huge declared counts
@pytest.mark.parametrize("declared", [10**7, 10**8, 10**18])
def test_item5_huge_declared_count_fails_at_once(tmp_path, declared):
    """Item 5: NUMBER OF ATOMS 10^7 over 500 rows took 30 s (10^8 never finished): rows were
    allocated from the declared count. The count is now checked against the bytes left in the
    file before anything is allocated, so the error comes at once and names line 4."""
    rows = [f"{i + 1} 1 {i % 10}.5 {i // 10 % 10}.5 {i // 100}.5" for i in range(500)]
    path = tmp_path / "huge.dump"
    path.write_text(dump_text([{"rows": rows, "count": declared}]))
    started = time.perf_counter()
    with pytest.raises(DumpFormatError, match=rf"huge\.dump, line 4: the frame at step 0 declares {declared} atoms"):
        read_dump(path)
    assert time.perf_counter() - started < 1.0


# ---------------------------------------------------------------- item 13: malformed dumps
FOUR = chain_rows(R0)
DUMP_CASES = [
    # (id, file text, expected message, why)
    ("count_smaller_than_rows", dump_text([{"rows": FOUR, "count": 3}, {"step": 5, "rows": FOUR}]),
     r"line 13: expected 'ITEM: TIMESTEP' after the frame at step 0, got '4 1 7.0 7.0 7.0': that frame holds more "
     r"rows than the 3 it declares",
     "the 4th row sits where the next frame must start"),
    ("count_smaller_last_frame", dump_text([{"rows": FOUR, "count": 2}]),
     r"line 12: expected 'ITEM: TIMESTEP' after the frame at step 0.*more rows than the 2",
     "extra rows after the last frame are data, not a new frame"),
    ("truncated_last_frame", dump_text([{"rows": FOUR}, {"step": 5, "count": 4, "columns": "id type xu yu zu c_a c_b",
                                         "rows": [r + " 0.123456789" * 2 for r in FOUR[:2]]}]),
     r"line 24: the frame at step 5 declares 4 atoms \(line 17\) but holds only 2 rows: the file ends",
     "a killed run leaves a frame cut short"),
    ("truncated_below_minimum_size", dump_text([{"rows": FOUR}, {"step": 5, "rows": FOUR}])[:-30],
     r"line 17: the frame at step 5 declares 4 atoms, but only 34 bytes follow; at most 3 rows",
     "too few bytes left for the declared rows: refused before reading them"),
    ("truncated_in_header", dump_text([{"rows": FOUR}]).split("ITEM: ATOMS")[0],
     r"line 8: the file ends where ITEM: ATOMS should follow", "cut inside the header"),
    ("count_larger_than_rows", dump_text([{"rows": FOUR, "count": 6}, {"step": 5, "rows": FOUR}]),
     r"declares 6 atoms \(line 4\) but holds only 4 rows: line 14 starts a new section",
     "the next frame's header is not a row"),
    ("not_a_dump_text", "Hello\nthis is a log file\n",
     r"line 1: this is not a LAMMPS text dump: expected 'ITEM: TIMESTEP', got 'Hello'", "any other text file"),
    ("empty_file", "", r"line 0: the file is empty", "an empty file holds no frame"),
    ("data_file", "LAMMPS data file\n\n4 atoms\n1 atom types\n", r"line 1: this is not a LAMMPS text dump",
     "a data file is not a dump"),
    ("garbage_token", dump_text([{"rows": FOUR[:2] + ["3 1 3.0 abc 1.0", FOUR[3]]}]),
     r"line 12: 'abc' in column 'yu' is not a number", "a word where a number belongs"),
    ("missing_column", dump_text([{"rows": FOUR[:1] + ["2 1 2.0 1.0", *FOUR[2:]]}]),
     r"line 11: row has 4 values, the ITEM: ATOMS line names 5 columns", "a short row"),
    ("no_column_names", dump_text([{"rows": FOUR, "columns": ""}]),
     r"line 9: expected 'ITEM: ATOMS' followed by column names", "nothing to name the values"),
    ("duplicate_column", dump_text([{"rows": FOUR, "columns": "id type xu xu zu"}]),
     r"names a column twice", "two columns of one name are ambiguous"),
    ("nan_box", dump_text([{"rows": FOUR, "box": ["0 nan", "0 10", "0 10"]}]),
     r"line 6: box bounds and tilts must be finite", "a NaN box bound"),
    ("inf_tilt", dump_text([{"rows": FOUR, "box_header": "ITEM: BOX BOUNDS xy xz yz pp pp pp",
                             "box": ["0 10 inf", "0 10 0", "0 10 0"]}]),
     r"line 6: box bounds and tilts must be finite", "an infinite tilt"),
    ("inverted_box", dump_text([{"rows": FOUR, "box": ["10 0", "0 10", "0 10"]}]),
     r"line 8: invalid box: Box.hi must exceed Box.lo", "hi below lo"),
    ("nan_mass", dump_text([{"rows": [r + " 1.0" for r in FOUR[:3]] + [FOUR[3] + " nan"],
                             "columns": "id type xu yu zu mass"}]),
     r"line 13: atom id 4, column 'mass' must be finite", "masses weight the drift"),
    ("inf_image_flag", dump_text([{"rows": [f"{i} 1 1 1 1 0 0 {'inf' if i == 2 else 0}" for i in (1, 2)],
                                   "columns": "id type x y z ix iy iz"}]),
     r"line 11: atom id 2, column 'iz' must be finite", "image flags unwrap positions"),
    ("fractional_id", dump_text([{"rows": ["1.5 1 1 1 1"]}]), r"line 10: .*column 'id' must hold whole numbers",
     "ids are integers"),
    ("id_zero", dump_text([{"rows": ["0 1 1 1 1", "2 1 2 2 2"]}]), r"line 10: atom id 0, column 'id' must be >= 1",
     "a string labelled 0 means 'no string'"),
    ("type_zero", dump_text([{"rows": ["1 0 1 1 1"]}]), r"line 10: atom id 1, column 'type' must be >= 1",
     "LAMMPS types start at 1"),
    ("duplicate_id", dump_text([{"rows": ["1 1 1 1 1", "1 1 2 2 2"]}]), r"atom id 1 occurs twice",
     "one atom per id"),
    ("negative_count", dump_text([{"rows": [], "count": -3}]), r"line 4: the number of atoms must be >= 0",
     "a count cannot be negative"),
    ("count_not_a_number", dump_text([{"rows": FOUR, "count": "lots"}]),
     r"line 4: the number of atoms must be an integer, got 'lots'", "a word where the count belongs"),
    ("timestep_not_a_number", dump_text([{"rows": FOUR, "step": "1.5"}]),
     r"line 2: the timestep must be an integer", "timesteps are integers"),
    ("binary_garbage", "\x00\x01\x02garbage\xff" * 10, r"line 1: this is not a LAMMPS text dump",
     "a binary file"),
]


@pytest.mark.parametrize("name, text, message, why", DUMP_CASES, ids=[c[0] for c in DUMP_CASES])
def test_item13_malformed_dumps_are_refused_with_file_and_line(tmp_path, name, text, message, why):
    """Item 13 (and the reader's share of 3 and 12): each malformed file returned frames or []
    before. Now each raises DumpFormatError (a ValueError) whose message starts with the file
    name and the line where reading stopped; ``why`` says what makes the file wrong."""
    path = tmp_path / f"{name}.dump"
    path.write_text(text, encoding="latin-1")
    with pytest.raises(DumpFormatError, match=message) as caught:
        read_dump(path)
    assert str(caught.value).startswith(f"{path}, line "), why
    assert isinstance(caught.value, ValueError)


def test_item13_well_formed_dumps_still_read(tmp_path):
    """The stricter reader still takes what LAMMPS writes: ITEM: UNITS / ITEM: TIME preambles,
    triclinic headers, empty frames, rows sorted by id, and dimension=2 stored in the box."""
    text = ("ITEM: UNITS\nlj\nITEM: TIME\n0.5\n" + dump_text([{"rows": FOUR[::-1]}]) +
            dump_text([{"step": 5, "rows": [], "box_header": "ITEM: BOX BOUNDS xy xz yz pp pp pp",
                        "box": ["-1 11 1", "0 10 0", "0 10 0"]}]))
    path = tmp_path / "good.dump"
    path.write_text(text)
    first, second = read_dump(path)
    assert first["id"].tolist() == [1, 2, 3, 4] and first["id"].dtype == np.int64
    np.testing.assert_array_equal(first.unwrapped_positions(), R0)
    assert second.box.tilt == (1.0, 0.0, 0.0) and second.box.lo[0] == -1.0 and second.box.hi[0] == 10.0
    assert len(second) == 0
    assert read_dump(path, dimension=2)[0].box.dimension == 2


# ---------------------------------------------------------------- item 12: meaningless arguments
def strings(**kwargs: Any) -> Callable[[], Any]:
    args = dict(box=BOX, ids=IDS, types=TYPES, reference=R0, current=R1)
    args.update(kwargs)
    return lambda: StringLike(delta=0.5, u_range=(0.5, 2.0)).compute(**args)


def cages(**kwargs: Any) -> Callable[[], Any]:
    args = dict(start_box=BOX, end_box=BOX, ids=IDS, types=TYPES, reference=R0, current=R1)
    args.update(kwargs)
    return lambda: Cages(cutoff=1.5).compute(**args)


T = np.arange(0.0, 30.0, 0.01)
SIGNAL = 0.5 * np.sin(2 * np.pi * T / 10)

ARGUMENT_CASES = [
    # (id, call, exception, message, why)
    ("hysteresis_nan", lambda: Cages(1.0, hysteresis=NAN), ValueError, "hysteresis must be a finite number",
     "NaN made every 'lost' test false: 0 broken cages"),
    ("hysteresis_inf", lambda: Cages(1.0, hysteresis=INF), ValueError, "hysteresis must be a finite number",
     "no neighbour can be lost beyond infinity"),
    ("cutoff_inf", lambda: Cages(INF), ValueError, "cutoff must be a finite number", "a cage needs a radius"),
    ("cutoff_int_beyond_double", lambda: Cages(10**400), ValueError, "cutoff must be a finite number",
     "float(10**400) overflows"),
    ("cutoff_string", lambda: Cages("1.5"), TypeError, "cutoff must be a real number", "text is not a distance"),
    ("nlost_float", lambda: Cages(1.0, nlost=1.5), TypeError, "nlost must be an integer", "a count"),
    ("nlost_huge", lambda: Cages(1.0, nlost=2**70), ValueError, "nlost must be <=", "would overflow int64"),
    ("cutoff_pairs_nan", lambda: Cages(1.0, cutoff_pairs={(1, 2): NAN}), ValueError, r"cutoff_pairs\[\(1, 2\)\]",
     "a NaN pair cutoff"),
    ("cutoff_pairs_bad_key", lambda: Cages(1.0, cutoff_pairs={1: 1.0}), TypeError, "cutoff_pairs keys must be pairs",
     "keys are type pairs"),
    ("cutoff_pairs_type_zero", lambda: Cages(1.0, cutoff_pairs={(0, 1): 1.0}), ValueError,
     r"cutoff_pairs key \(0, 1\) must be >= 1", "types start at 1"),
    ("delta_nan", lambda: StringLike(NAN), ValueError, "delta must be a finite number", "the pair test distance"),
    ("fraction_nan", lambda: StringLike(1.0, fraction=NAN), ValueError, "fraction must be a finite number",
     "NaN selects no atom"),
    ("u_range_inf", lambda: StringLike(1.0, u_range=(0.1, INF)), ValueError, r"u_range\[1\] must be a finite",
     "give a finite upper bound"),
    ("u_range_scalar", lambda: StringLike(1.0, u_range=0.5), TypeError, "u_range must be a pair", "two bounds"),
    ("long_float", lambda: StringLike(1.0, long=6.5), TypeError, "long must be an integer", "a string size"),
    ("maxsize_huge", lambda: StringLike(1.0, maxsize=10**12), ValueError, "maxsize: M must be an integer in 1..100000",
     "the size histogram would need terabytes"),
    ("remove_drift_string", lambda: StringLike(1.0, remove_drift="no"), TypeError, "remove_drift must be True or False",
     "'no' is truthy"),
    ("delta_pairs_negative", lambda: StringLike(1.0, delta_pairs={(1, 1): -1.0}), ValueError,
     r"delta_pairs\[\(1, 1\)\] must be > 0", "a distance"),
    ("masses_nan", strings(masses=[1.0, NAN, 1.0, 1.0]), ValueError, r"masses must be finite, but masses\[1\]",
     "NaN mass made the drift NaN"),
    ("masses_negative", strings(masses=[1.0, -2.0, 1.0, 1.0]), ValueError, "masses must be > 0",
     "a negative mass can cancel the total mass"),
    ("masses_mapping_zero", strings(masses={1: 0.0}), ValueError, r"masses\[1\] must be > 0", "zero mass"),
    ("masses_wrong_length", strings(masses=[1.0, 1.0]), ValueError, r"masses must have shape \(4,\)", "per atom"),
    ("id_zero", strings(ids=[0, 2, 3, 4]), ValueError, "ids must be >= 1",
     "string label 0 means 'no string': atom 0's string would read as none"),
    ("ids_duplicate", strings(ids=[1, 2, 2, 4]), ValueError, r"ids must be unique; \[2\]", "one atom per id"),
    ("ids_fractional", strings(ids=[1, 2.5, 3, 4]), ValueError, "ids must hold whole numbers", "ids are integers"),
    ("ids_text", strings(ids=["a", "b", "c", "d"]), TypeError, "ids must be integers", "ids are integers"),
    ("ids_huge", strings(ids=[1, 2, 3, 2**70]), TypeError, "ids must be integers", "beyond int64"),
    ("type_zero", strings(types=[0, 1, 1, 1]), ValueError, "types must be >= 1", "LAMMPS types start at 1"),
    ("type_huge", strings(types=[1, 1, 1, 10**9]), ValueError, "types must be <= 1000",
     "the pair table would need (ntypes+1)^2 entries"),
    ("ntypes_too_small", strings(types=[1, 2, 2, 1], ntypes=1), ValueError, "ntypes must be >= 2",
     "types above ntypes"),
    ("types_short", strings(types=[1, 1]), ValueError, r"types must have shape \(4,\)", "one type per atom"),
    ("reference_nan", strings(reference=with_row(R0, 1, NAN)), ValueError, r"reference must be finite",
     "NaN positions"),
    ("current_inf", cages(current=with_row(R1, 2, INF)), ValueError, r"current must be finite", "inf positions"),
    ("reference_shape", cages(reference=R0[:, :2]), ValueError, r"reference must have shape \(4, 3\)", "3-D rows"),
    ("ragged", strings(reference=[[1, 1, 1], [1, 1]]), TypeError, "reference must be an array of numbers",
     "rows of unequal length"),
    ("far_outside_box", strings(current=with_row(R1, 0, 1e300)), ValueError, r"current\[0\].*lies more than",
     "wrapping 1e300 into a box of 10 keeps no digit"),
    ("group_floats", strings(group=[0.5, 1, 1, 1]), TypeError, "group must be a mask",
     "0.5 is neither in nor out"),
    ("group_short", cages(group=[True]), ValueError, r"group must have shape \(4,\)", "one flag per atom"),
    ("box_not_a_box", strings(box={"lo": (0, 0, 0)}), TypeError, "box must be a glassdyn.io.Box", "a dict"),
    ("boxes_differ_in_dimension", lambda: cages(end_box=Box(lo=(0, 0, 0), hi=(10, 10, 10), dimension=2))(), ValueError,
     "differ in dimension", "one system has one dimension"),
    ("box_nan", lambda: Box(lo=(0, 0, NAN), hi=(1, 1, 1)), ValueError, "Box.lo must be finite", "NaN bound"),
    ("box_tilt_inf", lambda: Box(lo=(0, 0, 0), hi=(1, 1, 1), tilt=(INF, 0, 0)), ValueError,
     "Box.tilt must be finite", "infinite tilt"),
    ("box_inverted", lambda: Box(lo=(0, 0, 0), hi=(1, -1, 1)), ValueError, "Box.hi must exceed Box.lo",
     "empty box"),
    ("box_dimension_4", lambda: Box(lo=(0, 0, 0), hi=(1, 1, 1), dimension=4), ValueError,
     "Box.dimension must be <= 3", "LAMMPS has 2 and 3"),
    ("box_2d_z_tilt", lambda: Box(lo=(0, 0, 0), hi=(1, 1, 1), tilt=(0, 0.1, 0), dimension=2), ValueError,
     "a 2-D box cannot tilt along z", "as in LAMMPS"),
    ("frames_differ", lambda: StringLike(0.5).compute_frames(
        DumpFrame(0, BOX, {"id": np.array([1, 2]), "type": np.array([1, 1])}),
        DumpFrame(1, BOX, {"id": np.array([1, 3]), "type": np.array([1, 1])})), ValueError,
     "start and end frames hold different atoms", "both frames with the same ids"),
    ("frame_without_type", lambda: Cages(1.0).compute_frames(DumpFrame(0, BOX, {"id": np.array([1])}),
                                                             DumpFrame(1, BOX, {"id": np.array([1])})), ValueError,
     r"start frame \(step 0\) has no column \['type'\]", "types are needed"),
    ("frame_not_a_frame", lambda: Cages(1.0).compute_frames("a.dump", "b.dump"), TypeError,
     "start must be a glassdyn.io.DumpFrame", "a path is not a frame"),
    ("dd_beyond_nan", lambda: DisplacementDistribution(beyond=NAN), ValueError, "beyond must be a finite number",
     "NaN made fraction_beyond 0 for any data"),
    ("dd_u_max_inf", lambda: DisplacementDistribution(u_max=INF), ValueError, "u_max must be a finite number",
     "infinitely wide bins"),
    ("dd_bins_huge", lambda: DisplacementDistribution(bins=10**9), ValueError, "bins: N must be an integer in 1..100000",
     "gigabytes of bins"),
    ("dd_bins_float", lambda: DisplacementDistribution(bins=20.5), TypeError, "bins must be an integer",
     "a count"),
    ("dd_log_min_nan", lambda: DisplacementDistribution(log_min=NAN), ValueError, "log_min must be a finite number",
     "NaN log range"),
    ("dd_u_negative", lambda: DisplacementDistribution().compute([0.1, -0.2], [1, 1]), ValueError,
     "u must be >= 0", "a displacement is a length"),
    ("dd_u_inf", lambda: DisplacementDistribution().compute([0.1, INF], [1, 1]), ValueError, "u must be finite",
     "infinite mean"),
    ("dd_types_zero", lambda: DisplacementDistribution().compute([0.1, 0.2], [0, 1]), ValueError,
     "types must be >= 1", "types start at 1"),
    ("dd_mismatched", lambda: DisplacementDistribution().compute([0.1, 0.2], [1]), ValueError,
     r"types must have shape \(2,\)", "one type per value"),
    ("dd_u_2d", lambda: DisplacementDistribution().compute([[0.1, 0.2]], [1, 1]), ValueError,
     r"u must have shape \(N,\)", "a flat list of displacements"),
    ("dd_from_not_strings", lambda: DisplacementDistribution().compute_from([0.1], [1]), TypeError,
     "strings must be a computed StringLike", "compute_from reads a StringLike"),
    ("dd_from_wrong_types", lambda: DisplacementDistribution().compute_from(strings()(), [1, 1]), ValueError,
     r"types must have shape \(4,\)", "one type per analysed atom"),
    ("dms_period_inf", lambda: DMSFit(0.01, INF), ValueError, "period must be a finite number",
     "0 cycles, moduli 0"),
    ("dms_amplitude_inf", lambda: DMSFit(INF, 10.0), ValueError, "amplitude must be a finite number",
     "moduli 0"),
    ("dms_t_start_nan", lambda: DMSFit(0.01, 10.0, t_start=NAN), ValueError, "t_start must be a finite number",
     "no cycle starts at NaN"),
    ("dms_harmonics_true", lambda: DMSFit(0.01, 10.0, harmonics=True), TypeError, "harmonics must be an integer",
     "True == 1 but is not a count"),
    ("dms_time_nan", lambda: DMSFit(0.01, 10.0).compute(with_row(T, 5, NAN), SIGNAL), ValueError,
     r"time must be finite, but time\[5\]", "NaN times fitted 0 cycles"),
    ("dms_stress_inf", lambda: DMSFit(0.01, 10.0).compute(T, with_row(SIGNAL, 5, INF)), ValueError,
     "stress must be finite", "infinite moduli"),
    ("dms_no_cycle_left", lambda: DMSFit(0.01, 10.0, discard=3).compute(T, SIGNAL), ValueError,
     r"no complete cycle is left to average: 3 complete cycle\(s\)", "moduli of zero cycles are not numbers"),
    ("dms_period_longer_than_series", lambda: DMSFit(0.01, 1e6).compute(T, SIGNAL), ValueError,
     "no complete cycle is left", "a period longer than the samples"),
    ("dms_far_t_start", lambda: DMSFit(0.01, 1e-3, t_start=-1e300).compute(T, SIGNAL), ValueError,
     "more than 1e15 periods from t_start", "the cycle index would overflow"),
    ("dms_overflow", lambda: DMSFit(1e-300, 10.0).compute(T, 1e300 * np.sin(2 * np.pi * T / 10)), ValueError,
     "is not finite: the input values are too large", "finite input whose moduli overflow"),
    ("read_dump_dimension", lambda: read_dump("x.dump", dimension=1), ValueError, "dimension must be >= 2",
     "LAMMPS has 2 and 3"),
]


@pytest.mark.parametrize("name, call, error, message, why", ARGUMENT_CASES, ids=[c[0] for c in ARGUMENT_CASES])
def test_item12_meaningless_arguments_are_refused(name, call, error, message, why):
    """Item 12: each call returned numbers (or crashed) before. Now it raises exactly one
    ValueError/TypeError whose message names the argument; ``why`` says why the input is
    meaningless."""
    with pytest.raises(error, match=message):
        call()


def test_item12_valid_input_still_gives_the_documented_numbers():
    """The checks must not change valid results: the docstring chain of 3 hops is one string
    of 3, and its p(u) through compute_from has mean u = 0.75 over 4 atoms."""
    s = StringLike(delta=0.5, u_range=(0.5, 2.0), remove_drift=False).compute(BOX, IDS, TYPES, R0, R1)
    assert s.string_size.tolist() == [3, 3, 3, 0] and s.string_id.tolist() == [1, 1, 1, 0]
    d = DisplacementDistribution(bins=4, u_max=2.0).compute_from(s, TYPES)
    assert d.mean[0] == pytest.approx(0.75)


# ---------------------------------------------------------------- item 16: 2-D systems
def planar_window(z: float, n: int = 400, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D liquid-like window: random points in a 20 x 20 square at height z, small moves
    plus a few hops of about one neighbour distance."""
    rng = np.random.default_rng(seed)
    r0 = np.column_stack([rng.uniform(0, 20, (n, 2)), np.full(n, z)])
    r1 = r0.copy()
    r1[:, :2] += rng.normal(0, 0.05, (n, 2))
    r1[:40, :2] += rng.normal(0, 0.8, (40, 2))
    return r0, r1


def test_item16_2d_thin_z_is_analysed_as_2d():
    """Item 16: a LAMMPS 2-D box has a thin z (here -0.5..0.5); the core counted z in the
    box-width checks and refused every window. With dimension=2 z is ignored, and the results
    equal those of the same atoms in a thick 3-D box, where z plays no role either (all atoms
    at one z, no periodic image along z within reach)."""
    r0, r1 = planar_window(0.0)
    ids, types = np.arange(1, 401), np.where(np.arange(400) < 300, 1, 2)
    thin3d = Box(lo=(0, 0, -0.5), hi=(20, 20, 0.5))
    thin2d = Box(lo=(0, 0, -0.5), hi=(20, 20, 0.5), dimension=2)
    thick = Box(lo=(0, 0, -50), hi=(20, 20, 50))
    with pytest.raises(ValueError, match="exceeds the box width"):
        StringLike(delta=0.6, fraction=0.1).compute(thin3d, ids, types, r0, r1)
    with pytest.raises(ValueError, match="exceeds half the box width"):
        Cages(cutoff=1.5).compute(thin3d, thin3d, ids, types, r0, r1)
    s2, s3 = (StringLike(delta=0.6, fraction=0.1).compute(b, ids, types, r0, r1) for b in (thin2d, thick))
    np.testing.assert_array_equal(s2.string_id, s3.string_id)
    np.testing.assert_allclose(s2.displacement, s3.displacement)
    assert s2.n_fast == 40 and s2.n_string_atoms == s3.n_string_atoms
    c2, c3 = (Cages(cutoff=1.5).compute(b, b, ids, types, r0, r1) for b in (thin2d, thick))
    np.testing.assert_array_equal(c2.n_cage, c3.n_cage)
    np.testing.assert_array_equal(c2.broken, c3.broken)
    assert 0 < c2.fraction_broken < 1


def test_item16_2d_needs_every_atom_at_one_z():
    """dimension=2 means z is not a direction: atoms at different z (a 3-D configuration given a
    2-D box by mistake) are refused rather than analysed with z silently unwrapped."""
    r0, r1 = planar_window(0.0)
    r1[3, 2] = 0.2
    box = Box(lo=(0, 0, -0.5), hi=(20, 20, 0.5), dimension=2)
    with pytest.raises(ValueError, match="dimension=2.*same z"):
        Cages(cutoff=1.5).compute(box, box, np.arange(1, 401), np.ones(400, int), r0, r1)


def test_item16_2d_dump_round_trip(tmp_path):
    """read_dump(dimension=2) gives boxes the analyses treat as 2-D, end to end from a file with
    LAMMPS's usual 2-D box (z from -0.5 to 0.5, every z = 0)."""
    r0, r1 = planar_window(0.0, n=400)
    path = tmp_path / "flat.dump"
    box = ["0 20", "0 20", "-0.5 0.5"]
    path.write_text(dump_text([{"rows": [f"{i + 1} 1 {x} {y} {z}" for i, (x, y, z) in enumerate(r)],
                                "step": step, "box": box} for step, r in ((0, r0), (100, r1))]))
    start, end = read_dump(path, dimension=2)
    c = Cages(cutoff=1.5).compute_frames(start, end)
    assert 0 < c.fraction_broken < 1 and math.isfinite(c.mean_lost)
    s = StringLike(delta=0.6, fraction=0.1).compute_frames(start, end)
    assert s.n_fast == 40

