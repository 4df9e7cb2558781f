"""A campaign bound to its folder: run the stages (:mod:`glassdyn.run`), then harvest (:mod:`glassdyn.results`).

This is the one place that joins the two: the driver runs stages and knows nothing of results;
the results read what the stages wrote. Layers point one way:
``launching`` < ``deepmd`` < ``run`` < ``results`` < ``campaign``, ``cli``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from glassdyn.results.harvest import harvest_campaign
from glassdyn.results.store import write_results
from glassdyn.results.summary import temperature_summary
from glassdyn.run.config import CampaignConfig
from glassdyn.run.plan import Plan, TemperatureChain, make_plan
from glassdyn.run.runner import CampaignRunner


@dataclass
class Campaign:
    """A campaign bound to its folder.

    Parameters
    ----------
    config : CampaignConfig
        The checked configuration.
    folder : path
        Where stages, logs and results are kept (created if needed).
    config_path : path, optional
        The campaign file, for relaunching under mpiexec.

    Examples
    --------
    >>> campaign = Campaign.from_toml("campaign.toml")       # doctest: +SKIP
    >>> results_file = campaign.run()                          # doctest: +SKIP
    """

    config: CampaignConfig
    folder: Path
    config_path: Optional[Path] = None

    @classmethod
    def from_toml(cls, path: str | Path, folder: Optional[str | Path] = None) -> "Campaign":
        """Read a campaign file; the folder defaults to ``<campaign.name>`` next to the file."""
        config = CampaignConfig.from_toml(path)
        return cls(config, Path(folder) if folder is not None else Path(path).resolve().parent / config.name,
                   Path(path).resolve())

    @property
    def plan(self) -> Plan:
        return make_plan(self.config)

    @property
    def results_file(self) -> Path:
        return self.folder / "results.h5"

    def run(self, *, progress: bool = True, comm: Any = None, only: Optional[str] = None) -> Path:
        """Run what is not finished yet, then harvest; returns the HDF5 results file.

        In ``inprocess`` mode on a single process with ``launch.np > 1`` this starts itself again
        under ``mpiexec`` with that many ranks (which then harvest). ``only`` (``"prep"`` or
        ``"T0.5"``): run that part alone, without harvesting (one batch job of ``glassdyn submit``).
        """
        self.folder = Path(self.folder).resolve()
        runner = CampaignRunner(self.config, self.folder, self.config_path, finish=self.harvest,
                                summary=self._summary)
        runner.run(progress=progress, comm=comm, only=only)
        return self.results_file

    def harvest(self) -> Path:
        """Read every finished stage into ``results.h5`` and the CSV tables; returns the HDF5 file."""
        results = harvest_campaign(self.folder, self.config, self.plan)
        write_results(results, self.folder)
        return self.results_file

    def _summary(self, chain: TemperatureChain) -> str:
        return temperature_summary(self.folder, self.config, chain)
