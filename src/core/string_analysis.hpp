// String-like motion of one window: the whole pipeline, shared by compute stringlike/atom
// (MPI communicator, the atoms a rank owns) and the offline StringLike (serial communicator,
// every atom of a dump).
#pragma once

#include "communicator.hpp"
#include "frame.hpp"
#include "mobile_selection.hpp"
#include "pair_table.hpp"
#include "periodic_box.hpp"
#include "string_summary.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace glassdyn {

struct StringOptions {
  static constexpr int64_t MAX_MAXSIZE = 100000;    // bounds the global array (maxsize + 1 rows)

  PairTable delta;                 // pair-test distance per type pair
  bool select_by_fraction = true;  // else by the range [u_low, u_high]
  double fraction = 0.05;
  double u_low = 0.0, u_high = 0.0;
  int64_t long_threshold = 6;
  int64_t maxsize = 50;
  bool remove_drift = true;

  // Throws std::invalid_argument whose message starts with the input-script keyword
  // ("delta", "fraction", "range", "long", "maxsize") and states the allowed values.
  void validate() const;
  MobileCriterion criterion() const { return {select_by_fraction, fraction, u_low, u_high}; }
};

struct StringResult {
  // Per atom of the FrameAtoms given (a rank's owned atoms on the fly).
  std::vector<char> mobile;
  std::vector<int64_t> string_id;        // smallest atom id of the string, 0 if none
  std::vector<int64_t> string_size;      // xi; 1 for isolated mobile atoms, 0 otherwise
  std::vector<double> displacement;      // u
  std::array<double, 3> drift{0.0, 0.0, 0.0};
  // Global, identical on every rank.
  StringSummary summary;
  // Index t-1 for type t: mobile, string and long-string atoms of each type.
  std::vector<int64_t> fast_by_type, string_by_type, long_by_type;
  int64_t gathered_bytes = 0;            // size of the mobile set every rank received
};

// Bytes one mobile atom costs in the exchange (id, type, wrapped fractional r(t), d).
constexpr size_t STRING_RECORD_BYTES = 64;

// One window. Collective over `comm`. After the (rank-independent) selection, every rank
// receives all mobile atoms (MPI_Allgatherv-like) and runs the pair test, union-find and
// labelling on that set with explicit periodic images of `box` (the box at the window end),
// so no ghost atoms are needed whatever the displacements, and the result cannot depend on
// the number of ranks. Throws std::invalid_argument on bad input or when delta + the largest
// mobile displacement exceeds a periodic box width.
StringResult analyse_strings(const PeriodicBox &box, const FrameAtoms &atoms, const StringOptions &options,
                             const Communicator &comm);

// The same in one process (offline).
StringResult analyse_strings(const PeriodicBox &box, const FrameAtoms &atoms, const StringOptions &options);

}    // namespace glassdyn
