"""The campaign driver: configuration, plan, stage inputs, and running the stages resumably.

It starts LAMMPS through :mod:`glassdyn.launching` and never imports :mod:`glassdyn.results`:
harvesting is handed in by the orchestrator (:class:`glassdyn.campaign.Campaign`).
The launching helpers below are re-exported for older code.
"""
from glassdyn.launching.environment import lammps_environment
from glassdyn.launching.launchers import LammpsRun, run_lammps
from glassdyn.launching.locations import potentials_dir

__all__ = ["LammpsRun", "lammps_environment", "potentials_dir", "run_lammps"]
