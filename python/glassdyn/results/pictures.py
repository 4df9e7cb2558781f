"""Pictures of strings: a snapshot drawn like the reference study's Fig. 2d/e.

Atoms in strings of size xi >= ``xi_min`` are drawn full size and coloured by xi in discrete
classes (a legend names them); every other atom is small, light grey and mostly transparent, so
the box stays visible without hiding the strings. The view is orthographic: down the slab axis
for a slab, obliquely for the whole box.

The renderer is OVITO's Python module (pip ``ovito``, its software Tachyon renderer, headless:
Qt's ``offscreen`` platform is selected when no ``QT_QPA_PLATFORM`` is set). Where ``ovito``
cannot be imported, or cannot render on this machine, a matplotlib 3D scatter of the same
selection and colours is drawn instead, with a :class:`PictureWarning` saying so.
"""
from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

from glassdyn._ovito import import_ovito
from glassdyn.results.snapshots import Snapshot

#: Colours (RGB in [0, 1]) of the xi classes, smallest strings first (matplotlib's tab10 colours).
CLASS_COLOURS = ((0.122, 0.467, 0.706), (0.173, 0.627, 0.173), (1.000, 0.498, 0.055), (0.839, 0.153, 0.157),
                 (0.580, 0.404, 0.741), (0.549, 0.337, 0.294))
#: Lower class edges as multiples of xi_min (xi_min = 6: 6, 8, 10, 15, 20, 30).
CLASS_FACTORS = (1.0, 4 / 3, 5 / 3, 2.5, 10 / 3, 5.0)
OTHER_COLOUR = (0.72, 0.72, 0.72)
#: Radius of the other atoms relative to the string atoms', and their transparency.
OTHER_RADIUS, OTHER_TRANSPARENCY = 0.3, 0.85
AXES = {"x": 0, "y": 1, "z": 2}
#: Name of the report picture (the N_str/N_fast panel is ``strings``).
REPORT_NAME = "strings_snapshot.png"
#: The report's snapshot is the one nearest this fraction of T_alpha (the study's Fig. 2d/e).
REPORT_T_FRACTION = 0.85


class PictureWarning(UserWarning):
    """The picture was drawn by the fallback, or could not be drawn for the report."""


def class_edges(xi_min: int) -> list[int]:
    """Lower edges of the xi classes (strictly increasing integers from ``xi_min``)."""
    edges: list[int] = []
    for factor in CLASS_FACTORS:
        edge = int(math.ceil(factor * xi_min - 1e-9))
        edges.append(max(edge, edges[-1] + 1) if edges else edge)
    return edges


def class_labels(xi_min: int) -> list[str]:
    edges = class_edges(xi_min)
    labels = [f"{lo}" if hi - lo == 1 else f"{lo}-{hi - 1}" for lo, hi in zip(edges, edges[1:])]
    return labels + [f">= {edges[-1]}"]


def string_classes(xi: np.ndarray, xi_min: int) -> np.ndarray:
    """Class of each atom: 0 for atoms not in a string of size >= xi_min, else 1 + class index."""
    edges = np.asarray(class_edges(xi_min))
    classes = np.searchsorted(edges, xi, side="right")  # 1 for edges[0] <= xi < edges[1], ...
    return np.where(xi >= xi_min, classes, 0)


def render_strings(snapshot: Snapshot, path: str | Path, *, xi_min: int = 6,
                   slab: Optional[tuple[Any, float, float]] = None, size: tuple[int, int] = (800, 800),
                   backend: str = "auto") -> Path:
    """Draw the strings of a snapshot to an image file.

    Parameters
    ----------
    snapshot : Snapshot
        A campaign snapshot (:meth:`CampaignResults.snapshot`); its ``dynamics`` column
        ``string_size`` gives each atom's xi.
    path : str or Path
        The image file (format from the suffix, e.g. ``.png``); its folder must exist.
    xi_min : int
        Strings of at least this size are coloured (the study: 6); integer >= 2.
    slab : (axis, lo, hi), optional
        Draw only atoms with ``lo <= position[axis] < hi`` (axis ``"x"``, ``"y"``, ``"z"`` or 0-2,
        distance units, positions as written, i.e. wrapped), viewed down that axis; default the
        whole box, viewed obliquely.
    size : (width, height)
        Image size in pixels.
    backend : str
        ``"auto"`` (OVITO, else matplotlib with a warning), ``"ovito"`` (errors propagate) or
        ``"matplotlib"``.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    if isinstance(xi_min, bool) or not isinstance(xi_min, (int, np.integer)) or xi_min < 2:
        raise ValueError(f"xi_min must be an integer >= 2 (a string has at least 2 atoms), got {xi_min!r}")
    if (len(size) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 16 for v in size)):
        raise ValueError(f"size must be (width, height) in pixels, each an integer >= 16, got {size!r}")
    if backend not in ("auto", "ovito", "matplotlib"):
        raise ValueError(f"backend must be 'auto', 'ovito' or 'matplotlib', got {backend!r}")
    if "string_size" not in snapshot.dynamics:
        raise ValueError("the snapshot has no per-atom column 'string_size' (xi of the atom's string)")
    scene = _Scene.of(snapshot, int(xi_min), slab)
    if backend == "matplotlib":
        return _render_matplotlib(scene, path, size)
    try:
        return _render_ovito(scene, path, size)
    except ImportError as error:
        if backend == "ovito":
            raise ImportError(f"render_strings needs OVITO's Python module: pip install ovito ({error})") from error
        reason = f"ovito cannot be imported ({error})"
    except RuntimeError as error:  # e.g. a graphics library OVITO needs is missing
        if backend == "ovito":
            raise
        reason = f"ovito cannot render here ({' '.join(str(error).split())[:160]})"
    warnings.warn(f"{reason}: drawing the strings with matplotlib instead (pip install 'glassdyn[pictures]' for "
                  "the OVITO picture)", PictureWarning, stacklevel=2)
    return _render_matplotlib(scene, path, size)


class _Scene:
    """What is drawn: positions, radii, colours and classes of the selected atoms, the box and view."""

    def __init__(self, positions: np.ndarray, classes: np.ndarray, radius: float, cell: np.ndarray,
                 origin: np.ndarray, view: np.ndarray, labels: list[str], title: str) -> None:
        self.positions, self.classes, self.radius = positions, classes, radius
        self.cell, self.origin, self.view, self.labels, self.title = cell, origin, view, labels, title

    @classmethod
    def of(cls, snapshot: Snapshot, xi_min: int, slab: Optional[tuple[Any, float, float]]) -> "_Scene":
        xi = snapshot.dynamics["string_size"].to_numpy()
        classes = string_classes(xi, xi_min)
        positions = np.asarray(snapshot.positions, dtype=float)
        keep = np.ones(len(positions), dtype=bool)
        view = np.array([-1.0, -0.7, -0.5])
        title = f"T = {snapshot.temperature:g}, cycle {snapshot.cycle}, {snapshot.kind}: strings with xi >= {xi_min}"
        if slab is not None:
            axis, lo, hi = _slab(slab)
            keep = (positions[:, axis] >= lo) & (positions[:, axis] < hi)
            view = -np.eye(3)[axis]
            title += f", slab {'xyz'[axis]} in [{lo:g}, {hi:g})"
        volume = abs(np.linalg.det(snapshot.box.cell))
        spacing = (volume / max(snapshot.natoms, 1)) ** (1 / 3)
        return cls(positions[keep], classes[keep], 0.45 * spacing, snapshot.box.cell, snapshot.box.lo, view,
                   class_labels(xi_min), title)

    def colours(self) -> np.ndarray:
        table = np.array((OTHER_COLOUR,) + CLASS_COLOURS)
        return table[self.classes]


def _slab(slab: tuple[Any, float, float]) -> tuple[int, float, float]:
    try:
        axis, lo, hi = slab
    except (TypeError, ValueError):
        raise ValueError(f"slab must be (axis, lo, hi), got {slab!r}") from None
    axis = AXES.get(axis, axis) if isinstance(axis, str) else axis
    if axis not in (0, 1, 2) or isinstance(axis, bool):
        raise ValueError(f"slab axis must be 'x', 'y', 'z' or 0-2, got {slab[0]!r}")
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"slab bounds must be finite with lo < hi, got {lo!r}, {hi!r}")
    return int(axis), float(lo), float(hi)


def _render_ovito(scene: _Scene, path: Path, size: tuple[int, int]) -> Path:
    import_ovito()  # headless, and the locale kept
    from ovito.data import DataCollection, ParticleType
    from ovito.pipeline import Pipeline, StaticSource
    from ovito.vis import ColorLegendOverlay, TachyonRenderer, TextLabelOverlay, Viewport
    from PySide6.QtCore import Qt

    data = DataCollection()
    data.create_cell(np.column_stack([scene.cell.T, scene.origin]), pbc=(True, True, True))
    particles = data.create_particles(count=len(scene.positions))
    particles.create_property("Position", data=scene.positions)
    particles.create_property("Color", data=scene.colours())
    strings = scene.classes > 0
    particles.create_property("Radius", data=np.where(strings, 1.0, OTHER_RADIUS) * scene.radius)
    particles.create_property("Transparency", data=np.where(strings, 0.0, OTHER_TRANSPARENCY))
    # A typed property only for the legend: one type per xi class (the Color property paints the atoms).
    legend = particles.create_property("String size class", dtype=int, components=1, data=scene.classes)
    for index, (label, colour) in enumerate(zip(scene.labels, CLASS_COLOURS), start=1):
        legend.types.append(ParticleType(id=index, name=label, color=colour))
    pipeline = Pipeline(source=StaticSource(data=data))
    pipeline.add_to_scene()
    try:
        viewport = Viewport(type=Viewport.Type.Ortho, camera_dir=tuple(scene.view))
        viewport.zoom_all(size=size)
        viewport.overlays.append(ColorLegendOverlay(
            property="particles/String size class", title="xi", orientation=Qt.Orientation.Vertical,
            alignment=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, font_size=0.06, legend_size=0.35,
            offset_x=-0.02, offset_y=-0.06))
        viewport.overlays.append(TextLabelOverlay(text=scene.title, font_size=0.02,
                                                  alignment=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom))
        viewport.render_image(size=size, filename=str(path), background=(1.0, 1.0, 1.0),
                              renderer=TachyonRenderer(antialiasing=True, ambient_occlusion=False))
    finally:
        pipeline.remove_from_scene()
    return path


def _render_matplotlib(scene: _Scene, path: Path, size: tuple[int, int]) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    dpi = 100
    figure = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0.0, 0.0, 1.0, 0.94), projection="3d", proj_type="ortho")
    other = scene.classes == 0
    points_per_unit = 0.8 * min(size) / max(float(np.max(np.linalg.norm(scene.cell, axis=1))), 1e-12)
    area = (2 * scene.radius * points_per_unit * 72 / dpi) ** 2
    x, y, z = scene.positions.T
    ax.scatter(x[other], y[other], z[other], s=area * OTHER_RADIUS ** 2, c=[OTHER_COLOUR], alpha=0.15,
               depthshade=False, linewidths=0)
    colours = scene.colours()
    ax.scatter(x[~other], y[~other], z[~other], s=area, c=colours[~other], depthshade=False, linewidths=0)
    corners = scene.origin + np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)]) @ scene.cell
    for a in range(8):
        for b in range(a + 1, 8):
            if bin(a ^ b).count("1") == 1:  # box edges join corners that differ in one vector
                ax.plot(*zip(corners[a], corners[b]), color="black", linewidth=0.6)
    elevation, azimuth = _angles(scene.view)
    ax.view_init(elev=elevation, azim=azimuth)
    ax.set_axis_off()
    ax.set_box_aspect(np.ptp(corners, axis=0))
    handles = [Line2D([], [], marker="o", linestyle="", color=c, label=label)
               for c, label in zip(CLASS_COLOURS, scene.labels)]
    ax.legend(handles=handles, title="xi", loc="upper right", frameon=False)
    figure.suptitle(scene.title, fontsize=8)
    figure.savefig(path, dpi=dpi)
    return path


def _angles(view: np.ndarray) -> tuple[float, float]:
    """matplotlib's elevation and azimuth (degrees) of a camera looking along ``view``."""
    toward = -np.asarray(view, dtype=float)  # from the scene to the camera
    toward /= np.linalg.norm(toward)
    return float(np.degrees(np.arcsin(toward[2]))), float(np.degrees(np.arctan2(toward[1], toward[0])))


def string_snapshot(results: Any, period: Optional[float], t_alpha: Optional[float],
                    fraction: float = REPORT_T_FRACTION) -> Optional[Snapshot]:
    """The snapshot a report pictures: the thermal one (else any kind) of ``period`` at the
    temperature nearest ``fraction`` T_alpha (without T_alpha, the coldest); None without snapshots."""
    snapshots: Sequence[Snapshot] = getattr(results, "snapshots", [])
    if not snapshots:
        return None
    kinds = [s for s in snapshots if s.kind == "thermal"] or list(snapshots)
    if period is not None and any(f"{s.period:g}" == f"{period:g}" for s in kinds):
        kinds = [s for s in kinds if f"{s.period:g}" == f"{period:g}"]
    temperatures = np.array([s.temperature for s in kinds])
    target = fraction * t_alpha if t_alpha is not None else float(temperatures.min())
    return kinds[int(np.argmin(np.abs(temperatures - target)))]


def report_strings_picture(results: Any, outdir: Path, period: Optional[float], t_alpha: Optional[float],
                           **options: Any) -> list[Path]:
    """The report's string picture (:func:`string_snapshot`); nothing without snapshots."""
    snapshot = string_snapshot(results, period, t_alpha)
    if snapshot is None:
        return []
    try:
        return [render_strings(snapshot, Path(outdir) / REPORT_NAME, **options)]
    except (ValueError, OSError) as error:
        warnings.warn(f"no string picture: {error}", PictureWarning, stacklevel=2)
        return []
