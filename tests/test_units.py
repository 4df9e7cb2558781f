"""glassdyn.units is the one table of unit knowledge: the driver's defaults and the results' units come from it."""
from __future__ import annotations

import doctest

import glassdyn.units
from glassdyn.run.config import CampaignConfig
from glassdyn.run.plan import make_plan
from glassdyn.units import unit_system

KA = {"system": {"potential": "kob-andersen", "composition": {"A": 80, "B": 20}, "atoms": 300},
      "preparation": {"melt_temperature": 2.0, "melt_time": 5.0, "quench_rate": 0.2, "low_temperature": 0.4},
      "dms": {"temperatures": [0.5], "periods": [5.0]}}


def test_docstring_examples():
    assert doctest.testmod(glassdyn.units).failed == 0


def test_defaults_and_inputs_follow_the_table():
    config = CampaignConfig.from_dict(KA)
    lj = unit_system("lj")
    assert (config.system.timestep, config.preparation.tdamp, config.preparation.pdamp) == (lj.timestep, lj.tdamp,
                                                                                            lj.pdamp)
    assert config.preparation.ensemble == lj.ensemble
    text = make_plan(config).all_stages()[0].input_text(config, 3.0)
    assert f"neighbor        {lj.skin} bin" in text


def test_unknown_unit_style_is_named():
    try:
        unit_system("real")
    except ValueError as error:
        assert "'real'" in str(error) and "lj" in str(error)
    else:
        raise AssertionError("no error for an unknown unit style")
