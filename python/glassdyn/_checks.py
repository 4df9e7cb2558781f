"""Checks of user input shared by :mod:`glassdyn.io` and :mod:`glassdyn.analysis`.

Every public class and function of the offline API checks its arguments with these helpers,
so a misuse ends in one ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind,
meaningless value) whose message starts with the argument's name. Each helper is O(N) numpy
work on the input, never per-pair work. The C++ core repeats the checks that guard memory
(a NaN must never become an index), so it is safe on the fly too.
"""
from __future__ import annotations

import numbers
from typing import Any, Mapping, Optional, Sequence

import numpy as np

#: Largest atom type: per-pair tables hold (ntypes + 1)^2 values.
MAX_TYPES = 1000
#: Largest number of histogram bins or string-size entries (memory grows with it).
MAX_ENTRIES = 1_000_000
#: Largest integer option (counts such as nlost or long); beyond it int64 sums could overflow.
MAX_COUNT = 2**53
#: Largest value of an option the core holds in a C int (an overflow guard, not a range check).
MAX_INT = 2**31 - 1
#: Largest magnitude of a box bound or tilt; products of three stay finite in double precision.
MAX_BOX_COORDINATE = 1e100
#: Positions farther than this many box lengths from the box are refused: wrapping them
#: into the box would keep fewer than ~6 significant digits.
MAX_BOX_LENGTHS = 1e6


def real(name: str, value: Any, *, above: Optional[float] = None, at_least: Optional[float] = None,
         below: Optional[float] = None, at_most: Optional[float] = None) -> float:
    """A finite real number within the given bounds, as float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    try:
        result = float(value)
    except OverflowError:  # an integer beyond the double range
        raise ValueError(f"{name} must be a finite number, got an integer of {len(str(value))} digits") from None
    if not np.isfinite(result):
        raise ValueError(f"{name} must be a finite number, got {result}")
    for bound, fails, word in ((above, lambda b: not result > b, ">"), (at_least, lambda b: not result >= b, ">="),
                               (below, lambda b: not result < b, "<"), (at_most, lambda b: not result <= b, "<=")):
        if bound is not None and fails(bound):
            raise ValueError(f"{name} must be {word} {bound:g}, got {result:g}")
    return result


def integer(name: str, value: Any, *, at_least: Optional[int] = None, at_most: Optional[int] = MAX_COUNT) -> int:
    """An integer (Python or numpy, not bool and not float) within the given bounds."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    result = int(value)
    if at_least is not None and result < at_least:
        raise ValueError(f"{name} must be >= {at_least}, got {result}")
    if at_most is not None and result > at_most:
        raise ValueError(f"{name} must be <= {at_most}, got {result}")
    return result


def flag(name: str, value: Any) -> bool:
    """A yes/no option: bool, numpy bool, or the integers 0 and 1."""
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, numbers.Integral) and value in (0, 1)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {value!r}")


def _array(name: str, values: Any, dtype: Any) -> np.ndarray:
    if isinstance(values, (str, bytes, Mapping)):
        raise TypeError(f"{name} must be an array of numbers, got {type(values).__name__}")
    try:
        return np.asarray(values, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as error:
        raise TypeError(f"{name} must be an array of numbers: {error}") from None


def _shape(name: str, array: np.ndarray, shape: Sequence[Optional[int]]) -> None:
    if array.ndim != len(shape) or any(want is not None and got != want for got, want in zip(array.shape, shape)):
        wanted = "(" + ", ".join("N" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"{name} must have shape {wanted}, got {array.shape}")


def float_array(name: str, values: Any, shape: Sequence[Optional[int]], *, at_least: Optional[float] = None,
                above: Optional[float] = None, finite: bool = True) -> np.ndarray:
    """A float64 array of the given shape (None: any length) whose entries are all finite.

    ``finite=False`` leaves non-finite entries to a later check (the core's own, which it also
    runs on the fly where no Python check does).
    """
    array = _array(name, values, np.float64)
    _shape(name, array, shape)
    bad = ~np.isfinite(array) if finite else np.zeros(array.shape, dtype=bool)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must be finite, but {name}{list(index)} = {array[index]}")
    if at_least is not None and array.size and array.min() < at_least:
        raise ValueError(f"{name} must be >= {at_least:g}, got a minimum of {array.min():g}")
    if above is not None and array.size and not array.min() > above:
        raise ValueError(f"{name} must be > {above:g}, got a minimum of {array.min():g}")
    return array


def int_array(name: str, values: Any, length: Optional[int], *, at_least: Optional[int] = None,
              at_most: Optional[int] = None, unique: bool = False) -> np.ndarray:
    """A 1-D int64 array; integral floats (1.0) are accepted, fractions and NaN are not."""
    array = _array(name, values, None)
    _shape(name, array, (length,))
    if array.dtype.kind == "f":
        if not (np.isfinite(array).all() and np.array_equal(array, np.round(array))):
            raise ValueError(f"{name} must hold whole numbers")
        if array.size and np.abs(array).max() > MAX_COUNT:
            raise ValueError(f"{name} must lie within +-{MAX_COUNT}")
    elif array.dtype.kind not in "iu" and not (array.dtype.kind == "O" and array.size == 0):
        raise TypeError(f"{name} must be integers, got an array of {array.dtype}")
    if array.dtype.kind == "u" and array.size and array.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{name} must fit in 64-bit signed integers")
    array = array.astype(np.int64)
    if at_least is not None and array.size and array.min() < at_least:
        raise ValueError(f"{name} must be >= {at_least}, got {array.min()}")
    if at_most is not None and array.size and array.max() > at_most:
        raise ValueError(f"{name} must be <= {at_most}, got {array.max()}")
    if unique and len(np.unique(array)) != len(array):
        values_, counts = np.unique(array, return_counts=True)
        raise ValueError(f"{name} must be unique; {values_[counts > 1][:5].tolist()} occur more than once")
    return array


def bool_array(name: str, values: Any, length: int) -> np.ndarray:
    """A 1-D mask: bools or the integers 0 and 1 (not arbitrary numbers that happen to be truthy)."""
    array = _array(name, values, None)
    _shape(name, array, (length,))
    if array.dtype.kind == "b":
        return array.astype(bool)
    if array.dtype.kind in "iuf" and np.isin(array, (0, 1)).all():
        return array.astype(bool)
    raise TypeError(f"{name} must be a mask of True/False (or 0/1) values")


def pair_values(name: str, pairs: Optional[Mapping[Any, Any]]) -> dict[tuple[int, int], float]:
    """Per type-pair distances {(type_i, type_j): value > 0}."""
    if pairs is None:
        return {}
    if not isinstance(pairs, Mapping):
        raise TypeError(f"{name} must be a mapping (type_i, type_j) -> distance, got {type(pairs).__name__}")
    result = {}
    for key, value in pairs.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise TypeError(f"{name} keys must be pairs of atom types (type_i, type_j), got {key!r}")
        pair = tuple(integer(f"{name} key {key!r}", t, at_least=1, at_most=MAX_TYPES) for t in key)
        result[pair] = real(f"{name}[{key!r}]", value, above=0.0)
    return result  # type: ignore[return-value]


def box_fields(lo: Any, hi: Any, tilt: Any, periodic: Any, dimension: Any) -> tuple:
    """The fields of a box, checked: finite bounds and tilts, hi > lo, dimension 2 or 3."""
    lo_ = float_array("Box.lo", lo, (3,))
    hi_ = float_array("Box.hi", hi, (3,))
    tilt_ = float_array("Box.tilt", tilt, (3,))
    for label, values in (("lo", lo_), ("hi", hi_), ("tilt", tilt_)):
        if np.abs(values).max() > MAX_BOX_COORDINATE:
            raise ValueError(f"Box.{label} must lie within +-{MAX_BOX_COORDINATE:g}, got {values.tolist()}")
    if not (hi_ > lo_).all():
        raise ValueError(f"Box.hi must exceed Box.lo along every axis, got lo={lo_.tolist()} hi={hi_.tolist()}")
    if isinstance(periodic, (str, bytes)) or len(periodic) != 3:
        raise ValueError(f"Box.periodic must be three flags (x, y, z), got {periodic!r}")
    periodic_ = tuple(flag(f"Box.periodic[{k}]", p) for k, p in enumerate(periodic))
    dimension_ = integer("Box.dimension", dimension, at_least=2, at_most=3)
    if dimension_ == 2 and (tilt_[1] != 0.0 or tilt_[2] != 0.0):
        raise ValueError(f"Box.tilt: a 2-D box cannot tilt along z (xz = yz = 0), got {tilt_.tolist()}")
    return tuple(lo_.tolist()), tuple(hi_.tolist()), tuple(tilt_.tolist()), periodic_, dimension_
