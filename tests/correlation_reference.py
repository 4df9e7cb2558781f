"""A direct NumPy implementation of the time correlations of science.md section 8, written from
the definitions (not from the C++ code), for the core and plugin tests."""
from __future__ import annotations

import numpy as np


def reference_table(steps, positions, types, masses, *, every, lags, q, overlap=0.0, drift=True, ntypes=None):
    """Per lag and set (all, then each type): msd, alpha2, fs, overlap, chi4, n_origins, as dicts of
    (lags, sets) arrays. Origins start at every frame whose step is a multiple of ``every``."""
    steps = np.asarray(steps)
    types = np.asarray(types)
    ntypes = int(types.max()) if ntypes is None else ntypes
    sets = [np.ones(len(types), bool)] + [types == t for t in range(1, ntypes + 1)]
    index = {int(s): k for k, s in enumerate(steps)}
    per_lag = {name: np.zeros((len(lags), len(sets))) for name in ("msd", "alpha2", "fs", "overlap", "chi4",
                                                                    "n_origins")}
    for li, lag in enumerate(lags):
        for si, members in enumerate(sets):
            r2_all, r4_all, fs_all, w_all, q_values, counts = [], [], [], [], [], []
            for s in steps[steps % every == 0]:
                if int(s) + lag not in index:
                    continue
                d = positions[index[int(s) + lag]] - positions[index[int(s)]]
                if drift:
                    d = d - (masses[:, None] * d).sum(axis=0) / masses.sum()
                r = np.linalg.norm(d[members], axis=1)
                if r.size == 0:
                    continue
                fs = np.sinc(q * r / np.pi)          # sin(qr)/(qr)
                w = (r < overlap).astype(float) if overlap > 0 else np.zeros_like(r)
                r2_all.append(r ** 2)
                r4_all.append(r ** 4)
                fs_all.append(fs)
                w_all.append(w)
                q_values.append(w.mean() if overlap > 0 else fs.mean())
                counts.append(r.size)
            if not counts:
                continue
            msd = np.concatenate(r2_all).mean()
            per_lag["msd"][li, si] = msd
            per_lag["alpha2"][li, si] = 3 * np.concatenate(r4_all).mean() / (5 * msd ** 2) - 1 if msd > 0 else 0.0
            per_lag["fs"][li, si] = np.concatenate(fs_all).mean()
            per_lag["overlap"][li, si] = np.concatenate(w_all).mean()
            per_lag["chi4"][li, si] = np.mean(counts) * np.var(q_values)
            per_lag["n_origins"][li, si] = len(counts)
    return per_lag


def reference_derived(time, msd, fs, alpha2, n_origins, *, tolerance=0.1):
    """tau_alpha, D, diffusive range, t* of one set by the documented rules."""
    ok = np.flatnonzero(n_origins > 0)
    t, m, f, a = time[ok], msd[ok], fs[ok], alpha2[ok]
    tau = 0.0
    below = np.flatnonzero(f < np.exp(-1))
    if below.size and below[0] > 0:
        k = below[0]
        x = (f[k - 1] - np.exp(-1)) / (f[k - 1] - f[k])
        tau = float(np.exp(np.log(t[k - 1]) + x * np.log(t[k] / t[k - 1])))
    first = len(t) - 1
    for k in range(len(t) - 2, -1, -1):
        if t[-1] < 2 * t[k]:
            continue
        if abs(np.log(m[-1] / m[k]) / np.log(t[-1] / t[k]) - 1) > tolerance:
            break
        first = k
    d, lo, hi = 0.0, 0.0, 0.0
    if first < len(t) - 1:
        d = np.polyfit(t[first:], m[first:], 1)[0] / 6
        lo, hi = t[first], t[-1]
    return tau, d, lo, hi, t[np.argmax(a)]
