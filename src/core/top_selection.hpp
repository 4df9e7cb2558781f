// Exact, partition-independent selection of the k largest values.
#pragma once

#include "communicator.hpp"

#include <cstdint>
#include <vector>

namespace glassdyn {

// Marks the `count` entries with the largest value among all processes' entries.
// Equal values are ranked by ascending id, so the selected set is the same whatever
// way the entries are split over processes. `count` is the global number wanted and
// must not exceed the global number of entries. Collective: every process calls it.
std::vector<char> select_largest(const std::vector<double> &values, const std::vector<int64_t> &ids,
                                 int64_t count, const Communicator &comm);

}    // namespace glassdyn
