#include "top_selection.hpp"

#include <cstring>
#include <stdexcept>

namespace glassdyn {

namespace {

// A 128-bit key whose unsigned order is (value descending is larger key, then id ascending
// is larger key), so "largest keys" means "largest values, ties to the smallest id".
struct RankKey {
  uint64_t high;
  uint64_t low;
};

uint64_t order_preserving_bits(double value)
{
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  const uint64_t sign = uint64_t(1) << 63;
  // Negative doubles order backwards in their raw bits; flipping fixes both halves.
  return (bits & sign) ? ~bits : (bits | sign);
}

unsigned key_byte(const RankKey &key, int byte_index)
{
  // byte_index 0 is the most significant byte of the 128-bit key.
  if (byte_index < 8) return unsigned(key.high >> (8 * (7 - byte_index))) & 0xffu;
  return unsigned(key.low >> (8 * (15 - byte_index))) & 0xffu;
}

}    // namespace

std::vector<char> select_largest(const std::vector<double> &values, const std::vector<int64_t> &ids,
                                 int64_t count, const Communicator &comm)
{
  if (values.size() != ids.size())
    throw std::invalid_argument("select_largest: values and ids differ in length");
  std::vector<char> selected(values.size(), 0);
  if (count <= 0) return selected;

  std::vector<RankKey> keys(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    keys[i] = {order_preserving_bits(values[i]), ~static_cast<uint64_t>(ids[i])};

  // Most-significant-byte radix selection: each round tallies the next byte of the keys
  // still undecided, sums the 256 tallies globally and settles every key whose byte is
  // above the pivot byte. Keys are unique (ids are), so 16 rounds always finish.
  std::vector<size_t> undecided(values.size());
  for (size_t i = 0; i < undecided.size(); ++i) undecided[i] = i;
  int64_t still_wanted = count;
  std::vector<int64_t> tally(257);

  for (int byte_index = 0; byte_index < 16; ++byte_index) {
    std::fill(tally.begin(), tally.end(), 0);
    for (size_t i : undecided) ++tally[key_byte(keys[i], byte_index)];
    tally[256] = static_cast<int64_t>(undecided.size());
    comm.sum(tally);
    if (byte_index == 0 && tally[256] < count)
      throw std::invalid_argument("select_largest: more entries wanted than exist");

    int pivot = 255;
    for (; pivot >= 0; --pivot) {
      if (tally[pivot] >= still_wanted) break;
      still_wanted -= tally[pivot];
    }
    const bool pivot_bucket_complete = (tally[pivot] == still_wanted);

    std::vector<size_t> next;
    for (size_t i : undecided) {
      const int byte = int(key_byte(keys[i], byte_index));
      if (byte > pivot || (byte == pivot && pivot_bucket_complete))
        selected[i] = 1;
      else if (byte == pivot)
        next.push_back(i);
    }
    // Every process sees the same global tallies, so all leave the loop together.
    if (pivot_bucket_complete) break;
    undecided.swap(next);
  }
  return selected;
}

}    // namespace glassdyn
