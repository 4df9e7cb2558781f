"""What each finished stage was run with, and the check that a resumed plan still matches it.

``campaign.json`` refuses a changed configuration, but it can be missing (deleted, or a folder
assembled by hand). Each stage therefore records in its ``done.json`` its steps, its parameters
(source, temperatures, period, cycles, seed) and the SHA-256 of the LAMMPS input that ran. On
resume every finished stage is compared with the plan; a finished ``prep/melt01`` of 200 steps is
never kept while the plan says 400. The start structure ``prep/initial.data`` gets the same
treatment through ``prep/initial.json``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any, Optional

from glassdyn.run.config import CampaignConfig
from glassdyn.run.errors import StateError
from glassdyn.run.plan import INITIAL_DATA, Plan, Stage
from glassdyn.run.structure import write_initial_data

INITIAL_RECORD = "prep/initial.json"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def stage_parameters(stage: Stage) -> dict[str, Any]:
    """The stage's defining values as JSON would give them back (tuples become lists)."""
    values = dataclasses.asdict(stage)
    values.pop("name")
    return json.loads(json.dumps(values))


def done_record(stage: Stage, input_text: str, **extra: Any) -> dict[str, Any]:
    """The content of a finished stage's ``done.json``."""
    return {"stage": stage.name, "steps": stage.steps, "parameters": stage_parameters(stage),
            "input_sha256": text_hash(input_text), **extra}


def read_done(path: Path) -> Optional[dict[str, Any]]:
    """A ``done.json`` (None when the stage is not finished); a damaged one is refused by name."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        record = json.loads(text)
        if not isinstance(record, dict):
            raise ValueError("not an object")
    except ValueError:
        raise StateError(f"{path} is damaged (not a JSON record); delete the folder {path.parent} to run that "
                         "stage again (and every later stage of its temperature, which started from it)") from None
    return record


def initial_parameters(config: CampaignConfig) -> dict[str, Any]:
    """What ``prep/initial.data`` is made from (the driver writes it from these alone)."""
    system = config.system
    return json.loads(json.dumps({"name": config.name, "seed": config.seed, "counts": system.counts(),
                                  "density": system.density, "species": list(system.species)}))


def _advice(root: Path) -> str:
    return (f"the folder {root} holds a campaign run with other settings; start afresh with another campaign.name "
            f"(or --folder), or delete {root}")


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def check_initial(root: Path, config: CampaignConfig) -> None:
    """The start structure on disk must be the one this configuration makes."""
    record_path = root / INITIAL_RECORD
    if not (root / INITIAL_DATA).exists():
        return
    if not record_path.exists():
        # A folder of an earlier glassdyn (or a crash before the record was written): the
        # structure is a deterministic function of the configuration, so make it again and compare.
        fresh = root / (INITIAL_DATA + ".check")
        write_initial_data(config, fresh)
        try:
            same = fresh.read_bytes() == (root / INITIAL_DATA).read_bytes()
        finally:
            fresh.unlink()
        if not same:
            raise StateError(f"{INITIAL_DATA} is not the start structure this campaign file makes (atoms, composition, "
                             f"density or seed differ): {_advice(root)}")
        return
    try:
        recorded = json.loads(record_path.read_text(encoding="utf-8"))
    except ValueError:
        raise StateError(f"{record_path} is damaged; delete it and {root / INITIAL_DATA} if no stage has finished, "
                         f"else {_advice(root)}") from None
    current = initial_parameters(config)
    for key in sorted(set(recorded) | set(current)):
        if recorded.get(key) != current.get(key):
            raise StateError(f"{INITIAL_DATA} was made with {key} = {_show(recorded.get(key))}, the campaign now "
                             f"asks for {_show(current.get(key))}: {_advice(root)}")


def check_finished(root: Path, config: CampaignConfig, plan: Plan) -> None:
    """Every finished stage of the plan must have run with the plan's steps, parameters and input."""
    for stage in plan.all_stages():
        record = read_done(root / stage.name / "done.json")
        if record is None:
            continue
        differences = _differences(stage, record, config)
        if differences:
            raise StateError(f"finished stage {stage.name} differs from the plan ({'; '.join(differences)}): "
                             f"{_advice(root)}")


def _differences(stage: Stage, record: dict[str, Any], config: CampaignConfig) -> list[str]:
    found = []
    if record.get("steps") != stage.steps:
        found.append(f"steps {_show(record.get('steps'))} -> {stage.steps}")
    recorded = record.get("parameters")
    if isinstance(recorded, dict):  # done.json of glassdyn <= 0.x has steps only
        current = stage_parameters(stage)
        for key in sorted(set(recorded) | set(current)):
            if key != "steps" and recorded.get(key) != current.get(key):
                found.append(f"{key} {_show(recorded.get(key))} -> {_show(current.get(key))}")
    digest = record.get("input_sha256")
    if digest is not None and not found:
        # The text as the stage ran: with the communication cutoff it recorded (glassdyn before
        # issue 11 chose one automatically; it changes no result, so such a stage still counts).
        cutoff = record.get("comm_cutoff")
        text = stage.input_text(config, float(cutoff) if isinstance(cutoff, (int, float)) else None)
        if text_hash(text) != digest:
            found.append("LAMMPS input text differs (another setting, or another glassdyn version, writes it "
                         "differently)")
    return found
