"""Campaign configuration: one TOML file describes the system, its preparation and the DMS scan.

Everything is checked before any LAMMPS run starts; a mistake raises :class:`ConfigError` whose
message names the offending field (``dms.periods``, ``system.composition``, ...) and says what
is allowed. Defaults depend on the units of the potential (``metal``: ps, K, Angstrom; ``lj``:
tau, epsilon/k_B, sigma; the values are in :mod:`glassdyn.units`) and are documented in ``docs/driver.md``.
"""
from __future__ import annotations

import math
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

from glassdyn.run import limits
from glassdyn.run.errors import ConfigError
from glassdyn.run.launch_config import LAUNCH_MODES, LaunchConfig, SlurmConfig, parse_launch, parse_slurm
from glassdyn.run.limits import fail as _fail
from glassdyn.run.potentials import Potential, PotentialError, get_potential
from glassdyn.units import unit_system

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python < 3.11
    import tomli as tomllib


__all__ = ["CampaignConfig", "ConfigError", "LAUNCH_MODES", "LaunchConfig", "SlurmConfig"]


STRAIN_AXES = ("x", "y", "z", "xy", "xz", "yz")
ENSEMBLES = ("npt", "nvt")
MIN_PERIOD_STEPS = 20  # fix dms refuses shorter periods
MIN_SAMPLES_PER_CYCLE = 14  # fix dms fits 7 terms (harmonics 3) and wants twice as many samples
MAX_SEED = 2**31 - 1 - 100000  # seeds of later stages are derived by adding to it
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")


def _number(table: Mapping[str, Any], key: str, prefix: str, default: Any = None, *,
            positive: bool = False, nonnegative: bool = False, integer: bool = False) -> Any:
    """Read one number from a TOML table, with the checks every numeric field needs."""
    name = f"{prefix}.{key}" if prefix else key
    value = table.get(key, default)
    if value is None:
        raise _fail(name, "is required")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(name, f"must be a number, got {_show(value)}")
    # TOML integers may exceed what a float holds (float() would raise OverflowError).
    if isinstance(value, int) and abs(value) > MAX_NUMBER:
        raise _fail(name, f"is too large, got {_show(value)}")
    if not math.isfinite(value):
        raise _fail(name, f"must be finite, got {value!r}")
    if integer and (not float(value).is_integer()):
        raise _fail(name, f"must be a whole number, got {value!r}")
    if positive and value <= 0:
        raise _fail(name, f"must be > 0, got {value!r}")
    if nonnegative and value < 0:
        raise _fail(name, f"must be >= 0, got {value!r}")
    return int(value) if integer else float(value)


MAX_NUMBER = 10**300  # beyond any sane value, and still convertible to float


def _show(value: Any, limit: int = 60) -> str:
    """A value for a message: repr, cut short (a generated or pasted value may be huge)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _table(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A sub-table of the campaign file (absent = empty); anything else names the field."""
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise _fail(key, f"must be a table ([{key}]), got {_show(value)}")
    return dict(value)


def _check_keys(table: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _fail(f"{prefix}.{unknown[0]}", f"unknown field; allowed in [{prefix}]: {', '.join(sorted(allowed))}")


@dataclass(frozen=True)
class SystemConfig:
    """What is simulated: potential, species and their atom fractions, number of atoms."""

    potential: str
    composition: dict[str, float]
    atoms: int
    density: float
    timestep: float
    model: Optional[str] = None
    type_map: Optional[tuple[str, ...]] = None

    @property
    def species(self) -> tuple[str, ...]:
        return tuple(self.composition)

    def counts(self) -> dict[str, int]:
        """Exact atom numbers per species (largest remainders, so they add up to ``atoms``)."""
        raw = {s: f * self.atoms for s, f in self.composition.items()}
        counts = {s: int(math.floor(v)) for s, v in raw.items()}
        missing = self.atoms - sum(counts.values())
        for s in sorted(raw, key=lambda s: (counts[s] - raw[s], list(raw).index(s)))[:missing]:
            counts[s] += 1
        return counts


@dataclass(frozen=True)
class PreparationConfig:
    """Melt, quench at a given rate, optional anneal."""

    ensemble: str
    melt_temperature: float
    melt_time: float
    quench_rate: float
    low_temperature: float
    anneal_temperature: Optional[float]
    anneal_time: float
    pressure: float
    tdamp: float
    pdamp: float
    sample_every: int
    segment_steps: int


@dataclass(frozen=True)
class DMSConfig:
    """The scan: temperatures x periods, each an equilibration then oscillation cycles."""

    temperatures: tuple[float, ...]
    periods: tuple[float, ...]
    axis: str
    amplitude: float
    cycles: int
    discard: int
    equilibration_time: float
    every: int
    cycles_per_segment: int


@dataclass(frozen=True)
class AnalysisConfig:
    """Strings, cages and p(u), measured over every cycle (windows aligned to zero strain)."""

    string_delta: float
    fraction: float
    long_string: int
    cage_cutoff: float
    cage_cutoff_pairs: dict[str, float]
    hysteresis: float
    nlost: int
    pu_umax: float
    pu_bins: int
    pu_beyond: float
    comm_cutoff: Optional[float] = None
    # compute percolation/atom: the fractions of the group in the mobile and immobile classes
    # (bonds at the cage cutoffs) and the smallest cluster in its d_f fit.
    percolation_mobile: float = 0.15
    percolation_immobile: float = 0.15
    percolation_dfmin: int = 10
    # Which atoms are mobile for the strings (issue 16): "fraction" (the `fraction` largest u),
    # "jump" (jump_range[0] <= u <= jump_range[1], distance units) or "both" side by side.
    mobile: str = "fraction"
    jump_range: Optional[tuple[float, float]] = None
    # "distance": jump_range in distance units; "r1": in units of the first peak of the total g(r),
    # measured by each temperature's equilibration stage (inputs.equilibration).
    jump_range_unit: str = "distance"

    @property
    def definitions(self) -> tuple[str, ...]:
        """The string definitions this campaign evaluates, in the order of their computes."""
        return ("fraction", "jump") if self.mobile == "both" else (self.mobile,)


#: Allowed values of analysis.mobile.
MOBILE_CHOICES = ("fraction", "jump", "both")
#: Fields added after campaigns existed: dropped from the science record at their defaults, so
#: folders made before them keep their record (and resume).
_ANALYSIS_NEW_DEFAULTS = {"mobile": "fraction", "jump_range": None, "jump_range_unit": "distance"}
#: Allowed values of analysis.jump_range_unit.
JUMP_RANGE_UNITS = ("distance", "r1")


@dataclass(frozen=True)
class RelaxationConfig:
    """The optional relaxation stage of every temperature: NVT, no strain, fix dynamics/correlate.

    Times are in time units; ``every`` and the window lengths are whole numbers of time steps.
    The lags are ``lags`` log-spaced values from one step to ``origins x every``.
    """

    time: float
    every: float
    origins: int
    lags: int
    q: float
    overlap: Optional[float]
    string_windows: tuple[float, ...] = ()


@dataclass(frozen=True)
class SnapshotsConfig:
    """Per-atom snapshots (``[snapshots]``): at which (temperature, period, cycle) the DMS segment
    dumps the configuration at the window start (thermal), the per-atom dynamics at its end, and
    an energy-minimised copy (inherent structure) made by a separate stage.

    ``temperatures`` and ``periods`` are resolved ("all" becomes the scan's values); ``cycle`` is
    1-based (default: the first used cycle, ``dms.discard + 1``).
    """

    temperatures: tuple[float, ...]
    periods: tuple[float, ...]
    cycle: int
    inherent: bool = True
    thermal: bool = True

    def chosen(self, temperature: float, period: float) -> bool:
        """Whether snapshots are taken at this scan point."""
        return _member(temperature, self.temperatures) and _member(period, self.periods)


def _member(value: float, values: tuple[float, ...]) -> bool:
    return any(f"{value:g}" == f"{v:g}" for v in values)


@dataclass(frozen=True)
class CampaignConfig:
    """A whole campaign. Build it with :meth:`from_toml` or :meth:`from_dict`."""

    name: str
    seed: int
    system: SystemConfig
    preparation: PreparationConfig
    dms: DMSConfig
    analysis: AnalysisConfig
    launch: LaunchConfig
    slurm: SlurmConfig = field(default_factory=SlurmConfig)
    source_text: str = field(default="", compare=False)
    relaxation: Optional[RelaxationConfig] = None
    snapshots: Optional[SnapshotsConfig] = None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_toml(cls, path: str | Path) -> "CampaignConfig":
        """Read and check a campaign file."""
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"campaign file {path} does not exist" + (" (it is a folder)" if path.is_dir() else ""))
        try:
            text = path.read_bytes().decode("utf-8-sig")  # a UTF-8 byte-order mark is harmless
        except UnicodeDecodeError as error:
            raise ConfigError(f"{path}: not UTF-8 text (byte {error.start}); TOML files are UTF-8: save it as "
                              "UTF-8") from None
        except OSError as error:
            raise ConfigError(f"{path}: cannot be read ({error.strerror})") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from None
        except RecursionError:  # arrays nested thousands deep
            raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
        return cls.from_dict(data, source_text=text, base_dir=path.parent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source_text: str = "",
                  base_dir: Optional[Path] = None) -> "CampaignConfig":
        """Check a parsed campaign (the TOML tables as dictionaries)."""
        _check_keys(data, {"campaign", "system", "preparation", "dms", "analysis", "launch", "slurm", "relaxation",
                           "snapshots"}, "campaign file")
        head = _table(data, "campaign")
        _check_keys(head, {"name", "seed"}, "campaign")
        name = head.get("name", "campaign")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise _fail("campaign.name", f"must be a word of letters, digits, '-', '_' or '.' (not starting with "
                                         f"'.'), got {_show(name)}")
        seed = _number(head, "seed", "campaign", 20251122, positive=True, integer=True)
        if seed > MAX_SEED:
            raise _fail("campaign.seed", f"must be at most {MAX_SEED} (LAMMPS seeds are 32-bit), got {seed}")

        system, potential = _system(_table(data, "system"), base_dir)
        units = potential.units
        preparation = _preparation(_table(data, "preparation"), units)
        dms = _dms(_table(data, "dms"), system.timestep)
        analysis = _analysis(_table(data, "analysis"), potential, system.species)
        launch = parse_launch(_table(data, "launch"), base_dir)
        slurm = parse_slurm(_table(data, "slurm"))
        if launch.parallel_temperatures > len(dms.temperatures):
            raise _fail("launch.parallel_temperatures", f"{launch.parallel_temperatures} groups for "
                                                        f"{len(dms.temperatures)} temperatures would leave ranks idle")
        _check_sense(system, units, preparation, dms, analysis, launch,
                     extra_stages=len(dms.temperatures) if "relaxation" in data else 0)
        relaxation = _relaxation(_table(data, "relaxation"), potential, system) if "relaxation" in data else None
        snapshots = _snapshots(_table(data, "snapshots"), dms) if "snapshots" in data else None
        return cls(name=name, seed=seed, system=system, preparation=preparation, dms=dms, analysis=analysis,
                   launch=launch, slurm=slurm, source_text=source_text, relaxation=relaxation, snapshots=snapshots)

    # ------------------------------------------------------------------ derived values
    @property
    def potential(self) -> Potential:
        return get_potential(self.system.potential, model=self.system.model, type_map=self.system.type_map)

    @property
    def units(self) -> str:
        return self.potential.units

    def steps(self, time: float) -> int:
        """Number of time steps in a span of time (rounded)."""
        return int(round(time / self.system.timestep))

    def with_launch(self, **changes: Any) -> "CampaignConfig":
        """The same campaign with other launch settings (they never change results' meaning)."""
        table = {key: list(value) if isinstance(value, tuple) else value
                 for key, value in {**asdict(self.launch), **changes}.items() if value not in (None, (), {})}
        launch = parse_launch(table)
        limits.check_atoms(self.system.atoms, lammps_here=launch.mode == "subprocess" and launch.default_launch)
        return CampaignConfig(self.name, self.seed, self.system, self.preparation, self.dms, self.analysis,
                              launch, self.slurm, self.source_text, self.relaxation, self.snapshots)

    def science_dict(self) -> dict[str, Any]:
        """Everything that determines the results (not how they are launched)."""
        data = asdict(self)
        for key in ("launch", "slurm", "source_text"):
            data.pop(key)
        for key in ("relaxation", "snapshots"):  # campaigns without them keep the record they had
            if data[key] is None:
                data.pop(key)
        for key, default in _ANALYSIS_NEW_DEFAULTS.items():  # same for analysis fields added later
            if data["analysis"][key] == default:
                data["analysis"].pop(key)
        return data


def _check_sense(system: SystemConfig, units: str, preparation: PreparationConfig, dms: DMSConfig,
                 analysis: AnalysisConfig, launch: LaunchConfig, extra_stages: int = 0) -> None:
    """Physical sense of valid numbers (see :mod:`glassdyn.run.limits`): what LAMMPS would
    otherwise refuse late, obscurely, or after filling the memory."""
    dt = system.timestep
    limits.check_range("system.timestep", dt, units, "timestep")
    default = _default_density(system.potential, system.composition)
    low, high = limits.DENSITY_FACTOR
    if not low * default <= system.density <= high * default:
        raise _fail("system.density", f"{system.density:g} is far from the usual {default:.4g} for this potential "
                                      f"(allowed {low:g}x to {high:g}x)")
    # Only the wheels' own mpiexec and lmp surely run on this machine; srun, a site mpirun or a
    # batch job may put the ranks on other nodes, so only the driver's share is checked then.
    limits.check_atoms(system.atoms, lammps_here=launch.mode == "subprocess" and launch.default_launch)
    p = preparation
    for key, value in (("melt_temperature", p.melt_temperature), ("low_temperature", p.low_temperature),
                       ("anneal_temperature", p.anneal_temperature)):
        if value is not None:
            limits.check_range(f"preparation.{key}", value, units, "temperature")
    for value in dms.temperatures:
        limits.check_range("dms.temperatures", value, units, "temperature")
    limits.check_range("preparation.pressure", p.pressure, units, "pressure")
    for key, value in (("tdamp", p.tdamp), ("pdamp", p.pdamp)):
        if value < dt:
            raise _fail(f"preparation.{key}", f"{value:g} is shorter than one time step ({dt:g}); a thermostat or "
                                              "barostat needs ~100 steps")
        limits.check_steps(f"preparation.{key}", value, dt)
    if p.segment_steps > limits.MAX_RUN_STEPS:
        raise _fail("preparation.segment_steps", f"must be at most {limits.MAX_RUN_STEPS} (one LAMMPS run)")
    if p.sample_every > p.segment_steps:
        raise _fail("preparation.sample_every", f"{p.sample_every} is longer than a segment "
                                                f"(preparation.segment_steps = {p.segment_steps})")
    most = limits.MAX_STAGES * p.segment_steps
    pieces = extra_stages  # one relaxation stage per temperature, with [relaxation]
    what = f"a preparation cut into at most {limits.MAX_STAGES} segments of preparation.segment_steps"
    quench_time = (p.melt_temperature - p.low_temperature) / p.quench_rate
    if not quench_time / dt <= most:
        raise _fail("preparation.quench_rate", f"{p.quench_rate:g} makes a quench of {quench_time / dt:.3g} time "
                                               f"steps; {what} takes at most {most}")
    pieces += math.ceil(max(1, round(quench_time / dt)) / p.segment_steps)
    for key, time in (("melt_time", p.melt_time), ("anneal_time", p.anneal_time)):
        steps = limits.check_steps(f"preparation.{key}", time, dt, limit=most, what=what)
        if time > 0 and steps < 1:
            raise _fail(f"preparation.{key}", f"{time} is shorter than one time step ({dt})")
        pieces += math.ceil(steps / p.segment_steps)
    if dms.amplitude < limits.MIN_AMPLITUDE:
        raise _fail("dms.amplitude", f"{dms.amplitude:g} is below {limits.MIN_AMPLITUDE:g}: the stress response "
                                     "would drown in floating-point noise")
    limits.check_steps("dms.equilibration_time", dms.equilibration_time, dt)
    for period in dms.periods:
        limits.check_steps("dms.cycles_per_segment", period * dms.cycles_per_segment, dt,
                           what=f"a segment of dms.cycles_per_segment = {dms.cycles_per_segment} cycles")
    pieces += len(dms.temperatures) * (1 + len(dms.periods) * math.ceil(dms.cycles / dms.cycles_per_segment))
    if pieces > limits.MAX_STAGES:
        raise _fail("dms.cycles", f"the campaign would have {pieces} stages (LAMMPS runs); at most "
                                  f"{limits.MAX_STAGES}: use fewer cycles or longer segments")
    if analysis.fraction * system.atoms < 1:
        raise _fail("analysis.fraction", f"{analysis.fraction:g} of {system.atoms} atoms selects no mobile atom")
    if analysis.long_string > system.atoms:
        raise _fail("analysis.long_string", f"{analysis.long_string} is more than the {system.atoms} atoms")
    if analysis.nlost > limits.MAX_CAGE:
        raise _fail("analysis.nlost", f"{analysis.nlost} exceeds the largest cage ({limits.MAX_CAGE} neighbours): "
                                      "no cage could ever break")
    limits.check_distances(atoms=system.atoms, density=system.density, amplitude=dms.amplitude,
                           string_delta=analysis.string_delta, cage_cutoff=analysis.cage_cutoff,
                           cage_pairs=analysis.cage_cutoff_pairs, hysteresis=analysis.hysteresis,
                           comm_cutoff=analysis.comm_cutoff)


# ---------------------------------------------------------------------- sections
def _system(table: dict[str, Any], base_dir: Optional[Path]) -> tuple[SystemConfig, Potential]:
    _check_keys(table, {"potential", "composition", "atoms", "density", "timestep", "model", "type_map"}, "system")
    name = table.get("potential")
    if not isinstance(name, str):
        raise _fail("system.potential", "is required: 'kob-andersen', 'cuzr-eam' or 'deepmd'")
    composition = table.get("composition")
    if not isinstance(composition, Mapping) or not composition:
        raise _fail("system.composition", "is required, e.g. { Cu = 64, Zr = 36 } (atom fractions or percent)")
    model = table.get("model")
    type_map = table.get("type_map")
    if name == "deepmd":
        if not isinstance(model, str) or not model:
            raise _fail("system.model", "a deepmd potential needs the path of its frozen model file (.pb)")
        model_path = Path(model)
        if not model_path.is_absolute() and base_dir is not None:
            model_path = base_dir / model_path
        try:
            exists = model_path.is_file()
        except (OSError, ValueError):  # a NUL byte or an over-long name
            exists = False
        if not exists:
            raise _fail("system.model", f"DeePMD model file {str(model_path)!r} does not exist")
        model = str(model_path.resolve())
        if not isinstance(type_map, list) or not all(isinstance(s, str) for s in type_map) or not type_map:
            raise _fail("system.type_map", "a deepmd potential needs the model's type map, e.g. ['Pd', 'Cu', 'P']")
        absent = [s for s in composition if s not in type_map]
        if absent:
            raise _fail("system.composition", f"species {absent} are not in the model's type map {type_map}")
        type_map = tuple(s for s in type_map if s in composition)
    elif model is not None or type_map is not None:
        raise _fail("system.model" if model is not None else "system.type_map", "only a 'deepmd' potential takes a model")
    try:
        potential = get_potential(name, model=model, type_map=type_map)
        potential.check_species(list(composition))
    except PotentialError as error:
        raise _fail("system.potential" if "unknown potential" in str(error) else "system.composition",
                    str(error)) from None
    # Atom types follow the potential's species order, so type numbers are reproducible.
    ordered = [s for s in potential.species if s in composition]
    amounts = {}
    for s in ordered:
        amounts[s] = _number(composition, s, "system.composition", positive=True)
    total = sum(amounts.values())
    fractions = {s: v / total for s, v in amounts.items()}
    atoms = _number(table, "atoms", "system", positive=True, integer=True)
    if atoms < 2:
        raise _fail("system.atoms", f"must be at least 2, got {atoms}")
    units = potential.units
    density = _number(table, "density", "system", _default_density(potential.name, fractions), positive=True)
    timestep = _number(table, "timestep", "system", unit_system(units).timestep, positive=True)
    system = SystemConfig(potential=name, composition=fractions, atoms=atoms, density=density, timestep=timestep,
                          model=model, type_map=type_map)
    counts = system.counts()
    empty = [s for s, n in counts.items() if n == 0]
    if empty:
        raise _fail("system.atoms", f"{atoms} atoms leave no atom of {empty}; use more atoms")
    return system, potential


# Starting number densities: KA at its standard rho = 1.2; metals from atomic volumes (A^3),
# a little dilute because the NPT melt sets the real density.
_ATOMIC_VOLUMES = {"Cu": 11.8, "Zr": 23.3, "Ni": 10.9, "Pd": 14.7, "P": 17.0}


def _default_density(potential: str, fractions: Mapping[str, float]) -> float:
    if potential == "kob-andersen":
        return 1.2
    volume = sum(f * _ATOMIC_VOLUMES.get(s, 16.0) for s, f in fractions.items())
    return 0.95 / volume


def _preparation(table: dict[str, Any], units: str) -> PreparationConfig:
    allowed = {"ensemble", "melt_temperature", "melt_time", "quench_rate", "low_temperature", "anneal_temperature",
               "anneal_time", "pressure", "tdamp", "pdamp", "sample_every", "segment_steps"}
    _check_keys(table, allowed, "preparation")
    defaults = unit_system(units)
    ensemble = table.get("ensemble", defaults.ensemble)
    if ensemble not in ENSEMBLES:
        raise _fail("preparation.ensemble", f"must be one of {ENSEMBLES}, got {_show(ensemble)}")
    p = "preparation"
    melt_t = _number(table, "melt_temperature", p, positive=True)
    low_t = _number(table, "low_temperature", p, positive=True)
    if low_t >= melt_t:
        raise _fail("preparation.low_temperature", f"must be below melt_temperature ({melt_t}), got {low_t}")
    anneal_t = table.get("anneal_temperature")
    anneal_time = _number(table, "anneal_time", p, 0.0, nonnegative=True)
    if anneal_t is not None:
        anneal_t = _number(table, "anneal_temperature", p, positive=True)
    elif anneal_time > 0:
        raise _fail("preparation.anneal_temperature", "is required when anneal_time > 0")
    return PreparationConfig(
        ensemble=ensemble, melt_temperature=melt_t, melt_time=_number(table, "melt_time", p, positive=True),
        quench_rate=_number(table, "quench_rate", p, positive=True), low_temperature=low_t,
        anneal_temperature=anneal_t, anneal_time=anneal_time,
        pressure=_number(table, "pressure", p, defaults.pressure),
        tdamp=_number(table, "tdamp", p, defaults.tdamp, positive=True),
        pdamp=_number(table, "pdamp", p, defaults.pdamp, positive=True),
        sample_every=_number(table, "sample_every", p, 100, positive=True, integer=True),
        segment_steps=_number(table, "segment_steps", p, 100000, positive=True, integer=True))


def _sorted_unique(values: Any, name: str) -> tuple[float, ...]:
    if not isinstance(values, list) or not values:
        raise _fail(name, "must be a non-empty list of numbers")
    numbers = [_number({name: v}, name, "", positive=True) for v in values]
    # Each value names a stage folder (T<value:g>), so values must differ in 6 significant digits.
    labels = [f"{v:g}" for v in numbers]
    if len(set(labels)) != len(labels):
        raise _fail(name, f"has repeated values (to 6 significant digits): {values}")
    return tuple(sorted(numbers))


def _dms(table: dict[str, Any], timestep: float) -> DMSConfig:
    allowed = {"temperatures", "periods", "axis", "amplitude", "cycles", "discard", "equilibration_time", "every",
               "cycles_per_segment"}
    _check_keys(table, allowed, "dms")
    p = "dms"
    temperatures = _sorted_unique(table.get("temperatures"), "dms.temperatures")
    periods = _sorted_unique(table.get("periods"), "dms.periods")
    every = _number(table, "every", p, 1, positive=True, integer=True)
    for period in periods:
        limits.check_steps("dms.periods", period, timestep)  # before rounding: no overflow
        steps = period / timestep
        if abs(steps - round(steps)) > 1e-6 * max(1.0, steps):
            raise _fail("dms.periods", f"period {period} is not a whole number of time steps ({timestep})")
        if round(steps) < MIN_PERIOD_STEPS:
            raise _fail("dms.periods", f"period {period} is only {round(steps)} steps; a period needs at least "
                                       f"{MIN_PERIOD_STEPS} steps to be resolved")
        if round(steps) % every:
            raise _fail("dms.every", f"must divide the {round(steps)} steps of period {period}")
        if round(steps) // every < MIN_SAMPLES_PER_CYCLE:
            raise _fail("dms.every", f"leaves {round(steps) // every} stress samples per cycle of period {period}; "
                                     f"the fit needs at least {MIN_SAMPLES_PER_CYCLE}")
    axis = table.get("axis", "x")
    if axis not in STRAIN_AXES:
        raise _fail("dms.axis", f"must be one of {STRAIN_AXES}, got {_show(axis)}")
    amplitude = _number(table, "amplitude", p, 0.01, positive=True)
    if amplitude > 0.2:
        raise _fail("dms.amplitude", f"must be <= 0.2 (linear response needs small strains), got {amplitude}")
    cycles = _number(table, "cycles", p, 4, positive=True, integer=True)
    discard = _number(table, "discard", p, 1, nonnegative=True, integer=True)
    if discard >= cycles:
        raise _fail("dms.discard", f"must be smaller than dms.cycles ({cycles}), got {discard}")
    return DMSConfig(temperatures=temperatures, periods=periods, axis=axis, amplitude=amplitude, cycles=cycles,
                     discard=discard, equilibration_time=_number(table, "equilibration_time", p, 0.0, nonnegative=True),
                     every=every,
                     cycles_per_segment=_number(table, "cycles_per_segment", p, 1, positive=True, integer=True))


# Analysis defaults per registered potential: string delta ~ 0.55 r1 and cage radii at the first
# minimum of g(r) (science.md §2, §3; Kob-Andersen values from its partial g(r)).
_ANALYSIS_DEFAULTS: dict[str, dict[str, Any]] = {
    "kob-andersen": {"string_delta": 0.55, "cage_cutoff": 1.45, "cage_cutoff_pairs": {"A-B": 1.25, "B-B": 1.15},
                     "pu_umax": 4.0},
    "cuzr-eam": {"string_delta": 1.4, "cage_cutoff": 3.6, "cage_cutoff_pairs": {"Cu-Cu": 3.35, "Zr-Zr": 4.0},
                 "pu_umax": 4.0},
}


# Keywords of the core's PercolationOptions::validate() messages -> the config fields they come from.
_PERCOLATION_FIELDS = {"mobile": "percolation_mobile", "immobile": "percolation_immobile", "dfmin": "percolation_dfmin"}


def _percolation(table: dict[str, Any], ntypes: int) -> dict[str, Any]:
    """The percolation/atom class fractions and d_f fit size, checked by the core's option struct."""
    from glassdyn import _core

    p = "analysis"
    values = {"percolation_mobile": _number(table, "percolation_mobile", p, 0.15, positive=True),
              "percolation_immobile": _number(table, "percolation_immobile", p, 0.15, positive=True),
              "percolation_dfmin": _number(table, "percolation_dfmin", p, 10, positive=True, integer=True)}
    try:
        _core.PercolationCore(ntypes=max(ntypes, 1), cutoff=1.0, mobile=("fraction", values["percolation_mobile"]),
                              immobile=("fraction", values["percolation_immobile"]),
                              fractal_min_size=values["percolation_dfmin"])
    except ValueError as error:
        keyword = str(error).split(":")[0]
        raise _fail(f"analysis.{_PERCOLATION_FIELDS.get(keyword, 'percolation_mobile')}", str(error)) from None
    return values


def _mobile(table: dict[str, Any], fraction: float) -> tuple[str, Optional[tuple[float, float]], str]:
    """analysis.mobile and analysis.jump_range; the range is checked by the core's
    StringOptions::validate() (the check compute stringlike/atom makes of ``range ulo uhi``)."""
    from glassdyn import _core

    mobile = table.get("mobile", "fraction")
    if mobile not in MOBILE_CHOICES:
        raise _fail("analysis.mobile", f"must be one of {MOBILE_CHOICES}, got {_show(mobile)}")
    given = table.get("jump_range")
    unit = table.get("jump_range_unit", "distance")
    if mobile == "fraction":
        for key in ("jump_range", "jump_range_unit"):
            if key in table:
                raise _fail(f"analysis.{key}", "is used only with analysis.mobile = \"jump\" or \"both\"")
        return mobile, None, "distance"
    if unit not in JUMP_RANGE_UNITS:
        raise _fail("analysis.jump_range_unit", f"must be one of {JUMP_RANGE_UNITS}, got {_show(unit)}")
    if given is None:
        raise _fail("analysis.jump_range", f"is required with analysis.mobile = {mobile!r}: [lo, hi] in distance "
                                           "units (or in units of r1 with jump_range_unit = \"r1\")")
    if not isinstance(given, list) or len(given) != 2:
        raise _fail("analysis.jump_range", f"must be a list [lo, hi] of two distances, got {_show(given)}")
    low = _number({"jump_range": given[0]}, "jump_range", "analysis", nonnegative=True)
    high = _number({"jump_range": given[1]}, "jump_range", "analysis", positive=True)
    try:
        _core.StringAnalysis(ntypes=1, delta=1.0, select_by_fraction=False, fraction=fraction, u_low=low, u_high=high)
    except ValueError as error:
        raise _fail("analysis.jump_range", str(error)) from None
    return mobile, (low, high), unit


def _analysis(table: dict[str, Any], potential: Potential, species: tuple[str, ...]) -> AnalysisConfig:
    allowed = {"string_delta", "fraction", "long_string", "cage_cutoff", "cage_cutoff_pairs", "hysteresis", "nlost",
               "pu_umax", "pu_bins", "pu_beyond", "comm_cutoff", "percolation_mobile", "percolation_immobile",
               "percolation_dfmin", "mobile", "jump_range", "jump_range_unit"}
    _check_keys(table, allowed, "analysis")
    p = "analysis"
    defaults = _ANALYSIS_DEFAULTS.get(potential.name, {})
    for key in ("string_delta", "cage_cutoff"):
        if key not in table and key not in defaults:
            raise _fail(f"analysis.{key}", f"has no default for potential {potential.name!r}; give it in "
                                           "distance units (string_delta ~ 0.55 r1, cage_cutoff = first minimum of g(r))")
    fraction = _number(table, "fraction", p, 0.05, positive=True)
    if fraction > 1:
        raise _fail("analysis.fraction", f"must be in (0, 1], got {fraction}")
    given = "cage_cutoff_pairs" in table
    pairs_in = table.get("cage_cutoff_pairs", defaults.get("cage_cutoff_pairs", {}))
    if not given:  # the potential's defaults may name species this campaign does not use
        pairs_in = {k: v for k, v in pairs_in.items() if all(s in species for s in k.split("-"))}
    if not isinstance(pairs_in, Mapping):
        raise _fail("analysis.cage_cutoff_pairs", "must be a table like { \"Cu-Cu\" = 3.35 }")
    pairs: dict[str, float] = {}
    for key, value in pairs_in.items():
        parts = str(key).split("-")
        if len(parts) != 2:
            raise _fail("analysis.cage_cutoff_pairs", f"key {key!r} must name two species joined by '-', e.g. 'Cu-Zr'")
        if any(s not in potential.species for s in parts):
            raise _fail("analysis.cage_cutoff_pairs", f"key {key!r} names a species the potential does not model")
        if any(s not in species for s in parts):
            raise _fail("analysis.cage_cutoff_pairs", f"key {key!r} names a species that is not in "
                                                      f"system.composition {list(species)}")
        canonical = "-".join(sorted(parts, key=list(species).index))
        if canonical in pairs:
            raise _fail("analysis.cage_cutoff_pairs", f"the pair {key!r} is given twice")
        pairs[canonical] = _number(pairs_in, key, "analysis.cage_cutoff_pairs", positive=True)
    umax = _number(table, "pu_umax", p, defaults.get("pu_umax", 4.0), positive=True)
    long_string = _number(table, "long_string", p, 6, positive=True, integer=True)
    if long_string < 2:
        raise _fail("analysis.long_string", f"must be >= 2 (a string has at least 2 atoms), got {long_string}")
    bins = _number(table, "pu_bins", p, 200, positive=True, integer=True)
    if bins > 100000:
        raise _fail("analysis.pu_bins", f"must be <= 100000, got {bins}")
    percolation = _percolation(table, len(species))
    mobile, jump_range, jump_unit = _mobile(table, fraction)
    return AnalysisConfig(
        **percolation, mobile=mobile, jump_range=jump_range, jump_range_unit=jump_unit,
        string_delta=_number(table, "string_delta", p, defaults.get("string_delta"), positive=True),
        fraction=fraction, long_string=long_string,
        cage_cutoff=_number(table, "cage_cutoff", p, defaults.get("cage_cutoff"), positive=True),
        cage_cutoff_pairs=pairs, hysteresis=_number(table, "hysteresis", p, 0.1, nonnegative=True),
        nlost=_number(table, "nlost", p, 1, positive=True, integer=True), pu_umax=umax,
        pu_bins=bins,
        pu_beyond=_number(table, "pu_beyond", p, umax / 2, nonnegative=True),
        comm_cutoff=_number(table, "comm_cutoff", p, positive=True) if "comm_cutoff" in table else None)


# Relaxation defaults per registered potential (science.md section 8):
# q = first peak of S(q): Kob-Andersen 7.25 sigma^-1 (S_AA(q), W. Kob and H. C. Andersen, Phys. Rev. E
# 51, 4626 (1995)); Cu64Zr36 about 2.8 A^-1 (the first maximum of the measured and EAM-computed S(q) of
# Cu-Zr glasses near 2.7-2.8 A^-1, M. I. Mendelev et al., Philos. Mag. 89, 967 (2009)).
# overlap a = 0.3 of the nearest-neighbour distance (N. Lacevic et al., J. Chem. Phys. 119, 7372
# (2003)): 0.3 sigma for KA, 0.3 x 2.7 A = 0.8 A for Cu-Zr. Other potentials: q must be given and
# chi4 uses the per-origin F_s unless an overlap is given.
_RELAXATION_DEFAULTS: dict[str, dict[str, float]] = {
    "kob-andersen": {"q": 7.25, "overlap": 0.3},
    "cuzr-eam": {"q": 2.8, "overlap": 0.8},
}
#: Default origin spacing per unit style (time units): ~ tau_alpha of a supercooled liquid near the
#: scan temperatures (KA at T = 0.5: tau_alpha ~ 10-30 tau; Cu-Zr liquids near 1000 K: ~ 1-10 ps).
_RELAXATION_EVERY = {"lj": 5.0, "metal": 10.0}
# Keywords of the core's CorrelationOptions::validate() messages -> relaxation fields.
_CORRELATION_FIELDS = {"every": "every", "origins": "origins", "lags": "lags", "q": "q", "overlap": "overlap"}


def _whole_steps(name: str, value: float, timestep: float) -> int:
    limits.check_steps(name, value, timestep)
    steps = value / timestep
    if abs(steps - round(steps)) > 1e-6 * max(1.0, steps) or round(steps) < 1:
        raise _fail(name, f"{value:g} is not a whole number (>= 1) of time steps ({timestep:g})")
    return int(round(steps))


def _relaxation(table: dict[str, Any], potential: Potential, system: SystemConfig) -> RelaxationConfig:
    """The [relaxation] table: checked here, and by the core's CorrelationOptions::validate()."""
    from glassdyn import _core

    _check_keys(table, {"time", "every", "origins", "lags", "q", "overlap", "string_windows"}, "relaxation")
    p = "relaxation"
    dt = system.timestep
    defaults = _RELAXATION_DEFAULTS.get(potential.name, {})
    if "q" not in table and "q" not in defaults:
        raise _fail("relaxation.q", f"has no default for potential {potential.name!r}; give the first peak of S(q) "
                                    "in 1/distance units")
    q = _number(table, "q", p, defaults.get("q"), positive=True)
    overlap = _number(table, "overlap", p, positive=True) if "overlap" in table else defaults.get("overlap")
    every = _number(table, "every", p, _RELAXATION_EVERY.get(potential.units, 1.0), positive=True)
    every_steps = _whole_steps("relaxation.every", every, dt)
    origins = _number(table, "origins", p, 8, positive=True, integer=True)
    count = _number(table, "lags", p, 30, positive=True, integer=True)
    longest = origins * every_steps
    time = _number(table, "time", p, 2 * longest * dt, positive=True)
    steps = limits.check_steps("relaxation.time", time, dt)
    if steps < longest:
        raise _fail("relaxation.time", f"{time:g} is shorter than the longest lag, origins x every = "
                                       f"{longest * dt:g}: no lag would reach its end")
    if steps > limits.MAX_RUN_STEPS:
        raise _fail("relaxation.time", f"{steps} steps; one LAMMPS run takes at most {limits.MAX_RUN_STEPS}")
    try:
        lags = _core.TimeCorrelationsCore.log_spaced_lags(1, longest, count) if count <= longest else None
        if lags is None:
            raise ValueError(f"lags: {count} log-spaced lags need a longest lag of at least {count} steps, "
                             f"origins x every is {longest}")
        _core.TimeCorrelationsCore(every=every_steps, origins=origins, lags=lags, q=q,
                                   overlap=overlap if overlap is not None else 0.0,
                                   ntypes=max(len(system.composition), 1))
    except (ValueError, OverflowError) as error:
        keyword = str(error).split(":")[0].strip()
        raise _fail(f"relaxation.{_CORRELATION_FIELDS.get(keyword, 'every')}", str(error)) from None
    windows_in = table.get("string_windows", [])
    if not isinstance(windows_in, list):
        raise _fail("relaxation.string_windows", f"must be a list of window lengths (time units), got "
                                                 f"{_show(windows_in)}")
    windows = _sorted_unique(windows_in, "relaxation.string_windows") if windows_in else ()
    for window in windows:
        window_steps = _whole_steps("relaxation.string_windows", window, dt)
        if window_steps > steps:
            raise _fail("relaxation.string_windows", f"window {window:g} is longer than relaxation.time ({time:g}): "
                                                     "no window would finish")
    return RelaxationConfig(time=time, every=every, origins=origins, lags=count, q=q, overlap=overlap,
                            string_windows=windows)


def _scan_subset(table: dict[str, Any], key: str, scan: tuple[float, ...], what: str) -> tuple[float, ...]:
    """``"all"`` or a list of values of the scan (``dms.<what>``), as the scan's own values."""
    name = f"snapshots.{key}"
    given = table.get(key, "all")
    if given == "all":
        return scan
    if not isinstance(given, list) or not given:
        raise _fail(name, f"must be \"all\" or a non-empty list of values of dms.{what}, got {_show(given)}")
    chosen = _sorted_unique(given, name)
    for value in chosen:
        if not _member(value, scan):
            raise _fail(name, f"{value:g} is not in dms.{what} {[float(f'{v:g}') for v in scan]}")
    return tuple(v for v in scan if _member(v, chosen))


def _flag(table: dict[str, Any], key: str) -> bool:
    value = table.get(key, True)
    if not isinstance(value, bool):
        raise _fail(f"snapshots.{key}", f"must be true or false, got {_show(value)}")
    return value


def _snapshots(table: dict[str, Any], dms: DMSConfig) -> SnapshotsConfig:
    """The [snapshots] table (see :class:`SnapshotsConfig`)."""
    _check_keys(table, {"temperatures", "periods", "cycle", "inherent", "thermal"}, "snapshots")
    temperatures = _scan_subset(table, "temperatures", dms.temperatures, "temperatures")
    periods = _scan_subset(table, "periods", dms.periods, "periods")
    cycle = _number(table, "cycle", "snapshots", dms.discard + 1, positive=True, integer=True)
    if cycle > dms.cycles:
        raise _fail("snapshots.cycle", f"must be at most dms.cycles ({dms.cycles}), got {cycle}")
    return SnapshotsConfig(temperatures=temperatures, periods=periods, cycle=cycle, inherent=_flag(table, "inherent"),
                           thermal=_flag(table, "thermal"))
