"""Neighbour averages of per-atom values within a radius, in a periodic (possibly triclinic) box.

Pairs within the largest radius come from one :class:`scipy.spatial.cKDTree` query against the
atoms plus their periodic images near the faces (images only where a dimension is periodic; none
along z of a 2-D box). The radius must stay below half the smallest periodic width of the box, so
each neighbour is met once, through its nearest image, and images shifted by -1, 0, +1 box vectors
suffice. Averages for several radii reuse the pairs, adding one distance shell at a time.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from glassdyn import _checks
from glassdyn.io import Box


def periodic_widths(box: Box) -> np.ndarray:
    """Distances between opposite faces of the box (the perpendicular widths), along a, b, c."""
    matrix = box.matrix
    volume = abs(np.linalg.det(matrix))
    a, b, c = matrix.T
    return np.array([volume / np.linalg.norm(np.cross(b, c)), volume / np.linalg.norm(np.cross(c, a)),
                     volume / np.linalg.norm(np.cross(a, b))])


def largest_radius(box: Box) -> float:
    """Radii must be below this: half the smallest periodic width (inf for a box periodic nowhere)."""
    widths = periodic_widths(box)
    periodic = [box.periodic[k] and not (box.dimension == 2 and k == 2) for k in range(3)]
    return 0.5 * float(min((w for w, p in zip(widths, periodic) if p), default=np.inf))


def neighbour_pairs(positions: np.ndarray, box: Box, radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs (i, j, distance) of different atoms closer than ``radius`` (each ordered pair once)."""
    limit = largest_radius(box)
    if not radius < limit:
        raise ValueError(f"radius {radius:g} must be < half the smallest periodic box width ({limit:g}): a larger "
                         "radius would meet an atom through two images")
    n = len(positions)
    matrix = box.matrix
    fractional = np.linalg.solve(matrix, (positions - np.asarray(box.lo)).T).T
    periodic = [box.periodic[k] and not (box.dimension == 2 and k == 2) for k in range(3)]
    for k in range(3):
        if periodic[k]:
            fractional[:, k] -= np.floor(fractional[:, k])
    margin = radius / periodic_widths(box)
    images, owners = [], []
    for shift in np.array(np.meshgrid(*[[-1, 0, 1] if p else [0] for p in periodic], indexing="ij")).reshape(3, -1).T:
        moved = fractional + shift
        inside = (moved >= -margin) & (moved < 1.0 + margin)
        near = np.all(inside | ~np.array(periodic), axis=1)  # non-periodic dimensions: no images, every atom
        images.append(moved[near])
        owners.append(np.flatnonzero(near))
    owner = np.concatenate(owners)
    image_cartesian = np.concatenate(images) @ matrix.T
    cartesian = fractional @ matrix.T
    pairs = cKDTree(cartesian).sparse_distance_matrix(cKDTree(image_cartesian), radius, output_type="ndarray")
    i, j, d = pairs["i"], owner[pairs["j"]], pairs["v"]
    keep = i != j
    return i[keep].astype(np.int64), j[keep].astype(np.int64), d[keep]


def neighbour_averages(values: np.ndarray, positions: np.ndarray, box: Box, radii: Sequence[float]) -> np.ndarray:
    """Mean of ``values`` (N, F) over each atom and every atom within each radius (self included).

    Returns an array (len(radii), N, F); radius 0 gives the values themselves.
    """
    values = np.asarray(values, dtype=float)
    n = len(values)
    radii = np.asarray(radii, dtype=float)
    out = np.empty((len(radii), n, values.shape[1]))
    if n == 0:
        return out
    largest = float(radii.max())
    if largest > 0:
        i, j, d = neighbour_pairs(positions, box, largest)
    else:
        i = j = np.zeros(0, dtype=np.int64)
        d = np.zeros(0)
    order = np.argsort(d, kind="stable")
    i, j, d = i[order], j[order], d[order]
    sums = values.copy()
    counts = np.ones(n)
    done = 0
    for k in np.argsort(radii, kind="stable"):
        end = int(np.searchsorted(d, radii[k], side="right"))
        if end > done:
            shell = sparse.csr_matrix((np.ones(end - done), (i[done:end], j[done:end])), shape=(n, n))
            sums += shell @ values
            counts += np.asarray(shell.sum(axis=1)).ravel()
            done = end
        out[k] = sums / counts[:, None]
    return out


def check_radii(radii: Sequence[float]) -> np.ndarray:
    values = _checks.float_array("radii", radii, (None,), at_least=0.0)
    if len(values) == 0:
        raise ValueError("radii must hold at least one radius")
    if len(np.unique(values)) != len(values):
        raise ValueError(f"radii must be distinct, got {values.tolist()}")
    return np.sort(values)
