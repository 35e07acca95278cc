# SPDX-License-Identifier: GPL-3.0-or-later
# Entry points: `make demo` runs the main job on the local sandbox; `make test` runs every suite.
# Both install what they need first (hacking/bootstrap.sh; the npm packages of the sandbox and
# integration suites: hacking/npm-deps.sh), so they work on a fresh machine. Only those need npm.

SHELL := /bin/bash
VENV := .venv
# ansible-test finds its files through the nearest .git above it, so the collection tree it runs
# in (and the dependency collections beside it) must live outside this checkout: one per checkout.
export SKILLOPS_BUILD ?= $(HOME)/.cache/skillops.alexa/$(shell printf %s "$(CURDIR)" | sha1sum | cut -c1-10)
# .venv and the collection installed there (hacking/bootstrap.sh, hacking/sync.sh): the demo, the
# sandbox, the benchmarks and every suite but ansible-test's, which runs in noxfile.py's sessions.
export ANSIBLE_COLLECTIONS_PATH := $(SKILLOPS_BUILD)/collections
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_PYTHON_INTERPRETER := $(CURDIR)/$(VENV)/bin/python
# The kit that starts a throwaway AWX API for the awx suite (its start.sh), when there is one beside
# this checkout's folder; CONTROLLER_HOST (and awx.awx's other variables) name a controller instead.
export AWX_KIT ?= $(wildcard $(abspath $(CURDIR)/../shared/awx))

.PHONY: setup lock sync test test-latest sanity lint docs-lint units sandbox-tests package-tests awx-tests hostile-tests eda-tests integration demo demo-eda bench docs sandbox clean

setup:
	@hacking/bootstrap.sh

# Resolve every lane's packages anew (hacking/locks/): the one way to upgrade them; then make test.
lock:
	@hacking/lock.sh $(LANES)

sync: setup
	@hacking/sync.sh

# Every suite of every lane of noxfile.py's LANES (ansible-core versions) side by side, or of the lanes
# named: make test LANES="newest floor". The last line counts the tests: N passed, M failed.
test: setup
	@$(VENV)/bin/python hacking/test.py $(LANES)

# main's suites with nothing pinned: the newest release of every package (not part of make test).
test-latest: setup
	@$(VENV)/bin/python hacking/test.py latest

# The test commands live in hacking/run-tests.sh; each target below runs one of its suites on the
# main lane (make integration TARGETS="a b" runs only those targets).
sanity: setup
	@$(VENV)/bin/python hacking/test.py main:sanity

lint: setup
	@$(VENV)/bin/python hacking/test.py main:lint

docs-lint: setup
	@$(VENV)/bin/python hacking/test.py main:docs

units: setup
	@$(VENV)/bin/python hacking/test.py main:units

sandbox-tests: setup
	@$(VENV)/bin/python hacking/test.py main:sandbox

awx-tests: setup
	@$(VENV)/bin/python hacking/test.py main:awx

package-tests: setup
	@$(VENV)/bin/python hacking/test.py main:package

hostile-tests: setup
	@$(VENV)/bin/python hacking/test.py main:hostile

eda-tests: setup
	@$(VENV)/bin/python hacking/test.py main:eda

integration: setup
	@INTEGRATION_ARGS="$(TARGETS)" $(VENV)/bin/python hacking/test.py main:integration

demo: sync
	@set -a && . tests/sandbox/seeds/demo.env && set +a && hacking/with-sandbox.sh tests/sandbox/seeds/demo.yml hacking/demo.sh

# The rulebooks of extensions/eda/ on the sandbox: a certification fails and a job says so; the
# subscriber is broken, found INACTIVE and repaired. Needs a Java runtime for ansible-rulebook.
demo-eda: sync
	@set -a && . tests/sandbox/seeds/demo.env && set +a && hacking/with-sandbox.sh tests/sandbox/seeds/demo.yml $(VENV)/bin/python hacking/demo_eda.py

# Not part of make test: about ten minutes of measured runs against the sandbox (benchmarks/README.md).
bench: sync
	$(VENV)/bin/python benchmarks/org_scale.py $(BENCH_ARGS)

# Not part of make test: the HTML docsite, built with antsibull-docs and Sphinx into
# .cache/docs/build/html/ and checked (hacking/docs.sh).
docs: sync
	@hacking/docs.sh

sandbox: setup
	$(VENV)/bin/python tests/sandbox/sandbox.py --seed tests/sandbox/seeds/demo.yml

clean:
	rm -rf $(VENV) .nox .cache tests/output $(SKILLOPS_BUILD)
