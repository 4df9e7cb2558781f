# cython: language_level=3, boundscheck=False, wraparound=False
"""Low-level binding of glassdyn's C++ core: one extension class per core computation.

Use :mod:`glassdyn.analysis` instead; these classes run the same C++ functions that the LAMMPS
plugin runs on the fly, in one process.
"""
# The pattern of this module (follow it when appending a class for a new analysis):
#
#  * _core.pxd declares the core's option struct (with validate()), result struct and kernel.
#  * One cdef class per core computation owns the option struct and the last result:
#      - __init__(*, keyword options) fills the option struct and calls its validate() once
#        (std::invalid_argument becomes a ValueError with the LAMMPS style's message);
#      - compute(arrays...) converts every array argument with _array(), the one converter (the
#        checks and messages of glassdyn._checks: shape, dtype, finiteness; C-contiguous, exact
#        dtype), copies it into the core's input struct, runs the kernel inside `with nogil:`,
#        keeps the C++ result and returns self;
#      - results are read-only properties named exactly as the columns of the style's output
#        layouts (src/core/schema/*.hpp, glassdyn.schema), each raising NotComputedError before
#        compute(); per-type columns that share a name with a scalar get the suffix _by_type.
#        This is the one place where a C++ result field meets its schema name.
#  * The glassdyn.analysis class (a glassdyn.analysis._results.SchemaAnalysis) lists the layouts
#    in its RESULTS and gets one property per column from the schema, reading these properties;
#    a column without a property here fails at import and in tests/test_schema.py.
from libc.stdint cimport int64_t
from libc.string cimport memcpy
from libcpp.memory cimport unique_ptr
from libcpp.utility cimport pair
from libcpp.vector cimport vector

import numpy as np

from glassdyn import _checks


class NotComputedError(RuntimeError):
    """A result was asked for before ``compute()`` ran."""


# ---- input: the one array converter, and copies of its arrays into the core's vectors
cdef object _array(str name, object values, str kind, tuple shape=(None,), bint finite=True):
    """``values`` checked as glassdyn._checks checks it (messages start with ``name``) and
    returned C-contiguous with the exact dtype the core takes, flattened.

    kind: "float" (float64 of ``shape``, finite unless ``finite`` is False: then the core's
    own check names the value), "int64" (1-D integers), "int32" (1-D integers that fit a C
    int, e.g. atom types), "flag" (1-D mask of bools or 0/1, as int8).
    """
    if kind == "float":
        array = _checks.float_array(name, values, shape, finite=finite)
        return np.ascontiguousarray(array, dtype=np.float64).reshape(-1)
    length = shape[0]
    if kind == "flag":
        return np.ascontiguousarray(_checks.bool_array(name, values, length), dtype=np.int8)
    if kind == "int32":
        array = _checks.int_array(name, values, length, at_least=-_checks.MAX_INT - 1, at_most=_checks.MAX_INT)
        return np.ascontiguousarray(array, dtype=np.intc)
    if kind == "int64":
        return np.ascontiguousarray(_checks.int_array(name, values, length, at_most=None), dtype=np.int64)
    raise AssertionError(f"unknown array kind {kind!r}")


cdef vector[double] _doubles(const double[::1] view):
    cdef vector[double] out
    if view.shape[0]:
        out.assign(&view[0], &view[0] + view.shape[0])
    return out


cdef vector[int64_t] _int64s(const int64_t[::1] view):
    cdef vector[int64_t] out
    if view.shape[0]:
        out.assign(&view[0], &view[0] + view.shape[0])
    return out


cdef vector[int] _ints(const int[::1] view):
    cdef vector[int] out
    if view.shape[0]:
        out.assign(&view[0], &view[0] + view.shape[0])
    return out


cdef vector[char] _chars(const signed char[::1] view):
    cdef vector[char] out
    cdef Py_ssize_t i
    out.resize(view.shape[0])
    for i in range(view.shape[0]):
        out[i] = <char>view[i]
    return out


cdef PairTable _pair_table(int ntypes, double value, pairs) except *:
    cdef PairTable table = PairTable(ntypes, value)
    for (type_i, type_j), pair_value in (pairs or {}).items():
        table.set(int(type_i), int(type_j), float(pair_value))
    return table


cdef PeriodicBox _box(box) except *:
    """A glassdyn.io.Box (already checked by its constructor) as the core's box."""
    cdef PeriodicBox pbox
    cdef int k
    for k in range(3):
        pbox.lo[k] = box.lo[k]
        pbox.hi[k] = box.hi[k]
        pbox.periodic[k] = bool(box.periodic[k])
    pbox.xy, pbox.xz, pbox.yz = box.tilt
    pbox.dimension = box.dimension
    return pbox


# ---- output: copies of the core's vectors as numpy arrays (fresh each time, so callers may keep them)
cdef object _float64_array(const vector[double]& values):
    out = np.empty(values.size(), dtype=np.float64)
    cdef double[::1] view = out
    if values.size():
        memcpy(&view[0], values.data(), values.size() * sizeof(double))
    return out


cdef object _int64_array(const vector[int64_t]& values):
    out = np.empty(values.size(), dtype=np.int64)
    cdef int64_t[::1] view = out
    if values.size():
        memcpy(&view[0], values.data(), values.size() * sizeof(int64_t))
    return out


cdef object _bool_array(const vector[char]& flags):
    out = np.zeros(flags.size(), dtype=np.uint8)
    cdef unsigned char[::1] view = out
    cdef size_t i
    for i in range(flags.size()):
        view[i] = 1 if flags[i] else 0
    return out.view(bool)


cdef class _Computation:
    """Shared state of the classes below: whether compute() ran (results raise until it did)."""
    cdef readonly bint computed

    cdef int _need(self, str name) except -1:
        if not self.computed:
            raise NotComputedError(f"{type(self).__name__}.{name} is not available: call compute() first")
        return 0


# ---- compute stringlike/atom
cdef class StringAnalysis(_Computation):
    """One window of ``compute stringlike/atom`` in one process (the core's analyse_strings).

    Options are those of the core's StringOptions (validated once, here); results are named as
    the columns of the style's vector, per-atom array and array (per type: ``*_by_type``).
    """
    cdef StringOptions _options
    cdef StringResult _result
    cdef object _ids
    cdef readonly int ntypes

    def __init__(self, *, int ntypes, double delta, delta_pairs=None, bint select_by_fraction=True,
                 double fraction=0.05, double u_low=0.0, double u_high=0.0, int64_t long_threshold=6,
                 int64_t maxsize=50, bint remove_drift=True):
        self._options.delta = _pair_table(ntypes, delta, delta_pairs)
        self._options.select_by_fraction = select_by_fraction
        self._options.fraction = fraction
        self._options.u_low = u_low
        self._options.u_high = u_high
        self._options.long_threshold = long_threshold
        self._options.maxsize = maxsize
        self._options.remove_drift = remove_drift
        self._options.validate()
        self.ntypes = ntypes

    def compute(self, box, ids, types, reference, current, *, masses=None, group=None):
        """Analyse one window: ``box`` at the window end, unwrapped positions (N, 3) at its start and end."""
        cdef PeriodicBox pbox = _box(box)
        ids_ = _array("ids", ids, "int64")
        n = ids_.shape[0]
        cdef FrameAtoms atoms
        atoms.id = _int64s(ids_)
        atoms.type = _ints(_array("types", types, "int32", (n,)))
        atoms.mass = _doubles(np.ones(n) if masses is None else _array("masses", masses, "float", (n,)))
        atoms.in_group = _chars(np.ones(n, dtype=np.int8) if group is None else _array("group", group, "flag", (n,)))
        atoms.reference = _doubles(_array("reference", reference, "float", (n, 3)))
        atoms.current = _doubles(_array("current", current, "float", (n, 3)))
        self.computed = False
        with nogil:
            self._result = analyse_strings(pbox, atoms, self._options)
        self._ids = ids_
        self.computed = True
        return self

    @property
    def ids(self):
        self._need("ids"); return self._ids.copy()

    @property
    def drift(self):
        self._need("drift"); return np.array([self._result.drift[0], self._result.drift[1], self._result.drift[2]])

    # vector
    @property
    def n_fast(self):
        self._need("n_fast"); return self._result.summary.n_fast

    @property
    def n_str(self):
        self._need("n_str"); return self._result.summary.n_string_atoms

    @property
    def n_long(self):
        self._need("n_long"); return self._result.summary.n_long_atoms

    @property
    def n_strings(self):
        self._need("n_strings"); return self._result.summary.n_strings

    @property
    def xi_number(self):
        self._need("xi_number"); return self._result.summary.mean_size_number

    @property
    def xi_weight(self):
        self._need("xi_weight"); return self._result.summary.mean_size_weight

    @property
    def str_fraction(self):
        self._need("str_fraction"); return self._result.summary.string_fraction

    @property
    def long_fraction(self):
        self._need("long_fraction"); return self._result.summary.long_fraction

    # per-atom array
    @property
    def mobile(self):
        self._need("mobile"); return _bool_array(self._result.mobile)

    @property
    def string_id(self):
        self._need("string_id"); return _int64_array(self._result.string_id)

    @property
    def string_size(self):
        self._need("string_size"); return _int64_array(self._result.string_size)

    @property
    def u(self):
        self._need("u"); return _float64_array(self._result.displacement)

    @property
    def in_string(self):
        self._need("in_string"); return self.string_id > 0

    @property
    def in_long(self):
        self._need("in_long"); return self.in_string & (self.string_size >= self._options.long_threshold)

    # array: the size table and the per-type table
    @property
    def n_xi(self):
        self._need("n_xi"); return _int64_array(self._result.summary.size_histogram)

    @property
    def n_fast_by_type(self):
        self._need("n_fast_by_type"); return _int64_array(self._result.fast_by_type)

    @property
    def n_str_by_type(self):
        self._need("n_str_by_type"); return _int64_array(self._result.string_by_type)

    @property
    def n_long_by_type(self):
        self._need("n_long_by_type"); return _int64_array(self._result.long_by_type)


cdef class StringStatistics(_Computation):
    """The global string observables from a list of string sizes (the core's summarise_strings)."""
    cdef int64_t _long_threshold, _maxsize
    cdef StringSummary _summary

    def __init__(self, *, int64_t long_threshold=6, int64_t maxsize=50):
        self._long_threshold = long_threshold
        self._maxsize = maxsize

    def compute(self, string_sizes, int64_t n_fast):
        """Sizes (each >= 2) of the strings among ``n_fast`` mobile atoms."""
        cdef vector[int64_t] sizes = _int64s(_array("string_sizes", string_sizes, "int64"))
        self.computed = False
        with nogil:
            self._summary = summarise_strings(sizes, n_fast, self._long_threshold, self._maxsize)
        self.computed = True
        return self

    @property
    def n_fast(self):
        self._need("n_fast"); return self._summary.n_fast

    @property
    def n_str(self):
        self._need("n_str"); return self._summary.n_string_atoms

    @property
    def n_long(self):
        self._need("n_long"); return self._summary.n_long_atoms

    @property
    def n_strings(self):
        self._need("n_strings"); return self._summary.n_strings

    @property
    def xi_number(self):
        self._need("xi_number"); return self._summary.mean_size_number

    @property
    def xi_weight(self):
        self._need("xi_weight"); return self._summary.mean_size_weight

    @property
    def str_fraction(self):
        self._need("str_fraction"); return self._summary.string_fraction

    @property
    def long_fraction(self):
        self._need("long_fraction"); return self._summary.long_fraction

    @property
    def n_xi(self):
        self._need("n_xi"); return _int64_array(self._summary.size_histogram)


cdef class StringLinks(_Computation):
    """Cross-time links between points (the core's find_string_links, the pair test of strings)."""
    cdef PairTable _delta
    cdef double _search_radius
    cdef vector[pair[size_t, size_t]] _links

    def __init__(self, *, int ntypes, double delta, delta_pairs=None, double search_radius=0.0):
        self._delta = _pair_table(ntypes, delta, delta_pairs)
        self._search_radius = search_radius

    def compute(self, position, displacement, types, size_t n_owned):
        """Points at r(t) (N, 3) with displacements d = r(t) - r(t0); the first ``n_owned`` are owned."""
        cdef MobilePoints points
        types_ = _array("types", types, "int32")
        n = types_.shape[0]
        points.position = _doubles(_array("position", position, "float", (n, 3)))
        points.displacement = _doubles(_array("displacement", displacement, "float", (n, 3)))
        points.type = _ints(types_)
        points.n_owned = n_owned
        self.computed = False
        with nogil:
            self._links = find_string_links(points, self._delta, self._search_radius)
        self.computed = True
        return self

    @property
    def links(self):
        """int (n_links, 2): point indices of each link."""
        self._need("links")
        out = np.empty((self._links.size(), 2), dtype=np.int64)
        cdef size_t k
        for k in range(self._links.size()):
            out[k, 0] = self._links[k].first
            out[k, 1] = self._links[k].second
        return out


cdef class TopSelection(_Computation):
    """The ``count`` largest values, ties to the smallest id (the core's select_largest)."""
    cdef int64_t _count
    cdef vector[char] _selected

    def __init__(self, int64_t count):
        self._count = count

    def compute(self, values, ids):
        cdef vector[double] values_ = _doubles(_array("values", values, "float"))
        cdef vector[int64_t] ids_ = _int64s(_array("ids", ids, "int64", (values_.size(),)))
        cdef SerialCommunicator serial
        self.computed = False
        with nogil:
            self._selected = select_largest(values_, ids_, self._count, serial)
        self.computed = True
        return self

    @property
    def selected(self):
        """bool (N,): the entry is among the ``count`` largest."""
        self._need("selected"); return _bool_array(self._selected)


def mobile_count(double fraction, int64_t group_size):
    """Number of mobile atoms that ``fraction`` of a group of ``group_size`` selects (round half away from 0)."""
    return mobile_selection_count(fraction, group_size)


# ---- compute cage/atom
cdef class CageAnalysis(_Computation):
    """One window of ``compute cage/atom`` in one process (the core's analyse_cages)."""
    cdef CageOptions _options
    cdef CageResult _result
    cdef object _ids
    cdef readonly int ntypes

    def __init__(self, *, int ntypes, double cutoff, cutoff_pairs=None, double hysteresis=0.1, int64_t nlost=1):
        self._options.cutoff = _pair_table(ntypes, cutoff, cutoff_pairs)
        self._options.hysteresis = hysteresis
        self._options.nlost = nlost
        self._options.validate()
        self.ntypes = ntypes

    def compute(self, start_box, end_box, ids, types, reference, current, *, group=None):
        """Cages at the window start (``reference`` in ``start_box``), losses at its end."""
        cdef PeriodicBox box0 = _box(start_box)
        cdef PeriodicBox box1 = _box(end_box)
        ids_ = _array("ids", ids, "int64")
        n = ids_.shape[0]
        cdef FrameAtoms atoms
        atoms.id = _int64s(ids_)
        atoms.type = _ints(_array("types", types, "int32", (n,)))
        atoms.in_group = _chars(np.ones(n, dtype=np.int8) if group is None else _array("group", group, "flag", (n,)))
        atoms.reference = _doubles(_array("reference", reference, "float", (n, 3)))
        atoms.current = _doubles(_array("current", current, "float", (n, 3)))
        self.computed = False
        with nogil:
            self._result = analyse_cages(box0, box1, atoms, self._options)
        self._ids = ids_
        self.computed = True
        return self

    @property
    def ids(self):
        self._need("ids"); return self._ids.copy()

    # vector (the core's summarise_cages, as compute cage/atom assembles it)
    @property
    def fraction_broken(self):
        self._need("fraction_broken"); return self._result.summary.fraction_broken

    @property
    def mean_lost(self):
        self._need("mean_lost"); return self._result.summary.mean_lost

    @property
    def mean_cage(self):
        self._need("mean_cage"); return self._result.summary.mean_cage

    # per-atom array
    @property
    def n_cage(self):
        self._need("n_cage"); return _int64_array(self._result.n_cage)

    @property
    def n_lost(self):
        self._need("n_lost"); return _int64_array(self._result.n_lost)

    @property
    def broken(self):
        self._need("broken"); return _bool_array(self._result.broken)

    @property
    def analysed(self):
        self._need("analysed"); return self.n_cage > 0

    @property
    def fraction_lost(self):
        self._need("fraction_lost")
        n_cage = self.n_cage
        return np.where(n_cage > 0, self.n_lost / np.where(n_cage > 0, n_cage, 1), 0.0)

    # array, whole (its columns share their names with the vector)
    @property
    def type_table(self):
        """float (ntypes, 5): the columns of the cage/atom array, one row per atom type."""
        self._need("type_table")
        cdef size_t rows = self._result.summary.by_type.size()
        out = np.empty((rows, 5), dtype=np.float64)
        cdef size_t t
        cdef int k
        for t in range(rows):
            for k in range(5):
                out[t, k] = self._result.summary.by_type[t][k]
        return out


# ---- compute displacement/distribution
cdef class DisplacementHistogram(_Computation):
    """p(u) of all atoms and per type with the core's histogram (the one the plugin fills)."""
    cdef HistogramSpec _spec
    cdef vector[DistributionSet] _sets
    cdef vector[double] _u, _log10_u

    def __init__(self, *, int bins, double u_max, double log_min, double beyond):
        self._spec.bins = bins
        self._spec.u_max = u_max
        self._spec.log_min = log_min
        self._spec.beyond = beyond
        self._spec.validate()

    def compute(self, u, types, int ntypes):
        """Histogram displacements ``u`` of atoms of ``types`` (1..ntypes). The core itself refuses a
        u that is not finite or negative (it does so on the fly too), so the converter lets it through."""
        cdef vector[double] values = _doubles(_array("u", u, "float", (None,), False))
        cdef vector[int] kinds = _ints(_array("types", types, "int32", (values.size(),)))
        cdef unique_ptr[CppDisplacementHistogram] histogram
        histogram.reset(new CppDisplacementHistogram(self._spec, ntypes))
        cdef size_t i
        cdef int b
        self.computed = False
        with nogil:
            for i in range(values.size()):
                histogram.get().add(values[i], kinds[i])
        self._sets = histogram.get().distributions()
        self._u.resize(self._spec.bins)
        self._log10_u.resize(self._spec.bins)
        for b in range(self._spec.bins):
            self._u[b] = histogram.get().bin_centre(b)
            self._log10_u[b] = histogram.get().log_bin_centre(b)
        self.computed = True
        return self

    cdef object _per_set(self, int which):
        out = np.empty(self._sets.size(), dtype=np.float64)
        cdef size_t s
        for s in range(self._sets.size()):
            out[s] = (self._sets[s].mean, self._sets[s].most_probable, self._sets[s].fraction_beyond,
                      self._sets[s].fraction_over)[which]
        return out

    cdef object _per_set_bins(self, bint log):
        out = np.empty((self._sets.size(), self._spec.bins), dtype=np.float64)
        cdef size_t s
        for s in range(self._sets.size()):
            out[s] = _float64_array(self._sets[s].log_density if log else self._sets[s].density)
        return out

    # vector: one block per set (all atoms, then each type)
    @property
    def u_mean(self):
        self._need("u_mean"); return self._per_set(0)

    @property
    def u_most_probable(self):
        self._need("u_most_probable"); return self._per_set(1)

    @property
    def u_beyond_fraction(self):
        self._need("u_beyond_fraction"); return self._per_set(2)

    @property
    def u_outside_fraction(self):
        self._need("u_outside_fraction"); return self._per_set(3)

    # array: bin centres and one density row per set
    @property
    def u(self):
        self._need("u"); return _float64_array(self._u)

    @property
    def p_u(self):
        self._need("p_u"); return self._per_set_bins(False)

    @property
    def log10_u(self):
        self._need("log10_u"); return _float64_array(self._log10_u)

    @property
    def p_log10_u(self):
        self._need("p_log10_u"); return self._per_set_bins(True)


# ---- fix dms
cdef class CycleFit(_Computation):
    """Per-cycle moduli of a sampled stress signal and their average (the core's fit_cycles and
    average_cycles, as fix dms fits its running sums)."""
    cdef CycleFitOptions _options
    cdef double _t_start
    cdef vector[CycleModuli] _cycles
    cdef ModuliStatistics _stats

    def __init__(self, *, double amplitude, double period, int harmonics=1, int discard=1, double t_start=0.0):
        self._options.amplitude = amplitude
        self._options.period = period
        self._options.harmonics = harmonics
        self._options.discard = discard
        self._options.validate()
        self._t_start = t_start

    def compute(self, time, signal):
        cdef vector[double] time_ = _doubles(_array("time", time, "float"))
        cdef vector[double] signal_ = _doubles(_array("stress", signal, "float", (time_.size(),)))
        self.computed = False
        with nogil:
            self._cycles = fit_cycles(time_, signal_, self._t_start, self._options.period, self._options.amplitude,
                                      self._options.harmonics)
            self._stats = average_cycles(self._cycles, self._options.discard)
        self.computed = True
        return self

    @property
    def cycles(self):
        """float (n, 6): per complete cycle, the columns of the fix dms array after ``cycle``."""
        self._need("cycles")
        out = np.empty((self._cycles.size(), 6), dtype=np.float64)
        cdef size_t k
        for k in range(self._cycles.size()):
            c = self._cycles[k]
            out[k] = (c.storage, c.loss, c.tan_delta, c.harmonic2, c.harmonic3, c.offset)
        return out

    @property
    def storage(self):
        self._need("storage"); return self._stats.storage

    @property
    def storage_std(self):
        self._need("storage_std"); return self._stats.storage_std

    @property
    def loss(self):
        self._need("loss"); return self._stats.loss

    @property
    def loss_std(self):
        self._need("loss_std"); return self._stats.loss_std

    @property
    def tan_delta(self):
        self._need("tan_delta"); return self._stats.tan_delta

    @property
    def tan_delta_std(self):
        self._need("tan_delta_std"); return self._stats.tan_delta_std

    @property
    def n_cycles(self):
        self._need("n_cycles"); return self._stats.cycles

    @property
    def r2(self):
        self._need("r2"); return self._stats.harmonic2

    @property
    def r3(self):
        self._need("r3"); return self._stats.harmonic3


# ---- output schema: the C++ declaration of every output layout (src/core/schema/), unchanged.
def output_schema():
    """Every output layout of the plugin's styles, as declared in C++.

    Returns
    -------
    dict
        ``"STYLE OUTPUT"`` (e.g. ``"stringlike/atom vector"``) -> dict with ``style``, ``output``
        ("vector", "array" or "peratom"), ``rows`` (what an array row is), ``block_per_set``
        (the whole column list repeats once per set) and ``columns``: a tuple of
        ``(name, meaning, unit, per_set)``. Use :mod:`glassdyn.schema` instead.
    """
    cdef vector[SchemaLayout] layouts = all_layouts()
    cdef SchemaLayout layout
    cdef int k
    out = {}
    for layout in layouts:
        columns = []
        for k in range(layout.ncolumns):
            columns.append((layout.columns[k].name.decode(), layout.columns[k].meaning.decode(),
                            layout.columns[k].unit.decode(), bool(layout.columns[k].per_set)))
        style, output = layout.style.decode(), layout.output.decode()
        out[f"{style} {output}"] = {"style": style, "output": output, "rows": layout.rows.decode(),
                                    "block_per_set": bool(layout.block_per_set), "columns": tuple(columns)}
    return out


# ---- percolation (src/core/percolation.hpp), on the shared converters above.
cdef _class_summary_dict(const ClassSummary& s):
    return {
        "members": s.members,
        "fraction": s.fraction,
        "n_clusters": s.n_clusters,
        "largest": s.largest,
        "largest_fraction": s.largest_fraction,
        "largest_group_fraction": s.largest_group_fraction,
        "wraps": np.array([s.wraps[0], s.wraps[1], s.wraps[2]], dtype=bool),
        "wraps_any": bool(s.wraps_any),
        "susceptibility": s.susceptibility,
        "fractal_dimension": s.fractal.dimension,
        "fractal_dimension_error": s.fractal.error,
        "fractal_clusters": s.fractal.clusters,
        "size_counts": np.array(s.size_counts, dtype=np.int64),
        "size_radius": np.array(s.size_radius, dtype=np.float64),
    }


cdef class PercolationCore:
    """The percolation options (``PercolationOptions``) and the two core calls that use them.

    Parameters
    ----------
    ntypes : int
        Number of atom types (types run 1..ntypes).
    cutoff : float
        Bond distance RC for every type pair.
    cutoff_pairs : dict, optional
        ``{(I, J): R}`` per-pair bond distances (keyword ``cutoff/pair``).
    mobile, immobile : tuple
        ``("fraction", F)``, ``("above", U)`` (mobile) or ``("below", U)`` (immobile).
    maxsize : int
        Rows of the cluster-size distribution (keyword ``maxsize``).
    fractal_min_size : int
        Smallest cluster size in the d_f fit (keyword ``dfmin``).

    Raises
    ------
    ValueError
        From the core's ``validate()``, naming the input-script keyword.
    """

    cdef PercolationOptions options

    def __init__(self, *, int ntypes, double cutoff, cutoff_pairs=None, mobile=("fraction", 0.15),
                 immobile=("fraction", 0.15), int64_t maxsize=50, int64_t fractal_min_size=10):
        self.options.cutoff = PairTable(ntypes, cutoff)
        for (type_i, type_j), value in (cutoff_pairs or {}).items():
            if not (1 <= int(type_i) <= ntypes and 1 <= int(type_j) <= ntypes):
                raise ValueError(f"cutoff/pair: types must be in 1..{ntypes}, got {type_i} {type_j}")
            self.options.cutoff.set(int(type_i), int(type_j), float(value))
        for name, spec, other in (("mobile", mobile, "above"), ("immobile", immobile, "below")):
            kind, value = spec
            if kind not in ("fraction", other):
                raise ValueError(f"{name}: expected 'fraction' or '{other}', got {kind!r}")
            criterion = &self.options.mobile if name == "mobile" else &self.options.immobile
            criterion.by_fraction = kind == "fraction"
            criterion.fraction = float(value) if kind == "fraction" else 0.0
            criterion.threshold = float(value) if kind != "fraction" else 0.0
        self.options.maxsize = maxsize
        self.options.fractal_min_size = fractal_min_size
        self.options.validate()

    def clusters(self, box, ids, types, positions, int64_t group_size=-1):
        """Clusters of the given sites: per site, per cluster and the class summary (a dict)."""
        cdef PercolationSites sites
        sites.id = _int64s(_array("ids", ids, "int64"))
        sites.type = _ints(_array("types", types, "int32", (sites.id.size(),)))
        sites.position = _doubles(_array("positions", positions, "float", (sites.id.size(), 3)))
        cdef PeriodicBox pbox = _box(box)
        cdef ClusterSet found
        with nogil:
            found = find_clusters(pbox, sites, self.options.cutoff)
        if group_size < 0:
            group_size = <int64_t>sites.id.size()
        cdef ClassSummary summary = summarise_clusters(found, group_size, self.options.maxsize,
                                                       self.options.fractal_min_size)
        cdef Py_ssize_t c, m = found.clusters.size()
        labels = np.empty(m, dtype=np.int64)
        sizes = np.empty(m, dtype=np.int64)
        wraps = np.zeros((m, 3), dtype=bool)
        radius = np.empty(m, dtype=np.float64)
        for c in range(m):
            labels[c] = found.clusters[c].label
            sizes[c] = found.clusters[c].size
            wraps[c] = (found.clusters[c].wraps[0], found.clusters[c].wraps[1], found.clusters[c].wraps[2])
            radius[c] = found.clusters[c].radius_of_gyration
        return {"cluster_of_site": np.array(found.cluster_of_site, dtype=np.int64), "labels": labels,
                "sizes": sizes, "wraps": wraps, "radius_of_gyration": radius,
                "summary": _class_summary_dict(summary)}

    def analyse(self, box_t0, ids, types, in_group, reference, u):
        """The window analysis of the compute in one process: classes, clusters, summaries."""
        cdef vector[int64_t] id_ = _int64s(_array("ids", ids, "int64"))
        cdef Py_ssize_t n = id_.size()
        cdef vector[int] type_ = _ints(_array("types", types, "int32", (n,)))
        cdef vector[char] group = _chars(_array("in_group", in_group, "flag", (n,)))
        cdef vector[double] ref = _doubles(_array("reference", reference, "float", (n, 3)))
        cdef vector[double] disp = _doubles(_array("u", u, "float", (n,)))
        cdef PeriodicBox pbox = _box(box_t0)
        cdef SerialCommunicator serial
        cdef PercolationResult result
        with nogil:
            result = analyse_percolation(pbox, id_, type_, group, ref, disp, self.options, serial)
        return {"atom_class": np.array(result.atom_class, dtype=np.int64),
                "cluster_id": np.array(result.cluster_id, dtype=np.int64),
                "cluster_size": np.array(result.cluster_size, dtype=np.int64),
                "wraps": _bool_array(result.wraps),
                "group_size": result.group_size,
                "mobile": _class_summary_dict(result.classes[0]),
                "immobile": _class_summary_dict(result.classes[1])}

# ---- time correlations with staggered origins: the accumulator of fix dynamics/correlate
cdef class TimeCorrelationsCore:
    """The C++ accumulator of ``fix dynamics/correlate`` (src/core/time_correlations.hpp).

    Constructing it validates the options with the core's ``CorrelationOptions::validate()``
    (``ValueError`` whose message starts with the keyword). Use
    :class:`glassdyn.analysis.Correlations` instead; this class only converts arrays.
    """
    cdef CorrelationOptions _options
    cdef TimeCorrelations* _accumulator
    cdef int _ntypes

    def __cinit__(self, *, int64_t every, int origins, lags, double q, double overlap=0.0,
                  bint remove_drift=True, int ntypes=1):
        self._options.every = every
        self._options.origins = origins
        self._options.lags = _int64s(np.ascontiguousarray(lags, dtype=np.int64).ravel())
        self._options.q = q
        self._options.overlap = overlap
        self._options.remove_drift = remove_drift
        self._options.validate()
        self._ntypes = ntypes
        self._accumulator = new TimeCorrelations(self._options, ntypes)

    def __dealloc__(self):
        del self._accumulator

    @staticmethod
    def log_spaced_lags(int64_t lag_min, int64_t lag_max, int count):
        """``lags log MIN MAX COUNT`` as the fix expands it."""
        return np.asarray(log_spaced_lags(lag_min, lag_max, count), dtype=np.int64)

    @property
    def width(self):
        return self.table(1.0).shape[1]

    def sample(self, reference, current, types, masses, in_group):
        """Per-set sums of one (origin, lag) pair, shape (ntypes + 1, 5): count, dr^2, dr^4, F_s, overlap."""
        cdef const double[::1] r0 = np.ascontiguousarray(reference, dtype=np.float64).ravel()
        cdef const double[::1] r1 = np.ascontiguousarray(current, dtype=np.float64).ravel()
        cdef const int[::1] t = np.ascontiguousarray(types, dtype=np.intc)
        cdef const double[::1] m = np.ascontiguousarray(masses, dtype=np.float64)
        cdef const signed char[::1] g = np.ascontiguousarray(in_group, dtype=np.int8)
        cdef size_t n = t.shape[0]
        if r0.shape[0] != 3 * n or r1.shape[0] != 3 * n or m.shape[0] != n or g.shape[0] != n:
            raise ValueError("sample: reference/current need 3 values per atom, masses/in_group one")
        cdef SerialCommunicator serial
        cdef vector[double] sums
        if n == 0:
            return np.zeros((self._ntypes + 1, 5))
        with nogil:
            sums = correlation_sample(&r0[0], &r1[0], &t[0], &m[0], <const char*>&g[0], n, self._ntypes,
                                      self._options, serial)
        return np.asarray(sums, dtype=np.float64).reshape(self._ntypes + 1, 5)

    def add(self, int lag_index, sample):
        """Adds one sample (as returned by :meth:`sample`) to the totals of lag ``lag_index``."""
        self._accumulator.add(lag_index, _doubles(np.ascontiguousarray(sample, dtype=np.float64).ravel()))

    @property
    def totals(self):
        return np.asarray(self._accumulator.totals(), dtype=np.float64)

    def table(self, double dt):
        """The fix's global array: one row per lag (schema ``dynamics/correlate array``)."""
        values = np.asarray(self._accumulator.table(dt), dtype=np.float64)
        return values.reshape(self._accumulator.lags(), -1)

    def summary(self, double dt):
        """The fix's global vector (schema ``dynamics/correlate vector``)."""
        return np.asarray(self._accumulator.summary(dt), dtype=np.float64)
