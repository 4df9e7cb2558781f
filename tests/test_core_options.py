"""Option checks live once, in the core's validate() of each option struct (issue 11, item 4).

Constructing a glassdyn._core class (which validates its option struct once) raises ValueError with the message the LAMMPS styles print after their
style name (tests/test_plugin_errors.py checks the plugin side of the same messages).
"""
from __future__ import annotations

import pytest

from glassdyn import _core

CASES = [
    (lambda: _core.StringAnalysis(ntypes=2, delta=0.0), "delta must be > 0"),
    (lambda: _core.StringAnalysis(ntypes=2, delta=0.5, delta_pairs={(1, 2): -1.0}),
     "delta must be > 0 .* for types 1 2"),
    (lambda: _core.StringAnalysis(ntypes=1, delta=0.5, fraction=0.0), r"fraction: F must be in \(0,1\]"),
    (lambda: _core.StringAnalysis(ntypes=1, delta=0.5, select_by_fraction=False, u_low=1.0, u_high=0.5),
     "range: ulo must be < uhi"),
    (lambda: _core.StringAnalysis(ntypes=1, delta=0.5, long_threshold=1), "long: L must be an integer >= 2"),
    (lambda: _core.StringAnalysis(ntypes=1, delta=0.5, maxsize=100001),
     r"maxsize: M must be an integer in 1..100000"),
    (lambda: _core.CageAnalysis(ntypes=1, cutoff=-1.0), "cutoff must be > 0"),
    (lambda: _core.CageAnalysis(ntypes=1, cutoff=1.0, hysteresis=-0.1), "hysteresis: h must be >= 0"),
    (lambda: _core.CageAnalysis(ntypes=1, cutoff=1.0, nlost=0), "nlost: N must be an integer >= 1"),
    (lambda: _core.DisplacementHistogram(bins=0, u_max=4.0, log_min=-2.0, beyond=2.0),
     r"bins: N must be an integer in 1..100000"),
    (lambda: _core.DisplacementHistogram(bins=10, u_max=4.0, log_min=1.0, beyond=2.0),
     r"logmin: L must be < log10\(umax\) = 0.6021"),
    (lambda: _core.CycleFit(amplitude=0.3, period=1.0), r"amplitude: EA must be a strain in \(0, 0.2\]"),
    (lambda: _core.CycleFit(amplitude=0.01, period=1.0, harmonics=2),
     r"harmonics: must be 1 \(fundamental\) or 3"),
]


@pytest.mark.parametrize("call, message", CASES, ids=[c[1] for c in CASES])
def test_validate_names_the_keyword(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_valid_options_pass():
    _core.StringAnalysis(ntypes=2, delta=0.55, delta_pairs={(1, 2): 0.5}, maxsize=100000)
    _core.CageAnalysis(ntypes=2, cutoff=1.4, hysteresis=0.0, nlost=3)
    _core.DisplacementHistogram(bins=200, u_max=4.0, log_min=-3.0, beyond=2.0)
    _core.CycleFit(amplitude=0.2, period=10.0, harmonics=3, discard=0)
