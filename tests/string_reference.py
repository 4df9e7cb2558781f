"""Brute-force reference for string-like motion, written from the definition (science.md §2).

O(N^2) over mobile atoms with explicit periodic images; deliberately shares no code with
glassdyn so that the tests compare two independent implementations.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np


@dataclass
class ReferenceStrings:
    u: np.ndarray
    mobile: np.ndarray
    string_id: np.ndarray
    string_size: np.ndarray


def reference_strings(box_matrix: np.ndarray, ids: np.ndarray, r0: np.ndarray, r1: np.ndarray, delta: float,
                      *, masses: np.ndarray | None = None, fraction: float | None = 0.05,
                      u_range: tuple[float, float] | None = None, remove_drift: bool = True,
                      group: np.ndarray | None = None) -> ReferenceStrings:
    n = len(ids)
    group = np.ones(n, dtype=bool) if group is None else group
    masses = np.ones(n) if masses is None else masses
    d = r1 - r0
    if remove_drift:
        drift = (masses[group, None] * d[group]).sum(axis=0) / masses[group].sum()
        d = d - drift
    u = np.where(group, np.linalg.norm(d, axis=1), 0.0)

    mobile = np.zeros(n, dtype=bool)
    members = np.flatnonzero(group)
    if u_range is None:
        k = int(np.floor(fraction * len(members) + 0.5))
        # Largest u first, ties to the smaller atom ID.
        order = sorted(members, key=lambda i: (-u[i], ids[i]))
        mobile[order[:k]] = True
    else:
        mobile[members] = (u[members] >= u_range[0]) & (u[members] <= u_range[1])

    # Old site of each atom in the drift-free frame: r(t) - d.
    old = r1 - d
    shifts = np.array([box_matrix @ np.array(s) for s in product((-1, 0, 1), repeat=3)])
    candidates = np.flatnonzero(mobile)
    neighbours: dict[int, set[int]] = {int(i): set() for i in candidates}
    for a_pos, a in enumerate(candidates):
        for b in candidates[a_pos + 1:]:
            # Nearest periodic image of each cross-time vector.
            ab = np.min(np.linalg.norm(r1[a] - old[b] + shifts, axis=1))
            ba = np.min(np.linalg.norm(r1[b] - old[a] + shifts, axis=1))
            if min(ab, ba) < delta:
                neighbours[int(a)].add(int(b))
                neighbours[int(b)].add(int(a))

    string_id = np.zeros(n, dtype=np.int64)
    string_size = np.where(mobile, 1, 0).astype(np.int64)
    seen: set[int] = set()
    for start in candidates:
        if int(start) in seen or not neighbours[int(start)]:
            continue
        component, stack = [], [int(start)]
        seen.add(int(start))
        while stack:
            i = stack.pop()
            component.append(i)
            for j in neighbours[i] - seen:
                seen.add(j)
                stack.append(j)
        string_id[component] = ids[component].min()
        string_size[component] = len(component)
    return ReferenceStrings(u=u, mobile=mobile, string_id=string_id, string_size=string_size)
