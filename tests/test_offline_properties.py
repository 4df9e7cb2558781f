"""Property-based tests of the offline API and the dump reader (issue 10, hardening).

Hypothesis generates arguments and arrays (NaN, inf, huge, tiny, negative, empty, mismatched
shapes, duplicate or zero ids, types out of range) and dump files (valid ones, then truncated,
with wrong counts, garbage tokens, NaN, missing columns, huge declared counts). The property
is the same everywhere: the process never crashes or hangs, and every call either returns a
result whose numbers are all finite, or raises ValueError/TypeError (from ``read_dump``: a
:class:`DumpFormatError` naming the file and line). Runs are derandomized (reproducible in CI)
and bounded: a per-example deadline and at most 150 examples per test.
"""
from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from glassdyn.analysis import Cages, DisplacementDistribution, DMSFit, StringLike
from glassdyn.io import Box, DumpFormatError, read_dump

SETTINGS = settings(max_examples=150, deadline=5000, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Non-finite, huge, tiny, negative and signed-zero values, each branch about equally often.
WEIRD = st.one_of(st.sampled_from([math.nan, math.inf, -math.inf]), st.sampled_from([1e308, -1e308, 1e15, 1e300]),
                  st.sampled_from([5e-324, 1e-300, 0.0, -0.0, -1.0]), st.floats())
NUMBER = st.one_of(st.floats(-30, 30), WEIRD, st.sampled_from([10**400, -(10**400), 3, True]))
COUNT = st.one_of(st.integers(-3, 60), st.sampled_from([2**31, 2**63 - 1, 2**70]), st.floats(-3, 60), st.none())


def finite(*values: Any) -> bool:
    return all(np.isfinite(np.asarray(v, dtype=float)).all() for v in values)


def allowed(call: Callable[[], Any]) -> Any:
    """The result of ``call``, or None when it refused with ValueError/TypeError."""
    try:
        result = call()
    except (ValueError, TypeError) as error:
        event(f"refused: {type(error).__name__}: {str(error)[:30]}")   # --hypothesis-show-statistics shows the mix
        return None
    event("computed")
    return result


@st.composite
def boxes(draw: Any, dimension: Any = None) -> Any:
    """Mostly valid 20 x 20 x 20 boxes (sometimes thin, tilted or 2-D), sometimes nonsense."""
    if draw(st.integers(0, 5)) == 0:
        three = st.lists(NUMBER, min_size=3, max_size=3)
        return dict(lo=draw(three), hi=draw(three), tilt=draw(three), dimension=draw(st.sampled_from([1, 2, 3, 3.0])))
    z_hi = draw(st.sampled_from([20.0, 20.0, 1.0]))
    dim = draw(st.sampled_from([3, 3, 2])) if dimension is None else dimension
    xy = draw(st.sampled_from([0.0, 0.0, 3.0, -7.5]))
    return dict(lo=(0.0, 0.0, 0.0), hi=(20.0, 20.0, z_hi), tilt=(xy, 0.0, 0.0), dimension=dim,
                periodic=draw(st.sampled_from([(True, True, True), (True, False, True)])))


def make_box(fields: dict) -> Box:
    return Box(**fields)


@st.composite
def windows(draw: Any) -> dict:
    """Per-atom input of one window: a valid window, then with probability 1/2 a few breakages
    (non-finite or huge coordinates, wrong shapes, bad ids, types, group, ntypes or masses)."""
    n = draw(st.integers(0, 40))
    planar = draw(st.booleans())    # every atom at one z, as a 2-D run writes
    reference = np.array(draw(st.lists(st.floats(0, 19.99), min_size=3 * n, max_size=3 * n))).reshape(n, 3)
    moves = np.array(draw(st.lists(st.floats(-1.5, 1.5), min_size=3 * n, max_size=3 * n))).reshape(n, 3)
    current = reference + moves
    if planar:
        reference[:, 2] = current[:, 2] = 0.5
    types = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    atoms: dict[str, Any] = dict(
        ids=draw(st.permutations(list(range(1, n + 1)))), types=types, reference=reference, current=current,
        group=draw(st.one_of(st.none(), st.lists(st.booleans(), min_size=n, max_size=n))),
        ntypes=draw(st.one_of(st.none(), st.integers(max(types, default=1), 5))),
        masses=draw(st.one_of(st.none(), st.just({1: 1.0, 2: 2.5, 3: 0.7}),
                              st.lists(st.floats(0.1, 5), min_size=n, max_size=n))))
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 2))):
            key = draw(st.sampled_from(sorted(atoms)))
            if key in ("reference", "current"):
                array = np.array(atoms[key])
                if draw(st.booleans()) and array.size:
                    array[draw(st.integers(0, n - 1)), draw(st.integers(0, 2))] = draw(WEIRD)
                else:
                    array = array[:, : draw(st.sampled_from([2, 3]))][: draw(st.integers(0, n + 1))]
                atoms[key] = array
            elif key == "ids":
                atoms[key] = draw(st.one_of(st.lists(st.integers(-1, n + 2), min_size=n, max_size=n),
                                            st.lists(st.floats(0, n + 2), min_size=n, max_size=n),
                                            st.lists(st.integers(1, n + 2), max_size=n + 2), st.just([2**70] * n)))
            elif key == "types":
                atoms[key] = draw(st.lists(st.integers(-1, 2000), min_size=max(n - 1, 0), max_size=n + 1))
            elif key == "group":
                atoms[key] = draw(st.lists(st.sampled_from([0, 1, 2, 0.5, math.nan]), min_size=n, max_size=n + 1))
            elif key == "ntypes":
                atoms[key] = draw(st.one_of(st.integers(-1, 2), st.just(10**9), st.just(2.0)))
            else:
                atoms[key] = draw(st.one_of(st.lists(st.one_of(st.floats(0.1, 5), WEIRD), min_size=n, max_size=n),
                                            st.dictionaries(st.integers(0, 4), st.one_of(st.floats(0.1, 5), WEIRD))))
    return atoms


@SETTINGS
# Options of the compute tests are sensible, so most examples reach the core; nonsense options
# are test_constructors_refuse_or_keep_finite_options's job.
@given(box=boxes(), atoms=windows(), delta=st.floats(0.05, 3), selection=st.one_of(
    st.fixed_dictionaries({"fraction": st.floats(0.01, 1)}),
    st.fixed_dictionaries({"u_range": st.tuples(st.floats(0, 1), st.floats(1.01, 5))})),
    options=st.fixed_dictionaries({"long": st.integers(2, 8), "maxsize": st.integers(1, 60),
                                   "remove_drift": st.booleans()}))
def test_stringlike_never_crashes_nor_returns_non_finite(box, atoms, delta, selection, options):
    """StringLike on generated windows: a finite result (ids >= 1 string labels, every count
    within the group) or ValueError/TypeError."""
    s = allowed(lambda: StringLike(delta, **selection, **options).compute(make_box(box), **atoms))
    if s is not None:
        assert finite(s.displacement, s.drift, s.global_vector)
        assert np.all(s.string_id[s.string_id != 0] >= 1)
        assert s.n_string_atoms <= s.n_fast <= len(s.ids)


@SETTINGS
@given(start=boxes(), end=st.one_of(st.none(), boxes()), atoms=windows(), cutoff=st.floats(0.1, 3),
       hysteresis=st.floats(0, 0.5),
       nlost=st.integers(1, 4), pairs=st.one_of(st.none(), st.dictionaries(
           st.tuples(st.integers(1, 4), st.integers(1, 4)), st.floats(0.1, 3), max_size=2)))
def test_cages_never_crash_nor_return_non_finite(start, end, atoms, cutoff, hysteresis, nlost, pairs):
    """Cages on generated windows: finite tables and fractions in [0, 1], or ValueError/TypeError."""
    atoms.pop("masses")
    c = allowed(lambda: Cages(cutoff, hysteresis=hysteresis, cutoff_pairs=pairs, nlost=nlost).compute(
        make_box(start), make_box(end if end is not None else start), **atoms))
    if c is not None:
        assert finite(c.type_table, c.global_vector)
        assert 0.0 <= c.fraction_broken <= 1.0
        assert np.all(c.n_lost <= c.n_cage)


@SETTINGS
@given(bins=st.integers(1, 300), u_max=st.floats(0.01, 20), log_min=st.one_of(st.none(), st.floats(-5, -2.1)),
       beyond=st.one_of(st.none(), st.floats(0, 30)),
       values=st.lists(st.tuples(st.floats(0, 30), st.integers(1, 3)), max_size=60),
       poison=st.one_of(st.none(), st.tuples(st.floats(0, 1, exclude_max=True), WEIRD)),
       bad_type=st.one_of(st.none(), st.tuples(st.floats(0, 1, exclude_max=True), st.integers(-1, 2000))),
       extra_type=st.sampled_from([[], [], [1]]), ntypes=st.one_of(st.none(), st.integers(-1, 6)))
def test_displacement_distribution_never_crashes_nor_returns_non_finite(bins, u_max, log_min, beyond, values, poison,
                                                                      bad_type, extra_type, ntypes):
    """DisplacementDistribution: finite densities that integrate to at most 1, or ValueError/TypeError."""
    u = [v for v, _ in values]
    types = [t for _, t in values] + extra_type
    for array, change in ((u, poison), (types, bad_type)):
        if change is not None and array:    # change = (where, as a fraction of the length; new value)
            array[int(change[0] * len(array))] = change[1]
    kwargs = {k: v for k, v in dict(bins=bins, log_min=log_min, beyond=beyond).items() if v is not None}
    d = allowed(lambda: DisplacementDistribution(u_max=u_max, **kwargs).compute(u, types, ntypes=ntypes))
    if d is not None:
        assert finite(d.density, d.log_density, d.global_vector, d.global_array)
        width = d.u_max / d.bins
        assert np.all(d.density.sum(axis=1) * width <= 1.0 + 1e-9)


@SETTINGS
@given(amplitude=st.floats(1e-3, 0.1), period=st.floats(0.2, 3), t_start=st.floats(-1, 3),
       harmonics=st.sampled_from([1, 3]), discard=st.integers(0, 2),
       n=st.one_of(st.integers(150, 400), st.integers(0, 9)),
       step=st.sampled_from([0.05, 0.05, 0.05, 1.0, 1e-300, 1e300]),
       scale=st.one_of(st.floats(-100, 100), st.sampled_from([1e-300, 1e300])),
       poison=st.one_of(st.none(), st.tuples(st.integers(0, 399), WEIRD)),
       shuffle=st.sampled_from([False, False, True]))
def test_dms_fit_never_crashes_nor_returns_non_finite(amplitude, period, t_start, harmonics, discard, n, step, scale,
                                                      poison, shuffle):
    """DMSFit on generated series: finite moduli from at least one cycle, or ValueError/TypeError."""
    time = np.arange(n) * step
    with np.errstate(all="ignore"):   # the generated signal itself may overflow: that is input too
        stress = scale * np.sin(2 * np.pi * time / (period if isinstance(period, float) and period else 1.0))
    if poison is not None and poison[0] < n:
        stress[poison[0]] = poison[1]
    if shuffle:
        time = time[::-1]
    fit = allowed(lambda: DMSFit(amplitude, period, t_start=t_start, harmonics=harmonics, discard=discard).compute(
        time, stress))
    if fit is not None:
        assert fit.n_cycles >= 1
        assert finite(fit.cycles, fit.storage, fit.loss, fit.tan_delta, fit.storage_std, fit.harmonic2)


# ---------------------------------------------------------------- read_dump
@st.composite
def dump_texts(draw: Any) -> str:
    """A valid dump of 1-3 frames, then zero or more mutations."""
    lines: list[str] = []
    for step in range(draw(st.integers(1, 3))):
        n = draw(st.integers(0, 6))
        triclinic = draw(st.booleans())
        lines += ["ITEM: TIMESTEP", str(step * 10), "ITEM: NUMBER OF ATOMS", str(n),
                  "ITEM: BOX BOUNDS xy xz yz pp pp pp" if triclinic else "ITEM: BOX BOUNDS pp pp pp",
                  *(["-1 11 1", "0 10 0", "0 10 0"] if triclinic else ["0 10", "0 10", "0 10"]),
                  "ITEM: ATOMS id type xu yu zu"]
        lines += [f"{i + 1} {1 + i % 2} {draw(st.floats(-5, 15)):.6g} 1.5 2.5" for i in range(n)]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["truncate", "token", "count", "delete", "duplicate", "columns", "bytes"]))
        k = draw(st.integers(0, max(len(lines) - 1, 0)))
        if not lines:
            break
        if kind == "truncate":
            text = "\n".join(lines)
            lines = text[:draw(st.integers(0, len(text)))].split("\n")
        elif kind == "token":
            words = lines[k].split() or [""]
            words[draw(st.integers(0, len(words) - 1))] = draw(st.sampled_from(
                ["nan", "inf", "-inf", "abc", "1e999", "-7", "0", "1.5", "", "9" * 30, "ITEM:"]))
            lines[k] = " ".join(words)
        elif kind == "count":
            counts = [i for i, line in enumerate(lines) if line == "ITEM: NUMBER OF ATOMS" and i + 1 < len(lines)]
            if counts:
                i = draw(st.sampled_from(counts)) + 1
                lines[i] = str(draw(st.sampled_from([10**7, 10**8, 10**18, -1, 0, 1, 2, 7])))
        elif kind == "delete":
            del lines[k]
        elif kind == "duplicate":
            lines.insert(k, lines[k])
        elif kind == "columns":
            headers = [i for i, line in enumerate(lines) if line.startswith("ITEM: ATOMS")]
            if headers:
                lines[draw(st.sampled_from(headers))] = draw(st.sampled_from(
                    ["ITEM: ATOMS id type xu yu", "ITEM: ATOMS", "ITEM: ATOMS id id xu yu zu",
                     "ITEM: ATOMS id type xu yu zu extra"]))
        else:
            lines.insert(k, draw(st.sampled_from(["\x00\x01\x02", "garbage line", "", "ITEM: TIMESTEP"])))
    return "\n".join(lines) + "\n"


@SETTINGS
@given(text=dump_texts(), dimension=st.sampled_from([3, 3, 2]))
def test_read_dump_returns_checked_frames_or_names_file_and_line(text, dimension):
    """Generated and mutated dumps: either frames whose ids are unique and >= 1, types >= 1,
    positions and box finite and row counts equal across columns — or DumpFormatError, a
    ValueError whose message starts with the file name and a line number."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gen.dump"
        path.write_text(text, encoding="latin-1")
        try:
            frames = read_dump(path, dimension=dimension)
            event("read")
        except DumpFormatError as error:
            event("refused")
            assert str(error).startswith(f"{path}, line ")
            assert isinstance(error, ValueError) and error.path == str(path) and error.line >= 0
            return
    assert frames
    for frame in frames:
        assert finite(frame.box.lo, frame.box.hi, frame.box.tilt) and frame.box.dimension == dimension
        lengths = {len(values) for values in frame.columns.values()}
        assert len(lengths) == 1
        if "id" in frame.columns and len(frame):
            assert frame["id"].min() >= 1 and len(np.unique(frame["id"])) == len(frame)
        if "type" in frame.columns and len(frame):
            assert frame["type"].min() >= 1
        for name in ("xu", "yu", "zu"):
            if name in frame.columns:
                assert finite(frame[name])


@SETTINGS
@given(which=st.sampled_from(["strings", "cages", "distribution", "dms"]),
       first=NUMBER, second=NUMBER, count=COUNT, pairs=st.one_of(
           st.none(), st.dictionaries(st.one_of(st.tuples(st.integers(-1, 3), st.integers(1, 3)), st.integers(0, 3)),
                                      NUMBER, max_size=2)),
       choice=st.sampled_from([None, 1, 3, 2, True, "x", 0.5]))
def test_constructors_refuse_or_keep_finite_options(which, first, second, count, pairs, choice):
    """Every option of every class from NaN/inf/huge/negative/wrong-type values: either the object
    holds finite options in their documented ranges, or the constructor raised ValueError/TypeError."""
    make = {
        "strings": lambda: StringLike(first, u_range=(second, 2.0), delta_pairs=pairs, long=count or 6,
                                      remove_drift=choice if choice is not None else True),
        "cages": lambda: Cages(first, hysteresis=second, nlost=count or 1, cutoff_pairs=pairs),
        "distribution": lambda: DisplacementDistribution(bins=count or 10, u_max=first, beyond=second),
        "dms": lambda: DMSFit(first, second, harmonics=choice or 1, discard=count or 0),
    }[which]
    made = allowed(make)
    if made is not None:
        numbers = [v for v in vars(made).values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        assert finite(numbers)
        assert all(v > 0 for v in (getattr(made, name, 1) for name in ("delta", "cutoff", "u_max", "amplitude",
                                                                          "period")))
