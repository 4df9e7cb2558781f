"""The potentials registry produces LAMMPS commands that LAMMPS accepts and refuses bad input
before anything runs."""
from __future__ import annotations

import doctest

import pytest

import glassdyn.run.potentials
from glassdyn.run.potentials import PotentialError, get_potential


def test_kob_andersen_parameters_match_the_model():
    """science.md §7: eps_AB = 1.5, sigma_AB = 0.8, eps_BB = 0.5, sigma_BB = 0.88, cutoff 2.5 sigma."""
    lines = get_potential("kob-andersen").commands(["A", "B"])
    assert "pair_coeff 1 1 1.0 1.0 2.5" in lines
    assert "pair_coeff 1 2 1.5 0.8 2" in lines
    assert "pair_coeff 2 2 0.5 0.88 2.2" in lines


@pytest.mark.parametrize("name, species, units, box", [
    ("kob-andersen", ["A", "B"], "lj", "lattice fcc 1.2"),
    ("cuzr-eam", ["Cu", "Zr"], "metal", "lattice fcc 3.9"),
])
def test_commands_run_in_lammps(lammps, tmp_path, name, species, units, box):
    """The generated commands define a working interaction: LAMMPS computes an energy."""
    commands = "\n".join(get_potential(name).commands(species))
    lammps(f"""
    units {units}
    {box}
    region b block 0 4 0 4 0 4
    create_box 2 b
    create_atoms 1 box
    set type 1 type/fraction 2 0.3 7
    {commands}
    run 0
    print "PE $(pe)" file pe.txt
    """)
    assert float((tmp_path / "pe.txt").read_text().split()[1]) != 0.0


@pytest.mark.parametrize("call, message", [
    (lambda: get_potential("lennard-jones"), "unknown potential 'lennard-jones'; known:"),
    (lambda: get_potential("cuzr-eam").commands(["Cu", "Ni"]), r"\['Ni'\] cannot be used with it"),
    (lambda: get_potential("kob-andersen").commands([]), "no species"),
    (lambda: get_potential("deepmd", model="missing.pb", type_map=["Pd", "Cu", "P"]).commands(["Pd", "Cu", "P"]),
     "DeePMD model file 'missing.pb' does not exist"),
    (lambda: get_potential("deepmd", model="m.pb"), "needs model=.* and type_map="),
    (lambda: get_potential("deepmd", model="m.pb", type_map=["Pd", "Xx"]), r"no atomic mass known for \['Xx'\]"),
])
def test_bad_input_is_refused_before_running(call, message):
    with pytest.raises(PotentialError, match=message):
        call()


def test_deepmd_commands_use_the_type_map(tmp_path):
    model = tmp_path / "model.pb"
    model.write_bytes(b"frozen graph")
    lines = get_potential("deepmd", model=str(model), type_map=["Pd", "Ni", "P"]).commands(["Pd", "Ni", "P"])
    assert lines[:3] == ["mass 1 106.42", "mass 2 58.693", "mass 3 30.974"]
    assert lines[3:] == [f"pair_style deepmd {model}", "pair_coeff * * Pd Ni P"]


def test_docstring_examples_run():
    failures, attempted = doctest.testmod(glassdyn.run.potentials)
    assert attempted > 0 and failures == 0
