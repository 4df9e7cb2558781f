// Union-find over point indices, used to turn string links into connected components.
#pragma once

#include <numeric>
#include <vector>

namespace glassdyn {

class DisjointSet {
 public:
  explicit DisjointSet(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), size_t(0)); }

  size_t find(size_t i)
  {
    while (parent_[i] != i) {
      parent_[i] = parent_[parent_[i]];    // path halving keeps trees shallow
      i = parent_[i];
    }
    return i;
  }

  void unite(size_t a, size_t b)
  {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (a < b) parent_[b] = a;
    else parent_[a] = b;
  }

  size_t size() const { return parent_.size(); }

 private:
  std::vector<size_t> parent_;
};

}    // namespace glassdyn
