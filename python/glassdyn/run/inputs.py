"""LAMMPS input scripts for the stages of a campaign.

Every stage is one LAMMPS run that starts from a file (the initial data file or the binary
restart of the stage before it) and ends by writing ``final.restart``. Because an interrupted
and an uninterrupted campaign start each stage from the same file, they give the same numbers.
Paths in the scripts are relative to the campaign folder, which is LAMMPS's working folder.

Output files of a DMS segment (one line or block per oscillation cycle, full precision):

``windows.txt``       the global vectors of stringlike/atom, cage/atom, displacement/distribution
                      (4 values per set) and percolation/atom, in that order, at each cycle end
``cage_types.txt``    the cage/atom global array (one row per atom type) at each cycle end
``string_sizes.txt``  columns xi and n_xi of the stringlike/atom global array
``pu.txt``            the displacement/distribution global array (p(u) and p(log10 u))
``cycles.txt``        the fix dms row of every cycle of the segment (its columns but ``cycle``)

With ``[snapshots]``, the segment holding the chosen cycle k of a chosen (temperature, period)
also writes (one frame each, written by ``dump custom`` on that step only, via ``dump_modify skip``):

``thermal.dump``      ``id type x y z ix iy iz`` at the start of cycle k's window (step (k-1) N)
``dynamics.dump``     ``id type x y z ix iy iz`` and the per-atom outputs of the analysis computes
                      (:func:`snapshot_columns`, named by the schema) at the window's end (step k N)

and a later stage (:func:`inherent_structure`) minimises the thermal snapshot into ``inherent.dump``.

With ``analysis.mobile = "both"`` a second stringlike/atom compute (``gd_strj``, mobile atoms by
``range``, same windows through ``sync``) appends its global vector to each ``windows.txt`` line;
its values are harvested under the names of the schema with the prefix :data:`JUMP_PREFIX`.

Every column reference is built by name from :mod:`glassdyn.schema` (the C++ declaration of the
outputs), and so is what the harvest reads back: :data:`WINDOW_LAYOUTS`, :data:`CYCLE_COLUMNS`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from glassdyn import schema
from glassdyn.run.config import CampaignConfig
from glassdyn.units import unit_system

STRINGS = schema.layout("stringlike/atom", "vector")
CAGES = schema.layout("cage/atom", "vector")
PU = schema.layout("displacement/distribution", "vector")
PERCOLATION = schema.layout("percolation/atom", "vector")
#: The global vectors written to ``windows.txt``, in order, with the compute IDs of the inputs.
WINDOW_LAYOUTS = (("c_gd_str", STRINGS), ("c_gd_cage", CAGES), ("c_gd_pu", PU), ("c_gd_perc", PERCOLATION))
#: Prefix of the second string definition's harvested names with ``analysis.mobile = "both"``.
JUMP_PREFIX = "jump_"
#: The jump definition's compute in DMS segments evaluating both definitions.
JUMP_STRINGS = ("c_gd_strj", STRINGS)


def window_layouts(config: CampaignConfig) -> tuple:
    """The global vectors written to ``windows.txt`` by this campaign's DMS segments, in order."""
    return WINDOW_LAYOUTS + ((JUMP_STRINGS,) if config.analysis.mobile == "both" else ())


#: Written by the equilibration stage of each temperature with jump_range_unit = "r1": one line
#: ``variable gd_r1 equal <r1>``, included by the later stages of that temperature.
R1_FILE = "r1.lammps"
#: g(r) bins of the r1 measurement (compute rdf up to the force cutoff: ~0.01 sigma or 0.03 A).
R1_BINS = 200


def _jump_distance(config: CampaignConfig, value: float) -> str:
    """A jump-range end as LAMMPS input: the number, or its product with the measured r1."""
    if config.analysis.jump_range_unit == "r1":
        return f"$({value:.10g}*v_gd_r1:%.10g)"
    return f"{value:.10g}"


def mobile_keywords(config: CampaignConfig, definition: str) -> str:
    """The stringlike/atom keywords selecting the mobile atoms of one definition."""
    analysis = config.analysis
    if definition == "fraction":
        return f"fraction {analysis.fraction:.10g}"
    assert analysis.jump_range is not None
    low, high = analysis.jump_range
    return f"range {_jump_distance(config, low)} {_jump_distance(config, high)}"


def r1_lines(config: CampaignConfig, r1_source: Optional[str]) -> list[str]:
    """``include`` of the temperature's measured r1 when the jump range is relative to it."""
    if config.analysis.mobile == "fraction" or config.analysis.jump_range_unit != "r1":
        return []
    assert r1_source is not None
    return [f"include         {r1_source}"]


def r1_measurement(config: CampaignConfig, folder: str, steps: int) -> tuple[list[str], list[str]]:
    """Lines before and after the equilibration run measuring r1, the position of the maximum of
    the total g(r) (its first peak in a liquid or glass), averaged over the second half of the run
    (one snapshot when the run is shorter than 2 steps), written to ``folder/r1.lammps``."""
    if config.analysis.mobile == "fraction" or config.analysis.jump_range_unit != "r1":
        return [], []
    if steps >= 2:
        nevery = _largest_divisor(steps, max(1, steps // 40))
        nrepeat = max(1, steps // (2 * nevery))
    else:
        nevery, nrepeat = 1, 1
    before = [f"compute         gd_rdf all rdf {R1_BINS}",
              f"fix             gd_rdfavg all ave/time {nevery} {nrepeat} {max(steps, 1)} "
              "c_gd_rdf[1] c_gd_rdf[2] mode vector"]
    after = ["run             0"] if steps < 2 else []
    after += ["variable        gd_g vector f_gd_rdfavg[2]", "variable        gd_r vector f_gd_rdfavg[1]",
              "variable        gd_peak vector v_gd_r*(v_gd_g==max(v_gd_g))",
              f'print           "variable gd_r1 equal $(max(v_gd_peak):%.17g)" file {folder}/{R1_FILE} screen no']
    return before, after


def percolation_mobile_keywords(config: CampaignConfig) -> str:
    """percolation/atom's mobile class: the string definition when it is the jump one alone
    (``mobile above`` the lower end of the jump range: percolation/atom has no upper bound), else
    the fraction ``analysis.percolation_mobile``."""
    analysis = config.analysis
    if analysis.mobile == "jump":
        assert analysis.jump_range is not None
        return f"mobile above {_jump_distance(config, analysis.jump_range[0])}"
    return f"mobile fraction {analysis.percolation_mobile:.10g}"


#: The fix dms per-cycle columns printed to ``cycles.txt`` (after the cycle number).
CYCLE_COLUMNS = tuple(name for name in schema.names("dms", "array") if name != "cycle")
CORRELATE_ARRAY = schema.layout("dynamics/correlate", "array")
CORRELATE_VECTOR = schema.layout("dynamics/correlate", "vector")
#: Prefix of the relaxation stage's log lines with the fix dynamics/correlate vector (harvested).
RELAXATION_LINE = "glassdyn-relaxation"
#: Prefix of the log lines with which relaxation stages written before 0.2 printed the running mean
#: of each string window's stringlike/atom vector: its presence tells the harvest that the stage's
#: ``window<N>.txt`` holds running means (see glassdyn.results.relaxation).
WINDOW_LINE = "glassdyn-window"
#: The stringlike/atom global array columns written to ``string_sizes.txt``.
SIZE_COLUMNS = ("xi", "n_xi")

SHEAR_AXES = ("xy", "xz", "yz")  # fix dms shear axes: the modulus is G, the box must be triclinic
FULL = '" %.17g"'  # fix ave/time format: every digit, so harvested values equal LAMMPS's own


@dataclass(frozen=True)
class Thermostat:
    """The integrator of a stage: target temperatures (ramped from start to stop) and ensemble."""

    start: float
    stop: float
    ensemble: str


def header(config: CampaignConfig, source: str, *, restart: bool) -> list[str]:
    """Units, the configuration (data file or restart) and the potential."""
    units = config.units
    system = config.system
    lines = [f"# glassdyn campaign {config.name}", f"units           {units}", "atom_style      atomic",
             "boundary        p p p"]
    lines.append(f"read_restart    {source}" if restart else f"read_data       {source}")
    lines += config.potential.commands(list(system.species))
    skin = unit_system(units).skin
    lines += [f"neighbor        {skin} bin", "neigh_modify    every 1 delay 0 check yes",
              f"timestep        {system.timestep:.12g}"]
    return lines


def integrator(config: CampaignConfig, fix_id: str, thermostat: Thermostat) -> str:
    prep = config.preparation
    fix = f"fix             {fix_id} all {thermostat.ensemble} temp {thermostat.start:.10g} {thermostat.stop:.10g} {prep.tdamp:.10g}"
    if thermostat.ensemble == "npt":
        fix += f" iso {prep.pressure:.10g} {prep.pressure:.10g} {prep.pdamp:.10g}"
    return fix


def _largest_divisor(n: int, most: int) -> int:
    """The largest divisor of ``n`` not above ``most`` (divisors come in pairs around sqrt(n), so
    this takes sqrt(n) steps, not n: sample intervals may be large)."""
    best = 1
    d = 1
    while d * d <= n:
        if n % d == 0:
            for candidate in (d, n // d):
                if best < candidate <= most:
                    best = candidate
        d += 1
    return best


def trace_fix(config: CampaignConfig) -> list[str]:
    """Temperature, its set point, potential energy, enthalpy and volume per atom, averaged per sample."""
    every = config.preparation.sample_every
    # Average about 10 evenly spaced values per sample; nevery must divide the sample interval.
    nevery = _largest_divisor(every, max(1, every // 10))
    nrepeat = every // nevery
    return ["variable        gd_target equal ramp(${gd_tstart},${gd_tstop})",
            "variable        gd_pe equal pe/atoms", "variable        gd_enthalpy equal enthalpy/atoms",
            "variable        gd_volume equal vol/atoms",
            f"fix             gd_trace all ave/time {nevery} {nrepeat} {nevery * nrepeat} c_thermo_temp v_gd_target "
            f"v_gd_pe v_gd_enthalpy v_gd_volume file trace.txt format {FULL}",
            f"thermo          {every}", "thermo_style    custom step temp pe press vol enthalpy",
            "thermo_modify   norm no flush yes"]


def preparation_segment(config: CampaignConfig, *, source: str, restart: bool, folder: str, thermostat: Thermostat,
                        steps: int, seed: Optional[int]) -> str:
    """One piece of melt, quench or anneal: a linear ramp of the set point over ``steps`` steps.

    ``seed`` given: new velocities (start of the melt, after removing grid overlaps by minimisation).
    """
    lines = header(config, source, restart=restart)
    if seed is not None:
        lines += ["thermo          100", "minimize        1.0e-4 1.0e-6 1000 10000", "reset_timestep  0",
                  f"velocity        all create {thermostat.start:.10g} {seed} dist gaussian mom yes"]
    lines += [f"variable        gd_tstart equal {thermostat.start:.10g}",
              f"variable        gd_tstop equal {thermostat.stop:.10g}",
              integrator(config, "gd_md", thermostat)]
    lines += [line.replace("file trace.txt", f"file {folder}/trace.txt") for line in trace_fix(config)]
    lines += [f"run             {steps}", f"write_restart   {folder}/final.restart"]
    return "\n".join(lines) + "\n"


def equilibration(config: CampaignConfig, *, source: str, folder: str, temperature: float, steps: int,
                  seed: int) -> str:
    """Bring the glass to a scan temperature (new velocities, then the preparation ensemble)."""
    lines = header(config, source, restart=True)
    before, after = r1_measurement(config, folder, steps)
    if before:  # the g(r) average ends at the run's last step: count steps from 0 (a multiple of it)
        lines.append("reset_timestep  0")
    thermostat = Thermostat(temperature, temperature, config.preparation.ensemble)
    lines += [f"velocity        all create {temperature:.10g} {seed} dist gaussian mom yes",
              f"variable        gd_tstart equal {temperature:.10g}", f"variable        gd_tstop equal {temperature:.10g}",
              integrator(config, "gd_md", thermostat)]
    lines += [line.replace("file trace.txt", f"file {folder}/trace.txt") for line in trace_fix(config)]
    lines += before + [f"run             {steps}"] + after + [f"write_restart   {folder}/final.restart"]
    return "\n".join(lines) + "\n"


def _stress_keyword(axis: str) -> str:
    """The thermo keyword of the pressure component fix dms measures (pxx for x, pxy for xy)."""
    return "p" + (axis * 2 if len(axis) == 1 else axis)


def thermo_interval(cycle_steps: int) -> int:
    """A thermo interval that divides the cycle, so every cycle end is printed (about 10 lines a cycle)."""
    for parts in (10, 8, 5, 4, 2, 1):
        if cycle_steps % parts == 0:
            return cycle_steps // parts
    return cycle_steps


def dms_segment(config: CampaignConfig, *, source: str, folder: str, temperature: float, period: float,
                first_cycle: int, cycles: int, comm_cutoff: Optional[float] = None,
                r1_source: Optional[str] = None) -> str:
    """Cycles ``first_cycle`` .. ``first_cycle + cycles - 1`` of the oscillation at one temperature.

    The first segment starts the oscillation (step 0 = zero strain); later ones continue it from
    the restart of the previous segment, which carries the state of fix dms and of the analysis
    windows, so windows stay aligned with the cycles.
    """
    dms = config.dms
    analysis = config.analysis
    species = list(config.system.species)
    cycle_steps = config.steps(period)
    ntypes = len(species)
    lines = header(config, source, restart=True) + r1_lines(config, r1_source)
    if dms.axis in SHEAR_AXES:
        # fix dms tilts the box; the glass was prepared in an orthogonal box (NPT iso keeps
        # it so), so make it triclinic here with zero tilts: an exact no-op for the atoms. Later
        # segments read a triclinic restart, for which the command changes nothing.
        lines.append("change_box      all triclinic")
    if comm_cutoff is not None:
        # Only on the user's request (analysis.comm_cutoff): the analyses need no ghost atoms
        # beyond the force field's, so LAMMPS's default shell is the right one.
        lines.append(f"comm_modify     cutoff {comm_cutoff:.10g}")
    lines.append(f"fix             gd_nvt all nvt temp {temperature:.10g} {temperature:.10g} "
                 f"{config.preparation.tdamp:.10g}")
    if first_cycle == 1:
        lines.append("reset_timestep  0")
    lines.append(f"fix             gd_dms all dms {dms.axis} amplitude {dms.amplitude:.10g} period {period:.12g} "
                 f"every {dms.every} harmonics 3 discard {dms.discard}")
    cage_pairs = ""
    for key, radius in analysis.cage_cutoff_pairs.items():
        a, b = key.split("-")
        if a in species and b in species:
            i, j = sorted((species.index(a) + 1, species.index(b) + 1))
            cage_pairs += f" cutoff/pair {i} {j} {radius:.10g}"
    maxsize = 100
    first, *others = analysis.definitions
    lines += [f"compute         gd_str all stringlike/atom delta {analysis.string_delta:.10g} sync gd_dms "
              f"{mobile_keywords(config, first)} long {analysis.long_string} maxsize {maxsize}",
              f"compute         gd_cage all cage/atom cutoff {analysis.cage_cutoff:.10g}{cage_pairs} "
              f"hysteresis {analysis.hysteresis:.10g} nlost {analysis.nlost} sync gd_dms",
              f"compute         gd_pu all displacement/distribution gd_str bins {analysis.pu_bins} "
              f"umax {analysis.pu_umax:.10g} beyond {analysis.pu_beyond:.10g}",
              f"compute         gd_perc all percolation/atom gd_str cutoff {analysis.cage_cutoff:.10g}{cage_pairs} "
              f"{percolation_mobile_keywords(config)} immobile fraction "
              f"{analysis.percolation_immobile:.10g} dfmin {analysis.percolation_dfmin}"]
    if others:  # the jump definition beside the fraction one, on the same windows
        lines.append(f"compute         gd_strj all stringlike/atom delta {analysis.string_delta:.10g} sync gd_dms "
                     f"{mobile_keywords(config, others[0])} long {analysis.long_string} maxsize {maxsize}")
    n = cycle_steps
    strings = " ".join(STRINGS.references("c_gd_str"))
    jump = " " + " ".join(STRINGS.references(JUMP_STRINGS[0])) if others else ""
    cages = " ".join(CAGES.references("c_gd_cage"))
    pu = " ".join(PU.references("c_gd_pu", ntypes=ntypes))
    percolation = " ".join(PERCOLATION.references("c_gd_perc"))
    pu_columns = " ".join(schema.layout("displacement/distribution", "array").references("c_gd_pu", ntypes=ntypes))
    cage_columns = " ".join(schema.layout("cage/atom", "array").references("c_gd_cage"))
    size_columns = " ".join(schema.layout("stringlike/atom", "array").references("c_gd_str", SIZE_COLUMNS))
    strain_stress = " ".join(schema.layout("dms", "vector").references("f_gd_dms", ("strain", "stress")))
    lines += [f"fix             gd_windows all ave/time {n} 1 {n} {strings} {cages} {pu} {percolation}{jump} "
              f"file {folder}/windows.txt format {FULL}",
              f"fix             gd_cagetypes all ave/time {n} 1 {n} {cage_columns} mode vector "
              f"file {folder}/cage_types.txt format {FULL}",
              f"fix             gd_sizes all ave/time {n} 1 {n} {size_columns} mode vector "
              f"file {folder}/string_sizes.txt format {FULL}",
              f"fix             gd_pudist all ave/time {n} 1 {n} {pu_columns} mode vector file {folder}/pu.txt "
              f"format {FULL}",
              f"thermo          {thermo_interval(n)}",
              f"thermo_style    custom step temp pe {_stress_keyword(dms.axis)} {strain_stress} {strings} "
              f"{cages}{jump}",
              "thermo_modify   norm no format float %.17g flush yes"]
    lines += _snapshot_lines(config, folder, temperature, period, first_cycle, cycles)
    lines.append(f"run             {n * cycles}")
    # The moduli of each cycle of this segment, to the log and to cycles.txt.
    lines.append(f'print           "# cycle {" ".join(CYCLE_COLUMNS)}" file {folder}/cycles.txt')
    cycle_layout = schema.layout("dms", "array")
    for cycle in range(first_cycle, first_cycle + cycles):
        values = " ".join(f"$(f_gd_dms[{cycle}][{cycle_layout.index(name)}]:%.17g)" for name in CYCLE_COLUMNS)
        lines.append(f'print           "glassdyn-cycle {cycle} {values}" append {folder}/cycles.txt')
    lines.append(f"write_restart   {folder}/final.restart")
    return "\n".join(lines) + "\n"


#: Files of the snapshots (see the module docstring).
THERMAL_DUMP = "thermal.dump"
DYNAMICS_DUMP = "dynamics.dump"
INHERENT_DUMP = "inherent.dump"
#: Per-atom position columns of every snapshot dump (wrapped positions and image flags).
POSITION_COLUMNS = ("id", "type", "x", "y", "z", "ix", "iy", "iz")
#: ``minimize etol ftol maxiter maxeval`` of the inherent structures (``min_style fire``, fixed
#: box): no energy criterion; stops when the 2-norm of the whole system's force vector is below
#: 1e-8 force units, or after 10000 iterations / 100000 force evaluations. FIRE moves by the forces
#: alone, so the energy jumps of truncated pair potentials (Kob-Andersen's lj/cut) do not stall it,
#: as they stall conjugate gradients' line search ("linesearch alpha is zero" at |F| ~ 6 for a
#: 300-atom KA glass; FIRE reaches 1e-8 in ~2000 iterations).
MINIMIZE = (0.0, 1.0e-8, 10000, 100000)
MIN_STYLE = "fire"
#: Log line of the inherent-structure stage: energy per atom before and after, final force 2-norm
#: (LAMMPS's own lines give the stopping criterion, iterations and force evaluations).
INHERENT_LINE = "glassdyn-inherent"


def snapshot_columns(config: CampaignConfig) -> list[tuple[str, str]]:
    """(LAMMPS reference, column name) of the per-atom dynamics in ``dynamics.dump``: the per-atom
    arrays of stringlike/atom, cage/atom and percolation/atom (and of the jump definition's
    stringlike/atom with prefix :data:`JUMP_PREFIX`), by the schema's names; a name that is
    already taken (percolation/atom's ``u``, read from the string compute) is the same value and
    is left out."""
    sources = [("c_gd_str", "stringlike/atom", ""), ("c_gd_cage", "cage/atom", ""),
               ("c_gd_perc", "percolation/atom", "")]
    if config.analysis.mobile == "both":
        sources.append((JUMP_STRINGS[0], "stringlike/atom", JUMP_PREFIX))
    out: list[tuple[str, str]] = []
    for compute, style, prefix in sources:
        lay = schema.layout(style, "peratom")
        for name, reference in zip(lay.names, lay.references(compute)):
            if prefix + name not in {n for _, n in out}:
                out.append((reference, prefix + name))
    return out


def snapshot_step(config: CampaignConfig, period: float) -> int:
    """Step of the window start of the snapshot cycle (its end is one period later)."""
    assert config.snapshots is not None
    return (config.snapshots.cycle - 1) * config.steps(period)


def _snapshot_lines(config: CampaignConfig, folder: str, temperature: float, period: float, first_cycle: int,
                    cycles: int) -> list[str]:
    """The two dumps of a snapshot when this segment holds its cycle (else none).

    Dumps read positions and per-atom outputs and change nothing in the run: each is written only
    on its step (``skip`` elsewhere; the thermal one at the run's setup when the window starts the
    segment), so the thermo output and every other file are those of the segment without them.
    """
    shots = config.snapshots
    if shots is None or not shots.chosen(temperature, period):
        return []
    if not first_cycle <= shots.cycle < first_cycle + cycles:
        return []
    n = config.steps(period)
    start = snapshot_step(config, period)
    positions = " ".join(POSITION_COLUMNS)
    lines = []
    if shots.thermal or shots.inherent:
        lines += [f"variable        gd_skipthermal equal step!={start}",
                  f"dump            gd_thermal all custom {n} {folder}/{THERMAL_DUMP} {positions}",
                  "dump_modify     gd_thermal sort id format float %.17g skip v_gd_skipthermal"]
    columns = snapshot_columns(config)
    names = " ".join(f"colname {ref} {name}" for ref, name in columns)
    lines += [f"variable        gd_skipdynamics equal step!={start + n}",
              f"dump            gd_dynamics all custom {n} {folder}/{DYNAMICS_DUMP} {positions} "
              f"{' '.join(ref for ref, _ in columns)}",
              f"dump_modify     gd_dynamics sort id format float %.17g skip v_gd_skipdynamics {names}"]
    return lines


def inherent_structure(config: CampaignConfig, *, source: str, snapshot: str, folder: str, step: int) -> str:
    """Energy-minimise a thermal snapshot: the segment's restart gives types, masses and box style,
    ``read_dump`` replaces positions, image flags and box by the snapshot's; :data:`MIN_STYLE`
    at fixed box with :data:`MINIMIZE`; the result to ``inherent.dump``. The live run's files are
    only read."""
    etol, ftol, maxiter, maxeval = MINIMIZE
    positions = " ".join(POSITION_COLUMNS)
    lines = header(config, source, restart=True)
    lines += [f"read_dump       {snapshot} {step} x y z ix iy iz box yes replace yes format native",
              "thermo          100", "thermo_style    custom step pe fnorm", "thermo_modify   norm no",
              "run             0",
              "variable        gd_pe0 equal $(pe/atoms:%.17g)",
              f"min_style       {MIN_STYLE}",
              f"minimize        {etol:.10g} {ftol:.10g} {maxiter} {maxeval}",
              f'print           "{INHERENT_LINE} $(v_gd_pe0:%.17g) $(pe/atoms:%.17g) $(fnorm:%.17g)"',
              f"write_dump      all custom {folder}/{INHERENT_DUMP} {positions} modify sort id format float %.17g",
              f"write_restart   {folder}/final.restart"]
    return "\n".join(lines) + "\n"


def window_steps(config: CampaignConfig) -> tuple[int, ...]:
    """The string window lengths of the relaxation stage, in steps."""
    assert config.relaxation is not None
    return tuple(config.steps(window) for window in config.relaxation.string_windows)


def correlation_lags(config: CampaignConfig) -> tuple[int, int, int]:
    """``lags log MIN MAX COUNT`` of the relaxation stage: one step to origins x every."""
    relax = config.relaxation
    assert relax is not None
    return 1, relax.origins * config.steps(relax.every), relax.lags


def relaxation(config: CampaignConfig, *, source: str, folder: str, temperature: float, steps: int,
               r1_source: Optional[str] = None) -> str:
    """NVT at one temperature from its equilibrated state, no strain: fix dynamics/correlate and,
    per string window length, a stringlike/atom compute whose global vector is written to
    ``window<N>.txt`` at every window end (the harvest averages the finished windows)."""
    relax = config.relaxation
    assert relax is not None
    analysis = config.analysis
    ntypes = len(config.system.species)
    lines = header(config, source, restart=True) + r1_lines(config, r1_source)
    lines += [f"fix             gd_nvt all nvt temp {temperature:.10g} {temperature:.10g} "
              f"{config.preparation.tdamp:.10g}", "reset_timestep  0"]
    low, high, count = correlation_lags(config)
    overlap = f" overlap {relax.overlap:.10g}" if relax.overlap is not None else ""
    lines.append(f"fix             gd_corr all dynamics/correlate every {config.steps(relax.every)} origins "
                 f"{relax.origins} lags log {low} {high} {count} q {relax.q:.10g}{overlap}")
    array = " ".join(CORRELATE_ARRAY.references("f_gd_corr", ntypes=ntypes))
    lines.append(f"fix             gd_corrout all ave/time {steps} 1 {steps} {array} mode vector "
                 f"file {folder}/correlate.txt format {FULL}")
    # Per window length and definition (analysis.mobile = "both": "" = fraction, "j" = jump).
    tags = [("" if index == 0 else "j", definition) for index, definition in enumerate(analysis.definitions)]
    for n in window_steps(config):
        for tag, definition in tags:
            strings = " ".join(STRINGS.references(f"c_gd_w{tag}{n}"))
            lines += [f"compute         gd_w{tag}{n} all stringlike/atom delta {analysis.string_delta:.10g} window {n} "
                      f"{mobile_keywords(config, definition)} long {analysis.long_string} maxsize 100",
                      f"fix             gd_wavg{tag}{n} all ave/time {n} 1 {n} {strings} "
                      f"file {folder}/window{tag}{n}.txt format {FULL}"]
    lines += [f"thermo          {max(1, steps // 10)}", "thermo_style    custom step temp pe press",
              "thermo_modify   norm no flush yes", f"run             {steps}"]
    vector = " ".join(f"$(f_gd_corr[{k}]:%.17g)" for k in range(1, CORRELATE_VECTOR.width(ntypes) + 1))
    lines.append(f'print           "{RELAXATION_LINE} {vector}"')
    lines.append(f"write_restart   {folder}/final.restart")
    return "\n".join(lines) + "\n"
