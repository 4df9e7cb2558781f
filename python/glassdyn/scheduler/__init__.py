"""Batch scheduling of a campaign: each part (preparation, each temperature) as a Slurm job.

Placed above :mod:`glassdyn.run` (it reads the campaign file, the plan and the folder's records)
and beside :mod:`glassdyn.results` (it never reads results: the final job harvests by running
``glassdyn run``), below the command line. The jobs themselves are plain ``glassdyn run --only
PART`` on the shared campaign folder, so everything the driver guarantees (resumption, records,
refusal of other settings) holds for them unchanged.

* :mod:`~glassdyn.scheduler.slurm`: the thin layer over ``sbatch``, ``scontrol`` and ``scancel``;
* :mod:`~glassdyn.scheduler.jobs`: job scripts, what to submit, the job records, ``status``.
"""
from glassdyn.scheduler.jobs import status_lines, submit

__all__ = ["status_lines", "submit"]
