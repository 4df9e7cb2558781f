"""glassdyn.launching: the one ERROR-line parser, the command line, and run_lammps on a failing script."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from glassdyn.launching import LammpsCommand, error_line, first_error, lmp_binary, mpiexec_path, run_lammps


def test_error_line_prefers_lammps_own_lines():
    text = "Step Temp\n0 1.0\nLast command: print 'ERROR in text'\nERROR: Unknown command: foo (src/input.cpp:314)\n"
    assert error_line(text) == "ERROR: Unknown command: foo (src/input.cpp:314)"
    assert error_line("rank output glued ERROR on proc 1: bad\n") == "rank output glued ERROR on proc 1: bad"
    assert error_line("all fine\n") == ""


def test_first_error_of_a_log(tmp_path: Path):
    log = tmp_path / "log.lammps"
    assert first_error(log) == "LAMMPS wrote no log"
    log.write_text("a\nb\nERROR on proc 0: Cannot open restart file x (src/read_restart.cpp:95)\nc\n")
    assert first_error(log) == "ERROR on proc 0: Cannot open restart file x (src/read_restart.cpp:95)"
    log.write_text("one\ntwo\n")  # killed before it could say why: its last lines
    assert first_error(log) == "one / two"


def test_command_line_defaults_and_slots():
    default = LammpsCommand().argv(2, ["-in", "in.test"])
    assert default == [str(mpiexec_path()), "-n", "2", str(lmp_binary()), "-in", "in.test"]
    custom = LammpsCommand(mpi_launcher=("srun", "--mpi=pmi2"), executable=Path("/opt/lammps/bin/lmp"),
                           extra_args=("-sf", "omp"), env={"EXTRA": "1"})
    assert custom.argv(4, ["-in", "x"]) == ["srun", "--mpi=pmi2", "-n", "4", "/opt/lammps/bin/lmp", "-in", "x", "-sf",
                                            "omp"]
    assert custom.environment()["EXTRA"] == "1" and custom.environment()["OMP_NUM_THREADS"] == "1"


def test_run_lammps_reports_the_error_line(tmp_path: Path):
    script = tmp_path / "in.bad"
    script.write_text("units lj\nnot_a_command 1 2\n")
    run = run_lammps(script)
    assert not run.ok and run.error_message().startswith("ERROR: Unknown command")
    with pytest.raises(RuntimeError, match="ERROR: Unknown command"):
        run_lammps(script, check=True)


def test_run_lammps_timeout_stops_lammps(tmp_path: Path):
    script = tmp_path / "in.slow"
    # A loop in LAMMPS's own parser: no child process that could outlive it.
    script.write_text("variable a loop 1000000000\nlabel again\nnext a\njump SELF again\n")
    with pytest.raises(subprocess.TimeoutExpired):
        run_lammps(script, timeout=2)
    leftover = subprocess.run(["pgrep", "-f", str(script)], capture_output=True, text=True)
    assert leftover.stdout.strip() == "", "LAMMPS still running after the timeout"
