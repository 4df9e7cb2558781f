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
    slots_.assign(capacity, Slot{0, NONE});
  }
  // The value stored for `id` before this call (NONE if new); stores `value` for it.
  int exchange(int64_t id, int value)
  {
    const size_t mask = slots_.size() - 1;
    size_t slot = home(id);
    while (slots_[slot].value != NONE && slots_[slot].id != id) slot = (slot + 1) & mask;
    const int previous = slots_[slot].value;
    slots_[slot] = Slot{id, value};
    return previous;
  }
  int find(int64_t id) const
  {
    const size_t mask = slots_.size() - 1;
    size_t slot = home(id);
    while (slots_[slot].value != NONE) {
      if (slots_[slot].id == id) return slots_[slot].value;
      slot = (slot + 1) & mask;
    }
    return NONE;
  }
  double memory_bytes() const
  {
    return double(slots_.capacity()) * sizeof(Slot);
  }

 private:
  // Fibonacci hashing: consecutive IDs spread over the table.
  size_t home(int64_t id) const { return size_t((uint64_t(id) * 0x9E3779B97F4A7C15ULL) >> shift_); }

  struct Slot {
    int64_t id;
    int value;    // NONE marks an empty slot
  };
  int shift_ = 60;
  std::vector<Slot> slots_;
};

}    // namespace glassdyn
