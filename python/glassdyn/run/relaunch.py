"""An in-process campaign started on one process starts itself again on its MPI ranks."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable, Optional

from glassdyn.run.config import CampaignConfig, ConfigError


def relaunch_under_mpiexec(config: CampaignConfig, folder: Path, config_path: Optional[Path], *,
                           progress: bool, prepare: Callable[[], None]) -> None:
    """``mpiexec -n np python -m glassdyn run CONFIG --mode inprocess ...``, waited for.

    ``prepare`` checks the folder first (before any rank starts). The ranks run the whole
    campaign, harvest included; the caller only checks the exit status.
    """
    launch = config.launch
    if config_path is None:
        raise ConfigError("launch.mode: an in-process campaign built without a campaign file cannot start "
                          f"its own MPI ranks; run this Python under mpiexec -n {launch.np}")
    prepare()
    program = [sys.executable, "-m", "glassdyn", "run", str(config_path), "--folder", str(folder), "--mode",
               "inprocess", "--np", str(launch.np), "--parallel-temperatures", str(launch.parallel_temperatures),
               "--relaunched"]
    if not progress:
        program.append("--quiet")
    command = launch.command(deepmd=config.system.potential == "deepmd")
    completed = subprocess.run(command.mpi_argv(launch.np, program), env=command.environment())
    if completed.returncode != 0:
        raise RuntimeError(f"the in-process campaign under mpiexec failed (exit {completed.returncode}); "
                           f"see the stage logs in {folder}")
