"""Physical-sense checks of a campaign, made before anything runs.

Values that are valid numbers can still make LAMMPS fail deep inside a run with an obscure
message ("Too many neighbor bins", "Divide by 0 in variable formula") or exhaust memory. Each
check here refuses such a value at configuration time, naming the field, the limit and why.

The box edge is estimated from the number of atoms and the start density; an NPT preparation
changes it by a few per cent, and the strain of the oscillation by ``dms.amplitude``, hence the
margin in :func:`usable_width`.
"""
from __future__ import annotations

import math
import os
from typing import Mapping, Optional

from glassdyn.run.errors import ConfigError
from glassdyn.units import unit_system

#: LAMMPS ``run N`` takes at most this many steps (MAXSMALLINT), so does every stage.
MAX_RUN_STEPS = 2**31 - 1
#: A plan with more stages than this is a mistake (a near-zero quench rate, a billion cycles).
MAX_STAGES = 100_000
#: The wheel is built with -DLAMMPS_SMALLBIG: atom IDs are 32-bit integers.
MAX_ATOMS = 2**31 - 1
#: compute cage/atom keeps at most this many neighbours per cage (its default maxcage).
MAX_CAGE = 32
#: A first coordination shell holds 12-16 neighbours; a cutoff enclosing more than this many on
#: average reaches far beyond it, and local packing fluctuations would overflow MAX_CAGE.
MAX_MEAN_CAGE = 24.0
MIN_AMPLITUDE = 1e-6  # below this the stress signal drowns in floating-point noise

#: Sane ranges of temperature, |pressure| and time step per unit system are in :mod:`glassdyn.units`.
DENSITY_FACTOR = (0.2, 3.0)  # start density within these factors of the potential's default

#: Bytes per atom: the driver's own start structure (grid, positions, text of the data file) and a
#: LAMMPS rank set (positions, velocities, forces, neighbour lists, ghosts, analysis stores).
DRIVER_BYTES_PER_ATOM = 600
LAMMPS_BYTES_PER_ATOM = 4096


def fail(field: str, message: str) -> ConfigError:
    return ConfigError(f"{field}: {message}")


def check_range(field: str, value: float, units: str, kind: str) -> None:
    """``value`` (absolute value for pressures) must lie in the sane range of ``kind``."""
    low, high = unit_system(units).ranges[kind]
    magnitude = abs(value) if kind == "pressure" else value
    if not low <= magnitude <= high:
        shown = f"|{kind}| <= {high:g}" if kind == "pressure" else f"{low:g} <= {kind} <= {high:g}"
        raise fail(field, f"{value:g} is outside the sane range for {units} units ({shown})")


def check_steps(field: str, time: float, timestep: float, *, limit: int = MAX_RUN_STEPS,
                what: str = "one LAMMPS run") -> int:
    """A span of time as a number of steps; refuses more steps than ``limit`` (before rounding,
    so that an enormous time cannot overflow)."""
    steps = time / timestep
    if not steps <= limit:
        raise fail(field, f"{time:g} is {steps:.3g} time steps of {timestep:g}; {what} takes at most {limit}")
    return int(round(steps))


def box_edge(atoms: int, density: float) -> float:
    """Edge of the cubic start box (distance units)."""
    return (atoms / density) ** (1.0 / 3.0)


def usable_width(atoms: int, density: float, amplitude: float) -> float:
    """The smallest periodic width the analyses can count on: the start box, 10 % smaller for NPT
    densification and fluctuations, and compressed or sheared by the strain amplitude."""
    return 0.9 * box_edge(atoms, density) * (1.0 - amplitude) / math.sqrt(1.0 + amplitude**2)


def check_distances(*, atoms: int, density: float, amplitude: float, string_delta: float, cage_cutoff: float,
                    cage_pairs: Mapping[str, float], hysteresis: float, comm_cutoff: Optional[float]) -> None:
    """Analysis distances against the expected box: below half its width, a sane cage size."""
    width = usable_width(atoms, density, amplitude)
    box = f"the expected box of {atoms} atoms at density {density:.4g} is about {box_edge(atoms, density):.4g} wide"
    if string_delta > 0.5 * width:
        raise fail("analysis.string_delta", f"{string_delta:g} is more than half the usable box width "
                                            f"{0.5 * width:.4g} ({box}); delta is ~0.55 of the nearest-neighbour "
                                            "distance")
    largest = max([cage_cutoff, *cage_pairs.values()])
    field = "analysis.cage_cutoff" if largest == cage_cutoff else "analysis.cage_cutoff_pairs"
    reach = largest * (1.0 + hysteresis)
    if 2.0 * reach > width:
        raise fail(field if hysteresis <= 1.0 else "analysis.hysteresis",
                   f"twice the cage radius x (1 + hysteresis) = {2 * reach:.4g} exceeds the usable box width "
                   f"{width:.4g} ({box}); use a smaller cutoff or more atoms")
    neighbours = density * 4.0 / 3.0 * math.pi * largest**3
    if neighbours > MAX_MEAN_CAGE:
        raise fail(field, f"{largest:g} encloses about {neighbours:.0f} neighbours at density {density:.4g} "
                          f"(a first shell has 12-16; compute cage/atom keeps at most {MAX_CAGE}); use the first "
                          "minimum of g(r)")
    if comm_cutoff is not None and comm_cutoff > box_edge(atoms, density):
        raise fail("analysis.comm_cutoff", f"{comm_cutoff:g} is larger than the box ({box}); ghost atoms of many "
                                           "periodic images would fill memory")


def physical_memory() -> Optional[int]:
    """Bytes of memory of this machine, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def check_atoms(atoms: int, *, lammps_here: bool) -> None:
    """Atom IDs must fit LAMMPS's integers, and the campaign must fit this machine's memory.

    ``lammps_here``: LAMMPS runs on this machine only (subprocess mode); in-process under a batch
    system the ranks may span nodes, so only the driver's own share is checked.
    """
    if atoms > MAX_ATOMS:
        raise fail("system.atoms", f"{atoms:g} atoms exceed the {MAX_ATOMS} that LAMMPS's 32-bit atom IDs allow")
    memory = physical_memory()
    if memory is None:
        return
    need = atoms * (DRIVER_BYTES_PER_ATOM + (LAMMPS_BYTES_PER_ATOM if lammps_here else 0))
    if need > memory:
        where = "the driver and its LAMMPS runs" if lammps_here else "the driver's start structure"
        raise fail("system.atoms", f"{atoms} atoms need about {need / 2**30:.3g} GiB for {where}; this machine has "
                                   f"{memory / 2**30:.3g} GiB")
