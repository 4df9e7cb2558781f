#include "cage.hpp"
#include "number_text.hpp"

#include "cell_grid.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace glassdyn {

std::vector<std::vector<size_t>> neighbours_within(const std::vector<double> &position, const std::vector<int> &type,
                                                   size_t n_owned, const PairTable &cutoff)
{
  if (position.size() != 3 * type.size()) throw std::invalid_argument("neighbours_within: inconsistent arrays");
  std::vector<std::vector<size_t>> neighbours(n_owned);
  if (n_owned == 0) return neighbours;
  const double radius = cutoff.max_value();
  if (!(radius > 0.0)) throw std::invalid_argument("neighbours_within: cutoff must be > 0");
  const CellGrid grid(position, radius);
  for (size_t i = 0; i < n_owned; ++i) {
    const double *ri = &position[3 * i];
    grid.for_each_candidate(i, [&](size_t j) {
      if (j == i) return;
      const double *rj = &position[3 * j];
      const double dx = ri[0] - rj[0], dy = ri[1] - rj[1], dz = ri[2] - rj[2];
      const double cut = cutoff.get(type[i], type[j]);
      if (dx * dx + dy * dy + dz * dz < cut * cut) neighbours[i].push_back(j);
    });
  }
  return neighbours;
}

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
  const auto neighbours = neighbours_within(position, type, n, options.cutoff);

  CageResult result;
  result.n_cage.assign(n, 0);
  result.n_lost.assign(n, 0);
  result.broken.assign(n, 0);
  CageTallies tallies(ntypes);
  for (size_t i = 0; i < n; ++i) {
    if (!atoms.in_group[i]) continue;
    std::vector<double> distance, cutoff;
    for (size_t point : neighbours[i]) {
      const size_t j = atom_of_point[point];
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
