"""Skipping a test module when the optional structure packages are missing (glassdyn[structure])."""
from __future__ import annotations

import pytest


def require(*modules: str) -> None:
    """Skip the calling module unless OVITO and ``modules`` import. OVITO goes through
    glassdyn._ovito: a plain ``import ovito`` would set the process locale to C (ASCII)."""
    try:
        from glassdyn._ovito import import_ovito

        import_ovito()
    except ImportError:
        pytest.skip("needs ovito (pip install 'glassdyn[structure]')", allow_module_level=True)
    for module in modules:
        pytest.importorskip(module)
