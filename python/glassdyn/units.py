"""Everything glassdyn knows about LAMMPS unit systems, in one table.

The campaign defaults (time step, damping times, neighbour skin, ensemble), the sane ranges the
campaign check enforces, and the names and scale factors the results use all depend on the unit
style of the potential. They are kept here, and only here, so that a new unit style is one entry.

This module imports nothing from glassdyn: every layer may use it.

Examples
--------
>>> unit_system("metal").pressure_scale   # LAMMPS metal pressures are bar; results are in GPa
0.0001
>>> unit_system("lj").skin
0.3
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class UnitSystem:
    """One LAMMPS unit style as glassdyn uses it.

    Attributes
    ----------
    name : str
        The LAMMPS ``units`` keyword.
    timestep, tdamp, pdamp, pressure : float
        Campaign defaults: time step, thermostat and barostat damping times (time units), pressure.
    skin : float
        Neighbour-list skin (distance units) of every campaign stage.
    ensemble : str
        Default preparation ensemble (metals are prepared at constant pressure).
    ranges : mapping
        Sane (low, high) ranges per kind (``temperature``, ``pressure`` as a magnitude, ``timestep``).
    pressure_unit, temperature_unit, time_unit, distance_unit, energy_unit : str
        Unit names written into the results.
    pressure_scale : float
        Factor from LAMMPS's pressure unit to ``pressure_unit`` (bar to GPa for metal).
    nktv2p : float
        LAMMPS's conversion of virial (energy) per volume to pressure (``force->nktv2p``).
    """

    name: str
    timestep: float
    tdamp: float
    pdamp: float
    pressure: float
    skin: float
    ensemble: str
    ranges: Mapping[str, tuple[float, float]]
    pressure_unit: str
    pressure_scale: float
    temperature_unit: str
    time_unit: str
    distance_unit: str
    energy_unit: str
    nktv2p: float


#: Metal values follow the reference study (2 fs step); LJ values are the usual reduced ones.
UNIT_SYSTEMS: dict[str, UnitSystem] = {
    "metal": UnitSystem(name="metal", timestep=0.002, tdamp=0.1, pdamp=1.0, pressure=0.0, skin=1.0, ensemble="npt",
                        ranges={"temperature": (1.0, 1e5), "pressure": (0.0, 1e7), "timestep": (1e-5, 0.01)},
                        pressure_unit="GPa", pressure_scale=1e-4, temperature_unit="K", time_unit="ps",
                        distance_unit="Angstrom", energy_unit="eV", nktv2p=1.6021765e6),
    "lj": UnitSystem(name="lj", timestep=0.005, tdamp=0.5, pdamp=5.0, pressure=0.0, skin=0.3, ensemble="nvt",
                     ranges={"temperature": (1e-4, 1e3), "pressure": (0.0, 1e4), "timestep": (1e-5, 0.05)},
                     pressure_unit="epsilon/sigma^3", pressure_scale=1.0, temperature_unit="epsilon/k_B",
                     time_unit="tau", distance_unit="sigma", energy_unit="epsilon", nktv2p=1.0),
}


def unit_system(name: str) -> UnitSystem:
    """The unit system called ``name`` (``"metal"`` or ``"lj"``)."""
    try:
        return UNIT_SYSTEMS[name]
    except KeyError:
        raise ValueError(f"unknown LAMMPS unit style {name!r}; glassdyn knows {sorted(UNIT_SYSTEMS)}") from None
