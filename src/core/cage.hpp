// Cage breaking: which neighbours of an atom at the window start are lost by its end.
#pragma once

#include "communicator.hpp"
#include "frame.hpp"
#include "id_index.hpp"
#include "pair_table.hpp"
#include "periodic_box.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace glassdyn {

struct CageOutcome {
  int64_t n_lost = 0;
  bool broken = false;
};

// A neighbour is lost when its distance now exceeds its cutoff times (1 + hysteresis), or when
// it cannot be found (distance < 0). The cage is broken when at least `nlost` are lost.
CageOutcome compare_cage(const std::vector<double> &distance_now, const std::vector<double> &cutoff,
                         double hysteresis, int64_t nlost);

struct CageOptions {
  PairTable cutoff;
  double hysteresis = 0.1;
  int64_t nlost = 1;

  // Throws std::invalid_argument whose message starts with the input-script keyword
  // ("cutoff", "hysteresis", "nlost") and states the allowed values.
  void validate() const;
  // Distance beyond which a neighbour is lost: the largest cutoff times (1 + hysteresis).
  double loss_distance() const { return cutoff.max_value() * (1.0 + hysteresis); }
};

// Per-type sums over the analysed atoms (index t-1 for type t), whole numbers so that sums
// over ranks are exact and the same on any number of ranks.
struct CageTallies {
  std::vector<int64_t> atoms, broken, lost, cage;

  explicit CageTallies(int ntypes = 0) : atoms(ntypes, 0), broken(ntypes, 0), lost(ntypes, 0), cage(ntypes, 0) {}
  void add(int type, const CageOutcome &outcome, int64_t n_cage)
  {
    const size_t t = size_t(type - 1);
    ++atoms[t];
    broken[t] += outcome.broken ? 1 : 0;
    lost[t] += outcome.n_lost;
    cage[t] += n_cage;
  }
  // Collective: sums every rank's tallies.
  void sum(const Communicator &comm);
};

// The global outputs of cage/atom: C (fraction of analysed atoms whose cage broke), mean
// neighbours lost, mean cage size; overall and per type (rows: type, analysed atoms, C,
// mean lost, mean cage). 0 where no atom was analysed.
struct CageSummary {
  double fraction_broken = 0.0, mean_lost = 0.0, mean_cage = 0.0;
  std::vector<std::array<double, 5>> by_type;
};

CageSummary summarise_cages(const CageTallies &tallies);

// What one rank holds at a window end (on the fly): every copy of the atoms it may need, the
// owned atoms first (copies 0 .. n_owned - 1), then ghost images, and for each owned atom the
// IDs of its cage members recorded at the window start (none outside the group or for an atom
// created during the window).
struct CageEndAtoms {
  std::vector<int64_t> id;           // per copy
  std::vector<int> type;             // per copy
  std::vector<double> position;      // per copy, 3 values (the same frame for all copies)
  size_t n_owned = 0;
  std::vector<size_t> cage_first;    // n_owned + 1: members of owned atom i at cage_first[i] ..
  std::vector<int64_t> cage_member;  // member IDs

  double memory_bytes() const;
};

// The window-end test of cage/atom on one rank. For each cage member the nearest copy this
// rank holds is found by ID; a member with no copy counts as lost (the caller guarantees that
// every atom within cutoff x (1 + hysteresis) of an owned atom has a copy). Buffers are kept
// between windows.
class CageLossEvaluator {
 public:
  // outcome[i] for each owned atom (zero for atoms without a cage); tallies by type of the
  // atoms with a cage (local sums: the caller sums over ranks).
  void evaluate(const CageEndAtoms &atoms, const CageOptions &options, std::vector<CageOutcome> &outcome,
                CageTallies &tallies);
  double memory_bytes() const;

 private:
  IdIndex first_copy_;
  std::vector<int> next_copy_;
  std::vector<double> distance_, cut_;
};

struct CageResult {
  std::vector<int64_t> n_cage, n_lost;    // per atom (0 outside the group)
  std::vector<char> broken;
  // Index t-1 for type t: analysed atoms, broken cages, neighbours lost, cage sizes.
  std::vector<int64_t> atoms_by_type, broken_by_type, lost_by_type, cage_by_type;
  CageSummary summary;
};

// One window offline: cages from the reference frame (wrapped into `start_box`), losses from
// the current frame by minimum-image distances in `end_box`. Atoms outside the group still
// count as neighbours. Uses FrameAtoms' id, type, in_group, reference and current.
CageResult analyse_cages(const PeriodicBox &start_box, const PeriodicBox &end_box, const FrameAtoms &atoms,
                         const CageOptions &options);

}    // namespace glassdyn
