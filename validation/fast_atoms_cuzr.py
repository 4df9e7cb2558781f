"""Investigation (issue 16, item 3) -- SKELETON, not yet run in full, no committed result.

Which definition of fast atoms gives the reference study's trend of N_str/N_fast rising up to
T_alpha, and how the oscillation period changes it: a Cu64Zr36 (Mendelev EAM) campaign through the
campaign driver with ``analysis.mobile = "both"`` (the 5 % largest u, and u in a jump range
relative to the measured first peak r1 of g(r)), a temperature scan through T_alpha at two periods
a factor 10 apart, and a ``[relaxation]`` stage per temperature (tau_alpha, and <xi> against the
window length with ``string_windows``).

Prints, per period and temperature: M'' (for T_alpha), N_str/N_fast and N_long/N_str with both
definitions, r1, tau_alpha; and <xi> per window length at each temperature; draws
``fast_atoms_cuzr.png``.

Usage: python validation/fast_atoms_cuzr.py [--quick] [--nprocs 2] [--folder DIR]
  --quick   a 250-atom, 3-temperature, short-period version (~2 minutes on 2 cores) that checks
            the pipeline; its numbers mean nothing.
The full version (~1 hour on 2 cores, to be sized when it is first run) is not run yet.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

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


def report(results_folder: Path, figure_path: Path) -> None:
    """Print the tables and draw N_str/N_fast(T) of both definitions at both periods."""
    import glassdyn
    from matplotlib.figure import Figure

    results = glassdyn.load(results_folder)
    summary = results.summary
    columns = ["temperature", "period", "loss", "r1", "str_fraction", "jump_str_fraction", "long_fraction",
               "jump_long_fraction", "n_fast", "jump_n_fast"]
    print(summary[[c for c in columns if c in summary]].to_string(index=False, float_format="%.4g"))
    if len(results.relaxation_times):
        taus = results.relaxation_times.query("species == 'all'")[["temperature", "tau_alpha", "t_star"]]
        print(taus.to_string(index=False, float_format="%.4g"))
    if len(results.string_windows):
        print("<xi> against window length, both definitions:")
        print(results.string_windows[["temperature", "window", "xi_number", "jump_xi_number", "str_fraction",
                                      "jump_str_fraction"]].to_string(index=False, float_format="%.4g"))
    figure = Figure(figsize=(9.6, 4.2), layout="constrained")
    axes = figure.subplots(1, 2, sharey=True)
    for ax, column, title in zip(axes, ("str_fraction", "jump_str_fraction"), ("5 % largest u", "jump range x r1")):
        for period, rows in summary.groupby("period"):
            ax.errorbar(rows["temperature"], rows[column], yerr=rows.get(f"{column}_std"), marker="o", capsize=3,
                        label=f"period {period:g} ps")
        ax.set_title(title)
        ax.set_xlabel("T (K)")
        ax.legend(fontsize="small")
    axes[0].set_ylabel(r"$N_\mathrm{str}/N_\mathrm{fast}$")
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
