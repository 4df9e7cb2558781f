"""Launching LAMMPS with the glassdyn plugin."""
from glassdyn.run.environment import LammpsRun, lammps_environment, potentials_dir, run_lammps

__all__ = ["LammpsRun", "lammps_environment", "potentials_dir", "run_lammps"]
