# cython: language_level=3, boundscheck=False, wraparound=False
"""Low-level binding of glassdyn's C++ core.

Use :mod:`glassdyn.analysis` instead; this module only converts arrays and calls the
same C++ functions that the LAMMPS plugin runs on the fly.
"""
from libc.stdint cimport int64_t
from libcpp.vector cimport vector

import numpy as np


cdef vector[double] _doubles(values) except *:
    cdef const double[::1] view = np.ascontiguousarray(values, dtype=np.float64).ravel()
    cdef vector[double] out
    cdef Py_ssize_t i
    out.resize(view.shape[0])
    for i in range(view.shape[0]):
        out[i] = view[i]
    return out


cdef vector[int64_t] _int64s(values) except *:
    cdef const int64_t[::1] view = np.ascontiguousarray(values, dtype=np.int64).ravel()
    cdef vector[int64_t] out
    cdef Py_ssize_t i
    out.resize(view.shape[0])
    for i in range(view.shape[0]):
        out[i] = view[i]
    return out


cdef vector[int] _ints(values) except *:
    cdef const int[::1] view = np.ascontiguousarray(values, dtype=np.intc).ravel()
    cdef vector[int] out
    cdef Py_ssize_t i
    out.resize(view.shape[0])
    for i in range(view.shape[0]):
        out[i] = view[i]
    return out


cdef vector[char] _flags(values) except *:
    cdef const signed char[::1] view = np.ascontiguousarray(values, dtype=np.int8).ravel()
    cdef vector[char] out
    cdef Py_ssize_t i
    out.resize(view.shape[0])
    for i in range(view.shape[0]):
        # Not a conditional expression: Cython 3.3 mistypes its temporary for vector[char].
        out[i] = <char>(view[i] != 0)
    return out


cdef _bool_array(const vector[char]& flags):
    out = np.zeros(flags.size(), dtype=bool)
    cdef Py_ssize_t i
    for i in range(<Py_ssize_t>flags.size()):
        if flags[i]:
            out[i] = True
    return out


cdef _summary_dict(const StringSummary& s):
    return {
        "n_fast": s.n_fast,
        "n_string_atoms": s.n_string_atoms,
        "n_long_atoms": s.n_long_atoms,
        "n_strings": s.n_strings,
        "mean_size_number": s.mean_size_number,
        "mean_size_weight": s.mean_size_weight,
        "string_fraction": s.string_fraction,
        "long_fraction": s.long_fraction,
        "size_histogram": np.array(s.size_histogram, dtype=np.int64),
    }


cdef PairTable _pair_table(int ntypes, double delta, delta_pairs) except *:
    cdef PairTable table = PairTable(ntypes, delta)
    for (type_i, type_j), value in (delta_pairs or {}).items():
        table.set(int(type_i), int(type_j), float(value))
    return table


def select_largest_py(values, ids, int64_t count):
    """Boolean mask of the `count` largest values, ties to the smallest id."""
    cdef SerialCommunicator serial
    return _bool_array(select_largest(_doubles(values), _int64s(ids), count, serial))


def mobile_count_py(double fraction, int64_t group_size):
    """Number of mobile atoms that `fraction` of a group of `group_size` selects."""
    return mobile_count(fraction, group_size)


def summarise_strings_py(string_sizes, int64_t n_fast, int64_t long_threshold, int64_t maxsize):
    """Global string observables from the list of string sizes (each >= 2)."""
    return _summary_dict(summarise_strings(_int64s(string_sizes), n_fast, long_threshold, maxsize))


def find_string_links_py(position, displacement, types, size_t n_owned, int ntypes, double delta,
                         delta_pairs=None, double search_radius=0.0):
    """Cross-time links between points; returns an (n_links, 2) array of point indices."""
    cdef MobilePoints points
    points.position = _doubles(position)
    points.displacement = _doubles(displacement)
    points.type = _ints(types)
    points.n_owned = n_owned
    cdef PairTable table = _pair_table(ntypes, delta, delta_pairs)
    links = find_string_links(points, table, search_radius)
    return np.array([(link.first, link.second) for link in links], dtype=np.int64).reshape(-1, 2)


cdef PeriodicBox _box(box) except *:
    cdef PeriodicBox pbox
    cdef int k
    for k in range(3):
        pbox.lo[k] = box["lo"][k]
        pbox.hi[k] = box["hi"][k]
        pbox.periodic[k] = bool(box["periodic"][k])
    pbox.xy, pbox.xz, pbox.yz = box["tilt"]
    pbox.dimension = box.get("dimension", 3)
    return pbox


# ---- Option checks: the core's validate() of each option struct, the same checks (and
# messages) as the LAMMPS styles. Each raises ValueError naming the input-script keyword.
cdef StringOptions _string_options(int ntypes, double delta, delta_pairs, bint select_by_fraction, double fraction,
                                   double u_low, double u_high, int64_t long_threshold, int64_t maxsize,
                                   bint remove_drift) except *:
    cdef StringOptions options
    options.delta = _pair_table(ntypes, delta, delta_pairs)
    options.select_by_fraction = select_by_fraction
    options.fraction = fraction
    options.u_low = u_low
    options.u_high = u_high
    options.long_threshold = long_threshold
    options.maxsize = maxsize
    options.remove_drift = remove_drift
    options.validate()
    return options


def validate_string_options(*, int ntypes, double delta, delta_pairs=None, bint select_by_fraction=True,
                            double fraction=0.05, double u_low=0.0, double u_high=0.0, int64_t long_threshold=6,
                            int64_t maxsize=50, bint remove_drift=True):
    """StringOptions::validate() (compute stringlike/atom, StringLike, the campaign config)."""
    _string_options(ntypes, delta, delta_pairs, select_by_fraction, fraction, u_low, u_high, long_threshold,
                    maxsize, remove_drift)


cdef CageOptions _cage_options(int ntypes, double cutoff, cutoff_pairs, double hysteresis, int64_t nlost) except *:
    cdef CageOptions options
    options.cutoff = _pair_table(ntypes, cutoff, cutoff_pairs)
    options.hysteresis = hysteresis
    options.nlost = nlost
    options.validate()
    return options


def validate_cage_options(*, int ntypes, double cutoff, cutoff_pairs=None, double hysteresis=0.1, int64_t nlost=1):
    """CageOptions::validate() (compute cage/atom, Cages, the campaign config)."""
    _cage_options(ntypes, cutoff, cutoff_pairs, hysteresis, nlost)


cdef HistogramSpec _histogram_spec(int bins, double u_max, double log_min, double beyond) except *:
    cdef HistogramSpec spec
    spec.bins = bins
    spec.u_max = u_max
    spec.log_min = log_min
    spec.beyond = beyond
    spec.validate()
    return spec


def validate_histogram_options(*, int bins, double u_max, double log_min, double beyond):
    """HistogramSpec::validate() (compute displacement/distribution, DisplacementDistribution)."""
    _histogram_spec(bins, u_max, log_min, beyond)


def validate_cycle_fit_options(*, double amplitude, double period, int harmonics=1, int discard=1):
    """CycleFitOptions::validate() (fix dms, DMSFit, the campaign config)."""
    cdef CycleFitOptions options
    options.amplitude = amplitude
    options.period = period
    options.harmonics = harmonics
    options.discard = discard
    options.validate()


def analyse_strings_py(box, ids, types, masses, in_group, reference, current, *, int ntypes,
                       double delta, delta_pairs, bint select_by_fraction, double fraction,
                       double u_low, double u_high, int64_t long_threshold, int64_t maxsize,
                       bint remove_drift):
    """Run the core's one-process string analysis; returns a dict of numpy arrays."""
    cdef PeriodicBox pbox = _box(box)
    cdef FrameAtoms atoms
    atoms.id = _int64s(ids)
    atoms.type = _ints(types)
    atoms.mass = _doubles(masses)
    atoms.in_group = _flags(in_group)
    atoms.reference = _doubles(reference)
    atoms.current = _doubles(current)

    cdef StringOptions options = _string_options(ntypes, delta, delta_pairs, select_by_fraction, fraction, u_low,
                                                 u_high, long_threshold, maxsize, remove_drift)

    cdef StringResult result
    with nogil:
        result = analyse_strings(pbox, atoms, options)

    out = _summary_dict(result.summary)
    out.update({
        "mobile": _bool_array(result.mobile),
        "string_id": np.array(result.string_id, dtype=np.int64),
        "string_size": np.array(result.string_size, dtype=np.int64),
        "displacement": np.array(result.displacement, dtype=np.float64),
        "drift": np.array([result.drift[0], result.drift[1], result.drift[2]]),
        "fast_by_type": np.array(result.fast_by_type, dtype=np.int64),
        "string_by_type": np.array(result.string_by_type, dtype=np.int64),
        "long_by_type": np.array(result.long_by_type, dtype=np.int64),
    })
    return out


def analyse_cages_py(start_box, end_box, ids, types, in_group, reference, current, *, int ntypes,
                     double cutoff, cutoff_pairs, double hysteresis, int64_t nlost):
    """Run the core's one-process cage analysis; returns a dict of numpy arrays."""
    cdef PeriodicBox box0 = _box(start_box)
    cdef PeriodicBox box1 = _box(end_box)
    cdef FrameAtoms atoms
    atoms.id = _int64s(ids)
    atoms.type = _ints(types)
    atoms.in_group = _flags(in_group)
    atoms.reference = _doubles(reference)
    atoms.current = _doubles(current)
    cdef CageOptions options = _cage_options(ntypes, cutoff, cutoff_pairs, hysteresis, nlost)
    cdef CageResult result
    with nogil:
        result = analyse_cages(box0, box1, atoms, options)
    return {
        "n_cage": np.array(result.n_cage, dtype=np.int64),
        "n_lost": np.array(result.n_lost, dtype=np.int64),
        "broken": _bool_array(result.broken),
        "atoms_by_type": np.array(result.atoms_by_type, dtype=np.int64),
        "broken_by_type": np.array(result.broken_by_type, dtype=np.int64),
        "lost_by_type": np.array(result.lost_by_type, dtype=np.int64),
        "cage_by_type": np.array(result.cage_by_type, dtype=np.int64),
        # Assembled by the core's summarise_cages(), as compute cage/atom assembles its outputs.
        "global_vector": np.array([result.summary.fraction_broken, result.summary.mean_lost,
                                   result.summary.mean_cage]),
        "type_table": np.array([[row[k] for k in range(5)] for row in result.summary.by_type],
                               dtype=np.float64).reshape(-1, 5),
    }


def displacement_histogram_py(u, types, int ntypes, int bins, double u_max, double log_min, double beyond):
    """p(u) of all atoms and per type with the core's histogram (the one the plugin uses)."""
    cdef HistogramSpec spec = _histogram_spec(bins, u_max, log_min, beyond)
    cdef DisplacementHistogram* histogram = new DisplacementHistogram(spec, ntypes)
    cdef vector[double] values = _doubles(u)
    cdef vector[int] kinds = _ints(types)
    cdef size_t i
    cdef int b
    try:
        for i in range(values.size()):
            histogram.add(values[i], kinds[i])
        sets = histogram.distributions()
        return {
            "u_centres": np.array([histogram.bin_centre(b) for b in range(bins)]),
            "log_centres": np.array([histogram.log_bin_centre(b) for b in range(bins)]),
            "count": np.array([s.count for s in sets]),
            "density": np.array([list(s.density) for s in sets]),
            "log_density": np.array([list(s.log_density) for s in sets]),
            "mean": np.array([s.mean for s in sets]),
            "most_probable": np.array([s.most_probable for s in sets]),
            "fraction_beyond": np.array([s.fraction_beyond for s in sets]),
            "fraction_over": np.array([s.fraction_over for s in sets]),
        }
    finally:
        del histogram


def fit_cycles_py(time, signal, double t_start, double period, double amplitude, int harmonics, int discard):
    """Per-cycle moduli of a sampled stress signal and their average after `discard` cycles."""
    cdef vector[CycleModuli] cycles = fit_cycles(_doubles(time), _doubles(signal), t_start, period, amplitude,
                                                 harmonics)
    cdef ModuliStatistics stats = average_cycles(cycles, discard)
    table = np.array([[c.storage, c.loss, c.tan_delta, c.harmonic2, c.harmonic3, c.offset] for c in cycles],
                     dtype=np.float64).reshape(-1, 6)
    return {
        "cycles": table,
        "n_cycles": stats.cycles,
        "storage": stats.storage, "storage_std": stats.storage_std,
        "loss": stats.loss, "loss_std": stats.loss_std,
        "tan_delta": stats.tan_delta, "tan_delta_std": stats.tan_delta_std,
        "harmonic2": stats.harmonic2, "harmonic3": stats.harmonic3,
    }


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
        self._options.lags = _int64s(lags)
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
        self._accumulator.add(lag_index, _doubles(sample))

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
