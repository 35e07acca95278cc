# SPDX-License-Identifier: GPL-3.0-or-later
"""The knobs for realistic SMAPI conditions: concurrent service, latency, the per-client
throttle, counters by kind and bulk vendors. Runs the sandbox in-process like test_sandbox.py
(the fixtures of conftest.py)."""

import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

VENDORS = "/v1/vendors"
ORG_TOKEN = "Atza|org-access"


def get(url, path=VENDORS, token=ORG_TOKEN, **kwargs):
    """A fresh connection each time, as separate clients would open."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(url + path, headers=headers, timeout=10, **kwargs)


def at_once(count, call):
    """`count` calls started together on their own connections: (statuses, seconds taken)."""
    gate = threading.Barrier(count)

    def one(dummy):
        gate.wait()
        return call().status_code

    started = time.monotonic()
    with ThreadPoolExecutor(count) as pool:
        statuses = list(pool.map(one, range(count)))
    return statuses, time.monotonic() - started


def test_many_clients_connecting_at_once_are_all_served_promptly(api):
    # Beyond the listen backlog the kernel drops handshakes and clients retry after 1 s.
    statuses, took = at_once(32, lambda: get(api.smapi_url))
    assert statuses == [200] * 32
    assert took < 0.9
