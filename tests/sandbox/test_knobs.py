# SPDX-License-Identifier: GPL-3.0-or-later
"""The knobs for realistic SMAPI conditions: concurrent service, latency, the per-client
throttle, counters by kind and bulk vendors. Runs the sandbox in-process like test_sandbox.py
(the fixtures of conftest.py)."""

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sandbox import Sandbox, parse_args  # noqa: E402
from sandbox_testkit import TEST_SEED  # noqa: E402

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sandbox.py")
VENDORS = "/v1/vendors"
ORG_TOKEN = "Atza|org-access"


def get(url, path=VENDORS, token=ORG_TOKEN, **kwargs):
    """A fresh connection each time, as separate clients would open."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(url + path, headers=headers, timeout=10, **kwargs)


def timed(call):
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def config(api, **settings):
    return api.admin("POST", "config", settings)


def post_config(api, body):
    return api.http.post(api.smapi_url + "/_sandbox/config", json=body, timeout=10)


@pytest.fixture
def started_with_knobs(sandbox):
    """A second sandbox whose knobs start set (sharing the first one's moto)."""
    with Sandbox(TEST_SEED, smapi_port=0, lwa_port=0, aws_url=sandbox.aws_url,
                 latency=0.05) as running:
        yield running


def start_command_line(*options):
    """sandbox.py on free ports without moto; returns the process and its SMAPI URL."""
    process = subprocess.Popen(
        [sys.executable, SCRIPT, "--seed", TEST_SEED, "--smapi-port", "0", "--lwa-port", "0",
         "--no-moto", "--aws-url", "http://127.0.0.1:9", *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = process.stdout.readline()
    if not first.startswith("export ASK_SMAPI_SERVER_BASE_URL="):
        process.kill()
        raise AssertionError(f"sandbox did not start: {first}{process.stderr.read()}")
    return process, first.strip().split("=", 1)[1]


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(15)
    finally:
        if process.poll() is None:
            process.kill()


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


# -- latency -----------------------------------------------------------------------------------
def test_latency_delays_smapi_and_lwa_but_not_the_admin_api(api):
    assert config(api, latency=0.2) == {"max_page_size": 50, "latency": 0.2}
    answer, took = timed(lambda: get(api.smapi_url))
    assert answer.status_code == 200 and took >= 0.2
    answer, took = timed(lambda: get(api.smapi_url, "/nowhere"))
    assert answer.status_code == 404 and took >= 0.2
    took = timed(lambda: api.refresh("Atzr|org-refresh"))[1]
    assert took >= 0.2
    took = timed(lambda: api.admin("GET", "counters"))[1]
    assert took < 0.15
    assert config(api, latency=0)["latency"] == 0
    assert timed(lambda: get(api.smapi_url))[1] < 0.15


@pytest.mark.parametrize("count", [8, 32])
def test_concurrent_requests_wait_out_their_latency_side_by_side(api, count):
    config(api, latency=0.2)
    statuses, took = at_once(count, lambda: get(api.smapi_url))
    assert statuses == [200] * count
    assert 0.2 <= took < 0.9  # one after the other: count x 0.2 s


# -- config --------------------------------------------------------------------------------------
@pytest.mark.parametrize("body, words", [
    ({"latency": -0.1}, "latency"), ({"latency": "0.1"}, "latency"),
    ({"latency": True}, "latency"), ({"latency": None}, "latency"),
    ({"latency": 61}, "latency"), ({"latency": 0.1, "max_page_size": 0}, "max_page_size"),
    ({"latencey": 0.1}, "unknown config key latencey"),
], ids=["negative", "string", "bool", "null", "too-long", "all-or-nothing", "unknown-key"])
def test_invalid_config_is_400_and_changes_nothing(api, body, words):
    before = api.admin("GET", "config")
    answer = post_config(api, body)
    assert answer.status_code == 400
    assert words in answer.json()["message"]
    assert api.admin("GET", "config") == before


def test_config_refuses_non_finite_numbers(api):
    answer = api.http.post(api.smapi_url + "/_sandbox/config", data='{"latency": NaN}',
                           headers={"Content-Type": "application/json"}, timeout=10)
    assert answer.status_code == 400 and "latency" in answer.json()["message"]


def test_config_is_part_of_the_state(api):
    config(api, latency=0.05, max_page_size=3)
    assert api.admin("GET", "state")["config"] == {"max_page_size": 3, "latency": 0.05}


def test_reset_restores_the_values_given_at_start(api, started_with_knobs):
    other = type(api)(started_with_knobs)
    assert other.admin("GET", "config") == {"max_page_size": 50, "latency": 0.05}
    other.admin("POST", "config", {"latency": 0, "max_page_size": 2})
    other.admin("POST", "reset")
    assert other.admin("GET", "config") == {"max_page_size": 50, "latency": 0.05}
    assert timed(lambda: get(other.smapi_url))[1] >= 0.05


def test_knobs_out_of_range_are_refused_by_the_constructor():
    with pytest.raises(ValueError, match="latency"):
        Sandbox(TEST_SEED, latency=-1)


# -- the command line ----------------------------------------------------------------------------
def test_command_line_sets_the_knobs(api):
    process, smapi_url = start_command_line("--latency", "0.05")
    try:
        answer = requests.get(smapi_url + "/_sandbox/config", timeout=10)
        assert answer.json() == {"max_page_size": 50, "latency": 0.05}
    finally:
        stop(process)
    assert process.returncode == 0


@pytest.mark.parametrize("options, words", [
    (["--latency", "-1"], "--latency: latency must be a number of seconds from 0 to 60"),
    (["--latency", "soon"], "--latency: not a number: 'soon'"),
    (["--latency", "nan"], "--latency: latency must be"),
])
def test_command_line_refuses_knobs_out_of_range(capsys, options, words):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(options)
    assert exit_info.value.code == 2
    assert words in capsys.readouterr().err
