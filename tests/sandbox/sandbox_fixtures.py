# SPDX-License-Identifier: GPL-3.0-or-later
"""The pytest fixtures of every suite that runs a sandbox (tests/sandbox, tests/cli): each test module
runs its own sandbox in-process on free ports with seeds/test.yml, every test starts from the seed
(admin reset), and AWS resources need fresh names because moto is not reset. Import them into a
conftest or a test module to use them."""

import pytest

from sandbox import Sandbox
from sandbox_testkit import TEST_SEED, Aws, Client


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(TEST_SEED, smapi_port=0, lwa_port=0, moto_port=0) as running:
        yield running


@pytest.fixture
def api(sandbox):
    """A client of the sandbox, reset to the seed before each test."""
    client = Client(sandbox)
    client.admin("POST", "reset")
    return client


@pytest.fixture(scope="module")
def aws(sandbox):
    return Aws(sandbox.aws_url)
