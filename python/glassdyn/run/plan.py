"""The stages of a campaign, in the order they must run, and where each keeps its files.

``prep/``                 melt, quench and anneal, each cut into segments of at most
                          ``preparation.segment_steps`` steps (a segment is the unit of resumption)
``T<T>/equilibrate``      the glass brought to a scan temperature
``T<T>/relaxation``      optional (``[relaxation]``): NVT time correlations from the equilibrated
                          state; the DMS segments start from the equilibration too, so the stage
                          changes none of them and a campaign without it has the plan it had
``T<T>/P<period>/seg<k>`` ``dms.cycles_per_segment`` oscillation cycles at that temperature
``T<T>/P<period>/inherent<c>`` optional (``[snapshots]`` with ``inherent``): the thermal snapshot of
                          cycle c, energy-minimised; right after the segment that wrote it, from
                          that segment's restart (only read), so the DMS chain is unchanged

Each stage folder holds ``in.lammps``, ``log.lammps``, its outputs, ``final.restart`` and, once
finished, ``done.json``. Temperatures are independent chains that may run side by side.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from glassdyn.run import inputs
from glassdyn.run.config import CampaignConfig

INITIAL_DATA = "prep/initial.data"


@dataclass(frozen=True)
class Stage:
    """One LAMMPS run of a campaign."""

    name: str                      # folder relative to the campaign folder
    kind: str                      # melt, quench, anneal, equilibrate, relaxation, dms, inherent
    steps: int
    source: str                    # file the run starts from
    temperature: Optional[float] = None
    period: Optional[float] = None
    first_cycle: int = 0
    cycles: int = 0
    ramp: tuple[float, float] = (0.0, 0.0)
    seed: Optional[int] = None

    @property
    def is_dms(self) -> bool:
        return self.kind == "dms"

    def input_text(self, config: CampaignConfig, comm_cutoff: Optional[float]) -> str:
        """The LAMMPS script of this stage; ``comm_cutoff`` (``analysis.comm_cutoff``, or the one a
        finished stage recorded) adds ``comm_modify cutoff`` to DMS segments, None leaves LAMMPS's default."""
        if self.kind in ("melt", "quench", "anneal"):
            return inputs.preparation_segment(
                config, source=self.source, restart=self.source != INITIAL_DATA, folder=self.name,
                thermostat=inputs.Thermostat(*self.ramp, config.preparation.ensemble), steps=self.steps,
                seed=self.seed)
        if self.kind == "equilibrate":
            assert self.temperature is not None and self.seed is not None
            return inputs.equilibration(config, source=self.source, folder=self.name, temperature=self.temperature,
                                        steps=self.steps, seed=self.seed)
        if self.kind == "relaxation":
            assert self.temperature is not None
            return inputs.relaxation(config, source=self.source, folder=self.name, temperature=self.temperature,
                                     steps=self.steps, r1_source=self.r1_source)
        assert self.temperature is not None and self.period is not None
        if self.kind == "inherent":
            segment = self.source.rsplit("/", 1)[0]
            return inputs.inherent_structure(config, source=self.source,
                                             snapshot=f"{segment}/{inputs.THERMAL_DUMP}", folder=self.name,
                                             step=inputs.snapshot_step(config, self.period))
        return inputs.dms_segment(config, source=self.source, folder=self.name, temperature=self.temperature,
                                  period=self.period, first_cycle=self.first_cycle, cycles=self.cycles,
                                  comm_cutoff=comm_cutoff, r1_source=self.r1_source)

    @property
    def r1_source(self) -> Optional[str]:
        """The r1 file of this stage's temperature (written by its equilibration stage)."""
        if self.temperature is None:
            return None
        return f"{temperature_folder(self.temperature)}/equilibrate/{inputs.R1_FILE}"


@dataclass(frozen=True)
class TemperatureChain:
    """Everything at one scan temperature: equilibration, then each period's segments."""

    temperature: float
    stages: tuple[Stage, ...]

    @property
    def relaxation(self) -> Optional[Stage]:
        """The relaxation stage of this temperature, if the campaign has one."""
        return next((stage for stage in self.stages if stage.kind == "relaxation"), None)

    def periods(self) -> dict[float, tuple[Stage, ...]]:
        found: dict[float, list[Stage]] = {}
        for stage in self.stages:
            if stage.is_dms:
                assert stage.period is not None
                found.setdefault(stage.period, []).append(stage)
        return {p: tuple(s) for p, s in found.items()}


@dataclass(frozen=True)
class Plan:
    preparation: tuple[Stage, ...]
    chains: tuple[TemperatureChain, ...]

    def all_stages(self) -> list[Stage]:
        return list(self.preparation) + [s for chain in self.chains for s in chain.stages]


def temperature_folder(temperature: float) -> str:
    return f"T{temperature:g}"


def period_folder(period: float) -> str:
    return f"P{period:g}"


def _ramp_segments(kind: str, start: float, stop: float, steps: int, max_steps: int, source: str,
                   seed: Optional[int]) -> list[Stage]:
    """A linear set-point ramp over ``steps`` steps, cut into equal-rate pieces."""
    pieces = max(1, math.ceil(steps / max_steps))
    stages = []
    done = 0
    for k in range(pieces):
        n = steps // pieces + (1 if k < steps % pieces else 0)
        t0 = start + (stop - start) * done / steps
        t1 = start + (stop - start) * (done + n) / steps
        name = f"prep/{kind}{k + 1:02d}"
        stages.append(Stage(name=name, kind=kind, steps=n, source=source, ramp=(t0, t1),
                            seed=seed if k == 0 else None))
        source = f"{name}/final.restart"
        done += n
    return stages


def make_plan(config: CampaignConfig) -> Plan:
    prep = config.preparation
    melt = _ramp_segments("melt", prep.melt_temperature, prep.melt_temperature, config.steps(prep.melt_time),
                          prep.segment_steps, INITIAL_DATA, config.seed)
    quench_steps = max(1, config.steps((prep.melt_temperature - prep.low_temperature) / prep.quench_rate))
    quench = _ramp_segments("quench", prep.melt_temperature, prep.low_temperature, quench_steps, prep.segment_steps,
                            f"{melt[-1].name}/final.restart", None)
    stages = melt + quench
    if prep.anneal_time > 0 and prep.anneal_temperature is not None:
        stages += _ramp_segments("anneal", prep.anneal_temperature, prep.anneal_temperature,
                                 config.steps(prep.anneal_time), prep.segment_steps, f"{quench[-1].name}/final.restart",
                                 None)
    glass = f"{stages[-1].name}/final.restart"

    chains = []
    dms = config.dms
    for index, temperature in enumerate(dms.temperatures):
        tdir = temperature_folder(temperature)
        equilibrate = Stage(name=f"{tdir}/equilibrate", kind="equilibrate", steps=config.steps(dms.equilibration_time),
                            source=glass, temperature=temperature, seed=config.seed + 1000 + index)
        chain = [equilibrate]
        if config.relaxation is not None:
            chain.append(Stage(name=f"{tdir}/relaxation", kind="relaxation", steps=config.steps(config.relaxation.time),
                               source=f"{equilibrate.name}/final.restart", temperature=temperature))
        for period in dms.periods:
            source = f"{equilibrate.name}/final.restart"
            cycle = 1
            segment = 1
            while cycle <= dms.cycles:
                count = min(dms.cycles_per_segment, dms.cycles - cycle + 1)
                name = f"{tdir}/{period_folder(period)}/seg{segment:03d}"
                chain.append(Stage(name=name, kind="dms", steps=count * config.steps(period), source=source,
                                   temperature=temperature, period=period, first_cycle=cycle, cycles=count))
                chain += _inherent_stage(config, chain[-1])
                source = f"{name}/final.restart"
                cycle += count
                segment += 1
        chains.append(TemperatureChain(temperature=temperature, stages=tuple(chain)))
    return Plan(preparation=tuple(stages), chains=tuple(chains))


def _inherent_stage(config: CampaignConfig, segment: Stage) -> list[Stage]:
    """The inherent-structure stage after the segment holding a snapshot cycle, if one is asked for."""
    shots = config.snapshots
    assert segment.temperature is not None and segment.period is not None
    if (shots is None or not shots.inherent or not shots.chosen(segment.temperature, segment.period)
            or not segment.first_cycle <= shots.cycle < segment.first_cycle + segment.cycles):
        return []
    folder = segment.name.rsplit("/", 1)[0]
    return [Stage(name=f"{folder}/inherent{shots.cycle:03d}", kind="inherent", steps=inputs.MINIMIZE[2],
                  source=f"{segment.name}/final.restart", temperature=segment.temperature, period=segment.period,
                  first_cycle=shots.cycle, cycles=0)]


def snapshot_segment(config: CampaignConfig, chain: TemperatureChain, period: float) -> Optional[Stage]:
    """The DMS segment of a temperature chain and period that writes the snapshot dumps, if any."""
    shots = config.snapshots
    if shots is None or not shots.chosen(chain.temperature, period):
        return None
    return next((s for s in chain.periods().get(period, ())
                 if s.first_cycle <= shots.cycle < s.first_cycle + s.cycles), None)


#: The part of a plan that is the preparation (the other parts are temperature folders, T<T>).
PREPARATION = "prep"


def parts(plan: Plan) -> list[str]:
    """The independently runnable parts: ``prep``, then one ``T<T>`` per temperature chain."""
    return [PREPARATION] + [temperature_folder(chain.temperature) for chain in plan.chains]


def part_name(text: str) -> str:
    """``prep``, ``T0.5``, ``T=0.5`` or ``0.5`` as a part name (ValueError otherwise)."""
    text = text.strip()
    if text == PREPARATION:
        return text
    value = text[2:] if text.startswith("T=") else text[1:] if text.startswith("T") else text
    return temperature_folder(float(value))


def part_stages(plan: Plan, part: str) -> tuple[Stage, ...]:
    """The stages of one part (KeyError for a part the plan does not have)."""
    if part == PREPARATION:
        return plan.preparation
    for chain in plan.chains:
        if temperature_folder(chain.temperature) == part:
            return chain.stages
    raise KeyError(part)
