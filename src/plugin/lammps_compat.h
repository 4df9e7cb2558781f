// Everything that differs between the LAMMPS builds glassdyn supports, in one place:
// - the MPI datatype of a 64-bit integer (the serial STUBS mpi.h has no MPI_INT64_T; LAMMPS's
//   own lmptype.h names MPI_LL for its 64-bit integers in every build, real MPI or STUBS);
// - Input::command (the command being executed) is protected before 2025 (2 Aug 2023, 29 Aug 2024)
//   and public since: read it through a member pointer taken in a derived class, valid for both;
// - which LAMMPS is running, so that the styles refuse to run in a LAMMPS other than the one
//   the plugin was compiled for (Compute/Fix class layouts change between releases).
#pragma once

#include "input.h"      // Input::command
#include "lammps.h"     // LAMMPS::version; includes mpi.h
#include "lmptype.h"    // MPI_LL

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

static_assert(sizeof(long long) == 8 || sizeof(long) == 8, "glassdyn needs a 64-bit MPI_LL");

// MPI datatype of int64_t, as LAMMPS uses it for its bigint (MPI_LMP_BIGINT is MPI_INT in a
// smallsmall build, so use MPI_LL, which is MPI_LONG_LONG, or MPI_LONG with LAMMPS_LONGLONG_TO_LONG).
#define GLASSDYN_MPI_INT64 MPI_LL

#ifndef GLASSDYN_LAMMPS_VERSION
#error "GLASSDYN_LAMMPS_VERSION must be defined by the build (the LAMMPS version string, e.g. \"22 Jul 2025\")"
#endif
#ifndef GLASSDYN_LAMMPS_NUM_VERSION
#define GLASSDYN_LAMMPS_NUM_VERSION 0    // unknown: only the version string is compared
#endif

// The numeric version (YYYYMMDD) from the C library interface of the running LAMMPS. It reads
// LAMMPS::num_ver with the running LAMMPS's own class layout, so it is right even when this
// plugin's copy of the layout is not. Weak: a static lmp without library.cpp does not have it.
extern "C" __attribute__((weak, visibility("default"))) int lammps_version(void *handle);

namespace glassdyn_compat {

// The command LAMMPS is executing (nullptr outside a command), in every supported release.
struct InputCommandAccess : LAMMPS_NS::Input {
  using LAMMPS_NS::Input::command;
};
inline const char *input_command(LAMMPS_NS::Input *input)
{
  return input ? input->*(&InputCommandAccess::command) : nullptr;
}

// Empty when the running LAMMPS is the one this plugin was compiled for, else a one-line
// message naming both versions and saying to rebuild.
inline std::string lammps_mismatch(LAMMPS_NS::LAMMPS *lmp)
{
  std::string running;
  if (&lammps_version != nullptr && GLASSDYN_LAMMPS_NUM_VERSION != 0) {
    const int num = lammps_version(lmp);
    if (num != GLASSDYN_LAMMPS_NUM_VERSION) {
      static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
      const int month = (num / 100) % 100;
      char buf[48];
      if (month >= 1 && month <= 12)
        std::snprintf(buf, sizeof buf, "%d %s %d", num % 100, months[month - 1], num / 10000);
      else
        std::snprintf(buf, sizeof buf, "%d", num);
      running = buf;
    }
  }
  if (running.empty()) {
    // Same release date (or no library interface): compare the version strings, which
    // LAMMPS::version holds at the same place in every release since 2020.
    const char *version = lmp->version;
    if (version == nullptr || std::strcmp(version, GLASSDYN_LAMMPS_VERSION) != 0)
      running = version ? version : "(unknown)";
  }
  if (running.empty()) return {};
  return std::string("glassdyn plugin was compiled for LAMMPS '") + GLASSDYN_LAMMPS_VERSION +
      "' but runs in LAMMPS '" + running +
      "': its styles would misread this LAMMPS's classes. Rebuild it against this LAMMPS: "
      "glassdyn plugin build --lammps <this LAMMPS's source, build or install folder>";
}

}    // namespace glassdyn_compat
