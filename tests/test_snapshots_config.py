"""The [snapshots] table: checked like every other field, refused on resume when changed, and
the LAMMPS inputs it adds (dumps only in the segment of the chosen cycle, columns named by the
schema, an inherent-structure stage after that segment). No LAMMPS run: these are the texts."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from glassdyn import schema
from glassdyn.run import inputs
from glassdyn.run.config import CampaignConfig, ConfigError
from glassdyn.run.folder import prepare_folder
from glassdyn.run.plan import make_plan

VALID = {
    "campaign": {"name": "tiny", "seed": 7},
    "system": {"potential": "kob-andersen", "composition": {"A": 80, "B": 20}, "atoms": 250},
    "preparation": {"melt_temperature": 2.0, "melt_time": 5.0, "quench_rate": 0.5, "low_temperature": 0.4},
    "dms": {"temperatures": [0.6, 0.5], "periods": [5.0, 10.0], "cycles": 3},
}


def with_snapshots(**table) -> dict:
    data = copy.deepcopy(VALID)
    data["snapshots"] = table
    return data


def test_defaults_resolve_to_the_scan():
    """An empty [snapshots] means every temperature and period, the first used cycle (discard 1 -> 2),
    thermal and inherent; a campaign without the table has none and the record it always had."""
    shots = CampaignConfig.from_dict(with_snapshots()).snapshots
    assert shots is not None
    assert (shots.temperatures, shots.periods, shots.cycle, shots.thermal, shots.inherent) == \
        ((0.5, 0.6), (5.0, 10.0), 2, True, True)
    plain = CampaignConfig.from_dict(VALID)
    assert plain.snapshots is None and "snapshots" not in plain.science_dict()
    chosen = CampaignConfig.from_dict(with_snapshots(temperatures=[0.6], periods=[10], cycle=3, inherent=False))
    assert chosen.snapshots.temperatures == (0.6,) and chosen.snapshots.periods == (10.0,)
    assert chosen.snapshots.chosen(0.6, 10.0) and not chosen.snapshots.chosen(0.5, 10.0)


@pytest.mark.parametrize("table, field, message", [
    ({"temperatures": [0.7]}, "snapshots.temperatures", "0.7 is not in dms.temperatures"),
    ({"temperatures": "some"}, "snapshots.temperatures", "must be \"all\" or a non-empty list"),
    ({"temperatures": []}, "snapshots.temperatures", "must be \"all\" or a non-empty list"),
    ({"periods": [7.0]}, "snapshots.periods", "7 is not in dms.periods"),
    ({"periods": [5.0, 5.0]}, "snapshots.periods", "repeated values"),
    ({"cycle": 4}, "snapshots.cycle", "at most dms.cycles (3)"),
    ({"cycle": 0}, "snapshots.cycle", "must be > 0"),
    ({"cycle": 1.5}, "snapshots.cycle", "whole number"),
    ({"inherent": "yes"}, "snapshots.inherent", "true or false"),
    ({"thermal": 1}, "snapshots.thermal", "true or false"),
    ({"every": 2}, "snapshots.every", "unknown field"),
])
def test_bad_snapshots_name_the_field(table, field, message):
    """Each mistake is refused in one line that names the field and says what is allowed."""
    with pytest.raises(ConfigError, match=re.escape(field) + ".*" + re.escape(message)):
        CampaignConfig.from_dict(with_snapshots(**table))


def test_not_a_table_is_refused():
    data = copy.deepcopy(VALID)
    data["snapshots"] = 3
    with pytest.raises(ConfigError, match="snapshots: must be a table"):
        CampaignConfig.from_dict(data)


def test_a_folder_refuses_changed_snapshots(tmp_path: Path):
    """Adding, removing or changing [snapshots] changes what the stages write, so a folder started
    with other settings refuses to resume, naming the field."""
    folder = (tmp_path / "c").resolve()
    prepare_folder(folder, CampaignConfig.from_dict(with_snapshots(cycle=2)))
    with pytest.raises(ConfigError, match=re.escape("snapshots.cycle differ")):
        prepare_folder(folder, CampaignConfig.from_dict(with_snapshots(cycle=3)))
    with pytest.raises(ConfigError, match=re.escape("snapshots differ")):
        prepare_folder(folder, CampaignConfig.from_dict(VALID))
    prepare_folder(folder, CampaignConfig.from_dict(with_snapshots(cycle=2)))


def test_snapshots_change_one_segment_and_add_one_stage():
    """[snapshots] at (T 0.5, period 5, cycle 3) changes only the input of the segment holding cycle
    3 there, and only by its dump lines (removing them gives the input without [snapshots], which
    test_snapshots_campaign runs to compare thermo output); it adds one inherent stage after it."""
    plain = make_plan(CampaignConfig.from_dict(VALID))
    config = CampaignConfig.from_dict(with_snapshots(temperatures=[0.5], periods=[5.0], cycle=3))
    plan = make_plan(config)
    extra = [s for s in plan.all_stages() if s.kind == "inherent"]
    assert [s.name for s in extra] == ["T0.5/P5/inherent003"]
    assert [s.name for s in plan.all_stages() if s.kind != "inherent"] == [s.name for s in plain.all_stages()]
    base = CampaignConfig.from_dict(VALID)
    changed = []
    for a, b in zip(plain.all_stages(), [s for s in plan.all_stages() if s.kind != "inherent"]):
        if a.input_text(base, None) != b.input_text(config, None):
            changed.append(b.name)
    assert changed == ["T0.5/P5/seg003"]
    segment = next(s for s in plan.all_stages() if s.name == "T0.5/P5/seg003")
    stripped = [line for line in segment.input_text(config, None).splitlines()
                if not line.startswith(("dump", "variable        gd_skip"))]
    assert stripped == segment.input_text(base, None).splitlines()
    names = [s.name for s in plan.all_stages()]
    assert names.index("T0.5/P5/inherent003") == names.index("T0.5/P5/seg003") + 1


def test_segment_dumps_are_written_on_their_steps_only():
    """The chosen segment (cycle 2 of period 5 tau = 1000 steps) dumps the window start (step 1000)
    and end (step 2000) with dump_modify skip, and names every per-atom column by the schema."""
    config = CampaignConfig.from_dict(with_snapshots(temperatures=[0.5], periods=[5.0]))
    plan = make_plan(config)
    segment = next(s for s in plan.all_stages() if s.name == "T0.5/P5/seg002")
    text = segment.input_text(config, None)
    assert "variable        gd_skipthermal equal step!=1000" in text
    assert "variable        gd_skipdynamics equal step!=2000" in text
    assert f"dump            gd_thermal all custom 1000 {segment.name}/thermal.dump id type x y z ix iy iz" in text
    lines = text.splitlines()
    assert lines.index("run             1000") > max(k for k, line in enumerate(lines) if "dump" in line)
    expected = list(schema.names("stringlike/atom", "peratom")) + list(schema.names("cage/atom", "peratom")) + \
        [n for n in schema.names("percolation/atom", "peratom") if n != "u"]
    assert [name for _, name in inputs.snapshot_columns(config)] == expected
    modify = next(line for line in lines if line.startswith("dump_modify     gd_dynamics"))
    for reference, name in inputs.snapshot_columns(config):
        assert f"colname {reference} {name}" in modify
    inherent = next(s for s in plan.all_stages() if s.kind == "inherent")
    script = inherent.input_text(config, None)
    assert f"read_restart    {segment.name}/final.restart" in script
    assert f"read_dump       {segment.name}/thermal.dump 1000 x y z ix iy iz box yes replace yes" in script
    assert "min_style       fire" in script and "minimize        0 1e-08 10000 100000" in script


def test_both_definitions_add_the_jump_columns():
    """With analysis.mobile = "both" the jump definition's per-atom columns follow, prefixed jump_."""
    data = with_snapshots()
    data["analysis"] = {"mobile": "both", "jump_range": [0.3, 1.0]}
    names = [name for _, name in inputs.snapshot_columns(CampaignConfig.from_dict(data))]
    assert names[-6:] == ["jump_" + n for n in schema.names("stringlike/atom", "peratom")]
