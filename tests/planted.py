"""Hand-built crystals with planted string motion whose answer is known by construction."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FCC_BASIS = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])


@dataclass
class PlantedCrystal:
    a: float
    cells: int
    tilt_xy: float                 # 0 or a lattice vector's x component (keeps the crystal periodic)
    vacuum_z: float = 0.0          # extra empty box length along z (for empty MPI ranks)
    ids: np.ndarray = field(init=False)
    types: np.ndarray = field(init=False)
    r0: np.ndarray = field(init=False)
    r1: np.ndarray = field(init=False)
    chains: list[list[int]] = field(init=False, default_factory=list)   # atom IDs, in hop order
    isolated: list[int] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        length = self.cells * self.a
        self.matrix = np.array([[length, self.tilt_xy, 0.0], [0.0, length, 0.0], [0.0, 0.0, length + self.vacuum_z]])
        # All lattice sites whose fractional coordinates in the (tilted) crystal cell lie in [0,1).
        crystal = np.array([[length, self.tilt_xy, 0.0], [0.0, length, 0.0], [0.0, 0.0, length]])
        grid = np.arange(-self.cells, 2 * self.cells)
        cells = np.array(np.meshgrid(grid, grid, np.arange(self.cells), indexing="ij")).reshape(3, -1).T
        sites = ((cells[:, None, :] + FCC_BASIS[None, :, :]) * self.a).reshape(-1, 3)
        frac = np.linalg.solve(crystal, sites.T).T
        keep = np.all((frac >= -1e-9) & (frac < 1 - 1e-9), axis=1)
        sites = sites[keep] + 0.01 * self.a  # keep atoms off the exact box faces
        assert len(sites) == 4 * self.cells ** 3
        order = np.lexsort((sites[:, 0], sites[:, 1], sites[:, 2]))
        self.r0 = sites[order]
        n = len(self.r0)
        self.ids = np.arange(1, n + 1)
        self.types = np.where(self.ids % 5 == 0, 2, 1)
        self.r1 = self.r0.copy()

    # ---- planting
    def site_index(self, point: np.ndarray) -> int:
        """Index of the atom whose site is the periodic image of `point`."""
        delta = self.r0 - point
        frac = np.linalg.solve(self.matrix, delta.T).T
        frac -= np.round(frac)
        distance = np.linalg.norm(frac @ self.matrix.T, axis=1)
        index = int(np.argmin(distance))
        assert distance[index] < 1e-6, "no lattice site there"
        return index

    def plant_chain(self, start: np.ndarray, k: int) -> None:
        """k atoms on a [110] row: atom j moves into the old site of atom j-1 (j >= 1) and
        atom 0 moves to an octahedral interstitial, a/2 from every site."""
        hop = np.array([0.5, 0.5, 0.0]) * self.a
        members = [self.site_index(start + j * hop) for j in range(k)]
        self.r1[members[0]] = self.r0[members[0]] + np.array([0.5, 0.0, 0.0]) * self.a
        for j in range(1, k):
            self.r1[members[j]] = self.r0[members[j]] - hop
        self.chains.append([int(self.ids[m]) for m in members])

    def plant_isolated(self, site: np.ndarray) -> None:
        index = self.site_index(site)
        self.r1[index] = self.r0[index] + np.array([0.0, 0.0, 0.5]) * self.a
        self.isolated.append(int(self.ids[index]))

    @property
    def movers(self) -> int:
        return sum(len(c) for c in self.chains) + len(self.isolated)

    # ---- files for LAMMPS
    def bounds(self) -> str:
        m = self.matrix
        text = f"0 {m[0, 0]} xlo xhi\n0 {m[1, 1]} ylo yhi\n0 {m[2, 2]} zlo zhi\n"
        if self.tilt_xy:
            text += f"{self.tilt_xy} 0 0 xy xz yz\n"
        return text

    def write_data(self, path: Path) -> None:
        lines = [f"planted crystal\n\n{len(self.ids)} atoms\n2 atom types\n\n{self.bounds()}\nAtoms # atomic\n"]
        lines += [f"{i} {t} {x:.12f} {y:.12f} {z:.12f}" for i, t, (x, y, z) in zip(self.ids, self.types, self.r0)]
        path.write_text("\n".join(lines) + "\n")

    def write_moved_dump(self, path: Path) -> None:
        """The moved frame as a dump: wrapped positions plus image flags (unwrapped = r1)."""
        frac = np.linalg.solve(self.matrix, self.r1.T).T
        image = np.floor(frac).astype(int)
        wrapped = (frac - image) @ self.matrix.T
        m = self.matrix
        if self.tilt_xy:
            xlo_b, xhi_b = min(0.0, self.tilt_xy), m[0, 0] + max(0.0, self.tilt_xy)
            header = (f"ITEM: BOX BOUNDS xy xz yz pp pp pp\n{xlo_b} {xhi_b} {self.tilt_xy}\n"
                      f"0 {m[1, 1]} 0\n0 {m[2, 2]} 0\n")
        else:
            header = f"ITEM: BOX BOUNDS pp pp pp\n0 {m[0, 0]}\n0 {m[1, 1]}\n0 {m[2, 2]}\n"
        rows = [f"{i} {t} {x:.12f} {y:.12f} {z:.12f} {ix} {iy} {iz}"
                for i, t, (x, y, z), (ix, iy, iz) in zip(self.ids, self.types, wrapped, image)]
        path.write_text(f"ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n{len(self.ids)}\n{header}"
                        "ITEM: ATOMS id type x y z ix iy iz\n" + "\n".join(rows) + "\n")


def standard_plan(a: float, tilt_xy: float = 0.0, vacuum_z: float = 0.0) -> PlantedCrystal:
    """Chains of 2, 3, 5 and 7 atoms (the 7-chain crosses the periodic x boundary) and three
    isolated movers, all far enough apart not to touch, in a 6x6x6 fcc crystal."""
    crystal = PlantedCrystal(a=a, cells=6, tilt_xy=tilt_xy, vacuum_z=vacuum_z)
    c = 0.01 * a
    crystal.plant_chain(np.array([0.0, 0.0, 0.0]) * a + c, 2)
    crystal.plant_chain(np.array([0.0, 3.0, 3.0]) * a + c, 3)
    crystal.plant_chain(np.array([3.0, 0.0, 4.0]) * a + c, 5)
    crystal.plant_chain(np.array([4.0, 2.5, 1.5]) * a + c, 7)   # runs past x = 6a
    for site in ([2.0, 4.0, 0.0], [5.0, 5.0, 4.0], [1.5, 1.5, 3.0]):
        crystal.plant_isolated(np.array(site) * a + c)
    return crystal
