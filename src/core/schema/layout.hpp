/* glassdyn: the shape of an output layout declaration.

   Every global vector, global array and per-atom array a glassdyn style produces is declared
   once, as a constexpr table of columns (name, unit kind, meaning), in src/core/schema/. The
   plugin's index enums are looked up by name in these tables (a misspelt or removed name does
   not compile), the Cython module exposes them (glassdyn._core.output_schema), and the Python
   side (campaign inputs, harvest, HDF5/CSV names, doc tables) derives from them.

   Unit kinds: "1" (dimensionless), "count", "fraction", "flag" (0 or 1), "index" (atom ID, atom
   type, cycle number, string size), "length", "1/length", "pressure", "stress*volume",
   "time", "length^2", "length^2/time".
*/

#ifndef GLASSDYN_SCHEMA_LAYOUT_HPP
#define GLASSDYN_SCHEMA_LAYOUT_HPP

#include <array>
#include <cstddef>
#include <stdexcept>
#include <utility>

namespace glassdyn::schema {

struct Column {
  const char *name;       // snake_case; the same name in Python, HDF5 and CSV
  const char *unit;       // unit kind (see above), resolved to real units by the reader
  const char *meaning;    // one line, as in the doc table
  bool per_set = false;   // repeated once per set (all atoms, then each atom type)
};

constexpr bool same_name(const char *a, const char *b)
{
  while (*a && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

template <std::size_t N> struct Layout {
  const char *style;     // the LAMMPS style: "stringlike/atom", "fix dms" is "dms"
  const char *output;    // "vector", "array" or "peratom"
  const char *rows;      // what a row is (arrays), for documentation
  bool block_per_set;    // the whole column list repeats once per set (set-major)
  std::array<Column, N> columns;

  static constexpr int size() { return int(N); }

  // 0-based position of a column; not constexpr-evaluable (a compile error) if absent.
  constexpr int index(const char *name) const
  {
    for (std::size_t k = 0; k < N; k++)
      if (same_name(columns[k].name, name)) return int(k);
    throw std::invalid_argument("glassdyn::schema: no column of that name");
  }

  // Number of values once per-set columns are expanded for `sets` sets.
  constexpr int width(int sets) const
  {
    if (block_per_set) return int(N) * sets;
    int n = 0;
    for (const Column &c : columns) n += c.per_set ? sets : 1;
    return n;
  }

  // 0-based position of set `set` of a column after expansion (set 0 for shared columns).
  constexpr int offset(const char *name, int sets, int set = 0) const
  {
    if (block_per_set) return set * int(N) + index(name);
    int n = 0;
    for (const Column &c : columns) {
      if (same_name(c.name, name)) return n + (c.per_set ? set : 0);
      n += c.per_set ? sets : 1;
    }
    throw std::invalid_argument("glassdyn::schema: no column of that name");
  }

  // Names are unique and not empty, so lookups by name are unambiguous.
  constexpr bool well_formed() const
  {
    for (std::size_t i = 0; i < N; i++) {
      if (!columns[i].name[0]) return false;
      for (std::size_t j = 0; j < i; j++)
        if (same_name(columns[i].name, columns[j].name)) return false;
    }
    return true;
  }
};

namespace detail {
template <std::size_t N, std::size_t... I>
constexpr std::array<Column, N> to_array(const Column (&c)[N], std::index_sequence<I...>)
{
  return {{c[I]...}};
}
}    // namespace detail

// Builds a Layout from a braced list of columns (the count is deduced: one edit adds a column).
template <std::size_t N>
constexpr Layout<N> layout(const char *style, const char *output, const char *rows, bool block_per_set,
                           const Column (&columns)[N])
{
  return Layout<N>{style, output, rows, block_per_set, detail::to_array(columns, std::make_index_sequence<N>{})};
}

// Type-erased view of a layout, for listing all of them (Cython, tests).
struct LayoutView {
  const char *style;
  const char *output;
  const char *rows;
  bool block_per_set;
  const Column *columns;
  int ncolumns;
};

template <std::size_t N> LayoutView view(const Layout<N> &l)
{
  return LayoutView{l.style, l.output, l.rows, l.block_per_set, l.columns.data(), int(N)};
}

}    // namespace glassdyn::schema

#endif
