"""Questions to a frozen DeePMD model, answered by DeePMD-kit in a subprocess (it imports TensorFlow)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from glassdyn.launching.environment import lammps_environment


def model_type_map(model: Path) -> list[str]:
    """The type map stored in a frozen model (asks DeePMD-kit in a subprocess: it imports TensorFlow)."""
    code = "import sys, json; from deepmd.infer import DeepPot; print(json.dumps(DeepPot(sys.argv[1]).get_type_map()))"
    completed = subprocess.run([sys.executable, "-c", code, str(model)], env=lammps_environment(deepmd=True),
                               capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"DeePMD-kit cannot read the model {model}: {completed.stderr.strip().splitlines()[-1:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])
