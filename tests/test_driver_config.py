"""Campaign files: defaults, derived values, and bad input refused before anything runs.

Every bad case is a small edit of a valid campaign; the expected message must name the field
(so the user knows what to fix). No LAMMPS run is started by these tests: a campaign whose
configuration fails never creates its folder.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from glassdyn.run.folder import prepare_folder
from glassdyn.run.config import CampaignConfig, ConfigError
from glassdyn.run.plan import make_plan

VALID = {
    "campaign": {"name": "tiny", "seed": 7},
    "system": {"potential": "kob-andersen", "composition": {"A": 80, "B": 20}, "atoms": 250},
    "preparation": {"melt_temperature": 2.0, "melt_time": 5.0, "quench_rate": 0.5, "low_temperature": 0.4},
    "dms": {"temperatures": [0.6, 0.5], "periods": [5.0], "cycles": 3},
}


def edited(path: str, value) -> dict:
    """VALID with one field replaced (value None deletes it)."""
    data = copy.deepcopy(VALID)
    *tables, key = path.split(".")
    target = data
    for table in tables:
        target = target.setdefault(table, {})
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value
    return data


def test_defaults_and_derived_values():
    config = CampaignConfig.from_dict(VALID)
    # KA is an lj-units potential: the lj defaults apply (0.005 tau step, NVT at rho = 1.2).
    assert config.units == "lj" and config.system.timestep == 0.005 and config.system.density == 1.2
    assert config.preparation.ensemble == "nvt"
    assert config.dms.temperatures == (0.5, 0.6)  # sorted
    # 80:20 of 250 atoms is exactly 200:50; fractions are normalised from percent.
    assert config.system.counts() == {"A": 200, "B": 50}
    assert config.dms.axis == "x" and config.dms.amplitude == 0.01 and config.dms.discard == 1
    assert config.analysis.string_delta == 0.55 and config.analysis.fraction == 0.05


def test_counts_add_up_for_awkward_fractions():
    # 64:36 of 1001 atoms = 640.64 : 360.36 -> largest remainders give 641 + 360 = 1001.
    data = edited("system", {"potential": "cuzr-eam", "composition": {"Cu": 64, "Zr": 36}, "atoms": 1001})
    # metal units: temperatures in K (the lj values of VALID are refused as out of range)
    data["preparation"].update(melt_temperature=2000.0, low_temperature=700.0, quench_rate=100.0)
    data["dms"]["temperatures"] = [800.0]
    config = CampaignConfig.from_dict(data)
    assert config.system.counts() == {"Cu": 641, "Zr": 360}
    assert config.units == "metal" and config.system.timestep == 0.002


def test_plan_cuts_runs_into_resumable_segments():
    data = edited("dms.cycles_per_segment", 2)
    data["dms"]["cycles"] = 5
    data["preparation"]["segment_steps"] = 300
    plan = make_plan(CampaignConfig.from_dict(data))
    # melt 5 tau = 1000 steps in pieces of <= 300 -> 4 pieces; quench (2.0-0.4)/0.5 = 3.2 tau = 640 steps -> 3.
    kinds = [s.kind for s in plan.preparation]
    assert kinds == ["melt"] * 4 + ["quench"] * 3
    assert sum(s.steps for s in plan.preparation if s.kind == "melt") == 1000
    quench = [s for s in plan.preparation if s.kind == "quench"]
    assert quench[0].ramp[0] == 2.0 and quench[-1].ramp[1] == pytest.approx(0.4)
    assert all(a.ramp[1] == pytest.approx(b.ramp[0]) for a, b in zip(quench, quench[1:]))  # one continuous ramp
    segments = [s for s in plan.chains[0].stages if s.is_dms]
    assert [(s.first_cycle, s.cycles) for s in segments] == [(1, 2), (3, 2), (5, 1)]
    assert segments[1].source == f"{segments[0].name}/final.restart"


BAD = [
    ("system.potential", "lennard-jones", r"system.potential: unknown potential 'lennard-jones'"),
    ("system.potential", None, r"system.potential: is required"),
    ("system.composition", {"A": 80, "C": 20}, r"system.composition: .*\['C'\] cannot be used"),
    ("system.composition", {}, r"system.composition: is required"),
    ("system.atoms", 1.5, r"system.atoms: must be a whole number"),
    ("system.atoms", 2, r"system.atoms: 2 atoms leave no atom of \['B'\]"),
    ("system.model", "graph.pb", r"system.model: only a 'deepmd' potential takes a model"),
    ("preparation.quench_rate", -1.0, r"preparation.quench_rate: must be > 0, got -1.0"),
    ("preparation.low_temperature", 3.0, r"preparation.low_temperature: must be below melt_temperature"),
    ("preparation.ensemble", "nve", r"preparation.ensemble: must be one of \('npt', 'nvt'\)"),
    ("preparation.anneal_time", 5.0, r"preparation.anneal_temperature: is required when anneal_time > 0"),
    ("dms.temperatures", [], r"dms.temperatures: must be a non-empty list"),
    ("dms.temperatures", [0.5, 0.5], r"dms.temperatures: has repeated values"),
    ("dms.temperatures", [0.5, -0.1], r"dms.temperatures: must be > 0"),
    ("dms.periods", [0.04], r"dms.periods: period 0.04 is only 8 steps"),
    ("dms.periods", [1.0021], r"dms.periods: period 1.0021 is not a whole number of time steps"),
    ("dms.axis", "w", r"dms.axis: must be one of"),
    ("dms.amplitude", 0.5, r"dms.amplitude: must be <= 0.2"),
    ("dms.discard", 3, r"dms.discard: must be smaller than dms.cycles \(3\)"),
    ("dms.every", 3, r"dms.every: must divide the 1000 steps of period 5.0"),
    ("dms.every", 100, r"dms.every: leaves 10 stress samples per cycle of period 5.0; the fit needs at least 14"),
    ("dms.bogus", 1, r"dms.bogus: unknown field; allowed in \[dms\]"),
    ("analysis.fraction", 1.5, r"analysis.fraction: must be in \(0, 1\]"),
    ("analysis.cage_cutoff_pairs", {"A+B": 1.2}, r"analysis.cage_cutoff_pairs: key 'A\+B' must name two species"),
    ("launch.mode", "threads", r"launch.mode: must be one of \('subprocess', 'inprocess'\)"),
    ("launch.parallel_temperatures", 3, r"launch.parallel_temperatures: must divide launch.np"),
    ("launch", {"np": 4, "parallel_temperatures": 4}, r"launch.parallel_temperatures: 4 groups for 2 temperatures"),
    ("campaign.name", "my campaign", r"campaign.name: must be a word"),
    ("campaign.name", "..", r"campaign.name: must be a word"),
    ("campaign.seed", 2**31, r"campaign.seed: must be at most"),
    ("dms.temperatures", [1000.0001, 1000.0002], r"dms.temperatures: has repeated values \(to 6 significant"),
    ("analysis.long_string", 1, r"analysis.long_string: must be >= 2"),
    ("analysis.pu_bins", 200000, r"analysis.pu_bins: must be <= 100000"),
    ("analysis.cage_cutoff_pairs", {"A-B": 1.2, "B-A": 1.3}, r"analysis.cage_cutoff_pairs: the pair 'B-A' is given twice"),
    ("preparation.melt_time", 0.001, r"preparation.melt_time: 0.001 is shorter than one time step"),
]


def test_stage_inputs_leave_the_ghost_shell_to_lammps_unless_asked():
    """Issue 11: the analyses exchange what they need at window ends, so a default campaign writes
    no ``comm_modify cutoff`` in any stage (LAMMPS's shell = force range + skin, which every MD
    step pays for); the documented override ``analysis.comm_cutoff`` writes exactly that value,
    in the DMS segments only (the stages that run the analyses)."""
    config = CampaignConfig.from_dict(VALID)
    stages = make_plan(config).all_stages()
    assert not any("comm_modify" in stage.input_text(config, config.analysis.comm_cutoff) for stage in stages)
    custom = CampaignConfig.from_dict(edited("analysis.comm_cutoff", 3.7))
    for stage in make_plan(custom).all_stages():
        lines = [line for line in stage.input_text(custom, custom.analysis.comm_cutoff).splitlines()
                 if line.startswith("comm_modify")]
        assert lines == (["comm_modify     cutoff 3.7"] if stage.is_dms else []), stage.name


@pytest.mark.parametrize("field,value,message", BAD, ids=[f"{b[0]}={b[1]!r}" for b in BAD])
def test_bad_config_names_the_field(field, value, message):
    with pytest.raises(ConfigError, match=message):
        CampaignConfig.from_dict(edited(field, value))


def test_deepmd_model_must_exist_and_cover_the_composition(tmp_path: Path):
    system = {"potential": "deepmd", "composition": {"Pd": 40, "Cu": 40, "P": 20}, "atoms": 100,
              "model": str(tmp_path / "missing.pb"), "type_map": ["Pd", "Cu", "P"]}
    with pytest.raises(ConfigError, match=r"system.model: DeePMD model file '.*missing.pb' does not exist"):
        CampaignConfig.from_dict(edited("system", system))
    (tmp_path / "model.pb").write_bytes(b"not checked here")
    system.update(model=str(tmp_path / "model.pb"), type_map=["Pd", "Ni", "P"])
    with pytest.raises(ConfigError, match=r"system.composition: species \['Cu'\] are not in the model's type map"):
        CampaignConfig.from_dict(edited("system", system))
    system["type_map"] = ["Pd", "Cu", "P"]
    # No analysis defaults exist for an arbitrary model: the distances must be given.
    with pytest.raises(ConfigError, match=r"analysis.string_delta: has no default for potential 'deepmd'"):
        CampaignConfig.from_dict(edited("system", system))


def test_bad_toml_and_missing_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist"):
        CampaignConfig.from_toml(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[dms]\ntemperatures = [1, 2\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        CampaignConfig.from_toml(bad)


def test_a_folder_refuses_other_settings(tmp_path: Path):
    folder = (tmp_path / "c").resolve()
    prepare_folder(folder, CampaignConfig.from_dict(VALID))
    with pytest.raises(ConfigError, match=re.escape("dms.amplitude differ")):
        prepare_folder(folder, CampaignConfig.from_dict(edited("dms.amplitude", 0.02)))
    # Launch settings do not change what is computed, so they may differ on resumption.
    prepare_folder(folder, CampaignConfig.from_dict(edited("launch", {"np": 2, "mode": "inprocess"})))


def test_cli_reports_config_errors_without_traceback(tmp_path: Path, capsys):
    from glassdyn.cli import main

    bad = tmp_path / "c.toml"
    bad.write_text('[system]\npotential = "kob-andersen"\ncomposition = { A = 80, B = 20 }\natoms = 100\n'
                   '[preparation]\nmelt_temperature = 2.0\nmelt_time = 5.0\nquench_rate = -1\nlow_temperature = 0.4\n'
                   '[dms]\ntemperatures = [0.5]\nperiods = [5.0]\n')
    assert main(["run", str(bad)]) == 2
    assert "preparation.quench_rate: must be > 0" in capsys.readouterr().err
    assert not (tmp_path / "campaign").exists()


def test_embedded_demo_campaign_is_valid():
    """`glassdyn demo` (make demo) runs the campaign shipped in the package: it must pass the checks."""
    from importlib import resources

    text = resources.files("glassdyn.data").joinpath("demo.toml").read_text()
    import tomllib

    config = CampaignConfig.from_dict(tomllib.loads(text))
    assert config.system.potential == "cuzr-eam" and config.system.atoms == 2000
    assert len(config.dms.temperatures) == 8 and config.launch.np == 2
    plan = make_plan(config)
    assert len(plan.chains) == 8 and all(len(c.periods()[4.0]) == 4 for c in plan.chains)
