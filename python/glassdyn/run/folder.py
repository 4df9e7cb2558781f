"""The campaign folder: created writable, and holding this campaign and no other.

The folder remembers the settings it was started with (``campaign.json``) and refuses to
continue with others; each finished stage and the start structure carry records of their own
(:mod:`glassdyn.run.records`), checked even when ``campaign.json`` is gone.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from glassdyn.run import journal, records
from glassdyn.run.config import CampaignConfig, ConfigError
from glassdyn.run.errors import StateError
from glassdyn.run.files import write_json, write_text
from glassdyn.run.model_check import check_model
from glassdyn.run.plan import INITIAL_DATA, make_plan
from glassdyn.run.structure import write_initial_data

SETTINGS = "campaign.json"


def make_folder(folder: Path) -> None:
    """Create the campaign folder; a path that is a file, or an unwritable place, is refused by name."""
    if folder.exists() and not folder.is_dir():
        raise StateError(f"campaign folder {folder} is a file; choose another folder (--folder) or campaign.name")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a parent is a file
        raise StateError(f"campaign folder {folder}: a parent folder is a file; choose another folder "
                         "(--folder)") from None
    except PermissionError:
        raise StateError(f"campaign folder {folder} cannot be created (permission denied); choose a "
                         "writable place (--folder)") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StateError(f"campaign folder {folder} is not writable; make it writable, or copy it and "
                         "resume the copy (--folder)")


def prepare_folder(folder: Path, config: CampaignConfig) -> None:
    """Create the folder, or check that it holds this same campaign; then write what the stages start from.

    Call it holding the folder's lock: a second driver must not rewrite the folder's files.
    """
    make_folder(folder)
    settings = folder / SETTINGS
    science = json.loads(json.dumps(config.science_dict()))
    if settings.exists():
        try:
            stored = json.loads(settings.read_text(encoding="utf-8"))
        except ValueError:
            raise StateError(f"{settings} is damaged (not JSON); delete it: every finished stage is then "
                             "checked against the campaign file instead") from None
        if stored != science:
            changed = sorted(_differences(stored, science))
            raise ConfigError(f"{folder} holds a campaign with other settings ({', '.join(changed)} "
                              "differ); run it with its own campaign.toml, or choose another folder")
    # The journal (the record that no stage ran twice) must be readable: a damaged line other than
    # a torn last one is not what an interrupted append leaves, so it is refused before anything runs.
    journal.read(folder)
    # Checked even when campaign.json exists: it may have been deleted and rewritten since.
    records.check_initial(folder, config)
    records.check_finished(folder, config, make_plan(config))
    if not settings.exists():
        write_json(settings, science)
    if config.source_text and not (folder / "campaign.toml").exists():
        write_text(folder / "campaign.toml", config.source_text)
    if config.system.potential == "deepmd":
        check_model(folder, config)
    initial = folder / INITIAL_DATA
    if not initial.exists():
        initial.parent.mkdir(parents=True, exist_ok=True)
        temporary = initial.with_suffix(".tmp")
        write_initial_data(config, temporary)
        os.replace(temporary, initial)
    if not (folder / records.INITIAL_RECORD).exists():
        write_json(folder / records.INITIAL_RECORD, records.initial_parameters(config))


def _differences(a: Any, b: Any, prefix: str = "") -> set[str]:
    """Dotted names of the settings that differ between two nested dictionaries."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: set[str] = set()
        for key in set(a) | set(b):
            out |= _differences(a.get(key), b.get(key), f"{prefix}.{key}" if prefix else key)
        return out
    return set() if a == b else {prefix}
