"""DeePMD-kit deep potentials with glassdyn: environment, model queries, and a tiny model made from the EAM reference.

Nothing here imports TensorFlow; ``make_tiny_model`` and ``model_type_map`` run DeePMD-kit in
subprocesses. This package builds on :mod:`glassdyn.launching` only; the driver may use it.
"""
from glassdyn.launching.deepmd import deepmd_available, deepmd_environment, missing_deepmd_message

__all__ = ["deepmd_available", "deepmd_environment", "missing_deepmd_message", "make_tiny_model", "model_type_map",
           "TinyModel"]


def __getattr__(name: str):
    if name in ("make_tiny_model", "TinyModel"):
        from glassdyn.deepmd import tiny_model

        return getattr(tiny_model, name)
    if name == "model_type_map":
        from glassdyn.deepmd.model import model_type_map

        return model_type_map
    raise AttributeError(f"module 'glassdyn.deepmd' has no attribute {name!r}")
