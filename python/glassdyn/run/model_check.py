"""A DeePMD model must know every species of the campaign, in the order the campaign uses."""
from __future__ import annotations

import json
from pathlib import Path

from glassdyn.deepmd.model import model_type_map
from glassdyn.launching.deepmd import deepmd_available, missing_deepmd_message
from glassdyn.run.config import CampaignConfig
from glassdyn.run.errors import ConfigError
from glassdyn.run.files import write_json

CACHE = "model_check.json"


def check_model(folder: Path, config: CampaignConfig) -> None:
    """The model's own type map must contain every species, at the positions the campaign uses.

    Asking DeePMD-kit costs a TensorFlow start-up (in a subprocess), so the answer is kept per
    model file (path, size, modification time) in the campaign folder.
    """
    if not deepmd_available():
        raise ConfigError(f"system.potential: {missing_deepmd_message()}")
    system = config.system
    model = Path(str(system.model))
    stat = model.stat()
    key = {"model": str(model), "size": stat.st_size, "mtime": stat.st_mtime}
    cache = folder / CACHE
    stored = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
    if stored.get("key") != key:
        stored = {"key": key, "type_map": model_type_map(model)}
        write_json(cache, stored)
    type_map = stored["type_map"]
    given = list(system.type_map or ())
    if given and given != [s for s in type_map if s in given]:
        raise ConfigError(f"system.type_map: {given} does not follow the model's type map {type_map}; "
                          f"use the model's order")
    absent = [s for s in system.species if s not in type_map]
    if absent:
        raise ConfigError(f"system.composition: the model {model.name} has no {absent}; its type map is {type_map}")
