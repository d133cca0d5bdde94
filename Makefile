# The report series as a DAG: data -> prepare (validate + clean) -> notebooks (papermill) -> HTML -> index.
#   make reports                      run the series on params/default.yaml into reports/
#   make reports PARAMS=params/x.yaml run another profile into reports/x/ (the default run is untouched)
#   make test                         ruff + library tests + strict nbval over the executed notebooks
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:

PARAMS ?= params/default.yaml
PROFILE := $(basename $(notdir $(PARAMS)))
OUT ?= $(if $(filter default,$(PROFILE)),reports,reports/$(PROFILE))
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Kernel resolution: prefer the venv's own python3 kernel over any user-level one.
export JUPYTER_PREFER_ENV_PATH := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

LIB := $(shell find src/retention -name '*.py' -not -path '*/__pycache__/*')
EXECUTED = $(SERIES:%=$(OUT)/notebooks/%.ipynb)
HTML = $(SERIES:%=$(OUT)/%.html)
PREPARED := $(OUT)/work/prepared.json
DAG := $(OUT)/work/dag.mk
START := $(shell date +%s)

.PHONY: reports install test lint unit nbval notebooks results clean test-dag test-series report-one FORCE

reports: $(OUT)/index.html
	@echo "Reports ready in $$(( $$(date +%s) - $(START) )) s: open $(abspath $(OUT)/index.html)"

install: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (retention)" >/dev/null
	@touch $@

# The data flow between the notebooks (who reads whose products) is declared once in
# src/retention/catalog.py; `retention dag` turns it into make rules: each notebook depends on the runs of the
# notebooks it reads from and on its params stamp. Regenerated when the catalog changes.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
-include $(DAG)
endif
$(DAG): src/retention/catalog.py $(INSTALLED)
	@mkdir -p $(@D)
	@$(BIN)/retention dag --out $(OUT) > $@.tmp && mv $@.tmp $@

# Always asked, but `retention prepare` rewrites its outputs only when data, data/cleaning params or
# data-layer code changed, and each params stamp (work/params/<notebook>.json: the params keys that notebook
# reads, and whether customer ids are pseudonymised) only when its content changed, so the notebooks below
# rerun only when something they depend on changed.
$(PREPARED) $(DAG_STAMPS) &: FORCE $(INSTALLED)
	@$(BIN)/retention prepare --params $(PARAMS) --out $(OUT)

$(OUT)/notebooks/%.ipynb: notebooks/%.ipynb $(PREPARED) $(LIB) $(INSTALLED)
	@mkdir -p $(@D)
	@echo "==> $* ($(PARAMS))"
	@$(BIN)/papermill --kernel python3 --cwd $(CURDIR) --progress-bar \
		-p params_file $(PARAMS) -p output_dir $(OUT) $< $(@D)/.$*.partial.ipynb
	@mv $(@D)/.$*.partial.ipynb $@

$(OUT)/%.html: $(OUT)/notebooks/%.ipynb $(wildcard src/retention/templates/retention/*)
	@$(BIN)/jupyter nbconvert --to html --no-input --log-level WARN --output-dir $(OUT)/work/html \
		--TemplateExporter.extra_template_basedirs=src/retention/templates --template retention \
		--output $* $<
	@mv $(OUT)/work/html/$*.html $@

$(OUT)/index.html: $(HTML) $(PREPARED)
	@$(BIN)/retention index --params $(PARAMS) --out $(OUT)

# Notebooks are edited as percent scripts (notebooks/NN_*.py); jupytext keeps each paired .ipynb in step.
notebooks: $(INSTALLED)
	@$(BIN)/jupytext --quiet --sync notebooks/[0-9]*.py

# One report on its own: compute the steps before STEP without notebooks (retention run), then run STEP's notebook
# and write its HTML, e.g. make report-one STEP=03_churn_model PARAMS=params/cdnow.yaml
report-one: $(INSTALLED)
	@$(BIN)/retention run --params $(PARAMS) --out $(OUT) --steps "$$($(BIN)/python -c \
		"from retention import catalog as c; s = list(c.NOTEBOOK_STEPS); print(','.join(s[:s.index('$(STEP)')]))")"
	@rm -f $(OUT)/notebooks/$(STEP).ipynb
	@$(MAKE) --no-print-directory $(OUT)/$(STEP).html

lint: $(INSTALLED)
	$(BIN)/ruff check src tests tools bench

unit: $(INSTALLED)
	$(BIN)/python -m pytest tests -m "not dag and not series"

# The data flow: `make -j2 reports` from a clean folder, then touching each notebook, changing params keys and
# switching pseudonymisation must rerun exactly the dependent notebooks (a small profile in a temporary folder).
test-dag: $(INSTALLED)
	$(BIN)/python -m pytest -p no:cacheprovider tests/test_dag.py -m dag

# The whole series (retention run: prepare and every stage) on small and odd logs that prepare accepts (a few
# minutes).
test-series: $(INSTALLED)
	$(BIN)/python -m pytest -p no:cacheprovider tests/test_series.py -m series

# nbval re-executes every notebook, which rewrites the CSV artifacts: they must come out byte-identical.
nbval: reports
	@cd $(OUT)/artifacts && sha256sum *.csv > ../work/artifacts.sha256
	$(BIN)/python -m pytest -p no:cacheprovider --nbval --nbval-current-env $(EXECUTED)
	@cd $(OUT)/artifacts && sha256sum --quiet -c ../work/artifacts.sha256 \
		&& echo "CSV artifacts reproduced byte for byte by the nbval rerun"

# The key numbers of the default run, committed for regression review (tests/test_key_results.py).
results: reports
	@$(BIN)/retention results --out $(OUT) > results/key_results.json.tmp && mv results/key_results.json.tmp results/key_results.json
	@echo "wrote results/key_results.json"

test: lint reports unit nbval test-dag

clean:
	rm -rf reports data/generated

FORCE:

# Benchmarks (numbers, not tests): the engine against the same work by hand in DuckDB (bench/anchor.sql), in
# pandas, and lifetimes on 1M and 10M lines, plus the model steps and the whole report run (about 5 min once
# the logs exist); HUGE=1 adds 100M lines (7-25 min to write 0.8 GB of Parquet once, then about 2 min for the
# engine and ~8 GB of spill in BENCH_DATA). Writes bench/results/results.*.
HUGE ?=
BENCH_DATA ?= /tmp/retention-bench
.PHONY: bench bench-clv test-spark
bench: $(INSTALLED)
	@$(BIN)/python -c "import ibis" 2>/dev/null || \
		$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[engine]'
	$(BIN)/python bench/run.py --data-dir $(BENCH_DATA) $(if $(HUGE),--huge)

# retention.clv: fits on CDNOW, forecasts vs the generator's truth, CDNOW backtests, notebook 04 before/after
# (bench/bench_clv.py --help; the notebook case needs a default run in reports/).
bench-clv: $(INSTALLED)
	$(BIN)/python bench/bench_clv.py --customers 1000000 --log-lines 5000000

bench: bench-clv

# The engine on Apache Spark (local mode) against DuckDB: installs the spark extra and, when java is
# missing, Debian's Java 17 (needs root, as in CI), then runs tests/test_spark.py.
test-spark: $(INSTALLED)
	@$(BIN)/python -c "import ibis, pyspark, pyarrow_hotfix" 2>/dev/null || \
		$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[spark]'
	@command -v java >/dev/null || { apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null; }
	RETENTION_SPARK=1 $(BIN)/python -m pytest -p no:cacheprovider -p no:warnings tests/test_spark.py

# The visual check (tests/test_visual.py): every report of the default and CDNOW profiles rendered in headless
# Chromium at 1440 and 390 px; installs Debian's chromium when missing (needs root, as in CI). Screenshots go to
# reports/work/shots/ and reports/cdnow/work/shots/.
.PHONY: test-visual
test-visual: $(INSTALLED)
	@command -v chromium >/dev/null || { apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@$(MAKE) --no-print-directory reports
	@$(MAKE) --no-print-directory reports PARAMS=params/cdnow.yaml
	RETENTION_VISUAL=1 $(BIN)/python -m pytest -p no:cacheprovider tests/test_visual.py
