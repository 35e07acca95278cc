# SPDX-License-Identifier: GPL-3.0-or-later
"""The sandbox against the official SMAPI Swagger 2.0 document.

Every SDNS operation and GET /v1/vendors is called with successful and failing requests; each
answer's status must be one the operation declares, its declared headers must be present, and
its JSON body must validate against the declared schema. The Swagger schemas are tightened
before use: no undeclared properties, discriminated types resolved to their concrete shape, and
the properties Amazon's SDNS documentation describes as always present made required.

The document comes from the npm package ask-smapi-model: env SMAPI_SPEC, or by default
.cache/npm/node_modules/ask-smapi-model/spec.json under the repository root. Missing, the
suite is skipped locally and fails in CI.
"""

import copy
import json
import os
import sys
from dataclasses import dataclass
from typing import Callable

import pytest
from jsonschema import Draft4Validator

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "sandbox"))

from sandbox import Sandbox  # noqa: E402
from sandbox_testkit import (  # noqa: E402
    DEV1_VENDOR, DEV3_VENDOR, FOREIGN_VENDOR, ORG_VENDOR, OTHER_CLIENT, OTHER_SECRET,
    TEST_SEED, Aws, Client, endpoint_body)

DEFAULT_SPEC = os.path.join(REPO, ".cache", "npm", "node_modules", "ask-smapi-model",
                            "spec.json")
SUBSCRIBERS = "/v0/developmentEvents/subscribers"
SUBSCRIBER = "/v0/developmentEvents/subscribers/{subscriberId}"
SUBSCRIPTIONS = "/v0/developmentEvents/subscriptions"
SUBSCRIPTION = "/v0/developmentEvents/subscriptions/{subscriptionId}"
VENDORS = "/v1/vendors"
CHECKED_STATUSES = {"200", "201", "204", "400", "401", "403", "404"}
# Declared, but nothing identifies a resource that could be missing: the vendor is checked
# for membership (403) first.
UNREACHABLE = {("GET", SUBSCRIBERS): {"404"}}

# What the SDNS documentation shows as always present, beyond the Swagger's few `required`.
DOCUMENTED_REQUIRED = {
    "v0.developmentEvents.subscriber.SubscriberSummary":
        ["subscriberId", "name", "status", "clientId", "endpoint"],
    "v0.developmentEvents.subscriber.SubscriberInfo": ["subscriberId", "name", "endpoint"],
    "v0.developmentEvents.subscriber.Endpoint": ["uri", "authorization"],
    "v0.developmentEvents.subscriber.EndpointAwsAuthorization": ["type", "arn"],
    "v0.developmentEvents.subscription.SubscriptionSummary":
        ["name", "subscriptionId", "subscriberId", "vendorId", "events"],
    "v0.developmentEvents.subscription.SubscriptionInfo":
        ["name", "subscriptionId", "subscriberId", "vendorId", "events"],
    "v0.developmentEvents.subscriber.ListSubscribersResponse": ["subscribers", "_links"],
    "v0.developmentEvents.subscription.ListSubscriptionsResponse": ["subscriptions", "_links"],
    "v1.Links": ["self"],
    "v1.Link": ["href"],
    "v1.vendorManagement.Vendors": ["vendors"],
    "v1.vendorManagement.Vendor": ["id", "name", "roles"],
    "v0.BadRequestError": ["message"],
}


# -- the Swagger document, tightened -------------------------------------------------------------
def load_spec():
    path = os.environ.get("SMAPI_SPEC") or DEFAULT_SPEC
    if not os.path.exists(path):
        message = (f"SMAPI Swagger document not found at {path}; install it with "
                   "hacking/npm-deps.sh (make sandbox-tests does) or set SMAPI_SPEC")
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(message)
        pytest.skip(message)
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _flatten(schema, definitions):
    """Merge allOf parts (resolving $ref) into one object schema."""
    if "allOf" not in schema:
        return copy.deepcopy(schema)
    merged = {"type": "object", "properties": {}, "required": []}
    for part in schema["allOf"]:
        if "$ref" in part:
            part = _flatten(definitions[part["$ref"].split("/")[-1]], definitions)
        merged["properties"].update(copy.deepcopy(part.get("properties", {})))
        merged["required"] += [r for r in part.get("required", []) if r not in merged["required"]]
    for key, value in schema.items():
        if key != "allOf":
            merged.setdefault(key, value)
    if not merged["required"]:
        del merged["required"]  # Draft 4 wants a non-empty list or none
    return merged


def _tighten(schema):
    """No properties beyond the declared ones, at every level."""
    if isinstance(schema, dict):
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        for key in ("properties",):
            for child in schema.get(key, {}).values():
                _tighten(child)
        for key in ("items", "additionalProperties"):
            _tighten(schema.get(key))
        for key in ("allOf", "oneOf", "anyOf"):
            for child in schema.get(key, []):
                _tighten(child)


def strict_definitions(spec):
    original = spec["definitions"]
    definitions = {name: _flatten(schema, original) for name, schema in original.items()}
    for name, required in DOCUMENTED_REQUIRED.items():
        schema = definitions[name]
        schema["required"] = sorted(set(schema.get("required", [])) | set(required))
    # A discriminated base type validates as exactly one of its concrete subtypes.
    for base, schema in original.items():
        if "discriminator" not in schema:
            continue
        field = schema["discriminator"]
        variants = []
        for name, candidate in original.items():
            refs = [p.get("$ref", "") for p in candidate.get("allOf", [])]
            if f"#/definitions/{base}" in refs:
                variant = copy.deepcopy(definitions[name])
                variant["properties"][field] = {"type": "string",
                                                "enum": [candidate["x-discriminator-value"]]}
                variants.append(variant)
        definitions[base] = {"oneOf": variants}
    for schema in definitions.values():
        _tighten(schema)
    return definitions


class Contract:
    def __init__(self, spec):
        self.spec = spec
        self.definitions = strict_definitions(spec)
        Draft4Validator.check_schema({"definitions": self.definitions})
        self._validators = {}

    def operation(self, method, template):
        return self.spec["paths"][template][method.lower()]

    def validator(self, schema):
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            self._validators[key] = Draft4Validator({"definitions": self.definitions,
                                                     "allOf": [schema]})
        return self._validators[key]

    def problems(self, schema, instance):
        return [f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
                for e in self.validator(schema).iter_errors(instance)]

    def check_response(self, method, template, response):
        declared = self.operation(method, template)["responses"]
        status = str(response.status_code)
        assert status in declared, (f"{method} {template} answered {status} "
                                    f"({response.text}); declared: {sorted(declared)}")
        answer = declared[status]
        for header in answer.get("headers", {}):
            assert header in response.headers, f"{status} lacks declared header {header}"
        if "schema" in answer:
            problems = self.problems(answer["schema"], response.json())
            assert not problems, f"{method} {template} {status}: {problems}"
        else:
            assert response.content == b"", f"{status} must have no body: {response.text}"

    def check_request(self, method, template, body):
        [parameter] = [p for p in self.operation(method, template).get("parameters", [])
                       if p["in"] == "body"]
        return self.problems(parameter["schema"], body)


@pytest.fixture(scope="module")
def contract():
    return Contract(load_spec())


# -- the sandbox and its inhabitants ---------------------------------------------------------
class World:
    """A running sandbox with tokens for every role and resources to act on."""

    def __init__(self, sandbox):
        self.api = Client(sandbox)
        self.aws = Aws(sandbox.aws_url)
        self.api.admin("POST", "reset")
        self.tokens = {
            "org": "Atza|org-access",
            "noscope": "Atza|org-noscope-access",
            "other": self.api.refresh("Atzr|other-refresh", OTHER_CLIENT, OTHER_SECRET),
            "dev3": self.api.refresh("Atzr|dev3-refresh"),
            "foreign": self.api.refresh("Atzr|foreign-refresh", OTHER_CLIENT, OTHER_SECRET),
        }
        self.endpoint = self.aws.endpoint(ORG_VENDOR)
        self.subscriber = self.new_subscriber()
        self.new_subscriber()  # a second one so that lists can page
        self.subscription = self.new_subscription()
        self.new_subscription()

    def new_subscriber(self):
        return self.api.create_subscriber(self.tokens["org"], ORG_VENDOR, self.endpoint)

    def new_subscription(self):
        return self.api.create_subscription(self.tokens["org"], DEV1_VENDOR, self.subscriber,
                                            ["AlexaDevelopmentEvent.All"])

    def call(self, method, path, token="org", **kwargs):
        return self.api.smapi(method, path, self.tokens.get(token, token), **kwargs)


@pytest.fixture(scope="module")
def world():
    with Sandbox(TEST_SEED, smapi_port=0, lwa_port=0, moto_port=0) as sandbox:
        yield World(sandbox)


def subscriber_body(world, **changes):
    return dict({"name": "contract", "vendorId": ORG_VENDOR,
                 "endpoint": endpoint_body(world.endpoint)}, **changes)


def update_subscriber_body(world, **changes):
    return dict({"name": "contract", "endpoint": endpoint_body(world.endpoint)}, **changes)


def subscription_body(world, **changes):
    return dict({"name": "contract", "vendorId": DEV1_VENDOR, "subscriberId": world.subscriber,
                 "events": ["AlexaDevelopmentEvent.SkillPublish"]}, **changes)


UPDATE_SUBSCRIPTION = {"name": "contract", "events": ["AlexaDevelopmentEvent.ManifestUpdate"]}


def at(template, **ids):
    return template.format(**ids)


# -- the cases -------------------------------------------------------------------------------
@dataclass
class Case:
    name: str
    method: str
    template: str
    status: int
    send: Callable  # World -> requests.Response


CASES = [
    # list subscribers
    Case("list", "GET", SUBSCRIBERS, 200,
         lambda w: w.call("GET", SUBSCRIBERS, params={"vendorId": ORG_VENDOR})),
    Case("list-paged", "GET", SUBSCRIBERS, 200,
         lambda w: w.call("GET", SUBSCRIBERS, params={"vendorId": ORG_VENDOR, "maxResults": 1})),
    Case("no-vendor", "GET", SUBSCRIBERS, 400, lambda w: w.call("GET", SUBSCRIBERS)),
    Case("max-results", "GET", SUBSCRIBERS, 400,
         lambda w: w.call("GET", SUBSCRIBERS, params={"vendorId": ORG_VENDOR, "maxResults": 51})),
    Case("bad-next-token", "GET", SUBSCRIBERS, 400,
         lambda w: w.call("GET", SUBSCRIBERS, params={"vendorId": ORG_VENDOR,
                                                      "nextToken": "forged"})),
    Case("no-token", "GET", SUBSCRIBERS, 401,
         lambda w: w.call("GET", SUBSCRIBERS, None, params={"vendorId": ORG_VENDOR})),
    Case("expired", "GET", SUBSCRIBERS, 401,
         lambda w: w.call("GET", SUBSCRIBERS, "Atza|expired", params={"vendorId": ORG_VENDOR})),
    Case("no-scope", "GET", SUBSCRIBERS, 403,
         lambda w: w.call("GET", SUBSCRIBERS, "noscope", params={"vendorId": ORG_VENDOR})),
    Case("other-vendor", "GET", SUBSCRIBERS, 403,
         lambda w: w.call("GET", SUBSCRIBERS, "foreign", params={"vendorId": ORG_VENDOR})),
    # create subscriber
    Case("create", "POST", SUBSCRIBERS, 201,
         lambda w: w.call("POST", SUBSCRIBERS, json=subscriber_body(w))),
    Case("no-name", "POST", SUBSCRIBERS, 400,
         lambda w: w.call("POST", SUBSCRIBERS, json=subscriber_body(w, name=""))),
    Case("not-a-topic", "POST", SUBSCRIBERS, 400,
         lambda w: w.call("POST", SUBSCRIBERS, json=subscriber_body(
             w, endpoint={"uri": "https://example.com", "authorization": {"type": "AWS_IAM"}}))),
    Case("no-token", "POST", SUBSCRIBERS, 401,
         lambda w: w.call("POST", SUBSCRIBERS, None, json=subscriber_body(w))),
    Case("no-scope", "POST", SUBSCRIBERS, 401,
         lambda w: w.call("POST", SUBSCRIBERS, "noscope", json=subscriber_body(w))),
    Case("other-vendor", "POST", SUBSCRIBERS, 401,
         lambda w: w.call("POST", SUBSCRIBERS, "foreign", json=subscriber_body(w))),
    # get subscriber
    Case("get", "GET", SUBSCRIBER, 200,
         lambda w: w.call("GET", at(SUBSCRIBER, subscriberId=w.subscriber))),
    Case("malformed-id", "GET", SUBSCRIBER, 400,
         lambda w: w.call("GET", at(SUBSCRIBER, subscriberId="not an id!"))),
    Case("no-token", "GET", SUBSCRIBER, 401,
         lambda w: w.call("GET", at(SUBSCRIBER, subscriberId=w.subscriber), None)),
    Case("no-scope", "GET", SUBSCRIBER, 403,
         lambda w: w.call("GET", at(SUBSCRIBER, subscriberId=w.subscriber), "noscope")),
    Case("other-vendor", "GET", SUBSCRIBER, 403,
         lambda w: w.call("GET", at(SUBSCRIBER, subscriberId=w.subscriber), "foreign")),
    Case("unknown", "GET", SUBSCRIBER, 404,
         lambda w: w.call("GET", at(SUBSCRIBER, subscriberId="amzn1.ask-subscriber.none"))),
    # update subscriber
    Case("update", "PUT", SUBSCRIBER, 204,
         lambda w: w.call("PUT", at(SUBSCRIBER, subscriberId=w.subscriber),
                          json=update_subscriber_body(w))),
    Case("bad-role", "PUT", SUBSCRIBER, 400,
         lambda w: w.call("PUT", at(SUBSCRIBER, subscriberId=w.subscriber),
                          json=update_subscriber_body(w, endpoint={
                              "uri": w.endpoint["topic_arn"],
                              "authorization": {"type": "AWS_IAM", "arn": "role"}}))),
    Case("no-token", "PUT", SUBSCRIBER, 401,
         lambda w: w.call("PUT", at(SUBSCRIBER, subscriberId=w.subscriber), None,
                          json=update_subscriber_body(w))),
    Case("other-client", "PUT", SUBSCRIBER, 403,
         lambda w: w.call("PUT", at(SUBSCRIBER, subscriberId=w.subscriber), "other",
                          json=update_subscriber_body(w))),
    Case("unknown", "PUT", SUBSCRIBER, 404,
         lambda w: w.call("PUT", at(SUBSCRIBER, subscriberId="amzn1.ask-subscriber.none"),
                          json=update_subscriber_body(w))),
    # delete subscriber
    Case("delete", "DELETE", SUBSCRIBER, 204,
         lambda w: w.call("DELETE", at(SUBSCRIBER, subscriberId=w.new_subscriber()))),
    Case("malformed-id", "DELETE", SUBSCRIBER, 400,
         lambda w: w.call("DELETE", at(SUBSCRIBER, subscriberId="not an id!"))),
    Case("no-token", "DELETE", SUBSCRIBER, 401,
         lambda w: w.call("DELETE", at(SUBSCRIBER, subscriberId=w.subscriber), None)),
    Case("other-client", "DELETE", SUBSCRIBER, 403,
         lambda w: w.call("DELETE", at(SUBSCRIBER, subscriberId=w.subscriber), "other")),
    Case("unknown", "DELETE", SUBSCRIBER, 404,
         lambda w: w.call("DELETE", at(SUBSCRIBER, subscriberId="amzn1.ask-subscriber.none"))),
    # list subscriptions
    Case("list", "GET", SUBSCRIPTIONS, 200,
         lambda w: w.call("GET", SUBSCRIPTIONS, params={"vendorId": ORG_VENDOR})),
    Case("list-paged-by-subscriber", "GET", SUBSCRIPTIONS, 200,
         lambda w: w.call("GET", SUBSCRIPTIONS, params={
             "vendorId": DEV1_VENDOR, "subscriberId": w.subscriber, "maxResults": 1})),
    Case("no-vendor", "GET", SUBSCRIPTIONS, 400, lambda w: w.call("GET", SUBSCRIPTIONS)),
    Case("no-token", "GET", SUBSCRIPTIONS, 401,
         lambda w: w.call("GET", SUBSCRIPTIONS, None, params={"vendorId": ORG_VENDOR})),
    Case("no-scope", "GET", SUBSCRIPTIONS, 403,
         lambda w: w.call("GET", SUBSCRIPTIONS, "noscope", params={"vendorId": ORG_VENDOR})),
    Case("other-vendor", "GET", SUBSCRIPTIONS, 403,
         lambda w: w.call("GET", SUBSCRIPTIONS, "foreign", params={"vendorId": ORG_VENDOR})),
    Case("unknown-subscriber", "GET", SUBSCRIPTIONS, 404,
         lambda w: w.call("GET", SUBSCRIPTIONS, params={
             "vendorId": ORG_VENDOR, "subscriberId": "amzn1.ask-subscriber.none"})),
    # create subscription
    Case("create", "POST", SUBSCRIPTIONS, 201,
         lambda w: w.call("POST", SUBSCRIPTIONS, json=subscription_body(w))),
    Case("create-by-developer", "POST", SUBSCRIPTIONS, 201,
         lambda w: w.call("POST", SUBSCRIPTIONS, "dev3",
                          json=subscription_body(w, vendorId=DEV3_VENDOR))),
    Case("mixed-all", "POST", SUBSCRIPTIONS, 400,
         lambda w: w.call("POST", SUBSCRIPTIONS, json=subscription_body(
             w, events=["AlexaDevelopmentEvent.All", "AlexaDevelopmentEvent.SkillPublish"]))),
    Case("no-events", "POST", SUBSCRIPTIONS, 400,
         lambda w: w.call("POST", SUBSCRIPTIONS, json=subscription_body(w, events=[]))),
    Case("no-token", "POST", SUBSCRIPTIONS, 401,
         lambda w: w.call("POST", SUBSCRIPTIONS, None, json=subscription_body(w))),
    Case("other-client", "POST", SUBSCRIPTIONS, 403,
         lambda w: w.call("POST", SUBSCRIPTIONS, "other",
                          json=subscription_body(w, vendorId=ORG_VENDOR))),
    Case("not-publisher", "POST", SUBSCRIPTIONS, 403,
         lambda w: w.call("POST", SUBSCRIPTIONS, json=subscription_body(w, vendorId=DEV3_VENDOR))),
    Case("unknown-subscriber", "POST", SUBSCRIPTIONS, 404,
         lambda w: w.call("POST", SUBSCRIPTIONS, json=subscription_body(
             w, subscriberId="amzn1.ask-subscriber.none"))),
    # get subscription
    Case("get", "GET", SUBSCRIPTION, 200,
         lambda w: w.call("GET", at(SUBSCRIPTION, subscriptionId=w.subscription))),
    Case("malformed-id", "GET", SUBSCRIPTION, 400,
         lambda w: w.call("GET", at(SUBSCRIPTION, subscriptionId="x" * 256))),
    Case("no-token", "GET", SUBSCRIPTION, 401,
         lambda w: w.call("GET", at(SUBSCRIPTION, subscriptionId=w.subscription), None)),
    Case("stranger", "GET", SUBSCRIPTION, 403,
         lambda w: w.call("GET", at(SUBSCRIPTION, subscriptionId=w.subscription), "foreign")),
    Case("unknown", "GET", SUBSCRIPTION, 404,
         lambda w: w.call("GET", at(SUBSCRIPTION,
                                    subscriptionId="amzn1.ask-subscription.none"))),
    # update subscription
    Case("update", "PUT", SUBSCRIPTION, 204,
         lambda w: w.call("PUT", at(SUBSCRIPTION, subscriptionId=w.subscription),
                          json=UPDATE_SUBSCRIPTION)),
    Case("no-name", "PUT", SUBSCRIPTION, 400,
         lambda w: w.call("PUT", at(SUBSCRIPTION, subscriptionId=w.subscription),
                          json=dict(UPDATE_SUBSCRIPTION, name=""))),
    Case("no-token", "PUT", SUBSCRIPTION, 401,
         lambda w: w.call("PUT", at(SUBSCRIPTION, subscriptionId=w.subscription), None,
                          json=UPDATE_SUBSCRIPTION)),
    Case("other-client", "PUT", SUBSCRIPTION, 403,
         lambda w: w.call("PUT", at(SUBSCRIPTION, subscriptionId=w.subscription), "other",
                          json=UPDATE_SUBSCRIPTION)),
    Case("unknown", "PUT", SUBSCRIPTION, 404,
         lambda w: w.call("PUT", at(SUBSCRIPTION, subscriptionId="amzn1.ask-subscription.none"),
                          json=UPDATE_SUBSCRIPTION)),
    # delete subscription
    Case("delete", "DELETE", SUBSCRIPTION, 204,
         lambda w: w.call("DELETE", at(SUBSCRIPTION, subscriptionId=w.new_subscription()))),
    Case("malformed-id", "DELETE", SUBSCRIPTION, 400,
         lambda w: w.call("DELETE", at(SUBSCRIPTION, subscriptionId="not an id!"))),
    Case("no-token", "DELETE", SUBSCRIPTION, 401,
         lambda w: w.call("DELETE", at(SUBSCRIPTION, subscriptionId=w.subscription), None)),
    Case("stranger", "DELETE", SUBSCRIPTION, 403,
         lambda w: w.call("DELETE", at(SUBSCRIPTION, subscriptionId=w.subscription), "foreign")),
    Case("unknown", "DELETE", SUBSCRIPTION, 404,
         lambda w: w.call("DELETE", at(SUBSCRIPTION,
                                       subscriptionId="amzn1.ask-subscription.none"))),
    # vendors
    Case("vendors", "GET", VENDORS, 200, lambda w: w.call("GET", VENDORS)),
    Case("vendors-any-scope", "GET", VENDORS, 200, lambda w: w.call("GET", VENDORS, "noscope")),
    Case("no-token", "GET", VENDORS, 401, lambda w: w.call("GET", VENDORS, None)),
    Case("expired", "GET", VENDORS, 401, lambda w: w.call("GET", VENDORS, "Atza|expired")),
]


@pytest.mark.parametrize("case", CASES,
                         ids=[f"{c.method}-{c.template}-{c.status}-{c.name}" for c in CASES])
def test_answer_matches_the_swagger(contract, world, case):
    response = case.send(world)
    assert response.status_code == case.status, response.text
    contract.check_response(case.method, case.template, response)
    if response.status_code == 201:
        location = response.headers["Location"]
        assert location.startswith(case.template + "/")


def test_cases_cover_every_operation_and_declared_status(contract):
    """The Swagger's SDNS operations are exactly the ten the sandbox models, and the cases
    above reach each declared success and client-error status of each of them."""
    operations = {(method.upper(), path)
                  for path, item in contract.spec["paths"].items()
                  if path.startswith("/v0/developmentEvents/") or path == VENDORS
                  for method in item}
    sdns = {op for op in operations if op[1] != VENDORS}
    assert len(sdns) == 10, sorted(sdns)
    covered = {}
    for case in CASES:
        covered.setdefault((case.method, case.template), set()).add(str(case.status))
    assert set(covered) == operations
    for method, path in operations:
        declared = set(contract.operation(method, path)["responses"]) & CHECKED_STATUSES
        missing = declared - covered[(method, path)] - UNREACHABLE.get((method, path), set())
        assert not missing, f"{method} {path}: no case for {sorted(missing)}"
        undeclared = covered[(method, path)] - declared
        assert not undeclared, f"{method} {path}: cases expect undeclared {sorted(undeclared)}"


def test_paged_lists_carry_next_token_and_link(contract, world):
    answer = world.call("GET", SUBSCRIBERS, params={"vendorId": ORG_VENDOR, "maxResults": 1})
    body = answer.json()
    assert body["nextToken"] and body["_links"]["next"]["href"]
    contract.check_response("GET", SUBSCRIBERS, answer)
    following = world.call("GET", SUBSCRIBERS, params={"vendorId": ORG_VENDOR, "maxResults": 1,
                                                       "nextToken": body["nextToken"]})
    contract.check_response("GET", SUBSCRIBERS, following)
    assert following.json()["subscribers"] != body["subscribers"]


@pytest.mark.parametrize("method, template, body", [
    ("POST", SUBSCRIBERS, subscriber_body),
    ("PUT", SUBSCRIBER, update_subscriber_body),
    ("POST", SUBSCRIPTIONS, subscription_body),
    ("PUT", SUBSCRIPTION, lambda w: UPDATE_SUBSCRIPTION),
], ids=["create-subscriber", "update-subscriber", "create-subscription",
        "update-subscription"])
def test_the_bodies_the_sandbox_accepts_are_valid_requests(contract, world, method, template,
                                                           body):
    assert contract.check_request(method, template, body(world)) == []


def test_tightened_schemas_catch_extra_and_missing_properties(contract, world):
    """GET subscriber answers SubscriberInfo (no status, no clientId); the list answers
    SubscriberSummary. The tightened schemas tell them apart, so the checks above have teeth."""
    info_schema = {"$ref": "#/definitions/v0.developmentEvents.subscriber.SubscriberInfo"}
    summary_schema = {"$ref": "#/definitions/v0.developmentEvents.subscriber.SubscriberSummary"}
    info = world.call("GET", at(SUBSCRIBER, subscriberId=world.subscriber)).json()
    summary = dict(info, status="ACTIVE", clientId="amzn1.application-oa2-client.org")
    assert contract.problems(info_schema, info) == []
    assert contract.problems(summary_schema, summary) == []
    assert contract.problems(info_schema, summary)  # extra status and clientId
    assert contract.problems(summary_schema, info)  # missing status and clientId
    wrong_type = copy.deepcopy(info)
    wrong_type["endpoint"]["authorization"]["type"] = "OAUTH"
    assert contract.problems(info_schema, wrong_type)
    assert contract.problems({"$ref": "#/definitions/v0.Error"}, {"code": "NOT_FOUND"})


def test_foreign_vendor_sees_its_own_empty_lists(contract, world):
    for template in (SUBSCRIBERS, SUBSCRIPTIONS):
        answer = world.call("GET", template, "foreign", params={"vendorId": FOREIGN_VENDOR})
        assert answer.status_code == 200
        contract.check_response("GET", template, answer)
