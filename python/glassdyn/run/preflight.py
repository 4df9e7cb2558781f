"""Before any stage: does the configured LAMMPS know every style the campaign uses?

One tiny LAMMPS run (``info styles``) under the configured launcher on 1 rank, with the
configured arguments and environment, tells the LAMMPS version, the styles it knows once its
plugins are loaded, and whether the glassdyn plugin loaded (a plugin that fails to load, or one
built for another LAMMPS, only prints a line and lets the input go on; the first glassdyn style
would then stop the campaign late, or misread LAMMPS's classes). Every refusal is one line naming
the ``[launch]`` field to fix. The answer is kept in ``<folder>/preflight.json`` per executable
(path, size, modification time), plugin and arguments, so later runs do not pay for it again.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any, Optional

from glassdyn.launching.command import LammpsCommand
from glassdyn.launching.launchers import SubprocessLauncher
from glassdyn.launching.locations import lmp_binary
from glassdyn.run.config import CampaignConfig
from glassdyn.run.errors import ConfigError
from glassdyn.run.files import write_json

CACHE = "preflight.json"
#: glassdyn's public styles, used by every DMS segment.
GLASSDYN_STYLES = {"compute": ("stringlike/atom", "cage/atom", "displacement/distribution"), "fix": ("dms",)}
MISMATCH = re.compile(r"glassdyn plugin was compiled for LAMMPS .*")
LOAD_FAILED = re.compile(r"Open of file (\S+) failed: (.*)")
BANNER = re.compile(r"^LAMMPS \((.+)\)\s*$", re.M)
TIMEOUT = 300.0  # a launcher waiting for resources (srun outside an allocation) must not hang forever


def required_styles(config: CampaignConfig) -> dict[str, tuple[str, ...]]:
    """Every style the campaign's inputs use, by kind (``pair``, ``fix``, ``compute``)."""
    pair = [line.split()[1] for line in config.potential.commands(list(config.system.species))
            if line.startswith("pair_style")]
    fixes = (config.preparation.ensemble, "nvt", "ave/time", *GLASSDYN_STYLES["fix"])
    if config.relaxation is not None:   # the relaxation stage's time correlations
        fixes += ("dynamics/correlate",)
    return {"pair": tuple(pair), "fix": tuple(dict.fromkeys(fixes)), "compute": GLASSDYN_STYLES["compute"]}


def parse_styles(text: str) -> dict[str, set[str]]:
    """``info styles`` output: 'Pair styles:' then a blank line, then names until a blank line."""
    found: dict[str, set[str]] = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = re.fullmatch(r"(\w+) styles:", line.strip())
        if not match:
            continue
        names: set[str] = set()
        for follow in lines[i + 2:]:
            if not follow.strip():
                break
            names.update(follow.split())
        found[match.group(1).lower()] = names
    return found


def executable_path(command: LammpsCommand) -> Path:
    """The LAMMPS binary, a bare name looked up on the run's PATH (``module load`` sets it)."""
    if command.executable is None:
        return lmp_binary()
    name = str(command.executable)
    if "/" not in name:
        found = shutil.which(name, path=command.environment().get("PATH"))
        if found is None:
            raise ConfigError(f"launch.lammps: {name!r} is not on the PATH; give its full path, or load its module "
                              "first (slurm.setup = [\"module load lammps\"])")
        return Path(found)
    return Path(name)


def _stamp(path: Path) -> list[Any]:
    stat = path.stat()
    return [str(path), stat.st_size, stat.st_mtime]


def cache_key(config: CampaignConfig, command: LammpsCommand, executable: Path) -> dict[str, Any]:
    plugin_dir = Path(command.environment()["LAMMPS_PLUGIN_PATH"].split(os.pathsep)[0])
    plugins = sorted(p for p in plugin_dir.glob("*plugin.so")) if plugin_dir.is_dir() else []
    return json.loads(json.dumps({"executable": _stamp(executable), "plugins": [_stamp(p) for p in plugins],
                                  "lammps_args": list(command.extra_args), "env": dict(command.env),
                                  "styles": required_styles(config)}))


def check_output(text: str, returncode: int, config: CampaignConfig, executable: Path,
                 command: LammpsCommand) -> str:
    """The LAMMPS version, or ConfigError with one line naming the field and the fix."""
    plugin_dir = command.environment()["LAMMPS_PLUGIN_PATH"].split(os.pathsep)[0]
    banner = BANNER.search(text)
    error = next((line.strip() for line in text.splitlines() if line.startswith("ERROR")), None)
    if banner is None and error is not None:  # LAMMPS itself refused its command line
        raise ConfigError(f"launch.lammps_args: {executable} refused its command line: {error[:300]}")
    if banner is None:
        last = " / ".join(line.strip() for line in text.strip().splitlines()[-3:]) or f"exit status {returncode}"
        launcher = " ".join(command.mpi_argv(1, [str(executable)]))
        raise ConfigError(f"launch.lammps: {launcher} did not start LAMMPS ({last[:300]}); check launch.lammps, "
                          "launch.launcher, launch.lammps_args and launch.env")
    version = banner.group(1).strip()
    mismatch = MISMATCH.search(text)
    if mismatch:
        raise ConfigError(f"launch.plugin: {mismatch.group(0).strip()}; then set launch.plugin to the new plugin")
    failed = LOAD_FAILED.search(text)
    if failed and "glassdyn" in failed.group(1):
        raise ConfigError(f"launch.plugin: LAMMPS '{version}' ({executable}) cannot load {failed.group(1)}: "
                          f"{failed.group(2).strip()[:200]}; build the plugin for this LAMMPS: glassdyn plugin build "
                          "--lammps <its source, build or install folder>, and set launch.plugin")
    if returncode != 0 or error:
        raise ConfigError(f"launch.lammps_args: LAMMPS '{version}' ({executable}) stopped: "
                          f"{(error or text.strip().splitlines()[-1])[:300]}")
    known = parse_styles(text)
    for kind in ("compute", "fix"):
        absent = [s for s in GLASSDYN_STYLES[kind] if s not in known.get(kind, set())]
        if absent:
            reason = f" ({failed.group(1)}: {failed.group(2).strip()[:150]})" if failed else ""
            raise ConfigError(f"launch.plugin: LAMMPS '{version}' ({executable}) has no {kind} style "
                              f"{absent[0]}: the glassdyn plugin did not load from {plugin_dir}{reason}; build it "
                              "with glassdyn plugin build --lammps <this LAMMPS> and set launch.plugin")
    for kind, styles in required_styles(config).items():
        for style in styles:
            if style not in known.get(kind, set()):
                raise ConfigError(f"launch.lammps: LAMMPS '{version}' ({executable}) has no {kind} style {style} (used by "
                                  f"system.potential = {config.system.potential!r}); use a LAMMPS built with the "
                                  "package that provides it")
    return version


def preflight(config: CampaignConfig, folder: Path, command: LammpsCommand) -> dict[str, Any]:
    """Check the configured LAMMPS once per executable/plugin/arguments; returns the cached record."""
    executable = executable_path(command)
    key = cache_key(config, command, executable)
    cache = folder / CACHE
    try:
        stored = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = {}
    if stored.get("key") == key:
        return stored
    work = folder / ".preflight"
    work.mkdir(exist_ok=True)
    script = work / "in.preflight"
    script.write_text("info styles\n")
    resolved = LammpsCommand(mpi_launcher=command.mpi_launcher, executable=executable, extra_args=command.extra_args,
                             env=command.env, deepmd=command.deepmd, plugin_dir=command.plugin_dir)
    try:
        run = SubprocessLauncher(1, command=resolved).capture(script, cwd=work, timeout=TIMEOUT)
    except FileNotFoundError as error:
        raise ConfigError(f"launch.launcher: {error.filename or error} cannot be started; give an installed "
                          "launcher (mpirun, srun, ...)") from None
    except PermissionError as error:
        raise ConfigError(f"launch.lammps: {error.filename or executable} cannot be executed") from None
    version = check_output(run.output, run.returncode, config, executable, resolved)
    record = {"key": key, "lammps_version": version, "command": run.command}
    write_json(cache, record)
    return record


def recorded_version(folder: Path) -> Optional[str]:
    """The LAMMPS version the last preflight found (for status lines)."""
    try:
        return json.loads((folder / CACHE).read_text(encoding="utf-8")).get("lammps_version")
    except (OSError, ValueError):
        return None
