#include "cage.hpp"
#include "number_text.hpp"

#include "neighbour_search.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace glassdyn {

CageOutcome compare_cage(const std::vector<double> &distance_now, const std::vector<double> &cutoff,
                         double hysteresis, int64_t nlost)
{
  if (distance_now.size() != cutoff.size()) throw std::invalid_argument("compare_cage: inconsistent arrays");
  CageOutcome outcome;
  for (size_t k = 0; k < distance_now.size(); ++k)
    if (distance_now[k] < 0.0 || distance_now[k] > cutoff[k] * (1.0 + hysteresis)) ++outcome.n_lost;
  outcome.broken = outcome.n_lost >= nlost;
  return outcome;
}

void CageOptions::validate() const
{
  if (cutoff.ntypes() < 1) throw std::invalid_argument("cutoff: no atom types (ntypes must be >= 1)");
  for (int i = 1; i <= cutoff.ntypes(); ++i)
    for (int j = i; j <= cutoff.ntypes(); ++j)
      if (!(cutoff.get(i, j) > 0.0) || !std::isfinite(cutoff.get(i, j)))
        throw std::invalid_argument("cutoff must be > 0 (a finite distance), got " + number_text(cutoff.get(i, j)) +
                                    " for types " + std::to_string(i) + " " + std::to_string(j));
  if (!std::isfinite(hysteresis) || hysteresis < 0.0)
    throw std::invalid_argument("hysteresis: h must be >= 0 (and finite), got " + number_text(hysteresis));
  if (nlost < 1) throw std::invalid_argument("nlost: N must be an integer >= 1, got " + std::to_string(nlost));
}

void CageTallies::sum(const Communicator &comm)
{
  for (auto *tally : {&atoms, &broken, &lost, &cage}) comm.sum(*tally);
}

CageSummary summarise_cages(const CageTallies &tallies)
{
  CageSummary summary;
  double total[4] = {0.0, 0.0, 0.0, 0.0};
  for (size_t t = 0; t < tallies.atoms.size(); ++t) {
    const double s[4] = {double(tallies.atoms[t]), double(tallies.broken[t]), double(tallies.lost[t]),
                         double(tallies.cage[t])};
    for (int k = 0; k < 4; ++k) total[k] += s[k];
    summary.by_type.push_back({double(t + 1), s[0], s[0] > 0.0 ? s[1] / s[0] : 0.0, s[0] > 0.0 ? s[2] / s[0] : 0.0,
                               s[0] > 0.0 ? s[3] / s[0] : 0.0});
  }
  if (total[0] > 0.0) {
    summary.fraction_broken = total[1] / total[0];
    summary.mean_lost = total[2] / total[0];
    summary.mean_cage = total[3] / total[0];
  }
  return summary;
}

double CageEndAtoms::memory_bytes() const
{
  return double(id.capacity() + cage_member.capacity()) * sizeof(int64_t) + double(type.capacity()) * sizeof(int) +
      double(position.capacity()) * sizeof(double) + double(cage_first.capacity()) * sizeof(size_t);
}

void CageLossEvaluator::evaluate(const CageEndAtoms &atoms, const CageOptions &options,
                                 std::vector<CageOutcome> &outcome, CageTallies &tallies)
{
  const size_t ncopies = atoms.id.size();
  if (atoms.type.size() != ncopies || atoms.position.size() != 3 * ncopies || atoms.n_owned > ncopies ||
      atoms.cage_first.size() != atoms.n_owned + 1 || atoms.cage_first.back() != atoms.cage_member.size())
    throw std::invalid_argument("CageLossEvaluator: inconsistent arrays");
  // Every copy of each ID, chained from the first (lowest) copy index.
  first_copy_.reset(ncopies);
  next_copy_.assign(ncopies, IdIndex::NONE);
  for (size_t c = ncopies; c-- > 0;) next_copy_[c] = first_copy_.exchange(atoms.id[c], int(c));

  outcome.assign(atoms.n_owned, CageOutcome());
  const double *x = atoms.position.data();
  for (size_t i = 0; i < atoms.n_owned; ++i) {
    const size_t begin = atoms.cage_first[i], end = atoms.cage_first[i + 1];
    // No cage (outside the group, no neighbour at the window start, or created during the
    // window): nothing to break, and not counted among the analysed atoms.
    if (begin == end) continue;
    distance_.clear();
    cut_.clear();
    for (size_t k = begin; k < end; ++k) {
      double nearest_squared = -1.0;    // no copy on this rank: beyond every guaranteed distance
      int nearest_type = atoms.type[i];
      for (int j = first_copy_.find(atoms.cage_member[k]); j != IdIndex::NONE; j = next_copy_[size_t(j)]) {
        const double dx = x[3 * i] - x[3 * size_t(j)], dy = x[3 * i + 1] - x[3 * size_t(j) + 1],
                     dz = x[3 * i + 2] - x[3 * size_t(j) + 2];
        const double d2 = dx * dx + dy * dy + dz * dz;
        if (nearest_squared < 0.0 || d2 < nearest_squared) {
          nearest_squared = d2;
          nearest_type = atoms.type[size_t(j)];
        }
      }
      // sqrt is monotonic and correctly rounded: the nearest distance as if each were rooted.
      distance_.push_back(nearest_squared < 0.0 ? -1.0 : std::sqrt(nearest_squared));
      cut_.push_back(options.cutoff.get(atoms.type[i], nearest_type));
    }
    outcome[i] = compare_cage(distance_, cut_, options.hysteresis, options.nlost);
    tallies.add(atoms.type[i], outcome[i], int64_t(end - begin));
  }
}

double CageLossEvaluator::memory_bytes() const
{
  return first_copy_.memory_bytes() + double(next_copy_.capacity()) * sizeof(int) +
      double(distance_.capacity() + cut_.capacity()) * sizeof(double);
}

CageResult analyse_cages(const PeriodicBox &start_box, const PeriodicBox &end_box, const FrameAtoms &atoms,
                         const CageOptions &options)
{
  start_box.validate();
  end_box.validate();
  if (start_box.dimension != end_box.dimension)
    throw std::invalid_argument("analyse_cages: the two boxes differ in dimension");
  const size_t n = atoms.id.size();
  const int ntypes = options.cutoff.ntypes();
  options.validate();
  check_frame_atoms(atoms, ntypes, false, "analyse_cages");
  const double reach = options.cutoff.max_value() * (1.0 + options.hysteresis);
  for (const auto *box : {&start_box, &end_box}) {
    const auto width = box->perpendicular_width();
    for (int k = 0; k < 3; ++k)
      if (box->wraps(k) && !(2.0 * reach <= width[k]))    // NaN (degenerate box) refuses too
        throw std::invalid_argument("analyse_cages: cutoff x (1 + hysteresis) = " + std::to_string(reach) +
                                    " exceeds half the box width (" + std::to_string(width[k]) + ")");
  }

  // Reference frame: every atom wrapped into the box first, then the images near the box.
  std::vector<double> position;
  std::vector<int> type;
  std::vector<size_t> atom_of_point;
  std::vector<std::array<double, 3>> fractional(n);
  for (size_t i = 0; i < n; ++i) {
    fractional[i] = start_box.wrapped_fractional(&atoms.reference[3 * i]);
    const auto x = start_box.to_cartesian(fractional[i]);
    position.insert(position.end(), x.begin(), x.end());
    type.push_back(atoms.type[i]);
    atom_of_point.push_back(i);
  }
  for (size_t i = 0; i < n; ++i)
    for (const auto &image : start_box.images_near(fractional[i], options.cutoff.max_value())) {
      position.insert(position.end(), image.begin(), image.end());
      type.push_back(atoms.type[i]);
      atom_of_point.push_back(i);
    }
  NeighbourList neighbours;
  NeighbourSearch().find(position.data(), type.data(), type.size(), n, options.cutoff, neighbours);

  CageResult result;
  result.n_cage.assign(n, 0);
  result.n_lost.assign(n, 0);
  result.broken.assign(n, 0);
  CageTallies tallies(ntypes);
  for (size_t i = 0; i < n; ++i) {
    if (!atoms.in_group[i]) continue;
    std::vector<double> distance, cutoff;
    for (size_t m = neighbours.first[i]; m < neighbours.first[i + 1]; ++m) {
      const size_t j = atom_of_point[neighbours.index[m]];
      if (j == i) continue;    // its own periodic image, only in boxes too small to analyse
      distance.push_back(end_box.minimum_image_distance(&atoms.current[3 * i], &atoms.current[3 * j]));
      cutoff.push_back(options.cutoff.get(atoms.type[i], atoms.type[j]));
    }
    if (distance.empty()) continue;    // no cage: nothing to break, not counted (as on the fly)
    const auto outcome = compare_cage(distance, cutoff, options.hysteresis, options.nlost);
    result.n_cage[i] = int64_t(distance.size());
    result.n_lost[i] = outcome.n_lost;
    result.broken[i] = outcome.broken;
    tallies.add(atoms.type[i], outcome, int64_t(distance.size()));
  }
  result.summary = summarise_cages(tallies);
  result.atoms_by_type = tallies.atoms;
  result.broken_by_type = tallies.broken;
  result.lost_by_type = tallies.lost;
  result.cage_by_type = tallies.cage;
  return result;
}

}    // namespace glassdyn
