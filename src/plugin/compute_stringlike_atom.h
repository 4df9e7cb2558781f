/* glassdyn: compute stringlike/atom

   Per-atom string-like motion (Donati-Glotzer) over consecutive analysis windows,
   evaluated on the fly at each window end. See docs/compute_stringlike_atom.md.
*/

#ifdef COMPUTE_CLASS
// clang-format off
ComputeStyle(stringlike/atom,ComputeStringLikeAtom);
// clang-format on
#else

#ifndef GLASSDYN_COMPUTE_STRINGLIKE_ATOM_H
#define GLASSDYN_COMPUTE_STRINGLIKE_ATOM_H

#include "compute_windowed.h"

#include "string_analysis.hpp"
#include "pair_table.hpp"
#include "schema/strings.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace LAMMPS_NS {

class ComputeStringLikeAtom : public WindowedCompute {
 public:
  ComputeStringLikeAtom(class LAMMPS *, int, char **);

  void finish_window(bigint window_start, bigint window_end) override;
  void begin_window() override;
  void initialise_atom(int i) override;
  void derive_columns(double *row) const override;

  // Layout of the per-atom store: reference position, then the results of the last window.
  enum StoreColumn { REF_X, REF_Y, REF_Z, OUT_MOBILE, OUT_STRING_ID, OUT_SIZE, OUT_U, NCOLUMNS };
  // Output indices, looked up by name in the one declaration of the layouts
  // (src/core/schema/strings.hpp). Per-atom output: the four stored results, then two flags
  // derived from them.
  enum OutputColumn {
    C_MOBILE = glassdyn::schema::strings::peratom.index("mobile"),
    C_STRING_ID = glassdyn::schema::strings::peratom.index("string_id"),
    C_SIZE = glassdyn::schema::strings::peratom.index("string_size"),
    C_U = glassdyn::schema::strings::peratom.index("u"),
    C_IN_STRING = glassdyn::schema::strings::peratom.index("in_string"),
    C_IN_LONG_STRING = glassdyn::schema::strings::peratom.index("in_long"),
    NOUTPUTCOLUMNS = glassdyn::schema::strings::peratom.size()
  };
  enum GlobalValue {
    N_FAST = glassdyn::schema::strings::vector.index("n_fast"),
    N_STRING = glassdyn::schema::strings::vector.index("n_str"),
    N_LONG = glassdyn::schema::strings::vector.index("n_long"),
    N_STRINGS = glassdyn::schema::strings::vector.index("n_strings"),
    MEAN_SIZE_NUMBER = glassdyn::schema::strings::vector.index("xi_number"),
    MEAN_SIZE_WEIGHT = glassdyn::schema::strings::vector.index("xi_weight"),
    STRING_FRACTION = glassdyn::schema::strings::vector.index("str_fraction"),
    LONG_FRACTION = glassdyn::schema::strings::vector.index("long_fraction"),
    NGLOBAL = glassdyn::schema::strings::vector.size()
  };
  // The stored results are copied to the per-atom output as one block, in the output's order.
  static_assert(OUT_STRING_ID - OUT_MOBILE == C_STRING_ID && OUT_SIZE - OUT_MOBILE == C_SIZE &&
                    OUT_U - OUT_MOBILE == C_U && OUT_MOBILE - OUT_MOBILE == C_MOBILE,
                "store results in the order of the per-atom output");

  // Displacement u of local atom i over the last finished window (0 outside the group).
  double window_displacement(int i) const;

 private:
  void parse_arguments(int narg, char **arg);
  void evaluate_window();

  glassdyn::StringOptions options;
};

}    // namespace LAMMPS_NS

#endif
#endif
