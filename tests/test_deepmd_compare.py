"""Bring-your-own deep potentials: two models, two type maps, two campaigns, one comparison.

The worked example examples/deepmd_compare/glass_{a,b}.toml is run end to end with two tiny
DeePMD models the test makes itself (``glassdyn.deepmd.make_tiny_model`` trained on Cu64Zr36 and
on Cu50Zr50 frames of the Mendelev EAM; the second with the type map ["Zr", "Cu"], so LAMMPS type
1 is Zr there), shrunk to seconds per campaign (128 atoms, 3 temperatures, 2 periods, 2 cycles),
then ``glassdyn compare`` on the two folders. Without DeePMD-kit every test is skipped.
"""
from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from glassdyn.deepmd import deepmd_available, missing_deepmd_message

pytestmark = [pytest.mark.slow, pytest.mark.deepmd,
              pytest.mark.skipif(not deepmd_available(), reason=missing_deepmd_message())]

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "deepmd_compare"
#: The worked example's glasses: file, reference composition of its model, the model's type map.
GLASSES = [("glass_a.toml", {"Cu": 64, "Zr": 36}, ("Cu", "Zr")),
           ("glass_b.toml", {"Cu": 50, "Zr": 50}, ("Zr", "Cu"))]

#: The example's protocol shrunk to seconds: everything else (system, type map, analysis) is the example's.
SHRUNK = {
    "preparation": {"melt_temperature": 1800.0, "melt_time": 0.6, "quench_rate": 2000.0, "low_temperature": 600.0},
    "dms": {"temperatures": [800.0, 1200.0, 1600.0], "periods": [0.2, 0.6], "axis": "x", "amplitude": 0.03,
            "cycles": 2, "discard": 1, "equilibration_time": 0.2},
    "launch": {"np": 2, "parallel_temperatures": 2},
}


def toml_text(data: dict[str, Any]) -> str:
    """A campaign file from a dict of tables (JSON's literals are TOML's for these values)."""
    lines = []
    for table, content in data.items():
        lines.append(f"[{table}]")
        for key, value in content.items():
            if isinstance(value, dict):
                value = "{ " + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in value.items()) + " }"
            else:
                value = json.dumps(value)
            lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def campaigns(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Both tiny models made, both shrunk example campaigns run; returns the two campaign folders."""
    from glassdyn.deepmd import make_tiny_model

    root = tmp_path_factory.mktemp("dp-compare")
    folders = []
    for name, composition, type_map in GLASSES:
        example = tomllib.loads((EXAMPLES / name).read_text())
        model = make_tiny_model(root / f"model-{Path(name).stem}", steps=600, nprocs=1, composition=composition,
                                type_map=type_map, untrained_baseline=False)
        assert model.type_map == type_map
        data = {**example, **SHRUNK}
        data.pop("relaxation")  # the EAM campaign tests cover that stage; here it would double the time
        data["system"] = {**example["system"], "model": str(model.path), "atoms": 128}
        config = root / name
        config.write_text(toml_text(data))
        completed = subprocess.run([sys.executable, "-m", "glassdyn", "run", str(config), "--quiet"],
                                   capture_output=True, text=True, timeout=600)
        assert completed.returncode == 0, completed.stderr
        folders.append(root / example["campaign"]["name"])
    return folders


def test_reference_boxes_and_type_map_of_the_training_data(tmp_path: Path):
    """No training: the composition sets the Zr fraction and the starting lattice (3.9 A for
    Cu64Zr36, scaled by the cube root of the mean atomic volume: (17.55/15.94)^(1/3) x 3.9 =
    4.027 A for Cu50Zr50), and a reordered type map renumbers ``type.raw`` (Cu = 0, Zr = 1 in the
    frames become 1 and 0 with ["Zr", "Cu"]) while the arrays stay as sampled."""
    import numpy as np

    from glassdyn.deepmd.tiny_model import lattice_constant, write_deepmd_npy, zr_fraction

    assert zr_fraction({"Cu": 64, "Zr": 36}) == pytest.approx(0.36) and lattice_constant({"Cu": 64, "Zr": 36}) == 3.9
    assert lattice_constant({"Cu": 50, "Zr": 50}) == pytest.approx(3.9 * (17.55 / 15.94) ** (1 / 3), rel=1e-12)
    with pytest.raises(ValueError, match="composition"):
        zr_fraction({"Cu": 50, "Ni": 50})
    frame = {"box": np.eye(3) * 10, "coord": np.zeros((3, 3)), "type": np.array([0, 1, 0]), "force": np.ones((3, 3)),
             "energy": -1.0, "virial": np.zeros((3, 3))}
    write_deepmd_npy([frame], tmp_path / "zr-cu", ("Zr", "Cu"))
    assert np.loadtxt(tmp_path / "zr-cu" / "type.raw", dtype=int).tolist() == [1, 0, 1]
    assert (tmp_path / "zr-cu" / "type_map.raw").read_text().split() == ["Zr", "Cu"]
    assert np.load(tmp_path / "zr-cu" / "set.000" / "force.npy").shape == (1, 9)
    with pytest.raises(ValueError, match="type_map"):
        write_deepmd_npy([frame], tmp_path / "bad", ("Cu", "Ni"))


def test_example_files_are_a_comparable_pair():
    """The two example files differ only in what makes them two glasses (name, model, type map,
    composition) and in comments: the same protocol is what makes `glassdyn compare` accept them."""
    a, b = (tomllib.loads((EXAMPLES / name).read_text()) for name, _, _ in GLASSES)
    assert {k: v for k, v in a.items() if k not in ("campaign", "system")} == \
        {k: v for k, v in b.items() if k not in ("campaign", "system")}
    assert a["system"]["potential"] == b["system"]["potential"] == "deepmd"
    assert a["system"]["type_map"] != b["system"]["type_map"] and a["system"]["model"] != b["system"]["model"]
    for (name, composition, type_map), data in zip(GLASSES, (a, b)):
        assert tuple(data["system"]["type_map"]) == type_map and data["system"]["composition"] == composition


def test_two_models_end_to_end_through_compare(campaigns: list[Path], tmp_path: Path):
    """``glassdyn compare A B`` on the two DeePMD campaigns writes the table (CSV and Markdown) and
    figures, and the table's T_alpha of each campaign and period is exactly the value in that
    campaign's own report/fits.json (the same fit of the same harvested M''(T); null = not found)."""
    import glassdyn

    for folder in campaigns:
        results = glassdyn.load(folder)
        assert results.metadata["potential"] == "deepmd"
        assert len(results.cycles) == 3 * 2 * 2  # temperatures x periods x cycles
        assert all("pair_style deepmd" in text for text in results.inputs.values() if "fix dms" in text)
        report = subprocess.run([sys.executable, "-m", "glassdyn", "report", str(folder)], capture_output=True,
                                text=True, timeout=300)
        assert report.returncode == 0, report.stderr
    out = tmp_path / "comparison"
    completed = subprocess.run([sys.executable, "-m", "glassdyn", "compare", *map(str, campaigns), "--out", str(out)],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert (out / "comparison.csv").is_file() and (out / "comparison.md").is_file()
    figures = sorted(out.glob("*.png"))
    assert figures and all(path.stat().st_size > 1000 for path in figures)
    rows = list(csv.DictReader((out / "comparison.csv").open()))
    for folder in campaigns:
        fits = json.loads((folder / "report" / "fits.json").read_text())
        for peak in fits["alpha_peaks"]:
            assert_same(table_t_alpha(rows, folder.name, peak["period"]), peak["t_alpha"])


def test_species_rows_pair_the_same_element(campaigns: list[Path], tmp_path: Path):
    """Glass B's model lists Zr first (LAMMPS type 1 = Zr), glass A's lists Cu first: the per-species
    rows of the table must still put Cu next to Cu and Zr next to Zr, so each is named by one
    element (a position-paired row would be named 'Cu/Zr')."""
    import glassdyn

    rows_csv = [path for path in glassdyn.compare(campaigns, tmp_path / "comparison") if path.suffix == ".csv"]
    rows = list(csv.DictReader(rows_csv[0].open()))
    species = {r["quantity"].split("(")[1].split(")")[0] for r in rows if r["quantity"].startswith("C (")}
    assert species == {"all", "Cu", "Zr"}


def table_t_alpha(rows: list[dict[str, str]], campaign: str, period: float) -> float:
    """The T_alpha cell of one campaign (column = its name) and period; nan when the cell is empty."""
    [row] = [r for r in rows if r["quantity"] == f"T_alpha (t_omega = {period:g} ps)"]
    return float(row[campaign]) if row[campaign] else math.nan


def assert_same(table_value: float, fits_value: float | None) -> None:
    if fits_value is None:
        assert math.isnan(table_value)
    else:
        assert table_value == pytest.approx(fits_value, rel=1e-9)
