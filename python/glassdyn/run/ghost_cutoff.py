"""The ghost-atom cutoff of DMS segments, widened when atoms moved farther than it reaches.

``compute stringlike/atom`` needs the window-start positions of mobile neighbours as ghosts; when
an atom moved farther than the ghost shell reaches, LAMMPS stops and names the ``comm_modify
cutoff`` it needs. The driver reruns the segment with a wider shell and keeps it for the rest of
the temperature (recorded in the journal and in ``done.json``, so a resumed run agrees). All of
that knowledge is here, so it goes in one piece once the pair test no longer needs the ghosts.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from glassdyn.run import journal
from glassdyn.run.config import CampaignConfig
from glassdyn.units import unit_system

_SUGGESTED_CUTOFF = re.compile(r"comm_modify cutoff ([0-9.eE+-]+)")
#: Reruns of one segment with a wider shell before its failure is final.
MAX_CUTOFF_RETRIES = 4
#: Margin on the cutoff LAMMPS asked for: the next window may reach a little farther.
WIDENING = 1.15


def initial_cutoff(config: CampaignConfig) -> float:
    """The configured cutoff, or the force range + skin + string delta + 1 distance unit."""
    if config.analysis.comm_cutoff is not None:
        return config.analysis.comm_cutoff
    skin = unit_system(config.units).skin
    return round(config.potential.cutoff + skin + config.analysis.string_delta + 1.0, 3)


def wider_cutoff(message: str) -> Optional[float]:
    """The cutoff to retry with when LAMMPS's error names the one it needs, else None."""
    suggested = _SUGGESTED_CUTOFF.search(message)
    return round(float(suggested.group(1)) * WIDENING, 3) if suggested is not None else None


def retried_cutoff(root: Path, stage: str) -> float:
    """The widest cutoff an earlier (interrupted) driver decided to retry ``stage`` with, else 0."""
    values = [record.get("next_cutoff") or 0.0 for record in journal.read(root)
              if record["stage"] == stage and record["event"] == "failed"]
    return max((float(v) for v in values if isinstance(v, (int, float))), default=0.0)
