# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures shared by the sandbox's tests: each test module runs its own sandbox in-process on
free ports with seeds/test.yml, every test starts from the seed (admin reset), and AWS resources
need fresh names because moto is not reset."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sandbox import Sandbox  # noqa: E402
from sandbox_testkit import TEST_SEED, Aws, Client  # noqa: E402


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
