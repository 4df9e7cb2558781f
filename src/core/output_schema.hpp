/* glassdyn: every output layout, listed (for the Cython module and tests).

   The declarations live one header per analysis in schema/; add a new analysis's header here
   and to the list below. */

#ifndef GLASSDYN_OUTPUT_SCHEMA_HPP
#define GLASSDYN_OUTPUT_SCHEMA_HPP

#include "schema/cages.hpp"
#include "schema/correlations.hpp"
#include "schema/displacement.hpp"
#include "schema/dms.hpp"
#include "schema/percolation.hpp"
#include "schema/strings.hpp"

#include <vector>

namespace glassdyn::schema {

inline std::vector<LayoutView> all_layouts()
{
  return {view(strings::vector), view(strings::array), view(strings::peratom),
          view(cages::vector), view(cages::array), view(cages::peratom),
          view(displacement::vector), view(displacement::array),
          view(dms::vector), view(dms::array), view(dms::peratom),
          view(percolation::vector), view(percolation::array), view(percolation::peratom),
          view(correlations::vector), view(correlations::array)};
}

}    // namespace glassdyn::schema

#endif
