"""Importing OVITO's Python module without changing the process's locale.

Importing ``ovito`` (its Qt core) sets the C library's locale to "C". From then on Python's default
text encoding is ASCII for the whole process, so any later ``open()`` or ``Path.read_text(encoding="utf-8")``
without an explicit encoding fails on a non-ASCII byte -- in glassdyn and in the user's own script.
Every glassdyn module that uses OVITO imports it through :func:`import_ovito`, which puts the
locale back.
"""
from __future__ import annotations

import locale
import os


def import_ovito() -> None:
    """Import ``ovito`` and the submodules glassdyn uses, keeping the locale as it was.

    Selects Qt's ``offscreen`` platform when none is set, so nothing needs a display. Raises
    ImportError when OVITO's Python module is not installed (``pip install ovito``).
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    saved = locale.setlocale(locale.LC_ALL)
    try:
        import ovito  # noqa: F401
        import ovito.data  # noqa: F401
        import ovito.modifiers  # noqa: F401
        import ovito.pipeline  # noqa: F401
        import ovito.vis  # noqa: F401
    finally:
        locale.setlocale(locale.LC_ALL, saved)
