# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault injection (POST /_sandbox/faults) and token expiry (POST /_sandbox/expire-tokens) as a
plain `requests` client sees them. Runs the sandbox in-process like test_sandbox.py (the
fixtures of conftest.py)."""

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sandbox_testkit import (  # noqa: E402
    ORG_CLIENT, ORG_SECRET, ORG_VENDOR, OTHER_CLIENT, endpoint_body)

SUBSCRIBERS = "/v0/developmentEvents/subscribers"
VENDORS = "/v1/vendors"
TOKEN_PATH = "/auth/o2/token"
ORG_TOKEN = "Atza|org-access"


def arm(api, fault, **spec):
    return api.admin("POST", "faults", dict(spec, fault=fault))["id"]


def get(api, path=VENDORS, **kwargs):
    """A fresh connection each time, as a client retrying after a dropped connection would."""
    return requests.get(api.smapi_url + path, headers={"Authorization": f"Bearer {ORG_TOKEN}"},
                        timeout=kwargs.pop("timeout", 10), **kwargs)


def create_subscriber(api, endpoint, name):
    return requests.post(api.smapi_url + SUBSCRIBERS, timeout=10,
                         headers={"Authorization": f"Bearer {ORG_TOKEN}"},
                         json={"name": name, "vendorId": ORG_VENDOR,
                               "endpoint": endpoint_body(endpoint)})


def subscriber_names(api):
    return [s["name"] for s in api.admin("GET", "state")["subscribers"]]


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_status_fault_answers_without_operating(api, aws, status):
    arm(api, str(status), method="POST", path=SUBSCRIBERS, retry_after=7)
    endpoint = aws.endpoint(ORG_VENDOR)
    answer = create_subscriber(api, endpoint, "faulted")
    assert answer.status_code == status
    assert answer.json()["message"]
    assert answer.headers.get("Retry-After") == ("7" if status in (429, 503) else None)
    assert subscriber_names(api) == []
    assert create_subscriber(api, endpoint, "retried").status_code == 201
    assert subscriber_names(api) == ["retried"]
    log = api.admin("GET", "requests")["requests"]
    assert [entry["status"] for entry in log] == [status, 201]


def test_reset_drops_the_connection_without_operating(api, aws):
    arm(api, "reset", method="POST", path=SUBSCRIBERS)
    with pytest.raises(requests.ConnectionError):
        create_subscriber(api, aws.endpoint(ORG_VENDOR), "lost")
    assert subscriber_names(api) == []
    log = api.admin("GET", "requests")["requests"]
    assert [(entry["status"], entry["fault"]) for entry in log] == [(0, "reset")]
    counters = api.admin("GET", "counters")
    assert counters["writes"] == 0 and counters["write_attempts"] == 1
    assert get(api).status_code == 200


def test_commit_then_reset_operates_then_drops_the_connection(api, aws):
    arm(api, "commit_then_reset", method="POST", path=SUBSCRIBERS)
    with pytest.raises(requests.ConnectionError):
        create_subscriber(api, aws.endpoint(ORG_VENDOR), "committed")
    assert subscriber_names(api) == ["committed"]
    log = api.admin("GET", "requests")["requests"]
    assert [(entry["status"], entry["fault"]) for entry in log] == [(0, "commit_then_reset")]
    counters = api.admin("GET", "counters")
    assert counters["writes"] == 1 and counters["write_attempts"] == 1
    assert counters["by_route"] == {f"POST {SUBSCRIBERS} 0": 1}


def test_delay_longer_than_the_client_timeout_times_out(api):
    arm(api, "delay", path=VENDORS, delay=1.0)
    with pytest.raises(requests.ReadTimeout):
        get(api, timeout=0.3)
    deadline = time.time() + 5  # the delayed request is still handled, just late
    while not api.admin("GET", "requests")["requests"] and time.time() < deadline:
        time.sleep(0.1)
    assert [entry["status"] for entry in api.admin("GET", "requests")["requests"]] == [200]
    assert get(api, timeout=0.9).status_code == 200
    assert [entry["fault"] for entry in api.admin("GET", "requests")["requests"]] == ["delay", None]


def test_barrier_holds_requests_until_count_have_arrived(api):
    arm(api, "barrier", path=VENDORS, count=3, delay=5)
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(get, api)
        time.sleep(0.5)
        assert not first.done()  # held: one of three has arrived
        rest = [pool.submit(get, api) for later in range(2)]
        statuses = [future.result().status_code for future in [first] + rest]
    assert statuses == [200, 200, 200]
    assert get(api).status_code == 200  # the barrier has fired its count: no longer held


def test_barrier_lets_waiting_requests_go_after_its_timeout(api):
    arm(api, "barrier", path=VENDORS, count=2, delay=0.3)
    started = time.time()
    assert get(api).status_code == 200
    assert 0.3 <= time.time() - started < 3


def test_count_every_method_and_path_select_the_requests(api):
    fault_id = arm(api, "500", method="GET", path="/v1/*", count=2, every=3)
    assert requests.post(api.smapi_url + VENDORS, timeout=10).status_code == 405  # method
    assert get(api, "/v0/developmentEvents/subscribers",
               params={"vendorId": ORG_VENDOR}).status_code == 200  # path
    statuses = [get(api).status_code for attempt in range(8)]
    assert statuses == [200, 200, 500, 200, 200, 500, 200, 200]
    report = api.admin("GET", "faults")
    assert report == {"faults": [{"id": fault_id, "fault": "500", "method": "GET",
                                  "path": "/v1/*", "count": 2, "remaining": 0, "fired": 2}],
                      "fired_total": 2}


def test_first_matching_fault_with_count_left_fires(api):
    arm(api, "502", path=VENDORS)
    arm(api, "504", path=VENDORS, count=2)
    assert [get(api).status_code for attempt in range(4)] == [502, 504, 504, 200]
    assert [f["fired"] for f in api.admin("GET", "faults")["faults"]] == [1, 2]


def test_lwa_faults_answer_oauth_errors(api):
    arm(api, "503", path=TOKEN_PATH, retry_after=2)
    answer = api.lwa(grant_type="refresh_token", refresh_token="Atzr|org-refresh",
                     client_id=ORG_CLIENT, client_secret=ORG_SECRET)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "2"
    assert answer.json()["error"] == "server_error" and answer.json()["error_description"]
    arm(api, "reset", path=TOKEN_PATH)
    with pytest.raises(requests.ConnectionError):
        requests.post(api.lwa_url + TOKEN_PATH, timeout=10,
                      data={"grant_type": "refresh_token", "refresh_token": "Atzr|org-refresh",
                            "client_id": ORG_CLIENT, "client_secret": ORG_SECRET})
    assert api.refresh("Atzr|org-refresh")
    log = api.admin("GET", "requests")["requests"]
    assert [(entry["service"], entry["status"]) for entry in log] == [
        ("lwa", 503), ("lwa", 0), ("lwa", 200)]


def test_disarm_keeps_fired_total_and_reset_clears_it(api):
    arm(api, "500", path=VENDORS, count=5)
    assert get(api).status_code == 500
    assert api.http.delete(api.smapi_url + "/_sandbox/faults", timeout=10).status_code == 204
    assert api.admin("GET", "faults") == {"faults": [], "fired_total": 1}
    assert get(api).status_code == 200
    arm(api, "500", path=VENDORS)
    api.admin("POST", "reset")
    assert api.admin("GET", "faults") == {"faults": [], "fired_total": 0}
    assert get(api).status_code == 200


@pytest.mark.parametrize("body", [{}, {"fault": "418"}, {"fault": "500", "count": 0},
                                  {"fault": "500", "every": "2"}, {"fault": "delay", "delay": -1}])
def test_invalid_fault_specs_are_400(api, body):
    answer = api.http.post(api.smapi_url + "/_sandbox/faults", json=body, timeout=10)
    assert answer.status_code == 400


def test_expire_tokens_makes_access_tokens_401_but_refresh_still_works(api):
    minted = api.admin("POST", "tokens", {"client_id": OTHER_CLIENT,
                                          "user_id": "amzn1.account.ORGADMIN",
                                          "scopes": ["alexa::ask:subscriptions"]})
    assert api.admin("POST", "expire-tokens", {"client_id": ORG_CLIENT})["expired"] >= 1
    assert get(api).status_code == 401
    assert api.smapi("GET", VENDORS, minted["access_token"]).status_code == 200
    api.admin("POST", "expire-tokens")
    assert api.smapi("GET", VENDORS, minted["access_token"]).status_code == 401
    fresh = api.refresh("Atzr|org-refresh")
    assert api.smapi("GET", VENDORS, fresh).status_code == 200
    answer = api.http.post(api.smapi_url + "/_sandbox/expire-tokens",
                           json={"client_id": "nobody"}, timeout=10)
    assert answer.status_code == 400
