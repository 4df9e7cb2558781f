# Declarations of the C++ core (src/core) used by the Cython binding (_core.pyx).
# A C++ name that a Python class of _core.pyx also uses is declared under another Cython name
# with the C++ name in quotes (cdef cppclass CppName "glassdyn::Name"). Kernels that touch no
# Python object are declared nogil, so _core.pyx runs them with the GIL released.
from libc.stdint cimport int64_t
from libcpp cimport bool as cbool
from libcpp.utility cimport pair
from libcpp.vector cimport vector


cdef extern from "pair_table.hpp" namespace "glassdyn":
    cdef cppclass PairTable:
        PairTable()
        PairTable(int ntypes, double value) except +
        void set(int type_i, int type_j, double value) except +
        double get(int type_i, int type_j)
        int ntypes()
        double max_value()


cdef extern from "periodic_box.hpp" namespace "glassdyn":
    cdef cppclass PeriodicBox:
        double lo[3]
        double hi[3]
        double xy, xz, yz
        cbool periodic[3]
        int dimension


cdef extern from "communicator.hpp" namespace "glassdyn":
    cdef cppclass Communicator:
        pass

    cdef cppclass SerialCommunicator(Communicator):
        SerialCommunicator()


cdef extern from "top_selection.hpp" namespace "glassdyn":
    vector[char] select_largest(const vector[double]& values, const vector[int64_t]& ids,
                                int64_t count, const Communicator& comm) except + nogil


cdef extern from "string_links.hpp" namespace "glassdyn":
    cdef cppclass MobilePoints:
        vector[double] position
        vector[double] displacement
        vector[int] type
        size_t n_owned

    vector[pair[size_t, size_t]] find_string_links(const MobilePoints& points, const PairTable& delta,
                                                   double search_radius) except + nogil


cdef extern from "string_summary.hpp" namespace "glassdyn":
    cdef cppclass StringSummary:
        int64_t n_fast
        int64_t n_string_atoms
        int64_t n_long_atoms
        int64_t n_strings
        double mean_size_number
        double mean_size_weight
        double string_fraction
        double long_fraction
        vector[int64_t] size_histogram

    StringSummary summarise_strings(const vector[int64_t]& string_sizes, int64_t n_fast,
                                    int64_t long_threshold, int64_t maxsize) except + nogil


cdef extern from "frame.hpp" namespace "glassdyn":
    cdef cppclass FrameAtoms:
        vector[int64_t] id
        vector[int] type
        vector[double] mass
        vector[char] in_group
        vector[double] reference
        vector[double] current


cdef extern from "mobile_selection.hpp" namespace "glassdyn":
    int64_t mobile_selection_count "glassdyn::mobile_count"(double fraction, int64_t group_size)


cdef extern from "string_analysis.hpp" namespace "glassdyn":
    cdef cppclass StringOptions:
        PairTable delta
        cbool select_by_fraction
        double fraction
        double u_low, u_high
        int64_t long_threshold
        int64_t maxsize
        cbool remove_drift
        void validate() except +

    cdef cppclass StringResult:
        vector[char] mobile
        vector[int64_t] string_id
        vector[int64_t] string_size
        vector[double] displacement
        double drift[3]
        StringSummary summary
        vector[int64_t] fast_by_type, string_by_type, long_by_type

    StringResult analyse_strings(const PeriodicBox& box, const FrameAtoms& atoms,
                                 const StringOptions& options) except + nogil


cdef extern from "<array>" namespace "std" nogil:
    cdef cppclass array5 "std::array<double, 5>":
        double& operator[](size_t)


cdef extern from "cage.hpp" namespace "glassdyn":
    cdef cppclass CageOptions:
        PairTable cutoff
        double hysteresis
        int64_t nlost
        void validate() except +

    cdef cppclass CageSummary:
        double fraction_broken, mean_lost, mean_cage
        vector[array5] by_type

    cdef cppclass CageResult:
        vector[int64_t] n_cage, n_lost
        vector[char] broken
        vector[int64_t] atoms_by_type, broken_by_type, lost_by_type, cage_by_type
        CageSummary summary

    CageResult analyse_cages(const PeriodicBox& start_box, const PeriodicBox& end_box, const FrameAtoms& atoms,
                             const CageOptions& options) except + nogil


cdef extern from "displacement_histogram.hpp" namespace "glassdyn":
    cdef cppclass HistogramSpec:
        int bins
        double u_max
        double log_min
        double beyond
        void validate() except +

    cdef cppclass DistributionSet:
        double count
        vector[double] density
        vector[double] log_density
        double mean, most_probable, fraction_beyond, fraction_over

    cdef cppclass CppDisplacementHistogram "glassdyn::DisplacementHistogram":
        CppDisplacementHistogram(const HistogramSpec& spec, int ntypes) except +
        void add(double u, int type) except + nogil
        vector[DistributionSet] distributions()
        double bin_centre(int b)
        double log_bin_centre(int b)


cdef extern from "cycle_fit.hpp" namespace "glassdyn":
    cdef cppclass CycleFitOptions:
        double amplitude, period
        int harmonics, discard
        void validate() except +

    cdef cppclass CycleModuli:
        double offset, storage, loss, tan_delta, harmonic2, harmonic3

    cdef cppclass ModuliStatistics:
        int cycles
        double storage, storage_std, loss, loss_std, tan_delta, tan_delta_std, harmonic2, harmonic3

    vector[CycleModuli] fit_cycles(const vector[double]& time, const vector[double]& signal, double t_start,
                                   double period, double strain_amplitude, int harmonics) except + nogil
    ModuliStatistics average_cycles(const vector[CycleModuli]& cycles, int discard) except + nogil


# ---- output schema (src/core/output_schema.hpp): every output layout, declared once
cdef extern from "output_schema.hpp" namespace "glassdyn::schema":
    cdef cppclass SchemaColumn "glassdyn::schema::Column":
        const char* name
        const char* unit
        const char* meaning
        cbool per_set

    cdef cppclass SchemaLayout "glassdyn::schema::LayoutView":
        const char* style
        const char* output
        const char* rows
        cbool block_per_set
        const SchemaColumn* columns
        int ncolumns

    vector[SchemaLayout] all_layouts()


# ---- percolation of occupied sites and of the mobile/immobile classes (src/core/percolation.hpp)
cdef extern from "percolation.hpp" namespace "glassdyn":
    cdef cppclass PercolationSites:
        vector[int64_t] id
        vector[int] type
        vector[double] position

    cdef cppclass PercolationCluster "glassdyn::Cluster":
        int64_t label, size
        cbool wraps[3]
        double radius_of_gyration

    cdef cppclass ClusterSet:
        vector[PercolationCluster] clusters
        vector[size_t] cluster_of_site

    cdef cppclass FractalFit:
        double dimension, error
        int64_t clusters

    cdef cppclass ClassSummary:
        int64_t members
        double fraction
        int64_t n_clusters, largest
        double largest_fraction, largest_group_fraction
        cbool wraps[3]
        cbool wraps_any
        double susceptibility
        FractalFit fractal
        vector[int64_t] size_counts
        vector[double] size_radius

    cdef cppclass ClassCriterion:
        cbool by_fraction
        double fraction, threshold

    cdef cppclass PercolationOptions:
        PairTable cutoff
        ClassCriterion mobile, immobile
        int64_t maxsize, fractal_min_size
        void validate() except +

    cdef cppclass PercolationResult:
        vector[int] atom_class
        vector[int64_t] cluster_id, cluster_size
        vector[char] wraps
        ClassSummary classes[2]
        int64_t group_size, gathered_bytes

    ClusterSet find_clusters(const PeriodicBox& box, const PercolationSites& sites,
                             const PairTable& cutoff) except + nogil
    ClassSummary summarise_clusters(const ClusterSet& set, int64_t group_size, int64_t maxsize,
                                    int64_t fractal_min_size) except +
    PercolationResult analyse_percolation(const PeriodicBox& box_t0, const vector[int64_t]& id,
                                          const vector[int]& type, const vector[char]& in_group,
                                          const vector[double]& reference, const vector[double]& u,
                                          const PercolationOptions& options,
                                          const Communicator& comm) except + nogil

# ---- time correlations with staggered origins (src/core/time_correlations.hpp)
cdef extern from "time_correlations.hpp" namespace "glassdyn":
    cdef cppclass CorrelationOptions:
        int64_t every
        int origins
        vector[int64_t] lags
        double q
        double overlap
        cbool remove_drift
        void validate() except +

    vector[int64_t] log_spaced_lags(int64_t lag_min, int64_t lag_max, int count) except +

    vector[double] correlation_sample(const double* reference, const double* current, const int* type,
                                      const double* mass, const char* in_group, size_t n, int ntypes,
                                      const CorrelationOptions& options, const Communicator& comm) except + nogil

    cdef cppclass TimeCorrelations:
        TimeCorrelations(const CorrelationOptions& options, int ntypes) except +
        int sets()
        int lags()
        void add(int lag_index, const vector[double]& sample) except +
        const vector[double]& totals()
        void set_totals(const vector[double]& totals) except +
        vector[double] table(double dt) except +
        vector[double] summary(double dt) except +
