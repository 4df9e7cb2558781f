"""The output schema (src/core/schema/, glassdyn.schema) against everything that repeats it.

* The doc pages' output tables are the schema's tables, letter for letter: each table follows a
  ``<!-- schema: STYLE OUTPUT -->`` marker, and every layout has one. After changing a layout,
  ``python tests/test_schema.py --write`` rewrites the tables from the schema.
* The plugin's actual output sizes (a tiny LAMMPS run: size_vector, size_array_cols,
  size_peratom_cols, and the count LAMMPS expands a wildcard c_ID[*] to) are the schema's.
* The names derived from it (analysis classes, campaign inputs, harvest) are the schema's.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

from glassdyn import schema

DOCS = Path(__file__).resolve().parents[1] / "docs"
MARKER = re.compile(r"^<!-- schema: (?P<key>[^>]+?) -->\n(?P<table>(?:\|.*\n?)+)", re.MULTILINE)
PAGES = ("compute_stringlike_atom.md", "compute_cage_atom.md", "compute_displacement_distribution.md", "fix_dms.md",
         "compute_percolation_atom.md",
         "fix_dynamics_correlate.md")


def doc_tables() -> dict[str, tuple[str, str]]:
    """"STYLE OUTPUT" -> (doc page, its table text) for every marked table of the doc pages."""
    found: dict[str, tuple[str, str]] = {}
    for page in PAGES:
        for match in MARKER.finditer((DOCS / page).read_text()):
            key = match["key"].split(" (")[0]
            assert key not in found, f"{page}: a second table for {key} (also in {found.get(key, ('?',))[0]})"
            found[key] = (page, match["table"].rstrip("\n"))
    return found


def table_rows(table: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split(" | ")] for line in table.splitlines()[2:]]


def test_every_layout_has_one_doc_table():
    assert sorted(doc_tables()) == sorted(schema.layouts())


@pytest.mark.parametrize("key", sorted(schema.layouts()))
def test_doc_table_equals_the_declaration(key):
    page, table = doc_tables()[key]
    lay = schema.layouts()[key]
    # Names, order and count first (the clearest message), then the whole text.
    assert [row[1].strip("`") for row in table_rows(table)] == list(lay.names), f"docs/{page}: {key}"
    assert table == schema.markdown_table(lay.style, lay.output), (
        f"docs/{page}: the {key} table differs from src/core/schema/; run python tests/test_schema.py --write")


def test_driver_results_table_lists_the_harvested_schema_names():
    """docs/driver.md's table of the per-cycle columns: the schema's names, as the harvest uses them."""
    from glassdyn.results import harvest

    text = (DOCS / "driver.md").read_text()
    table = text[text.index("| from | columns of `cycles`"):].split("\n\n")[0]
    listed = {re.findall(r"`([^`]+)`", row[0])[0].split()[-1]: tuple(re.findall(r"`([^`]+)`", row[1]))
              for row in table_rows(table)}
    assert listed == {"dms": harvest.CYCLE_COLUMNS, "stringlike/atom": harvest.STRING_COLUMNS,
                      "cage/atom": harvest.CAGE_COLUMNS, "displacement/distribution": harvest.PU_SUMMARY,
                      "percolation/atom": harvest.PERCOLATION_COLUMNS}
    assert harvest.CYCLE_COLUMNS == schema.names("dms", "array")[1:]
    assert harvest.PU_SUMMARY == schema.names("displacement/distribution", "vector")


def test_names_are_snake_case_and_units_known():
    for lay in schema.layouts().values():
        for column in lay.columns:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", column.name), (lay.key, column.name)
            assert column.unit in schema.UNIT_KINDS, (lay.key, column.name, column.unit)
            assert column.meaning and "|" not in column.meaning, (lay.key, column.name)


def test_per_atom_arrays_are_as_wide_as_the_global_arrays():
    """LAMMPS expands a per-atom c_ID[*] to the global array's column count (issue 10)."""
    for style in ("stringlike/atom", "cage/atom", "dms", "percolation/atom"):
        assert schema.layout(style, "peratom").width() == schema.layout(style, "array").width()


def test_index_and_expansion():
    pu = schema.layout("displacement/distribution", "array")
    assert pu.width(ntypes=2) == 8
    assert [pu.index(n, ntypes=2) for n in ("u", "p_u", "log10_u", "p_log10_u")] == [1, 2, 5, 6]
    assert pu.index("p_log10_u", ntypes=2, set=2) == 8
    vector = schema.layout("displacement/distribution", "vector")
    assert vector.index("u_outside_fraction", ntypes=2, set=1) == 8 and vector.width(ntypes=2) == 12
    assert vector.expanded_names(["all", "A"])[:5] == ["u_mean_all", "u_most_probable_all", "u_beyond_fraction_all",
                                                       "u_outside_fraction_all", "u_mean_A"]
    assert schema.column_index("dms", "vector", "stress") == 11
    assert schema.layout("dms", "array").references("f_d", ["r2", "r3"]) == ["f_d[5]", "f_d[6]"]
    with pytest.raises(KeyError, match="no column 'harmonic2'"):
        schema.column_index("dms", "vector", "harmonic2")
    with pytest.raises(ValueError, match="give ntypes"):
        pu.width()


def test_python_names_derive_from_the_schema():
    from glassdyn.analysis import cages, displacement_distribution, dms_fit, percolation, string_like
    from glassdyn.results import campaign_data, harvest

    assert string_like.GLOBAL_VECTOR == schema.names("stringlike/atom", "vector")
    assert cages.TYPE_TABLE == schema.names("cage/atom", "array")
    assert percolation.GLOBAL_VECTOR == schema.names("percolation/atom", "vector")
    assert displacement_distribution.SET_VALUES == schema.names("displacement/distribution", "vector")
    assert ("cycle",) + dms_fit.CYCLE_COLUMNS == schema.names("dms", "array")
    assert harvest.CAGE_COLUMNS == schema.names("cage/atom", "vector")
    assert set(campaign_data.CYCLE_QUANTITIES) <= set(harvest.CYCLE_COLUMNS + harvest.STRING_COLUMNS
                                                      + harvest.CAGE_COLUMNS + harvest.PU_SUMMARY
                                                      + harvest.PERCOLATION_COLUMNS)
    for old in ("n_string_atoms", "mean_size_number", "harmonic2", "fraction_over", "str_per_fast", "cage_broken"):
        assert all(old not in lay.names for lay in schema.layouts().values())


def test_offline_classes_expose_every_column_by_its_schema_name():
    from glassdyn.analysis import Cages, DisplacementDistribution, DMSFit, StringLike
    from glassdyn.io import Box

    box = Box(lo=(0, 0, 0), hi=(10, 10, 10))
    r0 = np.array([[1.0, 1, 1], [2, 1, 1], [3, 1, 1], [7, 7, 7]])
    r1 = np.array([[2.0, 1, 1], [3, 1, 1], [4, 1, 1], [7, 7, 7]])
    s = StringLike(delta=0.5, u_range=(0.5, 2.0), remove_drift=False).compute(box, [1, 2, 3, 4], [1, 1, 1, 1], r0, r1)
    assert list(s.global_vector) == [getattr(s, name) for name in schema.names("stringlike/atom", "vector")]
    assert s.peratom.shape == (4, schema.layout("stringlike/atom", "peratom").width())
    assert s.n_str == s.n_string_atoms == 3 and s.xi_weight == s.mean_size_weight == 3.0
    c = Cages(cutoff=1.5).compute(box, box, [1, 2, 3, 4], [1, 1, 1, 1], r0, r1)
    assert list(c.global_vector) == [getattr(c, name) for name in schema.names("cage/atom", "vector")]
    assert c.peratom.shape == (4, 5) and c.type_table.shape == (1, 5)
    d = DisplacementDistribution(bins=4, u_max=2.0).compute([0.1, 0.6, 0.7, 1.9], [1, 1, 2, 2])
    assert d.global_vector.shape == (schema.layout("displacement/distribution", "vector").width(ntypes=2),)
    assert d.global_array.shape == (4, schema.layout("displacement/distribution", "array").width(ntypes=2))
    assert np.array_equal(d.u_mean, d.mean) and np.array_equal(d.u_outside_fraction, d.fraction_over)
    t = np.arange(0, 30, 0.01)
    fit = DMSFit(amplitude=0.01, period=10, harmonics=3).compute(t, 0.5 * np.sin(2 * np.pi * t / 10))
    assert fit.cycles.shape[1] == len(schema.names("dms", "array")) - 1 and fit.r2 == fit.harmonic2



def test_offline_properties_are_generated_from_the_schema_and_raise_before_compute():
    """Each analysis class's result properties come from its RESULTS (schema layouts): every
    declared column of those layouts is a property (documented by the column's meaning) that
    reads the same-named property of its glassdyn._core class, and raises before compute()."""
    from glassdyn import _core
    from glassdyn.analysis import Cages, DisplacementDistribution, DMSFit, StringLike
    from glassdyn.analysis._results import NotComputedError

    expected = {StringLike: [("stringlike/atom", "vector"), ("stringlike/atom", "peratom")],
                Cages: [("cage/atom", "vector"), ("cage/atom", "peratom")],
                DisplacementDistribution: [("displacement/distribution", "vector"),
                                           ("displacement/distribution", "array")],
                DMSFit: [("dms", "vector")]}
    instances = {StringLike: StringLike(delta=0.5), Cages: Cages(cutoff=1.5), DisplacementDistribution:
                 DisplacementDistribution(), DMSFit: DMSFit(amplitude=0.01, period=10)}
    for cls, layouts in expected.items():
        for style, output in layouts:
            for column in schema.layout(style, output).columns:
                if (cls, column.name) in ((DMSFit, "strain"), (DMSFit, "stress")):
                    assert not hasattr(cls, column.name)    # on the fly only: no oscillation offline
                    continue
                assert column.name in cls.result_names
                assert isinstance(getattr(cls, column.name), property)
                assert getattr(cls, column.name).__doc__.startswith(column.meaning)
                assert hasattr(cls.CORE, column.name)
                with pytest.raises(NotComputedError, match=f"{cls.__name__}.{column.name} is not available"):
                    getattr(instances[cls], column.name)
        assert cls.CORE.__module__ == _core.__name__


def test_a_column_the_binding_does_not_fill_fails_at_class_creation():
    """A class that declares a layout whose column its core class lacks is refused when it is
    defined, so a column added to the C++ schema cannot silently miss from the Python side."""
    from glassdyn import _core
    from glassdyn.analysis._results import Results, SchemaAnalysis

    with pytest.raises(TypeError, match="has no result 'n_cage'"):
        class Wrong(SchemaAnalysis):    # noqa: F841 (defined only to fail)
            CORE = _core.StringAnalysis
            RESULTS = (Results("cage/atom", "peratom"),)


SIZES_INPUT = """
units lj
atom_style atomic
lattice sc 1.0
region box block 0 6 0 6 0 6
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.3 4711
mass * 1.0
pair_style lj/cut 2.5
pair_coeff * * 1.0 1.0
velocity all create 0.5 4711
fix nve all nve
compute sa all stress/atom NULL
fix dms all dms x amplitude 0.01 period 1.0 harmonics 3 peratom sa
compute str all stringlike/atom delta 0.6 sync dms maxsize 10
compute cage all cage/atom cutoff 1.3 sync dms
compute pu all displacement/distribution str bins 20
compute perc all percolation/atom str cutoff 1.3 mobile fraction 0.2 immobile fraction 0.2 maxsize 10
# Per-atom wildcards: LAMMPS expands them (to the global array's column count); every column
# k of that count must exist per atom, or compute reduce stops.
compute rstr all reduce sum c_str[*]
compute rcage all reduce sum c_cage[*]
compute rdms all reduce sum f_dms[*]
compute rperc all reduce sum c_perc[*]
fix astr all ave/time 200 1 200 c_str[*] mode vector file str_array.txt
fix acage all ave/time 200 1 200 c_cage[*] mode vector file cage_array.txt
fix apu all ave/time 200 1 200 c_pu[*] mode vector file pu_array.txt
fix aperc all ave/time 200 1 200 c_perc[*] mode vector file perc_array.txt
thermo_style custom step c_str[*] c_cage[*] c_pu[*] f_dms[*] c_rstr[*] c_rcage[*] c_rdms[*] c_perc[*] c_rperc[*]
thermo 200
run 200
print "DMS-ROW $(f_dms[1][1]) $(f_dms[1][{dms_cols}])"
"""


def _expanded(header: list[str], prefix: str) -> int:
    return sum(1 for word in header if word.startswith(prefix + "["))


@pytest.fixture(scope="module")
def sizes(tmp_path_factory) -> dict[str, int]:
    """Output sizes as LAMMPS itself sees them: wildcard expansions in thermo, compute reduce and
    fix ave/time (a per-atom, vector or array reference past the declared size stops LAMMPS)."""
    from glassdyn.launching import run_lammps

    folder = tmp_path_factory.mktemp("schema_sizes")
    script = folder / "in.sizes"
    script.write_text(SIZES_INPUT.format(dms_cols=schema.layout("dms", "array").width()))
    run = run_lammps(script, nprocs=1, cwd=folder, check=True, timeout=300)
    header = next(line.split() for line in run.output.splitlines() if line.split()[:1] == ["Step"])
    out = {f"{name} vector": _expanded(header, f"c_{name}") for name in ("str", "cage", "pu", "perc")}
    out["dms vector"] = _expanded(header, "f_dms")
    out.update({f"{name} peratom": _expanded(header, f"c_r{name}") for name in ("str", "cage", "dms", "perc")})
    for name in ("str", "cage", "pu", "perc"):
        first = next(line for line in (folder / f"{name}_array.txt").read_text().splitlines()
                     if line.startswith("# Row"))
        out[f"{name} array"] = _expanded(first.split(), f"c_{name}")
    assert "DMS-ROW 1 " in run.output   # the last declared per-cycle column exists
    return out


@pytest.mark.parametrize("style,short,output", [
    ("stringlike/atom", "str", "vector"), ("stringlike/atom", "str", "array"), ("stringlike/atom", "str", "peratom"),
    ("cage/atom", "cage", "vector"), ("cage/atom", "cage", "array"), ("cage/atom", "cage", "peratom"),
    ("displacement/distribution", "pu", "vector"), ("displacement/distribution", "pu", "array"),
    ("dms", "dms", "vector"), ("dms", "dms", "peratom"),
    ("percolation/atom", "perc", "vector"), ("percolation/atom", "perc", "array"),
    ("percolation/atom", "perc", "peratom"),
])
def test_plugin_output_sizes_equal_the_schema(sizes, style, short, output):
    lay = schema.layout(style, output)
    assert sizes[f"{short} {output}"] == lay.width(ntypes=2 if lay.has_sets else None)


def _rewrite_docs() -> None:
    """Replace every marked doc table by the schema's (python tests/test_schema.py --write)."""
    for page in PAGES:
        path = DOCS / page
        text = path.read_text()
        text = MARKER.sub(lambda m: m.group(0).split("\n", 1)[0] + "\n"
                          + schema.markdown_table(*m["key"].split(" (")[0].rsplit(" ", 1)) + "\n", text)
        path.write_text(text)


if __name__ == "__main__" and "--write" in sys.argv:
    _rewrite_docs()
