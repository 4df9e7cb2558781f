// A number as it appears in an option-check message: the shortest general form, as LAMMPS prints
// numbers in its own errors (one helper, so every core message formats numbers alike).
#pragma once

#include <sstream>
#include <string>

namespace glassdyn {

inline std::string number_text(double value, int digits = 6)
{
  std::ostringstream out;
  out.precision(digits);
  out << value;
  return out.str();
}

}    // namespace glassdyn
