"""The report's panels with several campaigns overlaid, one colour per campaign (reduced by each
campaign's own T_alpha where the reference study does)."""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from matplotlib.figure import Figure

from glassdyn.comparison.numbers import CampaignNumbers, species_rows
from glassdyn.results.panels import (Units, period_label, plot_column, plot_displacement, plot_normalised_loss,
                                     plot_quench, reduced_temperature, t_alpha_text, with_unit)
from glassdyn.results.selection import quench_rows

SPECIES_LINESTYLES = ("-", "--", ":", "-.")
SPECIES_MARKERS = ("o", "s", "^", "D", "v")


def colour(k: int) -> str:
    return f"C{k}"


def _x(n: CampaignNumbers, rows) -> tuple[np.ndarray, str]:
    return reduced_temperature(rows["temperature"], n.peak, n.units)


def _x_label(numbers: Sequence[CampaignNumbers]) -> str:
    return r"$T/T_\alpha$" if all(n.peak is not None for n in numbers) else \
        "T/T_alpha (T where a campaign has no T_alpha)"


def loss_and_strings_figure(numbers: Sequence[CampaignNumbers]) -> Figure:
    """Upper: M''/M''_max against T/T_alpha (Fig. 1f/h); lower: N_str/N_fast (Fig. 2f/g)."""
    figure = Figure(figsize=(6.4, 7.2), layout="constrained")
    ax_loss, ax_str = figure.subplots(2, 1, sharex=True)
    for k, n in enumerate(numbers):
        rows = n.rows()
        text = f"{n.label}: {t_alpha_text(n.peak, n.units)}" if n.peak is not None else f"{n.label}: no $T_\\alpha$"
        plot_normalised_loss(ax_loss, rows, n.peak, n.units, label=text, color=colour(k))
        x, _ = _x(n, rows)
        plot_column(ax_str, x, rows, "str_fraction", label=n.label, color=colour(k))
    m = numbers[0].units.modulus
    for ax in (ax_loss, ax_str):
        ax.axvline(1.0, color="0.6", linestyle=":", linewidth=1)
    ax_loss.set_ylabel(rf"${m}''/{m}''_\mathrm{{max}}$")
    ax_str.set_ylabel(r"$N_\mathrm{str}/N_\mathrm{fast}$")
    ax_str.set_xlabel(_x_label(numbers))
    ax_loss.legend(fontsize="small")
    ax_str.legend(fontsize="small")
    ax_loss.set_title(f"Loss modulus and string fraction, {period_label(numbers[0].period, numbers[0].units)}")
    return figure


def long_strings_figure(numbers: Sequence[CampaignNumbers]) -> Figure:
    """N_long/N_str against T/T_alpha."""
    figure = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = figure.subplots()
    for k, n in enumerate(numbers):
        rows = n.rows()
        plot_column(ax, _x(n, rows)[0], rows, "long_fraction", label=n.label, color=colour(k))
    ax.set_xlabel(_x_label(numbers))
    ax.set_ylabel(r"$N_\mathrm{long}/N_\mathrm{str}$")
    ax.legend(fontsize="small")
    ax.set_title(f"Long strings, {period_label(numbers[0].period, numbers[0].units)}")
    return figure


def cages_figure(numbers: Sequence[CampaignNumbers]) -> Figure:
    """Cage-breaking fraction C against T/T_alpha: one panel for all atoms and one per type position."""
    positions = [["all"] * len(numbers)] + species_rows(numbers)
    figure = Figure(figsize=(4.0 * len(positions), 4.2), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(positions), sharey=True))
    for ax, names in zip(axes, positions):
        for k, (n, name) in enumerate(zip(numbers, names)):
            column = "fraction_broken" if name == "all" else f"fraction_broken_{name}"
            rows = n.rows()
            if name is None or column not in rows:
                continue
            plot_column(ax, _x(n, rows)[0], rows, column, label=f"{n.label} ({name})", color=colour(k))
        ax.set_title("/".join(dict.fromkeys(str(name) for name in names if name is not None)))
        ax.set_xlabel(_x_label(numbers))
        if ax.has_data():
            ax.legend(fontsize="small")
    axes[0].set_ylabel("cage-breaking fraction C")
    figure.suptitle(f"Cage breaking, {period_label(numbers[0].period, numbers[0].units)}")
    return figure


def displacement_figure(numbers: Sequence[CampaignNumbers], requested: float) -> Figure:
    """p(u) (upper row) and p(log10 u) (lower row) per type position at the scan temperature nearest
    ``requested`` T_alpha of each campaign (the title says which T/T_alpha each one is)."""
    positions = [["all"] * len(numbers)] + species_rows(numbers)
    figure = Figure(figsize=(4.0 * len(positions), 7.2), layout="constrained")
    axes = np.asarray(figure.subplots(2, len(positions), squeeze=False))
    where = []
    for k, n in enumerate(numbers):
        rows = n.campaign.results.displacement
        rows = rows[np.isclose(rows["period"].to_numpy(dtype=float), n.period, rtol=1e-9)] if not rows.empty else rows
        temperature = n.temperature_at if np.isfinite(n.temperature_at) else \
            (float(rows["temperature"].min()) if not rows.empty else np.nan)
        at_t = rows[rows["temperature"] == temperature]
        ratio = f"{n.reduced_temperature.value:.2f}" if n.reduced_temperature.present else "? (no T_alpha)"
        where.append(f"{n.label}: T = {temperature:g} {n.units.temperature}, T/T_α = {ratio}")
        for column, names in enumerate(positions):
            name = names[k]
            if name is None:
                continue
            plot_display = at_t[at_t["species"].astype(str) == name]
            plot_displacement(axes[0, column], axes[1, column], plot_display, [name], label_prefix=f"{n.label}: ",
                              color=colour(k))
    u = numbers[0].units
    for column, names in enumerate(positions):
        axes[0, column].set_title("/".join(dict.fromkeys(str(name) for name in names if name is not None)))
        axes[0, column].set_xlabel(with_unit("$u$", u.distance))
        axes[1, column].set_xlabel(r"$\log_{10}u$" + (f" ({u.distance})" if u.distance else ""))
        for ax in axes[:, column]:
            if ax.has_data():
                ax.legend(fontsize="x-small")
    axes[0, 0].set_ylabel("$p(u)$")
    axes[1, 0].set_ylabel(r"$p(\log_{10}u)$")
    figure.suptitle(f"Displacement distribution nearest $T/T_\\alpha$ = {requested:g}, "
                    f"{period_label(numbers[0].period, u)}\n" + "; ".join(where), fontsize="medium")
    return figure


def percolation_figure(numbers: Sequence[CampaignNumbers]) -> Optional[Figure]:
    """Percolation probability of the immobile (solid) and mobile (dashed) class against T/T_alpha;
    None when no campaign has percolation columns."""
    with_columns = [(k, n) for k, n in enumerate(numbers) if "immobile_wraps_any" in n.rows()]
    if not with_columns:
        return None
    figure = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = figure.subplots()
    for k, n in with_columns:
        rows = n.rows()
        x = _x(n, rows)[0]
        for cls, style in (("immobile", "-"), ("mobile", "--")):
            plot_column(ax, x, rows, f"{cls}_wraps_any", label=f"{n.label} {cls}", color=colour(k), linestyle=style)
            found = n.t_perc[cls]
            if found.present and n.peak is not None:
                ax.axvline(found.value / n.peak.t_alpha, color=colour(k), linestyle=style, linewidth=0.8, alpha=0.6)
    ax.axhline(0.5, color="grey", linewidth=0.8)
    ax.set_xlabel(_x_label(numbers))
    ax.set_ylabel("percolation probability over cycles")
    ax.legend(fontsize="small")
    ax.set_title(r"Double percolation; thin lines: $T_\mathrm{perc}/T_\alpha$")
    return figure


def relaxation_figure(numbers: Sequence[CampaignNumbers]) -> Optional[Figure]:
    """tau_alpha and D of all atoms against T_alpha/T (log scale); None without any [relaxation] stage."""
    with_data = [(k, n) for k, n in enumerate(numbers) if not n.relaxation.empty]
    if not with_data:
        return None
    figure = Figure(figsize=(9.6, 4.2), layout="constrained")
    ax_tau, ax_d = figure.subplots(1, 2)
    reduce = all(n.peak is not None for _, n in with_data)
    for k, n in with_data:
        rows = n.relaxation
        scale = n.peak.t_alpha if reduce else 1.0
        for ax, column in ((ax_tau, "tau_alpha"), (ax_d, "diffusion")):
            ok = rows[rows[column] > 0]
            ax.semilogy(scale / ok["temperature"].to_numpy(dtype=float), ok[column], "o", color=colour(k),
                        label=n.label)
        if n.fragility is not None:   # the law the fragility index comes from, and its T_ref
            fit = n.fragility.fit
            grid = np.linspace(n.fragility.temperatures.min(), n.fragility.temperatures.max(), 60)
            ax_tau.semilogy(scale / grid, fit(grid), "-", color=colour(k), linewidth=1,
                            label=f"{fit.law.upper()}, m = {n.fragility.m:.3g} at $T_\\mathrm{{ref}}$")
            ax_tau.plot([scale / n.fragility.t_ref], [n.fragility.reference_time], "*", color=colour(k), markersize=10)
    u = numbers[0].units
    label = r"$T_\alpha/T$" if reduce else f"1/{u.temperature_label()}"
    ax_tau.set_ylabel(with_unit(r"$\tau_\alpha$", u.time))
    ax_d.set_ylabel(with_unit("$D$", f"{u.distance}$^2$/{u.time}" if u.distance else ""))
    for ax in (ax_tau, ax_d):
        ax.set_xlabel(label)
        ax.legend(fontsize="small")
    figure.suptitle(r"$\tau_\alpha$ and $D$ (all atoms); star: $T_\mathrm{ref}$ of the fragility index")
    return figure


def quench_figure(numbers: Sequence[CampaignNumbers], units: Units) -> Optional[Figure]:
    """Enthalpy per atom and dH/dT against the quench set point, T_g of each campaign dashed."""
    traces = [(k, n, quench_rows(n.campaign.results.quench)) for k, n in enumerate(numbers)]
    traces = [(k, n, q) for k, n, q in traces if not q.empty]
    if not traces:
        return None
    figure = Figure(figsize=(6.4, 7.2), layout="constrained")
    ax_h, ax_cp = figure.subplots(2, 1, sharex=True)
    for k, n, quench in traces:
        plot_quench(ax_h, ax_cp, quench, n.transition, n.units, column="enthalpy", color=colour(k),
                    label=f"{n.label}" + (f", $T_g$ = {n.t_g.value:.4g} {n.units.temperature}" if n.t_g.present else ""),
                    t_g_label=False)
    ax_h.set_ylabel(f"enthalpy per atom ({units.energy})")
    ax_cp.set_ylabel(f"$dH/dT$ per atom ({units.energy}/{units.temperature})" if units.temperature
                     else f"$dH/dT$ per atom ({units.energy})")
    ax_cp.set_xlabel("thermostat set point " + units.temperature_label())
    ax_h.legend(fontsize="small", markerscale=4)
    ax_h.set_title("Quench; dashed: $T_g$")
    return figure
