#include "mobile_selection.hpp"

#include "top_selection.hpp"

#include <cmath>

namespace glassdyn {

int64_t mobile_count(double fraction, int64_t group_size)
{
  return std::llround(fraction * double(group_size));
}

std::vector<char> select_mobile(const FrameAtoms &atoms, const std::vector<double> &u, const MobileCriterion &criterion,
                                const Communicator &comm)
{
  const size_t n = atoms.size();
  std::vector<char> mobile(n, 0);
  if (!criterion.by_fraction) {
    for (size_t i = 0; i < n; ++i)
      mobile[i] = atoms.in_group[i] && u[i] >= criterion.u_low && u[i] <= criterion.u_high;
    return mobile;
  }
  std::vector<double> group_u;
  std::vector<int64_t> group_id;
  std::vector<size_t> group_index;
  for (size_t i = 0; i < n; ++i)
    if (atoms.in_group[i]) {
      group_u.push_back(u[i]);
      group_id.push_back(atoms.id[i]);
      group_index.push_back(i);
    }
  int64_t group_size = int64_t(group_u.size());
  comm.sum(&group_size, 1);
  const auto chosen = select_largest(group_u, group_id, mobile_count(criterion.fraction, group_size), comm);
  for (size_t g = 0; g < group_index.size(); ++g) mobile[group_index[g]] = chosen[g];
  return mobile;
}

}    // namespace glassdyn
