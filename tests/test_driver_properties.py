"""Property-based tests of the campaign file parser (hypothesis).

Whatever a campaign file holds, the only allowed outcomes are a valid configuration (whose plan
and LAMMPS inputs can then be made) or a :class:`ConfigError` whose message starts with the
field it concerns (``dms.periods: ...``) or the file (``<path>: ...``). Any other exception, or a
hang, is a bug: the user would see a traceback, or nothing at all. The examples are derived
deterministically (``derandomize``) so that a failure is reproducible, and bounded in number and
time so the file runs in well under 30 s.
"""
from __future__ import annotations

import copy
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassdyn.run.config import CampaignConfig, ConfigError
from glassdyn.run.plan import make_plan

VALID: dict[str, Any] = {
    "campaign": {"name": "prop", "seed": 7},
    "system": {"potential": "kob-andersen", "composition": {"A": 80, "B": 20}, "atoms": 250},
    "preparation": {"melt_temperature": 2.0, "melt_time": 5.0, "quench_rate": 0.5, "low_temperature": 0.4},
    "dms": {"temperatures": [0.6, 0.5], "periods": [5.0], "cycles": 3},
    "analysis": {},
    "launch": {"np": 2},
}

# Every field a campaign file may have (and a few it may not), as table.key paths.
FIELDS = [
    "campaign.name", "campaign.seed", "campaign.bogus",
    "system.potential", "system.composition", "system.atoms", "system.density", "system.timestep",
    "system.model", "system.type_map",
    "preparation.ensemble", "preparation.melt_temperature", "preparation.melt_time", "preparation.quench_rate",
    "preparation.low_temperature", "preparation.anneal_temperature", "preparation.anneal_time",
    "preparation.pressure", "preparation.tdamp", "preparation.pdamp", "preparation.sample_every",
    "preparation.segment_steps",
    "dms.temperatures", "dms.periods", "dms.axis", "dms.amplitude", "dms.cycles", "dms.discard",
    "dms.equilibration_time", "dms.every", "dms.cycles_per_segment",
    "analysis.string_delta", "analysis.fraction", "analysis.long_string", "analysis.cage_cutoff",
    "analysis.cage_cutoff_pairs", "analysis.hysteresis", "analysis.nlost", "analysis.pu_umax", "analysis.pu_bins",
    "analysis.pu_beyond", "analysis.comm_cutoff",
    "launch.np", "launch.mode", "launch.parallel_temperatures",
]
TABLES = ["campaign", "system", "preparation", "dms", "analysis", "launch"]

NASTY_FLOATS = [math.nan, math.inf, -math.inf, 0.0, -0.0, -1.0, 1e-300, 5e-324, 1e300, 1.7976931348623157e308,
                1e11, 0.5, 2.0, 100.0, 1e6]
NASTY_INTS = [0, -1, 1, 2, 3, 7, 2**31, 2**63 - 1, 10**400, -(10**400), 10**18]
scalars = st.one_of(
    st.sampled_from(NASTY_FLOATS), st.sampled_from(NASTY_INTS), st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70), st.booleans(),
    st.text(max_size=12), st.sampled_from(["x", "xy", "yz", "npt", "nvt", "inprocess", "deepmd", "cuzr-eam",
                                           "kob-andersen", "A", "B", "A-B", "Ä", "\u00a0", "..", "π"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["A", "B", "Cu", "Zr", "A-B", "B-B", "x", "ü"]), inner,
                                            max_size=3)),
    max_leaves=6)
# An edit: set a field to a value, delete it (None), or replace a whole table.
edits = st.lists(st.one_of(st.tuples(st.sampled_from(FIELDS), st.one_of(st.none(), values)),
                           st.tuples(st.sampled_from(TABLES), st.one_of(st.none(), values))),
                 min_size=1, max_size=4)

FIELD_MESSAGE = re.compile(r"^(campaign file|campaign|system|preparation|dms|analysis|launch)"
                           r"(\.[^:\s]+)*(\[[^\]]*\])?: \S")


def apply(edit_list: list[tuple[str, Any]]) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    for path, value in edit_list:
        *tables, key = path.split(".")
        target: Any = data
        for table in tables:
            if not isinstance(target.get(table), dict):
                target[table] = {}
            target = target[table]
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return data


def check_outcome(build) -> None:
    """The property: a valid config (with a plan and inputs) or a ConfigError naming a field."""
    try:
        config = build()
    except ConfigError as error:
        message = str(error)
        assert "\n" not in message and len(message) < 1000, message
        assert FIELD_MESSAGE.match(message) or message.startswith("/"), message
        return
    plan = make_plan(config)
    stages = plan.all_stages()
    assert 0 < len(stages) <= 100_000
    for stage in stages[:2] + [s for s in stages if s.is_dms][:1]:
        text = stage.input_text(config, 5.0)
        assert "nan" not in text.lower().split() and "inf" not in text.lower().split()


BOUNDED = settings(max_examples=200, deadline=2000, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@BOUNDED
@given(edits)
def test_edited_campaigns_give_a_config_or_a_field_error(edit_list):
    """Any set of edits of a valid campaign (NaN, inf, huge, negative, zero, wrong types, unicode,
    missing fields and tables) is either accepted or refused with a message naming a field."""
    check_outcome(lambda: CampaignConfig.from_dict(apply(edit_list)))


def toml_value(value: Any) -> str:
    """A TOML rendering of a generated value (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in value) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f'"{k}" = {toml_value(v)}' for k, v in value.items()) + " }"


def toml_document(data: dict[str, Any]) -> str:
    lines = []
    for table, content in data.items():
        if isinstance(content, dict):
            lines.append(f"[{table}]")
            lines += [f'"{key}" = {toml_value(value)}' for key, value in content.items()]
        else:
            lines.insert(0, f"{table} = {toml_value(content)}")
    return "\n".join(lines) + "\n"


@BOUNDED
@given(edits)
def test_generated_toml_files_give_a_config_or_a_field_error(tmp_path_factory, edit_list):
    """The same edits written as TOML files (TOML's own nan/inf, integers beyond 64 bits) and read
    with from_toml: accepted or refused naming a field or the file."""
    path = tmp_path_factory.mktemp("toml") / "campaign.toml"
    path.write_text(toml_document(apply(edit_list)), encoding="utf-8")
    check_outcome(lambda: CampaignConfig.from_toml(path))


@settings(max_examples=100, deadline=2000, derandomize=True, database=None)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8")),
                 st.text(max_size=100).map(lambda t: t.encode("utf-16"))))
def test_arbitrary_bytes_give_a_config_or_a_file_error(tmp_path_factory, content):
    """Any bytes at all (binary, random text, UTF-16) as a campaign file: refused naming the file
    (not TOML, not UTF-8) or a field; never another exception."""
    path = tmp_path_factory.mktemp("bytes") / "campaign.toml"
    path.write_bytes(content)
    try:
        CampaignConfig.from_toml(path)
    except ConfigError as error:
        assert str(error).startswith(str(path)) or FIELD_MESSAGE.match(str(error)), str(error)


def test_deeply_nested_arrays_are_refused(tmp_path: Path):
    """tomllib recurses into nested arrays: 100000 levels must be a file error, not a RecursionError."""
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 100000 + "]" * 100000 + "\n")
    with pytest.raises(ConfigError, match=re.escape(str(path))):
        CampaignConfig.from_toml(path)
