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
from sandbox_knobs import Throttle, retry_after  # noqa: E402
from sandbox_testkit import (  # noqa: E402
    DEV3_USER, ORG_ADMIN, ORG_CLIENT, ORG_SECRET, ORG_VENDOR, OTHER_CLIENT, SCOPE, TEST_SEED, endpoint_body)

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sandbox.py")
VENDORS = "/v1/vendors"
SUBSCRIBERS = "/v0/developmentEvents/subscribers"
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
                 latency=0.05, throttle_rate=1, throttle_burst=2) as running:
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
    assert config(api, latency=0.2) == {"max_page_size": 50, "latency": 0.2, "throttle": None,
                                        "access_token_lifetime": 3600}
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


def test_a_kept_alive_connection_answers_without_delay(api):
    # With Nagle's algorithm on the server each answer waited ~40 ms for a delayed ACK.
    session = requests.Session()
    session.get(api.smapi_url + VENDORS, timeout=10)
    answers, took = timed(lambda: [session.get(api.smapi_url + VENDORS, timeout=10,
                                               headers={"Authorization": f"Bearer {ORG_TOKEN}"})
                                   for dummy in range(20)])
    assert [answer.status_code for answer in answers] == [200] * 20
    assert took < 0.4


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
    ({"throttle": 5}, "throttle must be an object"),
    ({"throttle": {"burst": 2}}, "throttle needs rate"),
    ({"throttle": {"rate": 0}}, "throttle rate must be"),
    ({"throttle": {"rate": "10"}}, "throttle rate must be"),
    ({"throttle": {"rate": 5, "burst": 0}}, "throttle burst must be an integer >= 1"),
    ({"throttle": {"rate": 5, "burst": 1.5}}, "throttle burst must be an integer >= 1"),
    ({"throttle": {"rate": 5, "per": "user"}}, "unknown throttle key per"),
    ({"latency": 0.1, "throttle": {"rate": -1}}, "throttle rate must be"),
    ({"access_token_lifetime": 0}, "access_token_lifetime must be a positive integer"),
    ({"access_token_lifetime": 1.5}, "access_token_lifetime must be a positive integer"),
], ids=["negative", "string", "bool", "null", "too-long", "all-or-nothing", "unknown-key",
        "throttle-number", "no-rate", "zero-rate", "string-rate", "zero-burst", "float-burst",
        "unknown-throttle-key", "throttle-all-or-nothing", "zero-lifetime", "float-lifetime"])
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
    config(api, latency=0.05, max_page_size=3, throttle={"rate": 2.5})
    assert api.admin("GET", "state")["config"] == {
        "max_page_size": 3, "latency": 0.05, "throttle": {"rate": 2.5, "burst": 3},
        "access_token_lifetime": 3600}


def test_reset_restores_the_values_given_at_start(api, started_with_knobs):
    other = type(api)(started_with_knobs)
    at_start = {"max_page_size": 50, "latency": 0.05, "throttle": {"rate": 1, "burst": 2},
                "access_token_lifetime": 3600}
    assert other.admin("GET", "config") == at_start
    assert [get(other.smapi_url).status_code for dummy in range(3)] == [200, 200, 429]
    other.admin("POST", "config", {"latency": 0, "max_page_size": 2, "throttle": None,
                                   "access_token_lifetime": 5})
    other.admin("POST", "reset")
    assert other.admin("GET", "config") == at_start
    answer, took = timed(lambda: get(other.smapi_url))
    assert answer.status_code == 200 and took >= 0.05  # and the bucket is full again


@pytest.mark.parametrize("knobs, words", [
    ({"latency": -1}, "latency"), ({"throttle_rate": 0}, "throttle rate"),
    ({"throttle_rate": 5, "throttle_burst": 0}, "throttle burst"),
    ({"throttle_burst": 5}, "throttle burst needs a throttle rate"),
])
def test_knobs_out_of_range_are_refused_by_the_constructor(knobs, words):
    with pytest.raises(ValueError, match=words):
        Sandbox(TEST_SEED, **knobs)


# -- the command line ----------------------------------------------------------------------------
def test_command_line_sets_the_knobs(api):
    process, smapi_url = start_command_line("--latency", "0.05", "--throttle-rate", "20",
                                            "--throttle-burst", "3")
    try:
        answer = requests.get(smapi_url + "/_sandbox/config", timeout=10)
        assert answer.text == ('{"max_page_size": 50, "latency": 0.05, '
                               '"throttle": {"rate": 20, "burst": 3}, "access_token_lifetime": 3600}')
    finally:
        stop(process)
    assert process.returncode == 0
    assert "throttle 20 SMAPI requests/s per LWA client, burst 3" in process.stderr.read()


@pytest.mark.parametrize("options, words", [
    (["--latency", "-1"], "--latency: latency must be a number of seconds from 0 to 60"),
    (["--latency", "soon"], "--latency: not a number: 'soon'"),
    (["--latency", "nan"], "--latency: latency must be"),
    (["--throttle-rate", "0"], "--throttle-rate: throttle rate must be"),
    (["--throttle-rate", "5", "--throttle-burst", "0"], "--throttle-burst: throttle burst must"),
    (["--throttle-rate", "5", "--throttle-burst", "1.5"], "--throttle-burst: not an integer"),
    (["--throttle-burst", "5"], "--throttle-burst needs --throttle-rate"),
])
def test_command_line_refuses_knobs_out_of_range(capsys, options, words):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(options)
    assert exit_info.value.code == 2
    assert words in capsys.readouterr().err


# -- throttle: the token bucket ------------------------------------------------------------------
class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_bucket_admits_the_burst_then_refills_at_the_rate():
    clock = Clock()
    throttle = Throttle(2, 3, clock=clock)
    assert [throttle.take("a") for dummy in range(3)] == [0, 0, 0]
    assert throttle.take("a") == pytest.approx(0.5)  # one token takes 1/rate seconds
    assert throttle.take("a") == pytest.approx(0.5)  # a refused request takes nothing
    clock.now += 0.25
    assert throttle.take("a") == pytest.approx(0.25)
    clock.now += 0.25
    assert throttle.take("a") == 0
    clock.now += 60  # refills up to the burst, no further
    assert [throttle.take("a") == 0 for dummy in range(4)] == [True, True, True, False]


def test_buckets_are_per_key():
    throttle = Throttle(1, 1, clock=Clock())
    assert throttle.take("a") == 0
    assert throttle.take("a") > 0
    assert throttle.take("b") == 0


@pytest.mark.parametrize("rate, burst", [(0.5, 1), (1, 1), (2.5, 3), (10, 10)])
def test_burst_defaults_to_the_rate_rounded_up(rate, burst):
    assert Throttle(rate).report() == {"rate": rate, "burst": burst}


@pytest.mark.parametrize("wait, seconds", [(0.001, 1), (1, 1), (1.01, 2), (2.5, 3)])
def test_retry_after_is_whole_seconds_rounded_up(wait, seconds):
    assert retry_after(wait) == seconds


# -- throttle: over HTTP -------------------------------------------------------------------------
def test_beyond_the_burst_429_with_retry_after_then_recovers(api):
    assert config(api, throttle={"rate": 2, "burst": 2})["throttle"] == {"rate": 2, "burst": 2}
    assert [get(api.smapi_url).status_code for dummy in range(2)] == [200, 200]
    refused = get(api.smapi_url)
    assert refused.status_code == 429
    assert refused.json() == {"message": "Rate exceeded."}
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["X-Amzn-RequestId"]
    time.sleep(0.6)  # a token every 0.5 s
    assert get(api.smapi_url).status_code == 200
    log = api.admin("GET", "requests")["requests"]
    assert [(entry["status"], entry["client_id"]) for entry in log] == [
        (200, ORG_CLIENT), (200, ORG_CLIENT), (429, ORG_CLIENT), (200, ORG_CLIENT)]
    assert api.admin("GET", "counters")["by_route"] == {f"GET {VENDORS} 200": 3,
                                                        f"GET {VENDORS} 429": 1}


def test_retry_after_is_the_time_until_a_token_rounded_up(api):
    config(api, throttle={"rate": 0.5, "burst": 1})
    assert get(api.smapi_url).status_code == 200
    refused = get(api.smapi_url)
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "2")


def test_a_throttled_write_is_not_done(api, aws):
    config(api, throttle={"rate": 0.5, "burst": 1})
    assert get(api.smapi_url).status_code == 200
    answer = requests.post(api.smapi_url + SUBSCRIBERS, timeout=10,
                           headers={"Authorization": f"Bearer {ORG_TOKEN}"},
                           json={"name": "throttled", "vendorId": ORG_VENDOR,
                                 "endpoint": endpoint_body(aws.endpoint(ORG_VENDOR))})
    assert answer.status_code == 429
    assert api.admin("GET", "state")["subscribers"] == []
    counters = api.admin("GET", "counters")
    assert (counters["writes"], counters["write_attempts"]) == (0, 1)


def test_each_lwa_client_has_its_own_bucket(api):
    config(api, throttle={"rate": 0.5, "burst": 2})
    other = api.admin("POST", "tokens", {"client_id": OTHER_CLIENT, "user_id": ORG_ADMIN,
                                         "scopes": [SCOPE]})["access_token"]
    dev3 = api.admin("POST", "tokens", {"client_id": ORG_CLIENT, "user_id": DEV3_USER,
                                        "scopes": [SCOPE]})["access_token"]
    assert [get(api.smapi_url).status_code for dummy in range(3)] == [200, 200, 429]
    # Another user's token of the same client draws from the same bucket.
    assert get(api.smapi_url, token=dev3).status_code == 429
    assert [get(api.smapi_url, token=other).status_code for dummy in range(3)] == [200, 200, 429]
    # Without a usable token: one shared bucket, 401 while it lasts.
    anonymous = [get(api.smapi_url, token=token).status_code
                 for token in (None, "Atza|unknown", "Atza|expired")]
    assert anonymous == [401, 401, 429]


def test_lwa_and_the_admin_api_are_not_throttled(api):
    config(api, throttle={"rate": 0.5, "burst": 1})
    fresh = [api.refresh("Atzr|org-refresh") for dummy in range(5)]
    for dummy in range(10):
        api.admin("GET", "counters")
    assert get(api.smapi_url, token=fresh[-1]).status_code == 200
    assert get(api.smapi_url, token=fresh[-1]).status_code == 429


def test_throttle_refuses_on_arrival_before_latency_and_faults(api):
    config(api, latency=0.3, throttle={"rate": 0.5, "burst": 1})
    api.admin("POST", "faults", {"fault": "500", "path": VENDORS})
    answer, took = timed(lambda: get(api.smapi_url, SUBSCRIBERS,
                                     params={"vendorId": ORG_VENDOR}))
    assert answer.status_code == 200 and took >= 0.3
    answer, took = timed(lambda: get(api.smapi_url))
    assert answer.status_code == 429 and took < 0.2
    assert api.admin("GET", "faults")["faults"][0]["remaining"] == 1


def test_concurrent_requests_share_the_bucket_exactly(api):
    config(api, throttle={"rate": 0.5, "burst": 5})
    statuses, dummy = at_once(20, lambda: get(api.smapi_url))
    assert sorted(statuses) == [200] * 5 + [429] * 15


def test_throttle_null_turns_it_off(api):
    config(api, throttle={"rate": 0.5, "burst": 1})
    assert [get(api.smapi_url).status_code for dummy in range(2)] == [200, 429]
    assert config(api, throttle=None)["throttle"] is None
    assert [get(api.smapi_url).status_code for dummy in range(5)] == [200] * 5


# -- counters by kind ----------------------------------------------------------------------------
def test_counters_by_kind_count_every_request_throttled_included(api):
    config(api, throttle={"rate": 0.5, "burst": 3})
    api.refresh("Atzr|org-refresh")
    api.lwa(grant_type="password")  # refused by LWA, still a token call
    assert get(api.smapi_url).status_code == 200
    assert get(api.smapi_url, "/nowhere").status_code == 404
    answer = api.smapi("POST", SUBSCRIBERS, ORG_TOKEN, json={})
    assert answer.status_code == 400
    assert api.smapi("DELETE", f"{SUBSCRIBERS}/amzn1.nope", ORG_TOKEN).status_code == 429
    assert api.smapi("PUT", f"{SUBSCRIBERS}/amzn1.nope", ORG_TOKEN).status_code == 429
    assert get(api.smapi_url).status_code == 429
    api.admin("GET", "state")  # the admin API counts nowhere
    counters = api.admin("GET", "counters")
    assert counters["by_kind"] == {"token": 2, "read": 3, "write": 3}
    assert counters["throttled"] == 3
    assert counters["total"] == sum(counters["by_kind"].values()) == 8
    assert (counters["writes"], counters["write_attempts"]) == (0, 3)
    api.admin("POST", "reset")
    counters = api.admin("GET", "counters")
    assert counters["by_kind"] == {"token": 0, "read": 0, "write": 0}
    assert counters["throttled"] == 0


def test_injected_429s_are_not_counted_as_throttled(api):
    api.admin("POST", "faults", {"fault": "429", "path": VENDORS})
    assert get(api.smapi_url).status_code == 429
    counters = api.admin("GET", "counters")
    assert (counters["throttled"], counters["by_kind"]["read"]) == (0, 1)


# -- vendors in bulk -----------------------------------------------------------------------------
def add_vendors(api, **body):
    return api.http.post(api.smapi_url + "/_sandbox/vendors", json=body, timeout=60)


def test_bulk_vendors_are_listed_for_their_user_and_take_subscriptions(api, aws):
    answer = add_vendors(api, count=3, prefix="M3DEV", user_id=ORG_ADMIN,
                         roles=["ROLE_ADMINISTRATOR"])
    assert answer.status_code == 201
    assert answer.json() == {"vendor_ids": ["M3DEV00001", "M3DEV00002", "M3DEV00003"]}
    vendors = get(api.smapi_url).json()["vendors"]
    assert {"id": "M3DEV00002", "name": "Developer 2", "roles": ["ROLE_ADMINISTRATOR"]} in vendors
    assert len(vendors) == 6  # the seed's three and the new ones

    subscriber_id = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, aws.endpoint(ORG_VENDOR))
    api.create_subscription(ORG_TOKEN, "M3DEV00003", subscriber_id, ["ALL"])
    listed = api.smapi("GET", "/v0/developmentEvents/subscriptions", ORG_TOKEN,
                       params={"vendorId": "M3DEV00003"}).json()["subscriptions"]
    assert [s["vendorId"] for s in listed] == ["M3DEV00003"]

    api.admin("POST", "reset")
    assert len(get(api.smapi_url).json()["vendors"]) == 3
    assert "M3DEV00001" not in [v["id"] for v in api.admin("GET", "state")["vendors"]]


def test_a_thousand_bulk_vendors_with_defaults(api):
    answer = add_vendors(api, count=1000, user_id=DEV3_USER)
    assert answer.status_code == 201
    assert answer.json()["vendor_ids"][-1] == "M3DEV01000"
    vendors = get(api.smapi_url, token=api.refresh("Atzr|dev3-refresh")).json()["vendors"]
    assert len(vendors) == 1001
    assert vendors[-1] == {"id": "M3DEV01000", "name": "Developer 1000",
                           "roles": ["ROLE_ADMINISTRATOR"]}


@pytest.mark.parametrize("body, words", [
    ({"count": 2, "user_id": "amzn1.account.NOBODY"}, "unknown user amzn1.account.NOBODY"),
    ({"count": 0, "user_id": ORG_ADMIN}, "count must be an integer from 1 to 10000"),
    ({"count": 10001, "user_id": ORG_ADMIN}, "count must be"),
    ({"count": "3", "user_id": ORG_ADMIN}, "count must be"),
    ({"count": True, "user_id": ORG_ADMIN}, "count must be"),
    ({"user_id": ORG_ADMIN}, "missing count"),
    ({"count": 2}, "missing user_id"),
    ({"count": 2, "user_id": ORG_ADMIN, "prefix": "M3 DEV"}, "prefix must be"),
    ({"count": 2, "user_id": ORG_ADMIN, "prefix": ""}, "prefix must be"),
    ({"count": 2, "user_id": ORG_ADMIN, "roles": []}, "roles must be"),
    ({"count": 2, "user_id": ORG_ADMIN, "roles": "ROLE_ADMINISTRATOR"}, "roles must be"),
], ids=["unknown-user", "zero", "too-many", "string-count", "bool-count", "no-count",
        "no-user", "bad-prefix", "empty-prefix", "no-roles", "roles-string"])
def test_invalid_bulk_vendors_are_400_and_add_nothing(api, body, words):
    answer = add_vendors(api, **body)
    assert answer.status_code == 400
    assert words in answer.json()["message"]
    assert len(api.admin("GET", "state")["vendors"]) == 5


def test_bulk_vendor_ids_must_be_new(api):
    assert add_vendors(api, count=2, prefix="M4DEV", user_id=ORG_ADMIN).status_code == 201
    answer = add_vendors(api, count=3, prefix="M4DEV", user_id=DEV3_USER)
    assert answer.status_code == 400
    assert "exist already: M4DEV00001, M4DEV00002" in answer.json()["message"]
    assert len(api.admin("GET", "state")["vendors"]) == 7
    users = {user["user_id"]: user for user in api.admin("GET", "state")["users"]}
    assert list(users[DEV3_USER]["vendors"]) == ["M2DEVVENDOR3"]  # all or nothing


# -- access token lifetime -----------------------------------------------------------------------
def test_access_token_lifetime_shortens_the_tokens_lwa_grants(api):
    config(api, access_token_lifetime=2)
    grant = dict(grant_type="refresh_token", refresh_token="Atzr|org-refresh",
                 client_id=ORG_CLIENT, client_secret=ORG_SECRET)
    answer = api.lwa(**grant).json()
    assert answer["expires_in"] == 2
    bearer = {"Authorization": f"Bearer {answer['access_token']}"}
    assert api.http.get(api.smapi_url + VENDORS, headers=bearer, timeout=10).status_code == 200
    time.sleep(2.1)
    assert api.http.get(api.smapi_url + VENDORS, headers=bearer, timeout=10).status_code == 401
    api.admin("POST", "reset")
    assert api.lwa(**grant).json()["expires_in"] == 3600
