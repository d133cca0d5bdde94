# The report series as a DAG: data -> prepare (validate + clean) -> notebooks (papermill) -> HTML -> index.
#   make reports                      run the series on params/default.yaml into reports/
#   make reports PARAMS=params/x.yaml run another profile into reports/x/ (the default run is untouched)
#   make test                         ruff + library tests + strict nbval over the executed notebooks
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SECONDARY:

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

SERIES := 01_eda 02_segmentation 03_churn_model 04_clv_roi 05_executive_summary
LIB := $(wildcard src/retention/*.py)
EXECUTED := $(SERIES:%=$(OUT)/notebooks/%.ipynb)
HTML := $(SERIES:%=$(OUT)/%.html)
PREPARED := $(OUT)/work/prepared.json
START := $(shell date +%s)

.PHONY: reports install test lint unit nbval notebooks clean FORCE

reports: $(OUT)/index.html
	@echo "Reports ready in $$(( $$(date +%s) - $(START) )) s: open $(abspath $(OUT)/index.html)"

install: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (retention)" >/dev/null
	@touch $@

# Always asked, but `retention prepare` rewrites its outputs only when data, params or data-layer code
# changed, so the notebooks below rerun only then.
$(PREPARED): FORCE $(INSTALLED)
	@$(BIN)/retention prepare --params $(PARAMS) --out $(OUT)

$(OUT)/notebooks/%.ipynb: notebooks/%.ipynb $(PREPARED) $(PARAMS) $(LIB) $(INSTALLED)
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

notebooks: $(INSTALLED)
	@for f in notebooks/src/*.py; do $(BIN)/python tools/py2nb.py $$f notebooks/$$(basename $$f .py).ipynb; done

lint: $(INSTALLED)
	$(BIN)/ruff check src tests tools bench

unit: $(INSTALLED)
	$(BIN)/python -m pytest tests

# nbval re-executes every notebook, which rewrites the CSV artifacts: they must come out byte-identical.
nbval: reports
	@cd $(OUT)/artifacts && sha256sum *.csv > ../work/artifacts.sha256
	$(BIN)/python -m pytest -p no:cacheprovider --nbval --nbval-current-env $(EXECUTED)
	@cd $(OUT)/artifacts && sha256sum --quiet -c ../work/artifacts.sha256 \
		&& echo "CSV artifacts reproduced byte for byte by the nbval rerun"

test: lint reports unit nbval

clean:
	rm -rf reports data/generated

FORCE:
