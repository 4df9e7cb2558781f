"""One line per finished temperature, shown while a campaign runs: relaxation, moduli, strings and cages."""
from __future__ import annotations

from pathlib import Path

from glassdyn.results.harvest import harvest_period, relaxation_tables, summarise_cycles
from glassdyn.run.config import CampaignConfig
from glassdyn.run.inputs import SHEAR_AXES
from glassdyn.run.plan import TemperatureChain
from glassdyn.units import unit_system


def temperature_summary(folder: Path, config: CampaignConfig, chain: TemperatureChain) -> str:
    """Moduli (mean +- std over the used cycles) and the string and cage fractions, per period."""
    units = unit_system(config.units)
    scale = units.pressure_scale
    unit = units.pressure_unit if scale != 1.0 else ""  # reduced (LJ) moduli are shown bare, as LAMMPS gives them
    m = "G" if config.dms.axis in SHEAR_AXES else "M"  # shear modulus or longitudinal modulus
    parts = [f"T = {chain.temperature:g}:"]
    if chain.relaxation is not None:
        times = relaxation_tables(folder, config, chain.relaxation).derived
        row = times[times["species"] == "all"].iloc[0]
        parts.append(f"tau_alpha = {row.tau_alpha:.4g}, D = {row.diffusion:.4g}, t* = {row.t_star:.4g} "
                     f"{units.time_unit};")
    for period, stages in chain.periods().items():
        cycles = harvest_period(folder, config, stages).cycles
        row = summarise_cycles(cycles).iloc[0]
        parts.append(f"period {period:g}: {m}' = {row.storage * scale:.4g} +- {row.storage_std * scale:.2g} {unit}, "
                     f"{m}'' = {row.loss * scale:.4g} +- {row.loss_std * scale:.2g} {unit}, "
                     f"N_str/N_fast = {row.str_fraction:.3f}, cages broken = {row.fraction_broken:.3f}")
    return " ".join(parts)
