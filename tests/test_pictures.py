"""Pictures of strings (glassdyn.results.pictures) on a planted snapshot: two straight strings of
known size in a box of randomly placed atoms. The image must have the asked size, must not be
blank, and must show the colour of each planted string's xi class; both renderers (OVITO and the
matplotlib fallback, forced in one test) are checked the same way."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from glassdyn.results.pictures import (CLASS_COLOURS, PictureWarning, class_edges, class_labels, render_strings,
                                       report_strings_picture, string_classes)
from glassdyn.results.snapshots import Box, Snapshot

L = 12.0


def planted(sizes=(8, 20)) -> Snapshot:
    """600 random atoms in a 12^3 box; atoms 1..8 form a string of xi = 8 along x at y = z = 3,
    the next 20 a string of xi = 20 along x at y = z = 8; three atoms in a string of 3 (below xi_min)."""
    rng = np.random.default_rng(5)
    n = 600
    positions = rng.uniform(0, L, (n, 3))
    xi = np.zeros(n)
    start = 0
    for k, size in enumerate(sizes):
        t = np.linspace(1.0, L - 1.0, size)
        line = np.column_stack([t, np.full(size, 3.0 + 5 * k), np.full(size, 3.0 + 5 * k)])
        positions[start:start + size] = line
        xi[start:start + size] = size
        start += size
    xi[start:start + 3] = 3
    ids = np.arange(1, n + 1)
    dynamics = pd.DataFrame({"id": ids, "string_size": xi, "in_string": (xi >= 2).astype(float)})
    return Snapshot(temperature=0.5, period=5.0, cycle=2, kind="thermal", step=1000, time=5.0, stage="T0.5/P5/seg002",
                    box=Box(np.zeros(3), np.full(3, L)), ids=ids, types=np.ones(n, dtype=np.int64), species=("A",),
                    positions=positions, images=np.zeros((n, 3), dtype=np.int64), dynamics=dynamics, units="lj")


def pixels(path: Path) -> np.ndarray:
    from matplotlib.image import imread

    image = imread(path)
    return np.round(image[..., :3] * 255).astype(int)


def colour_pixels(image: np.ndarray, colour) -> int:
    """Pixels within 40 of a class colour per channel (shading changes brightness a little)."""
    target = np.round(np.array(colour) * 255).astype(int)
    return int((np.abs(image - target).max(axis=-1) < 40).sum())


def test_classes_follow_xi():
    """xi_min = 6 gives the edges 6, 8, 10, 15, 20, 30; atoms below xi_min (or isolated) are class 0."""
    assert class_edges(6) == [6, 8, 10, 15, 20, 30]
    assert class_labels(6)[:2] == ["6-7", "8-9"] and class_labels(6)[-1] == ">= 30"
    assert class_edges(2) == [2, 3, 4, 5, 7, 10]
    assert string_classes(np.array([0, 1, 3, 6, 7, 8, 20, 29, 30, 99]), 6).tolist() == [0, 0, 0, 1, 1, 2, 5, 5, 6, 6]


def check_image(path: Path, size: tuple[int, int], baseline: Path) -> None:
    """Size, not blank, and the class colours of the planted strings, counted beyond those of
    ``baseline``: the same picture of the same atoms without strings (it has the same legend)."""
    image, empty = pixels(path), pixels(baseline)
    assert image.shape[:2] == (size[1], size[0]) == empty.shape[:2]
    assert image.std() > 10  # not blank

    def added(k: int) -> int:
        return colour_pixels(image, CLASS_COLOURS[k]) - colour_pixels(empty, CLASS_COLOURS[k])

    # The xi = 8 string is class 2 ("8-9"), the xi = 20 one class 5 ("20-29"); the xi = 3 atoms are
    # below xi_min and get no class colour: class 1's colour ("6-7") is not added.
    assert added(1) > 30 and added(4) > 30
    assert added(0) < 5


def draw(tmp_path: Path, size=(500, 400), **options) -> tuple[Path, Path]:
    """The planted snapshot and its string-free twin, drawn alike."""
    return (render_strings(planted(), tmp_path / "strings.png", size=size, **options),
            render_strings(planted(sizes=()), tmp_path / "empty.png", size=size, **options))


def test_ovito_picture(tmp_path: Path):
    """OVITO's software renderer, headless: the image is produced with the strings' class colours."""
    from glassdyn._ovito import import_ovito

    try:
        import_ovito()  # not pytest.importorskip: a plain import of ovito sets the process locale to C
    except ImportError as error:
        pytest.skip(f"ovito cannot be imported: {error}")
    path, empty = draw(tmp_path, backend="ovito")
    check_image(path, (500, 400), empty)


def test_matplotlib_fallback(tmp_path: Path):
    """The fallback draws the same selection and colours at the same size."""
    path, empty = draw(tmp_path, backend="matplotlib")
    check_image(path, (500, 400), empty)


def test_fallback_warns_when_ovito_cannot_be_imported(tmp_path: Path, monkeypatch):
    """backend = "auto" without an importable ovito draws with matplotlib and says so."""
    import sys

    monkeypatch.setitem(sys.modules, "ovito", None)  # import ovito now raises ImportError
    monkeypatch.setitem(sys.modules, "ovito.data", None)
    with pytest.warns(PictureWarning, match="ovito cannot be imported"):
        path = render_strings(planted(), tmp_path / "s.png", size=(300, 300))
    check_image(path, (300, 300), draw(tmp_path, size=(300, 300), backend="matplotlib")[1])


def test_slab_keeps_only_its_atoms(tmp_path: Path):
    """A slab z in [0, 5) holds the xi = 8 string (z = 3) but not the xi = 20 one (z = 8)."""
    path, empty = draw(tmp_path, size=(300, 300), slab=("z", 0.0, 5.0), backend="matplotlib")
    image, blank = pixels(path), pixels(empty)
    assert colour_pixels(image, CLASS_COLOURS[1]) - colour_pixels(blank, CLASS_COLOURS[1]) > 30
    assert colour_pixels(image, CLASS_COLOURS[4]) == colour_pixels(blank, CLASS_COLOURS[4])


@pytest.mark.parametrize("options, message", [
    ({"xi_min": 1}, "xi_min must be an integer >= 2"),
    ({"size": (10, 800)}, "size must be"),
    ({"slab": ("w", 0, 1)}, "slab axis"),
    ({"slab": ("x", 2, 1)}, "lo < hi"),
    ({"backend": "povray"}, "backend must be"),
])
def test_bad_arguments_are_named(tmp_path: Path, options, message):
    with pytest.raises(ValueError, match=message):
        render_strings(planted(), tmp_path / "x.png", **options)


def test_report_picks_the_snapshot_nearest_085_t_alpha(tmp_path: Path):
    """With T_alpha = 0.6 the report draws the snapshot at T = 0.5 (0.85 x 0.6 = 0.51), not 0.7."""
    class Results:
        snapshots = [planted(), planted(sizes=())]  # at 0.7: no string of 6 or more

    object.__setattr__(Results.snapshots[1], "temperature", 0.7)
    [path] = report_strings_picture(Results(), tmp_path, 5.0, 0.6, backend="matplotlib")
    assert path.name == "strings_snapshot.png"
    check_image(path, (800, 800), draw(tmp_path, size=(800, 800), backend="matplotlib")[1])  # T = 0.5 drawn
    assert report_strings_picture(type("Empty", (), {"snapshots": []})(), tmp_path, 5.0, 0.6) == []
