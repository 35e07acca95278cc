# SPDX-License-Identifier: GPL-3.0-or-later
"""The official ASK CLI against the sandbox: every SDNS command of `ask smapi` on the
refresh-token path, configured by the CLI's own environment variables only, checked by exit
code and by the sandbox's state and request log (admin API), not by the output alone.

The CLI cannot create a subscription: create-subscription-for-development-events sends no
vendorId, which the official Swagger requires, so SMAPI answers 400. The subscriptions the other
commands act on are created through SMAPI with the test kit.

The CLI comes from the npm package ask-cli, which hacking/npm-deps.sh installs into .cache/npm
(make sandbox-tests runs it first); without it every test fails saying so.

Telemetry: with these variables the CLI runs on its "environment profile", and then its
MetricClient (lib/clients/metric-client) reports every command to
https://client-telemetry.amazonalexa.com whatever ASK_SHARE_USAGE says (that switch only counts
for profiles in ~/.ask/cli_config). The report is an axios POST, and axios takes its proxy from
HTTPS_PROXY/NO_PROXY, as the CLI's SMAPI and LWA calls do. So every run gets a loopback proxy
that refuses all it is asked for, and the sandbox is reached directly through NO_PROXY;
test_usage_reports_reach_only_the_refusing_proxy checks that the reports do end there.
"""

import json
import os
import socketserver
import subprocess
import sys
import threading

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "sandbox"))

from sandbox_fixtures import api, aws, sandbox  # noqa: E402,F401 pylint: disable=unused-import
from sandbox_testkit import (  # noqa: E402
    DEV1_VENDOR, DEV2_VENDOR, ORG_CLIENT, ORG_SECRET, ORG_VENDOR, endpoint_body)

ASK = os.path.join(REPO, ".cache", "npm", "node_modules", ".bin", "ask")
ORG_TOKEN = "Atza|org-access"  # for the set-up through SMAPI, not for the CLI
TELEMETRY = "CONNECT client-telemetry.amazonalexa.com:443 HTTP/1.1"
MANIFEST_UPDATE = "AlexaDevelopmentEvent.ManifestUpdate"
SKILL_PUBLISH = "AlexaDevelopmentEvent.SkillPublish"
ID_KEY = {"subscribers": "subscriberId", "subscriptions": "subscriptionId"}


class RefusingProxy(socketserver.ThreadingTCPServer):
    """Stands in for the internet: answers every request 403 and keeps its request line. (Left
    unanswered, a closed connection makes the CLI exit 0 without printing its result.)"""

    daemon_threads = True

    def __init__(self):
        self.request_lines = []
        super().__init__(("127.0.0.1", 0), RefusingHandler)


class RefusingHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.server.request_lines.append(self.rfile.readline().decode().strip())
        for line in self.rfile:  # the headers, read so that closing does not reset
            if not line.strip():
                break
        self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")


@pytest.fixture(scope="module")
def proxy():
    server = RefusingProxy()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def ask(sandbox, proxy, tmp_path):
    """Runs `ask smapi ARGS...` as the organization, from a fresh HOME (no ~/.ask)."""
    if not os.access(ASK, os.X_OK):
        pytest.fail(f"the ASK CLI is not installed at {ASK}: run hacking/npm-deps.sh "
                    "(make sandbox-tests does)")
    proxy_url = f"http://127.0.0.1:{proxy.server_address[1]}"
    env = {
        "HOME": str(tmp_path), "PATH": os.environ["PATH"],
        "ASK_SMAPI_SERVER_BASE_URL": sandbox.smapi_url, "ASK_LWA_TOKEN_HOST": sandbox.lwa_url,
        "ASK_REFRESH_TOKEN": "Atzr|org-refresh", "ASK_LWA_CLIENT_ID": ORG_CLIENT,
        "ASK_LWA_CLIENT_CONFIRMATION": ORG_SECRET, "ASK_VENDOR_ID": ORG_VENDOR,
        # Without AWS credentials the CLI ignores the variables above (no environment profile).
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        # The usage reports ignore ASK_SHARE_USAGE here; the proxy stops them (module docstring).
        "ASK_SHARE_USAGE": "false", "ASK_SKIP_NEW_VERSION_REMINDER": "true",
        "HTTPS_PROXY": proxy_url, "HTTP_PROXY": proxy_url, "NO_PROXY": "127.0.0.1,localhost",
    }

    def run(*args):
        return subprocess.run([ASK, "smapi", *args], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, check=False)
    return run


def succeeded(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def output(result):
    return json.loads(succeeded(result))


def state(api, kind):
    """The sandbox's subscribers or subscriptions, by ID."""
    return {item[ID_KEY[kind]]: item for item in api.admin("GET", "state")[kind]}


def requests_made(api):
    return [(entry["service"], entry["method"], entry["path"], entry["status"],
             entry["client_id"]) for entry in api.admin("GET", "requests")["requests"]]


def list_all(ask, command, key, *options):
    """The IDs of every item of a list command at two a page, following nextToken, and the
    number of pages."""
    ids, pages, token = [], 0, []
    while True:
        page = output(ask(command, "--max-results", "2", *token, *options))
        ids += [item[ID_KEY[key]] for item in page[key]]
        pages += 1
        if "nextToken" not in page:
            return ids, pages
        token = ["--next-token", page["nextToken"]]


@pytest.fixture
def subscriber(api, aws):
    """A subscriber of the organization, made through SMAPI: (ID, its endpoint)."""
    endpoint = aws.endpoint(ORG_VENDOR)
    return api.create_subscriber(ORG_TOKEN, ORG_VENDOR, endpoint), endpoint


# -- vendors -----------------------------------------------------------------------------------
def test_get_vendor_list_refreshes_the_token_and_lists_the_users_vendors(api, ask):
    vendors = output(ask("get-vendor-list"))["vendors"]
    assert [vendor["id"] for vendor in vendors] == [ORG_VENDOR, DEV1_VENDOR, DEV2_VENDOR]
    assert requests_made(api) == [("lwa", "POST", "/auth/o2/token", 200, ORG_CLIENT),
                                  ("smapi", "GET", "/v1/vendors", 200, ORG_CLIENT)]


# -- subscribers -------------------------------------------------------------------------------
def test_create_subscriber_takes_the_vendor_from_ASK_VENDOR_ID(api, aws, ask):
    endpoint = aws.endpoint(ORG_VENDOR)
    request = json.dumps({"name": "from-cli", "endpoint": endpoint_body(endpoint)})
    answer = output(ask("create-subscriber-for-development-events",
                        "--create-subscriber-request", request, "--full-response"))
    assert answer["statusCode"] == 201
    subscriber_id = answer["headers"]["location"].rsplit("/", 1)[-1]
    assert state(api, "subscribers")[subscriber_id] == {
        "subscriberId": subscriber_id, "name": "from-cli", "vendorId": ORG_VENDOR,
        "clientId": ORG_CLIENT, "endpoint": endpoint_body(endpoint), "status": "ACTIVE"}


def test_get_set_and_delete_subscriber(api, aws, ask, subscriber):
    subscriber_id, endpoint = subscriber
    assert output(ask("get-subscriber-for-development-events", "--subscriber-id",
                      subscriber_id)) == {"subscriberId": subscriber_id, "name": "subscriber",
                                          "endpoint": endpoint_body(endpoint)}

    moved = aws.endpoint(ORG_VENDOR)
    request = json.dumps({"name": "renamed", "endpoint": endpoint_body(moved)})
    succeeded(ask("set-subscriber-for-development-events", "--subscriber-id", subscriber_id,
                  "--update-subscriber-request", request))
    changed = state(api, "subscribers")[subscriber_id]
    assert (changed["name"], changed["endpoint"]) == ("renamed", endpoint_body(moved))

    succeeded(ask("delete-subscriber-for-development-events", "--subscriber-id",
                  subscriber_id))
    assert state(api, "subscribers") == {}


def test_list_subscribers_follows_next_token(api, aws, ask):
    endpoint = aws.endpoint(ORG_VENDOR)
    created = [api.create_subscriber(ORG_TOKEN, ORG_VENDOR, endpoint, name=f"s{number}")
               for number in range(3)]
    api.create_subscriber(ORG_TOKEN, DEV1_VENDOR, endpoint, name="another vendor's")
    assert list_all(ask, "list-subscribers-for-development-events", "subscribers") \
        == (created, 2)


# -- subscriptions -----------------------------------------------------------------------------
def test_create_subscription_sends_no_vendor_id_and_is_refused(api, ask, subscriber):
    subscriber_id = subscriber[0]
    # --debug prints the answer's body, which the CLI's error message leaves out.
    result = ask("create-subscription-for-development-events", "--name", "from-cli",
                 "--events", MANIFEST_UPDATE, "--subscriber-id", subscriber_id, "--debug")
    assert result.returncode != 0
    assert '"vendorId: is required."' in result.stdout + result.stderr
    assert requests_made(api)[-1] == ("smapi", "POST", "/v0/developmentEvents/subscriptions",
                                      400, ORG_CLIENT)
    assert state(api, "subscriptions") == {}


def test_get_set_and_delete_subscription(api, ask, subscriber):
    subscriber_id = subscriber[0]
    subscription_id = api.create_subscription(ORG_TOKEN, ORG_VENDOR, subscriber_id,
                                              [MANIFEST_UPDATE])
    assert output(ask("get-subscription-for-development-events", "--subscription-id",
                      subscription_id)) == {
        "subscriptionId": subscription_id, "name": "subscription", "vendorId": ORG_VENDOR,
        "subscriberId": subscriber_id, "events": [MANIFEST_UPDATE]}

    succeeded(ask("set-subscription-for-development-events", "--subscription-id",
                  subscription_id, "--name", "renamed", "--events",
                  f"{MANIFEST_UPDATE},{SKILL_PUBLISH}"))
    changed = state(api, "subscriptions")[subscription_id]
    assert (changed["name"], changed["events"]) == ("renamed", [MANIFEST_UPDATE, SKILL_PUBLISH])

    succeeded(ask("delete-subscription-for-development-events", "--subscription-id",
                  subscription_id))
    assert state(api, "subscriptions") == {}


def test_list_subscriptions_follows_next_token(api, ask, subscriber):
    subscriber_id = subscriber[0]
    created = [api.create_subscription(ORG_TOKEN, vendor, subscriber_id, [MANIFEST_UPDATE])
               for vendor in (ORG_VENDOR, DEV1_VENDOR, DEV2_VENDOR)]
    assert list_all(ask, "list-subscriptions-for-development-events", "subscriptions",
                    "--subscriber-id", subscriber_id) == (created, 2)


# -- telemetry ---------------------------------------------------------------------------------
def test_usage_reports_reach_only_the_refusing_proxy(api, ask, proxy):
    proxy.request_lines.clear()
    succeeded(ask("get-vendor-list"))
    # The report is tried three times, each refused; nothing else asked to leave the machine.
    assert proxy.request_lines == [TELEMETRY] * 3
