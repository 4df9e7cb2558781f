"""Investigation (issue 16): which definition of fast atoms gives the reference study's trend of
N_str/N_fast rising up to T_alpha, and how the oscillation period changes it.

A Cu64Zr36 (Mendelev EAM) campaign through the campaign driver with ``analysis.mobile = "both"``
(the 5 % largest u, and u in 0.4-1.2 r1, r1 the measured first peak of the total g(r)), a scan of
8 temperatures through T_alpha at two periods a factor 10 apart (4 and 40 ps), and a
``[relaxation]`` stage per temperature (tau_alpha; <xi> and N_str/N_fast against the window length
with ``string_windows``).

Prints T_alpha per period, the tau_alpha(T) law and its steepness at each T_alpha, per period and
temperature N_str/N_fast of both definitions with the chance level of randomly placed fast atoms,
the trend of each curve, and the string-window scan; draws ``fast_atoms_cuzr.png``. The committed
result is validation/fast_atoms_cuzr.out and .png; README "What make demo does" and docs/driver.md
"Which atoms are fast" state what it shows.

Usage: python validation/fast_atoms_cuzr.py [--quick] [--nprocs 2] [--folder DIR]
  --quick   a 250-atom, 3-temperature, short-period version (~2 minutes on 2 cores) that checks
            the pipeline; its numbers mean nothing.
The full version: about 45 minutes on a quiet 2-core machine (estimated from its step rate at 700 K;
2 h 50 min on the shared, loaded one).
"""
from __future__ import annotations

import argparse
import math
import subprocess
import sys
from pathlib import Path

import numpy as np

from glassdyn.run.config import CampaignConfig

FULL = {"atoms": 2000, "temperatures": [700.0, 900.0, 1100.0, 1250.0, 1400.0, 1550.0, 1700.0, 1900.0],
        "periods": [4.0, 40.0], "cycles": 4, "melt_time": 3.0, "quench_rate": 100.0, "equilibration_time": 2.0,
        "relaxation_time": 40.0, "every": 5.0, "string_windows": [0.5, 1.0, 2.0, 4.0]}
QUICK = {"atoms": 250, "temperatures": [900.0, 1400.0, 1900.0], "periods": [0.4, 4.0], "cycles": 2,
         "melt_time": 0.5, "quench_rate": 1000.0, "equilibration_time": 0.2, "relaxation_time": 1.0,
         "every": 0.2, "string_windows": [0.2, 0.4]}
#: The jump region: about one neighbour distance (0.4 r1 to 1.2 r1), issue 16.
JUMP_RANGE = (0.4, 1.2)


def campaign_text(size: dict, nprocs: int) -> str:
    """The campaign file (TOML) of the investigation."""
    def numbers(values):
        return "[" + ", ".join(f"{v:g}" for v in values) + "]"
    return f"""
[campaign]
name = "fast-atoms-cuzr"
seed = 16016

[system]
potential = "cuzr-eam"
composition = {{ Cu = 64, Zr = 36 }}
atoms = {size["atoms"]}

[preparation]
melt_temperature = 2000.0
melt_time = {size["melt_time"]}
quench_rate = {size["quench_rate"]}
low_temperature = 400.0
sample_every = 20

[dms]
temperatures = {numbers(size["temperatures"])}
periods = {numbers(size["periods"])}
amplitude = 0.03
cycles = {size["cycles"]}
discard = 1
equilibration_time = {size["equilibration_time"]}

[analysis]
mobile = "both"
jump_range = {numbers(JUMP_RANGE)}
jump_range_unit = "r1"

[relaxation]
time = {size["relaxation_time"]}
every = {size["every"]}
origins = 4
lags = 12
string_windows = {numbers(size["string_windows"])}

[launch]
np = {nprocs}
"""


def run(folder: Path, size: dict, nprocs: int) -> Path:
    """Run (or resume) the campaign; returns its results folder."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "fast_atoms_cuzr.toml"
    config.write_text(campaign_text(size, nprocs))
    subprocess.run([sys.executable, "-m", "glassdyn", "run", str(config), "--quiet"], check=True)
    return folder / "fast-atoms-cuzr"


def tau_alpha_law(results):
    """tau_alpha(T) of all atoms where F_s fell below 1/e within the longest lag (the fix writes 0
    where it did not), and the VFT fit through them (Arrhenius with fewer than 4 points)."""
    from glassdyn.results.fits import fit_arrhenius, fit_vft

    times = results.relaxation_times
    rows = times[(times["species"] == "all") & (times["tau_alpha"] > 0)]
    t, tau = rows["temperature"].to_numpy(float), rows["tau_alpha"].to_numpy(float)
    return dict(zip(t.tolist(), tau.tolist())), fit_vft(t, tau) or fit_arrhenius(t, tau)


def tau_at(measured: dict, law, temperature: float) -> tuple[float, str]:
    """tau_alpha at a temperature: measured when resolved, else along the fit between measured
    temperatures; nan below them (a VFT law extrapolated towards its T0 is meaningless)."""
    if temperature in measured:
        return measured[temperature], "measured"
    if law is None or temperature < min(measured):   # no extrapolation towards the fit's T0
        return float("nan"), "none"
    return float(law(temperature)), "fit"


def steepness(law, temperature: float) -> float:
    """d ln tau_alpha / d(T_alpha/T) at T = T_alpha: B T / (T - T0)^2 for tau = tau0 exp(B/(T - T0)).
    The larger it is, the faster tau_alpha outgrows a fixed window on cooling below T_alpha."""
    return law.b * temperature / (temperature - law.t0) ** 2


def trend(rows, column: str) -> str:
    """Where a ratio peaks along a scan relative to T_alpha, and whether it rises up to there (each
    step up, or down by less than one standard deviation of the cycle-to-cycle scatter)."""
    ordered = rows.sort_values("temperature")
    values = ordered[column].to_numpy(float)
    spread = np.nan_to_num(ordered[f"{column}_std"].to_numpy(float))
    reduced = ordered["reduced"].to_numpy(float)
    top = int(np.nanargmax(values))
    rising = bool(np.all(np.diff(values[: top + 1]) > -spread[1: top + 1]))
    return (f"max {values[top]:.2f} at T/T_alpha = {reduced[top]:.2f} "
            f"({'rising up to it' if rising else 'not rising steadily'}); "
            f"{values[0]:.2f} at T/T_alpha = {reduced[0]:.2f}, {values[-1]:.2f} at {reduced[-1]:.2f}")


def chance_level(share, volume_per_atom, delta: float):
    """N_str/N_fast if the fast atoms were scattered at random: an atom is a string atom when its new
    position lies within delta of the old position of another fast atom, or another fast atom's new
    position lies within delta of its old one. With fast atoms a share phi of all, at random (Poisson)
    positions of number density phi/v, each of the two has probability 1 - exp(-phi V_delta / v),
    V_delta = 4 pi delta^3 / 3; ignoring excluded volume, the chance is 1 - exp(-2 phi V_delta / v).
    For the 5 % largest u at delta = 1.4 A this is ~0.07 (the README's "chance level"); for half the
    atoms it is ~0.5."""
    v_delta = 4.0 * math.pi * delta ** 3 / 3.0
    return 1.0 - np.exp(-2.0 * np.asarray(share) * v_delta / np.asarray(volume_per_atom))


DEFINITIONS = (("str_fraction", "5 % largest u"), ("jump_str_fraction", "u in the jump range"))


def report(results_folder: Path, figure_path: Path) -> None:
    """Print the evidence and draw it: N_str/N_fast of both definitions against T/T_alpha at both
    periods, and against the window length in units of tau_alpha (DMS cycles and the relaxation
    stage's string windows together)."""
    import glassdyn
    from glassdyn.results.fits import fit_alpha_peak
    from matplotlib.figure import Figure

    results = glassdyn.load(results_folder)
    summary = results.summary.copy()
    measured, law = tau_alpha_law(results)
    peaks = {period: fit_alpha_peak(rows["temperature"], rows["loss"], rows["loss_std"])
             for period, rows in summary.groupby("period")}
    summary["t_alpha"] = summary["period"].map({p: peak.t_alpha for p, peak in peaks.items()})
    summary["reduced"] = summary["temperature"] / summary["t_alpha"]
    summary["tau_alpha_used"] = [tau_at(measured, law, t)[0] for t in summary["temperature"]]
    summary["tau_source"] = [tau_at(measured, law, t)[1] for t in summary["temperature"]]
    summary["window_over_tau"] = summary["period"] / summary["tau_alpha_used"]
    summary["jump_share"] = summary["jump_n_fast"] / results.metadata["natoms"]
    # The volume per atom at each temperature from the cooling trace (the NPT states at T are close).
    cooling = results.quench.sort_values("target")
    volume = np.interp(summary["temperature"], cooling["target"], cooling["volume"])
    delta = CampaignConfig.from_toml(results_folder / "campaign.toml").analysis.string_delta
    summary["chance"] = chance_level(summary["n_fast"] / results.metadata["natoms"], volume, delta)
    summary["jump_chance"] = chance_level(summary["jump_share"], volume, delta)
    summary["over_chance"] = summary["str_fraction"] / summary["chance"]
    summary["jump_over_chance"] = summary["jump_str_fraction"] / summary["jump_chance"]

    r1 = summary["r1"].dropna()
    print(f"r1 (first peak of the total g(r), per temperature): {r1.min():.3f}-{r1.max():.3f} A; jump range "
          f"{JUMP_RANGE[0]:g}-{JUMP_RANGE[1]:g} r1")
    for period, peak in peaks.items():
        edge = " (at the scan's edge: a bound)" if peak.at_edge else ""
        print(f"period {period:g} ps: T_alpha = {peak.t_alpha:.0f} +- {peak.t_alpha_err:.0f} K{edge}")
    if law is not None:
        print(f"tau_alpha(T): {law.law}, tau0 = {law.prefactor:.3g} ps, B = {law.b:.4g} K, T0 = {law.t0:.4g} K "
              f"(through {law.points_used} temperatures where F_s reached 1/e)")
        for period, peak in peaks.items():
            print(f"  at T_alpha({period:g} ps): tau_alpha = {float(law(peak.t_alpha)):.3g} ps "
                  f"(omega tau = {2 * math.pi * float(law(peak.t_alpha)) / period:.2f}), steepness "
                  f"d ln tau/d(T_alpha/T) = {steepness(law, peak.t_alpha):.1f}")
    columns = ["period", "temperature", "reduced", "loss", "tau_alpha_used", "tau_source", "window_over_tau",
               "str_fraction", "str_fraction_std", "jump_str_fraction", "jump_str_fraction_std",
               "n_fast", "jump_n_fast", "jump_share", "chance", "jump_chance", "over_chance", "jump_over_chance",
               "long_fraction", "jump_long_fraction", "xi_number", "jump_xi_number"]
    print(summary[columns].sort_values(["period", "temperature"]).to_string(index=False, float_format="%.4g"))
    share = summary["jump_share"].to_numpy()
    print(f"jump definition: N_str/N_fast against the share of atoms in the jump range, Pearson r = "
          f"{np.corrcoef(share, summary['jump_str_fraction'])[0, 1]:.3f}; against its chance level, r = "
          f"{np.corrcoef(summary['jump_chance'], summary['jump_str_fraction'])[0, 1]:.3f}")
    print("trend of N_str/N_fast along each scan:")
    for period, rows in summary.groupby("period"):
        for column, name in DEFINITIONS:
            print(f"  period {period:g} ps, {name}: {trend(rows, column)}")

    windows = results.string_windows.copy()
    if len(windows):
        windows["tau_alpha_used"] = [tau_at(measured, law, t)[0] for t in windows["temperature"]]
        windows["window_over_tau"] = windows["window"] / windows["tau_alpha_used"]
        print("string windows of the relaxation stage (<xi> and N_str/N_fast against the window length):")
        print(windows[["temperature", "window", "window_over_tau", "n_windows", "xi_number", "jump_xi_number",
                       "str_fraction", "jump_str_fraction", "n_fast", "jump_n_fast"]]
              .to_string(index=False, float_format="%.4g"))

    figure = Figure(figsize=(13.5, 4.2), layout="constrained")
    axes = figure.subplots(1, 3)
    markers = {period: marker for period, marker in zip(sorted(peaks), "os^D")}
    for ax, (column, name) in zip(axes[:2], DEFINITIONS):
        for period, rows in summary.groupby("period"):
            rows = rows.sort_values("temperature")
            ax.errorbar(rows["reduced"], rows[column], yerr=rows[f"{column}_std"], marker=markers[period],
                        capsize=3, label=f"period {period:g} ps (T_alpha {peaks[period].t_alpha:.0f} K)")
            ax.plot(rows["reduced"], rows[column.replace("str_fraction", "chance")], ls=":",
                    color=ax.lines[-1].get_color())
        ax.axvline(1.0, color="0.6", lw=0.8, ls="--")
        ax.set_title(f"fast = {name} (dotted: chance level)")
        ax.set_xlabel(r"$T/T_\alpha$")
        ax.set_ylabel(r"$N_\mathrm{str}/N_\mathrm{fast}$")
        ax.set_ylim(0, 1)
        ax.legend(fontsize="small")
    ax = axes[2]
    for column, name in DEFINITIONS:
        colour = "C0" if column == "str_fraction" else "C3"
        for period, rows in summary.groupby("period"):
            ax.plot(rows["window_over_tau"], rows[column], markers[period], color=colour, mfc="none",
                    label=f"{name}, DMS cycle {period:g} ps")
        if len(windows):
            ax.plot(windows["window_over_tau"], windows[column], ".", color=colour, alpha=0.6,
                    label=f"{name}, relaxation windows")
    ax.set_xscale("log")
    ax.set_xlabel(r"window / $\tau_\alpha(T)$")
    ax.set_ylabel(r"$N_\mathrm{str}/N_\mathrm{fast}$")
    ax.set_ylim(0, 1)
    ax.legend(fontsize="x-small")
    figure.savefig(figure_path, dpi=120)
    print(f"figure: {figure_path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny pipeline check (~2 minutes)")
    parser.add_argument("--nprocs", type=int, default=2)
    parser.add_argument("--folder", type=Path, default=Path("fast-atoms-cuzr-run"))
    args = parser.parse_args()
    results_folder = run(args.folder, QUICK if args.quick else FULL, args.nprocs)
    report(results_folder, args.folder / "fast_atoms_cuzr.png")


if __name__ == "__main__":
    main()
