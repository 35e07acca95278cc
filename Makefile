# SPDX-License-Identifier: GPL-3.0-or-later
# Entry points: `make demo` runs the main job on the local sandbox; `make test` runs every suite.
# Both install what they need first (hacking/bootstrap.sh; the npm packages of the sandbox and
# integration suites: hacking/npm-deps.sh), so they work on a fresh machine. Only those need npm.

SHELL := /bin/bash
VENV := .venv
# ansible-test finds its files through the nearest .git above it, so the collection tree it runs
# in (and the dependency collections beside it) must live outside this checkout: one per checkout.
export SKILLOPS_BUILD ?= $(HOME)/.cache/skillops.alexa/$(shell printf %s "$(CURDIR)" | sha1sum | cut -c1-10)
# The main lane of hacking/lanes (hacking/lane-env.sh sets the same for the scripts): the demo,
# the sandbox, the benchmarks and every suite but make test's other lanes run there.
export ANSIBLE_COLLECTIONS_PATH := $(SKILLOPS_BUILD)/collections
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_PYTHON_INTERPRETER := $(CURDIR)/$(VENV)/bin/python

.PHONY: setup sync test sanity lint docs-lint units sandbox-tests package-tests hostile-tests eda-tests integration demo demo-eda bench docs sandbox clean

setup:
	@hacking/bootstrap.sh

sync: setup
	@hacking/sync.sh

# Every lane of hacking/lanes (ansible-core versions), or those named: make test LANES="newest floor".
test: setup
	@hacking/test-lanes.sh $(LANES)

# The test commands live in hacking/run-tests.sh; each target below runs one of its suites on the
# main lane.
sanity: sync
	@hacking/run-tests.sh sanity

lint: sync
	@hacking/run-tests.sh lint

docs-lint: setup
	@hacking/run-tests.sh docs

units: sync
	@hacking/run-tests.sh units

sandbox-tests: sync
	@hacking/run-tests.sh sandbox

package-tests: sync
	@hacking/run-tests.sh package

hostile-tests: sync
	@hacking/run-tests.sh hostile

eda-tests: sync
	@hacking/run-tests.sh eda

integration: sync
	@INTEGRATION_TARGETS="$(TARGETS)" hacking/run-tests.sh integration

demo: sync
	@set -a && . tests/sandbox/seeds/demo.env && set +a && hacking/with-sandbox.sh tests/sandbox/seeds/demo.yml hacking/demo.sh

# The rulebooks of extensions/eda/ on the sandbox: a certification fails and a job says so; the
# subscriber is broken, found INACTIVE and repaired. Needs a Java runtime for ansible-rulebook.
demo-eda: sync
	@set -a && . tests/sandbox/seeds/demo.env && set +a && hacking/with-sandbox.sh tests/sandbox/seeds/demo.yml $(VENV)/bin/python hacking/demo_eda.py

# Not part of make test: about ten minutes of measured runs against the sandbox (benchmarks/README.md).
bench: sync
	@$(VENV)/bin/python -m pip install -q -r benchmarks/requirements.txt 2> >(grep -v 'is ignored: it is neither' >&2)
	$(VENV)/bin/python benchmarks/org_scale.py $(BENCH_ARGS)

# Not part of make test: the HTML docsite, built with antsibull-docs and Sphinx into
# .cache/docs/build/html/ and checked (hacking/docs.sh).
docs: sync
	@hacking/docs-deps.sh
	@hacking/docs.sh

sandbox: setup
	$(VENV)/bin/python tests/sandbox/sandbox.py --seed tests/sandbox/seeds/demo.yml

clean:
	rm -rf $(VENV) .cache tests/output $(SKILLOPS_BUILD)
