// Atom ID -> index lookup for the copies one rank holds (owned atoms and ghost images): an
// open-addressing hash table kept between uses, so a window end allocates nothing once the
// sizes have settled. Several copies of one ID are chained by the caller (see CageLossEvaluator).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace glassdyn {

class IdIndex {
 public:
  static constexpr int NONE = -1;

  // Empties the table and makes room for `n` IDs.
  void reset(size_t n)
  {
    size_t capacity = 16;
    while (capacity < 2 * n) capacity *= 2;
    shift_ = 64;
    for (size_t c = capacity; c > 1; c /= 2) --shift_;
    keys_.resize(capacity);
    values_.assign(capacity, NONE);
  }
  // The value stored for `id` before this call (NONE if new); stores `value` for it.
  int exchange(int64_t id, int value)
  {
    size_t slot = home(id);
    while (values_[slot] != NONE && keys_[slot] != id) slot = (slot + 1) & (values_.size() - 1);
    const int previous = values_[slot];
    keys_[slot] = id;
    values_[slot] = value;
    return previous;
  }
  int find(int64_t id) const
  {
    size_t slot = home(id);
    while (values_[slot] != NONE) {
      if (keys_[slot] == id) return values_[slot];
      slot = (slot + 1) & (values_.size() - 1);
    }
    return NONE;
  }
  double memory_bytes() const
  {
    return double(keys_.capacity()) * sizeof(int64_t) + double(values_.capacity()) * sizeof(int);
  }

 private:
  // Fibonacci hashing: consecutive IDs spread over the table.
  size_t home(int64_t id) const { return size_t((uint64_t(id) * 0x9E3779B97F4A7C15ULL) >> shift_); }

  int shift_ = 60;
  std::vector<int64_t> keys_;
  std::vector<int> values_;    // NONE marks an empty slot
};

}    // namespace glassdyn
