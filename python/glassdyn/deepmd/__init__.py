"""DeePMD-kit deep potentials with glassdyn: environment, and a tiny model made from the EAM reference.

Nothing here imports TensorFlow; ``make_tiny_model`` runs DeePMD-kit in subprocesses.
"""
from glassdyn.deepmd.environment import deepmd_available, deepmd_environment, missing_deepmd_message

__all__ = ["deepmd_available", "deepmd_environment", "missing_deepmd_message", "make_tiny_model", "TinyModel"]


def __getattr__(name: str):
    if name in ("make_tiny_model", "TinyModel"):
        from glassdyn.deepmd import tiny_model

        return getattr(tiny_model, name)
    raise AttributeError(f"module 'glassdyn.deepmd' has no attribute {name!r}")
