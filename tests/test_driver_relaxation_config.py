"""The [relaxation] table of a campaign file: defaults, the stage it adds, and bad values refused
with a one-line message naming the field (no LAMMPS run: a failing configuration starts nothing).

The core's CorrelationOptions::validate() (through TimeCorrelationsCore) checks what the fix
itself would refuse, so the campaign and the fix agree on what is allowed.
"""
from __future__ import annotations

import copy

import pytest

from glassdyn.run.config import CampaignConfig, ConfigError
from glassdyn.run.plan import make_plan

VALID = {
    "campaign": {"name": "tiny", "seed": 7},
    "system": {"potential": "kob-andersen", "composition": {"A": 80, "B": 20}, "atoms": 250},
    "preparation": {"melt_temperature": 2.0, "melt_time": 5.0, "quench_rate": 0.5, "low_temperature": 0.4},
    "dms": {"temperatures": [0.6, 0.5], "periods": [5.0], "cycles": 3},
    "relaxation": {},
}


def with_relaxation(**fields) -> dict:
    data = copy.deepcopy(VALID)
    data["relaxation"].update(fields)
    return data


def test_defaults_are_the_potentials_and_the_units():
    """KA: q = 7.25 (first peak of S_AA(q), Kob & Andersen 1995), overlap 0.3 sigma; lj: one origin
    every 5 tau, 8 origins, 30 lags, and a run of twice the longest lag (2 x 8 x 5 = 80 tau)."""
    relax = CampaignConfig.from_dict(VALID).relaxation
    assert relax is not None
    assert (relax.q, relax.overlap, relax.every, relax.origins, relax.lags) == (7.25, 0.3, 5.0, 8, 30)
    assert relax.time == pytest.approx(80.0) and relax.string_windows == ()


def test_cuzr_defaults():
    """Cu-Zr EAM: q = 2.8 1/Angstrom (first S(q) peak of Cu64Zr36), overlap 0.8 Angstrom, origins every 10 ps."""
    data = with_relaxation()
    data["system"] = {"potential": "cuzr-eam", "composition": {"Cu": 64, "Zr": 36}, "atoms": 500}
    data["preparation"].update(melt_temperature=2000.0, low_temperature=700.0, quench_rate=100.0)
    data["dms"]["temperatures"] = [800.0]
    relax = CampaignConfig.from_dict(data).relaxation
    assert (relax.q, relax.overlap, relax.every) == (2.8, 0.8, 10.0)


def test_stage_follows_equilibration_and_leaves_the_dms_plan_alone():
    """One relaxation stage per temperature, from the equilibrated restart; the DMS segments keep
    the source they have without the stage, so adding it changes no other stage."""
    with_stage = make_plan(CampaignConfig.from_dict(with_relaxation(time=10.0, every=1.0, origins=5,
                                                                    string_windows=[1.0, 0.5])))
    plain = copy.deepcopy(VALID)
    plain.pop("relaxation")
    without = make_plan(CampaignConfig.from_dict(plain))
    chain = with_stage.chains[0]
    assert [s.kind for s in chain.stages][:2] == ["equilibrate", "relaxation"]
    assert chain.relaxation.source == "T0.5/equilibrate/final.restart" and chain.relaxation.steps == 2000
    assert [s for s in with_stage.all_stages() if s.kind != "relaxation"] == without.all_stages()
    assert without.chains[0].relaxation is None
    config = CampaignConfig.from_dict(with_relaxation(time=10.0, every=1.0, origins=5, string_windows=[1.0, 0.5]))
    assert config.relaxation.string_windows == (0.5, 1.0)
    assert "relaxation" not in CampaignConfig.from_dict(plain).science_dict()  # old records stay valid
    text = chain.relaxation.input_text(config, None)
    assert "dynamics/correlate every 200 origins 5 lags log 1 1000 30 q 7.25 overlap 0.3" in text
    assert "stringlike/atom delta 0.55 window 100 " in text and "window 200 " in text
    assert " dms " not in text  # no strain in the relaxation run


@pytest.mark.parametrize("fields, field, message", [
    ({"q": -1.0}, "relaxation.q", "> 0"),
    ({"q": "big"}, "relaxation.q", "must be a number"),
    ({"overlap": 0.0}, "relaxation.overlap", "> 0"),
    ({"every": 0.0012}, "relaxation.every", "whole number"),
    ({"origins": 0}, "relaxation.origins", "> 0"),
    ({"origins": 2000}, "relaxation.origins", "origins"),        # core: 1 <= K <= 1000
    ({"origins": 1.5}, "relaxation.origins", "whole number"),
    ({"lags": 0}, "relaxation.lags", "> 0"),
    ({"every": 0.005, "origins": 2, "lags": 30}, "relaxation.lags", "lags"),  # 30 lags in 2 steps
    ({"time": 10.0}, "relaxation.time", "shorter than the longest lag"),
    ({"time": 1e12}, "relaxation.time", "at most"),
    ({"string_windows": 2.0}, "relaxation.string_windows", "list"),
    ({"string_windows": [1.0, 1.0]}, "relaxation.string_windows", "repeated"),
    ({"string_windows": [0.0012]}, "relaxation.string_windows", "whole number"),
    ({"string_windows": [1000.0]}, "relaxation.string_windows", "longer than relaxation.time"),
    ({"string_windows": [-1.0]}, "relaxation.string_windows", "> 0"),
    ({"tau": 3}, "relaxation.tau", "unknown field"),
])
def test_bad_relaxation_names_the_field(fields, field, message):
    with pytest.raises(ConfigError) as error:
        CampaignConfig.from_dict(with_relaxation(**fields))
    text = str(error.value)
    assert field in text and message in text, text
    assert "\n" not in text


def test_q_has_no_default_for_a_model_without_one(tmp_path):
    """A DeePMD model has no known S(q): relaxation.q must be given."""
    model = tmp_path / "model.pb"
    model.write_bytes(b"\0")
    data = with_relaxation()
    data["system"] = {"potential": "deepmd", "model": str(model), "type_map": ["Cu", "Zr"],
                      "composition": {"Cu": 64, "Zr": 36}, "atoms": 500}
    data["preparation"].update(melt_temperature=2000.0, low_temperature=700.0, quench_rate=100.0)
    data["dms"]["temperatures"] = [800.0]
    data["analysis"] = {"string_delta": 1.4, "cage_cutoff": 3.6}
    with pytest.raises(ConfigError, match=r"relaxation\.q.*no default"):
        CampaignConfig.from_dict(data)


def test_preflight_asks_lammps_for_the_fix():
    """The preflight check (info styles) must find fix dynamics/correlate only when the stage exists."""
    from glassdyn.run.preflight import required_styles

    assert "dynamics/correlate" in required_styles(CampaignConfig.from_dict(VALID))["fix"]
    plain = copy.deepcopy(VALID)
    plain.pop("relaxation")
    assert "dynamics/correlate" not in required_styles(CampaignConfig.from_dict(plain))["fix"]
