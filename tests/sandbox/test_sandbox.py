# SPDX-License-Identifier: GPL-3.0-or-later
"""The sandbox's behaviour as the collection relies on it: LWA grants, scopes, the SDNS
authorization rules, pagination, and delivery through moto into SQS queues.

Runs the sandbox in-process on free ports with seeds/test.yml (the fixtures of conftest.py);
every test starts from the seed (admin reset), and every AWS resource gets a fresh name because
moto is not reset.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sandbox_testkit import (  # noqa: E402
    DEV1_VENDOR, DEV2_VENDOR, DEV3_USER, DEV3_VENDOR, FOREIGN_VENDOR, ORG_ADMIN, ORG_CLIENT,
    ORG_SECRET, ORG_VENDOR, OTHER_CLIENT, OTHER_SECRET, SCOPE, TEST_SEED, endpoint_body,
    trust_policy)

BASE = "/v0/developmentEvents"
SUBSCRIBERS = f"{BASE}/subscribers"
SUBSCRIPTIONS = f"{BASE}/subscriptions"
ORG_TOKEN = "Atza|org-access"


@pytest.fixture
def tokens(api):
    """Access tokens for the seeded refresh tokens, each through its own client."""
    return {
        "org": ORG_TOKEN,
        "other": api.refresh("Atzr|other-refresh", OTHER_CLIENT, OTHER_SECRET),
        "dev3": api.refresh("Atzr|dev3-refresh"),
        "foreign": api.refresh("Atzr|foreign-refresh", OTHER_CLIENT, OTHER_SECRET),
    }


def event(api, vendor_id, name, changed_by=ORG_CLIENT, **extra):
    body = dict(vendor_id=vendor_id, skill_id="amzn1.ask.skill.0000-test", event=name,
                status="SUCCEEDED", changed_by=changed_by, **extra)
    return api.admin("POST", "events", body)["deliveries"]


# -- LWA ---------------------------------------------------------------------------------------
def test_refresh_grant_issues_bearer_token_and_keeps_refresh_token(api):
    answer = api.lwa(grant_type="refresh_token", refresh_token="Atzr|org-refresh",
                     client_id=ORG_CLIENT, client_secret=ORG_SECRET)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["access_token"].startswith("Atza|")
    assert body["refresh_token"] == "Atzr|org-refresh"
    assert "X-Amzn-RequestId" in answer.headers
    vendors = api.smapi("GET", "/v1/vendors", body["access_token"])
    assert vendors.status_code == 200


# The official ASK CLI sends the grant as JSON; the ASK SDKs post to /auth/O2/token.
SPELLINGS = {"form": dict(), "json": dict(as_json=True), "capital-O": dict(path="/auth/O2/token"),
             "json-capital-O": dict(as_json=True, path="/auth/O2/token")}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_both_bodies_and_both_paths_grant_the_same(api, spelling):
    answer = api.lwa(grant_type="refresh_token", refresh_token="Atzr|org-refresh",
                     client_id=ORG_CLIENT, client_secret=ORG_SECRET, **SPELLINGS[spelling])
    assert answer.status_code == 200, answer.text
    assert answer.json()["refresh_token"] == "Atzr|org-refresh"
    assert api.smapi("GET", "/v1/vendors", answer.json()["access_token"]).status_code == 200
    redirect = "https://org.example.com/callback"
    code = api.admin("POST", "authorize", {"client_id": ORG_CLIENT, "user_id": DEV3_USER,
                                           "scopes": [SCOPE], "redirect_uri": redirect})["code"]
    exchanged = api.lwa(grant_type="authorization_code", code=code, redirect_uri=redirect,
                        client_id=ORG_CLIENT, client_secret=ORG_SECRET, **SPELLINGS[spelling])
    assert exchanged.status_code == 200, exchanged.text
    assert exchanged.json()["refresh_token"].startswith("Atzr|")


@pytest.mark.parametrize("body, content_type", [
    ('["refresh_token"]', "application/json"), ('{"grant_type": 1}', "application/json"),
    ("{not json", "application/json"), ("grant_type=refresh_token", "text/plain"),
], ids=["json-list", "json-number", "not-json", "text"])
def test_other_bodies_are_invalid_requests(api, body, content_type):
    answer = api.http.post(api.lwa_url + "/auth/o2/token", data=body, timeout=30,
                           headers={"Content-Type": content_type})
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("form, status, error", [
    ({"refresh_token": "Atzr|org-refresh", "client_secret": "wrong"}, 401, "invalid_client"),
    ({"refresh_token": "Atzr|org-refresh", "client_id": "amzn1.application-oa2-client.nope"},
     401, "invalid_client"),
    ({"refresh_token": "Atzr|unknown"}, 400, "invalid_grant"),
    # A refresh token works only with the client it was issued to.
    ({"refresh_token": "Atzr|other-refresh"}, 400, "invalid_grant"),
    ({"refresh_token": ""}, 400, "invalid_request"),
    ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
    ({"grant_type": ""}, 400, "invalid_request"),
], ids=["wrong-secret", "unknown-client", "unknown-token", "other-clients-token",
        "missing-token", "unsupported-grant", "missing-grant"])
def test_lwa_errors(api, spelling, form, status, error):
    full = {"grant_type": "refresh_token", "client_id": ORG_CLIENT, "client_secret": ORG_SECRET}
    full.update(form)
    answer = api.lwa(**{k: v for k, v in full.items() if v != ""}, **SPELLINGS[spelling])
    assert answer.status_code == status
    assert answer.json()["error"] == error
    assert answer.json()["error_description"]


def test_authorization_code_grant_once_and_only_with_its_redirect_uri(api):
    redirect = "https://org.example.com/callback"
    code = api.admin("POST", "authorize", {"client_id": ORG_CLIENT, "user_id": DEV3_USER,
                                           "scopes": [SCOPE], "redirect_uri": redirect})["code"]
    form = dict(grant_type="authorization_code", code=code, client_id=ORG_CLIENT,
                client_secret=ORG_SECRET)
    wrong = api.lwa(**form, redirect_uri="https://localhost/callback")
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    other = api.lwa(**dict(form, client_id=OTHER_CLIENT, client_secret=OTHER_SECRET),
                    redirect_uri=redirect)
    assert (other.status_code, other.json()["error"]) == (400, "invalid_grant")

    first = api.lwa(**form, redirect_uri=redirect)
    assert first.status_code == 200, first.text
    tokens = first.json()
    assert tokens["refresh_token"].startswith("Atzr|")
    vendors = api.smapi("GET", "/v1/vendors", tokens["access_token"]).json()["vendors"]
    assert [v["id"] for v in vendors] == [DEV3_VENDOR]
    again = api.lwa(**form, redirect_uri=redirect)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    # The new refresh token belongs to the organization's client and refreshes there.
    assert api.refresh(tokens["refresh_token"]).startswith("Atza|")


# -- tokens and scopes -------------------------------------------------------------------------
@pytest.mark.parametrize("token", [None, "Atza|unknown", "Atza|expired"])
def test_missing_unknown_or_expired_token_is_401(api, token):
    for method, path in (("GET", f"{SUBSCRIBERS}?vendorId={ORG_VENDOR}"),
                         ("GET", "/v1/vendors")):
        answer = api.smapi(method, path, token)
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert "invalid or expired" in answer.json()["message"]


def test_sdns_needs_the_subscriptions_scope(api, aws):
    refreshed = api.refresh("Atzr|org-noscope")
    for token in ("Atza|org-noscope-access", refreshed):
        answer = api.smapi("GET", SUBSCRIBERS, token, params={"vendorId": ORG_VENDOR})
        assert answer.status_code == 403
        assert answer.json()["message"] == "User has not consented to this operation."
        # The vendor API needs no particular scope.
        assert api.smapi("GET", "/v1/vendors", token).status_code == 200
    # Create subscriber declares no 403 in the Swagger: the sandbox answers 401 there.
    endpoint = aws.endpoint(ORG_VENDOR)
    answer = api.smapi("POST", SUBSCRIBERS, refreshed,
                       json={"name": "x", "vendorId": ORG_VENDOR,
                             "endpoint": endpoint_body(endpoint)})
    assert answer.status_code == 401
    assert answer.json()["message"] == "User has not consented to this operation."


def test_vendors_lists_the_users_vendors_with_roles(api):
    vendors = api.smapi("GET", "/v1/vendors", ORG_TOKEN).json()["vendors"]
    assert {v["id"] for v in vendors} == {ORG_VENDOR, DEV1_VENDOR, DEV2_VENDOR}
    assert all(v["roles"] == ["ROLE_ADMINISTRATOR"] and v["name"] for v in vendors)


# -- subscriber CRUD -------------------------------------------------------------------------
def test_subscriber_lifecycle_and_shapes(api, aws):
    endpoint = aws.endpoint(ORG_VENDOR)
    answer = api.smapi("POST", SUBSCRIBERS, ORG_TOKEN,
                       json={"name": "org-topic", "vendorId": ORG_VENDOR,
                             "endpoint": endpoint_body(endpoint)})
    assert answer.status_code == 201
    assert answer.content == b""
    location = answer.headers["Location"]
    assert location.startswith(f"{SUBSCRIBERS}/amzn1.ask-subscriber.")
    subscriber_id = location.rsplit("/", 1)[-1]

    info = api.smapi("GET", location, ORG_TOKEN).json()
    assert info == {"subscriberId": subscriber_id, "name": "org-topic",
                    "endpoint": endpoint_body(endpoint)}
    listed = api.smapi("GET", SUBSCRIBERS, ORG_TOKEN, params={"vendorId": ORG_VENDOR}).json()
    assert listed["subscribers"] == [dict(info, status="ACTIVE", clientId=ORG_CLIENT)]
    assert "nextToken" not in listed and "next" not in listed["_links"]

    update = api.smapi("PUT", location, ORG_TOKEN,
                       json={"name": "renamed", "endpoint": endpoint_body(endpoint)})
    assert (update.status_code, update.content) == (204, b"")
    assert api.smapi("GET", location, ORG_TOKEN).json()["name"] == "renamed"
    # Duplicate names are not rejected: there is no 409 in SMAPI.
    api.create_subscriber(ORG_TOKEN, ORG_VENDOR, endpoint, name="renamed")

    assert api.smapi("DELETE", location, ORG_TOKEN).status_code == 204
    gone = api.smapi("GET", location, ORG_TOKEN)
    assert gone.status_code == 404 and gone.json()["code"] == "NOT_FOUND"


def test_deleting_a_subscriber_removes_its_subscriptions(api, aws):
    subscriber_id = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, aws.endpoint(ORG_VENDOR))
    subscription_id = api.create_subscription(ORG_TOKEN, ORG_VENDOR, subscriber_id,
                                              ["AlexaDevelopmentEvent.All"])
    api.smapi("DELETE", f"{SUBSCRIBERS}/{subscriber_id}", ORG_TOKEN)
    assert api.smapi("GET", f"{SUBSCRIPTIONS}/{subscription_id}",
                     ORG_TOKEN).status_code == 404


GOOD_TOPIC = "arn:aws:sns:us-east-1:123456789012:t"
GOOD_ROLE = "arn:aws:iam::123456789012:role/r"


def subscriber_body(**changes):
    body = {"name": "n", "vendorId": ORG_VENDOR,
            "endpoint": {"uri": GOOD_TOPIC, "authorization": {"type": "AWS_IAM",
                                                              "arn": GOOD_ROLE}}}
    for key, value in changes.items():
        if key == "uri":
            body["endpoint"]["uri"] = value
        elif key in ("type", "arn"):
            body["endpoint"]["authorization"][key] = value
        elif value is None:
            body.pop(key)
        else:
            body[key] = value
    return body


@pytest.mark.parametrize("body, field", [
    (subscriber_body(name=None), "name"),
    (subscriber_body(name=""), "name"),
    (subscriber_body(name="x" * 256), "name"),
    (subscriber_body(vendorId=None), "vendorId"),
    (subscriber_body(vendorId="V" * 256), "vendorId"),
    (subscriber_body(endpoint=None), "endpoint"),
    (subscriber_body(uri="https://example.com/hook"), "endpoint.uri"),
    (subscriber_body(uri="arn:aws:sqs:us-east-1:123456789012:q"), "endpoint.uri"),
    (subscriber_body(type="OAUTH"), "endpoint.authorization.type"),
    (subscriber_body(arn="arn:aws:iam::123456789012:user/u"), "endpoint.authorization.arn"),
])
def test_invalid_subscriber_bodies_are_400_naming_the_field(api, body, field):
    answer = api.smapi("POST", SUBSCRIBERS, ORG_TOKEN, json=body)
    assert answer.status_code == 400
    violations = answer.json()["violations"]
    assert any(v["message"].startswith(f"{field}:") and v["code"] for v in violations)
    assert field in answer.json()["message"]


@pytest.mark.parametrize("events, fragment", [
    ([], "non-empty"),
    (["AlexaDevelopmentEvent.Nope"], "unknown event"),
    (["AlexaDevelopmentEvent.All", "AlexaDevelopmentEvent.SkillPublish"], "combined"),
    (["ALL", "AlexaDevelopmentEvent.ManifestUpdate"], "combined"),
])
def test_invalid_events_are_400(api, aws, events, fragment):
    subscriber_id = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, aws.endpoint(ORG_VENDOR))
    answer = api.smapi("POST", SUBSCRIPTIONS, ORG_TOKEN,
                       json={"name": "s", "vendorId": ORG_VENDOR, "subscriberId": subscriber_id,
                             "events": events})
    assert answer.status_code == 400
    assert fragment in answer.json()["violations"][0]["message"]


def test_all_wildcard_may_accompany_review_events_and_alias_is_normalised(api, aws):
    subscriber_id = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, aws.endpoint(ORG_VENDOR))
    subscription_id = api.create_subscription(
        ORG_TOKEN, ORG_VENDOR, subscriber_id,
        ["ALL", "AlexaCustomerFeedbackEvent.SkillReviewPublish"])
    got = api.smapi("GET", f"{SUBSCRIPTIONS}/{subscription_id}", ORG_TOKEN).json()
    assert got["events"] == ["AlexaDevelopmentEvent.All",
                             "AlexaCustomerFeedbackEvent.SkillReviewPublish"]


@pytest.mark.parametrize("query, field", [
    ({}, "vendorId"),
    ({"vendorId": ORG_VENDOR, "maxResults": "0"}, "maxResults"),
    ({"vendorId": ORG_VENDOR, "maxResults": "51"}, "maxResults"),
    ({"vendorId": ORG_VENDOR, "maxResults": "ten"}, "maxResults"),
    ({"vendorId": ORG_VENDOR, "nextToken": "not-a-token"}, "nextToken"),
])
def test_invalid_list_parameters_are_400(api, query, field):
    for path in (SUBSCRIBERS, SUBSCRIPTIONS):
        answer = api.smapi("GET", path, ORG_TOKEN, params=query)
        assert answer.status_code == 400
        assert answer.json()["violations"][0]["message"].startswith(f"{field}:")


def test_unknown_ids_are_404(api):
    for method, path in (("GET", f"{SUBSCRIBERS}/amzn1.ask-subscriber.nope"),
                         ("DELETE", f"{SUBSCRIBERS}/amzn1.ask-subscriber.nope"),
                         ("GET", f"{SUBSCRIPTIONS}/amzn1.ask-subscription.nope"),
                         ("DELETE", f"{SUBSCRIPTIONS}/amzn1.ask-subscription.nope")):
        answer = api.smapi(method, path, ORG_TOKEN)
        assert answer.status_code == 404
        assert answer.json()["code"] == "NOT_FOUND"
    answer = api.smapi("POST", SUBSCRIPTIONS, ORG_TOKEN,
                       json={"name": "s", "vendorId": ORG_VENDOR, "events": ["ALL"],
                             "subscriberId": "amzn1.ask-subscriber.nope"})
    assert answer.status_code == 404


# -- authorization -------------------------------------------------------------------------------
def test_user_must_belong_to_the_named_vendor(api, aws, tokens):
    answer = api.smapi("GET", SUBSCRIBERS, tokens["foreign"], params={"vendorId": ORG_VENDOR})
    assert answer.status_code == 403
    assert ORG_VENDOR in answer.json()["message"]
    answer = api.smapi("GET", SUBSCRIPTIONS, tokens["foreign"], params={"vendorId": ORG_VENDOR})
    assert answer.status_code == 403
    answer = api.smapi("POST", SUBSCRIBERS, tokens["foreign"],
                       json={"name": "x", "vendorId": ORG_VENDOR,
                             "endpoint": endpoint_body(aws.endpoint(ORG_VENDOR))})
    assert answer.status_code == 401  # create subscriber declares no 403


def test_only_the_creating_client_changes_a_subscriber(api, aws, tokens):
    endpoint = aws.endpoint(ORG_VENDOR)
    subscriber_id = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, endpoint)
    path = f"{SUBSCRIBERS}/{subscriber_id}"
    body = {"name": "taken over", "endpoint": endpoint_body(endpoint)}
    # Same user, other security profile: may read, may not change.
    assert api.smapi("GET", path, tokens["other"]).status_code == 200
    assert api.smapi("PUT", path, tokens["other"], json=body).status_code == 403
    assert api.smapi("DELETE", path, tokens["other"]).status_code == 403
    # A developer with the organization's client is not a user of the organization's vendor.
    assert api.smapi("DELETE", path, tokens["dev3"]).status_code == 403
    assert api.smapi("GET", path, tokens["foreign"]).status_code == 403
    assert api.smapi("PUT", path, ORG_TOKEN, json=body).status_code == 204


def test_subscription_needs_subscribers_client_and_publishing_vendor(api, aws, tokens):
    subscriber_id = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, aws.endpoint(ORG_VENDOR))

    def create(token, vendor_id):
        return api.smapi("POST", SUBSCRIPTIONS, token,
                         json={"name": "s", "vendorId": vendor_id,
                               "subscriberId": subscriber_id,
                               "events": ["AlexaDevelopmentEvent.All"]})

    # The organization for an associated developer's vendor: allowed.
    assert create(ORG_TOKEN, DEV1_VENDOR).status_code == 201
    # ... but not for a vendor its user does not belong to.
    assert create(ORG_TOKEN, DEV3_VENDOR).status_code == 403
    # Same user, other client: not the subscriber's client.
    assert create(tokens["other"], ORG_VENDOR).status_code == 403
    # A foreign vendor's own token cannot attach itself to the organization's subscriber.
    assert create(tokens["foreign"], FOREIGN_VENDOR).status_code == 403
    # A developer with the organization-issued token: own vendor yes, organization's no.
    assert create(tokens["dev3"], ORG_VENDOR).status_code == 403
    created = create(tokens["dev3"], DEV3_VENDOR)
    assert created.status_code == 201
    path = created.headers["Location"]
    assert path.startswith(f"{SUBSCRIPTIONS}/amzn1.ask-subscription.")

    # Either side reads; strangers do not.
    assert api.smapi("GET", path, tokens["dev3"]).json()["vendorId"] == DEV3_VENDOR
    assert api.smapi("GET", path, ORG_TOKEN).status_code == 200
    assert api.smapi("GET", path, tokens["foreign"]).status_code == 403
    # Updating needs both sides: the organization's user is not in the developer's vendor.
    update = {"name": "renamed", "events": ["AlexaDevelopmentEvent.SkillPublish"]}
    assert api.smapi("PUT", path, ORG_TOKEN, json=update).status_code == 403
    assert api.smapi("PUT", path, tokens["dev3"], json=update).status_code == 204
    moved = dict(update, subscriberId="amzn1.ask-subscriber.other")
    assert api.smapi("PUT", path, tokens["dev3"], json=moved).status_code == 400
    # Either side deletes.
    assert api.smapi("DELETE", path, tokens["foreign"]).status_code == 403
    assert api.smapi("DELETE", path, ORG_TOKEN).status_code == 204


def test_list_subscriptions_by_publisher_or_owner_and_subscriber(api, aws, tokens):
    org_subscriber = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, aws.endpoint(ORG_VENDOR))
    dev1_subscriber = api.create_subscriber(ORG_TOKEN, DEV1_VENDOR, aws.endpoint(DEV1_VENDOR))
    own = api.create_subscription(ORG_TOKEN, ORG_VENDOR, org_subscriber, ["ALL"])
    for_dev1 = api.create_subscription(ORG_TOKEN, DEV1_VENDOR, org_subscriber, ["ALL"])
    for_dev3 = api.create_subscription(tokens["dev3"], DEV3_VENDOR, org_subscriber, ["ALL"])
    dev1_own = api.create_subscription(ORG_TOKEN, DEV1_VENDOR, dev1_subscriber, ["ALL"])

    def listed(token, vendor_id, **extra):
        answer = api.smapi("GET", SUBSCRIPTIONS, token, params=dict(vendorId=vendor_id, **extra))
        assert answer.status_code == 200, answer.text
        return [s["subscriptionId"] for s in answer.json()["subscriptions"]]

    assert listed(ORG_TOKEN, ORG_VENDOR) == [own, for_dev1, for_dev3]
    assert listed(ORG_TOKEN, DEV1_VENDOR) == [for_dev1, dev1_own]
    assert listed(ORG_TOKEN, DEV1_VENDOR, subscriberId=dev1_subscriber) == [dev1_own]
    assert listed(tokens["dev3"], DEV3_VENDOR) == [for_dev3]
    missing = api.smapi("GET", SUBSCRIPTIONS, ORG_TOKEN,
                        params={"vendorId": ORG_VENDOR, "subscriberId": "amzn1.nope"})
    assert missing.status_code == 404


# -- pagination --------------------------------------------------------------------------------
def test_pagination_with_a_small_page_size(api, aws):
    api.admin("POST", "config", {"max_page_size": 2})
    endpoint = aws.endpoint(ORG_VENDOR)
    created = [api.create_subscriber(ORG_TOKEN, ORG_VENDOR, endpoint, name=f"s{i}")
               for i in range(5)]
    api.create_subscriber(ORG_TOKEN, DEV1_VENDOR, endpoint, name="elsewhere")

    seen, sizes, params = [], [], {"vendorId": ORG_VENDOR}
    while True:
        page = api.smapi("GET", SUBSCRIBERS, ORG_TOKEN, params=params).json()
        sizes.append(len(page["subscribers"]))
        seen += [s["subscriberId"] for s in page["subscribers"]]
        assert page["_links"]["self"]["href"].startswith(f"{SUBSCRIBERS}?vendorId={ORG_VENDOR}")
        if "nextToken" not in page:
            assert "next" not in page["_links"]
            break
        assert "nextToken=" in page["_links"]["next"]["href"]
        params = {"vendorId": ORG_VENDOR, "nextToken": page["nextToken"]}
    assert sizes == [2, 2, 1]
    assert seen == created

    # maxResults below the cap wins; a token belongs to its query.
    first = api.smapi("GET", SUBSCRIBERS, ORG_TOKEN,
                      params={"vendorId": ORG_VENDOR, "maxResults": 1}).json()
    assert len(first["subscribers"]) == 1
    foreign_use = api.smapi("GET", SUBSCRIBERS, ORG_TOKEN,
                            params={"vendorId": DEV1_VENDOR, "nextToken": first["nextToken"]})
    assert foreign_use.status_code == 400


def test_subscription_pages(api, aws):
    api.admin("POST", "config", {"max_page_size": 2})
    subscriber_id = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, aws.endpoint(ORG_VENDOR))
    created = [api.create_subscription(ORG_TOKEN, ORG_VENDOR, subscriber_id, ["ALL"])
               for dummy in range(3)]
    page = api.smapi("GET", SUBSCRIPTIONS, ORG_TOKEN, params={"vendorId": ORG_VENDOR}).json()
    rest = api.smapi("GET", SUBSCRIPTIONS, ORG_TOKEN,
                     params={"vendorId": ORG_VENDOR, "nextToken": page["nextToken"]}).json()
    assert [s["subscriptionId"] for s in page["subscriptions"] + rest["subscriptions"]] == created
    assert "nextToken" not in rest


# -- delivery ----------------------------------------------------------------------------------
def test_creating_a_subscriber_publishes_an_empty_object(api, aws):
    endpoint = aws.endpoint(ORG_VENDOR)
    subscriber_id = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, endpoint)
    assert aws.messages(endpoint) == ["{}"]
    delivery = api.admin("GET", "deliveries")["deliveries"][-1]
    assert delivery["subscriber_id"] == subscriber_id and delivery["delivered"] is True
    assert delivery["message"] == "{}"


def test_event_reaches_only_the_matching_subscribers_topic(api, aws):
    dev1_endpoint, dev2_endpoint = aws.endpoint(ORG_VENDOR), aws.endpoint(ORG_VENDOR)
    dev1_subscriber = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, dev1_endpoint)
    dev2_subscriber = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, dev2_endpoint)
    aws.messages(dev1_endpoint), aws.messages(dev2_endpoint)  # drop the {} of create
    dev1_subscription = api.create_subscription(ORG_TOKEN, DEV1_VENDOR, dev1_subscriber,
                                                ["AlexaDevelopmentEvent.ManifestUpdate"])
    dev2_subscription = api.create_subscription(ORG_TOKEN, DEV2_VENDOR, dev2_subscriber,
                                                ["AlexaDevelopmentEvent.All"])

    deliveries = event(api, DEV1_VENDOR, "AlexaDevelopmentEvent.ManifestUpdate")
    assert deliveries == [{"subscriber_id": dev1_subscriber,
                           "subscription_id": dev1_subscription,
                           "topic_arn": dev1_endpoint["topic_arn"], "delivered": True,
                           "reason": None}]
    assert aws.messages(dev2_endpoint) == []
    [raw] = aws.messages(dev1_endpoint)
    message = json.loads(raw)
    assert message["eventName"] == "AlexaDevelopmentEvent.ManifestUpdate"
    assert message["timestamp"].endswith("Z") and message["requestId"]
    assert message["payload"] == {
        "status": "SUCCEEDED", "actor": {"customerId": ORG_ADMIN},
        "skill": {"skillId": "amzn1.ask.skill.0000-test", "vendorId": DEV1_VENDOR},
        "subscription": {"subscriptionId": dev1_subscription}}

    # An event the subscription did not ask for goes nowhere.
    assert event(api, DEV1_VENDOR, "AlexaDevelopmentEvent.SkillPublish") == []
    # `All` covers the interaction model event, which names its locale ...
    [delivery] = event(api, DEV2_VENDOR, "AlexaDevelopmentEvent.InteractionModelUpdate",
                       locale="de-DE")
    assert delivery["subscription_id"] == dev2_subscription
    payload = json.loads(aws.messages(dev2_endpoint)[0])["payload"]
    assert payload["interactionModel"] == {"skillId": "amzn1.ask.skill.0000-test",
                                           "vendorId": DEV2_VENDOR, "locale": "de-DE"}
    assert "skill" not in payload
    # ... but not customer reviews.
    assert event(api, DEV2_VENDOR, "AlexaCustomerFeedbackEvent.SkillReviewPublish") == []
    assert aws.messages(dev1_endpoint) == []


def test_review_notification_shape(api, aws):
    endpoint = aws.endpoint(ORG_VENDOR)
    subscriber_id = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, endpoint)
    aws.messages(endpoint)
    subscription_id = api.create_subscription(
        ORG_TOKEN, ORG_VENDOR, subscriber_id, ["AlexaCustomerFeedbackEvent.SkillReviewPublish"])
    event(api, ORG_VENDOR, "AlexaCustomerFeedbackEvent.SkillReviewPublish", star_rating=4)
    message = json.loads(aws.messages(endpoint)[0])
    assert "requestId" not in message
    assert message["payload"]["subscription"] == {"subscriptionId": subscription_id}
    assert message["payload"]["review"]["starRating"] == "4"
    assert message["payload"]["review"]["reviewId"] and message["payload"]["review"]["url"]


@pytest.mark.parametrize("changed_by", ["console", OTHER_CLIENT])
def test_changes_from_console_or_another_client_notify_no_one(api, aws, changed_by):
    endpoint = aws.endpoint(ORG_VENDOR)
    subscriber_id = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, endpoint)
    aws.messages(endpoint)
    api.create_subscription(ORG_TOKEN, ORG_VENDOR, subscriber_id, ["ALL"])
    assert event(api, ORG_VENDOR, "AlexaDevelopmentEvent.SkillPublish", changed_by) == []
    assert aws.messages(endpoint) == []


def test_broken_trust_policy_deactivates_and_update_reactivates(api, aws):
    endpoint = aws.endpoint(ORG_VENDOR)
    subscriber_id = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, endpoint)
    aws.messages(endpoint)
    api.create_subscription(ORG_TOKEN, ORG_VENDOR, subscriber_id, ["ALL"])
    assert api.subscriber_status(ORG_TOKEN, ORG_VENDOR, subscriber_id) == "ACTIVE"

    aws.iam.update_assume_role_policy(RoleName=endpoint["name"],
                                      PolicyDocument=json.dumps(trust_policy("M2DEVVENDOR1")))
    [failed] = event(api, ORG_VENDOR, "AlexaDevelopmentEvent.SkillPublish")
    assert failed["delivered"] is False
    assert "258925066295" in failed["reason"] and f"ExternalId {ORG_VENDOR}" in failed["reason"]
    assert api.subscriber_status(ORG_TOKEN, ORG_VENDOR, subscriber_id) == "INACTIVE"
    # An INACTIVE subscriber hears nothing, even once the cause is fixed ...
    aws.iam.update_assume_role_policy(RoleName=endpoint["name"],
                                      PolicyDocument=json.dumps(trust_policy(ORG_VENDOR)))
    assert event(api, ORG_VENDOR, "AlexaDevelopmentEvent.SkillPublish") == []
    # ... until its owner updates it, even with unchanged values.
    assert api.smapi("PUT", f"{SUBSCRIBERS}/{subscriber_id}", ORG_TOKEN,
                     json={"name": "subscriber",
                           "endpoint": endpoint_body(endpoint)}).status_code == 204
    assert api.subscriber_status(ORG_TOKEN, ORG_VENDOR, subscriber_id) == "ACTIVE"
    [delivered] = event(api, ORG_VENDOR, "AlexaDevelopmentEvent.SkillPublish")
    assert delivered["delivered"] is True
    assert json.loads(aws.messages(endpoint)[0])["eventName"] == \
        "AlexaDevelopmentEvent.SkillPublish"


def _first_delivery_reason(api, endpoint, vendor_id=ORG_VENDOR):
    subscriber_id = api.create_subscriber(ORG_TOKEN, vendor_id, endpoint)
    delivery = api.admin("GET", "deliveries")["deliveries"][-1]
    assert delivery["subscriber_id"] == subscriber_id
    return api.subscriber_status(ORG_TOKEN, vendor_id, subscriber_id), delivery["reason"]


def test_failed_first_delivery_creates_the_subscriber_inactive(api, aws):
    wrong_id = aws.endpoint(ORG_VENDOR, external_id=DEV1_VENDOR)
    status, reason = _first_delivery_reason(api, wrong_id)
    assert status == "INACTIVE"
    assert f"does not allow 258925066295 with ExternalId {ORG_VENDOR}" in reason
    assert aws.messages(wrong_id) == []

    no_publish = aws.endpoint(ORG_VENDOR, publish=False)
    status, reason = _first_delivery_reason(api, no_publish)
    assert status == "INACTIVE" and "allows sns:Publish" in reason

    missing_topic = dict(aws.endpoint(ORG_VENDOR), topic_arn="arn:aws:sns:us-east-1:"
                                                             "123456789012:no-such-topic")
    status, reason = _first_delivery_reason(api, missing_topic)
    assert status == "INACTIVE" and "no-such-topic does not exist" in reason

    missing_role = dict(aws.endpoint(ORG_VENDOR),
                        role_arn="arn:aws:iam::123456789012:role/no-such-role")
    status, reason = _first_delivery_reason(api, missing_role)
    assert status == "INACTIVE" and "no-such-role does not exist" in reason


def test_publish_permission_with_wildcards_and_managed_policies(api, aws):
    endpoint = aws.endpoint(ORG_VENDOR, publish=False)
    policy = aws.iam.create_policy(
        PolicyName=f"{endpoint['name']}-managed",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sns:*",
             "Resource": "arn:aws:sns:us-east-1:123456789012:sdns-*"}]}))
    aws.iam.attach_role_policy(RoleName=endpoint["name"], PolicyArn=policy["Policy"]["Arn"])
    status, reason = _first_delivery_reason(api, endpoint)
    assert (status, reason) == ("ACTIVE", None)
    assert aws.messages(endpoint) == ["{}"]


def test_kms_encrypted_topic_needs_key_permissions(api, aws):
    key_id = aws.kms.create_key()["KeyMetadata"]["KeyId"]
    without = aws.endpoint(ORG_VENDOR, kms_key=key_id, kms_grant=False)
    status, reason = _first_delivery_reason(api, without)
    assert status == "INACTIVE" and "kms:GenerateDataKey" in reason

    granted = aws.endpoint(ORG_VENDOR, kms_key=key_id)
    assert _first_delivery_reason(api, granted) == ("ACTIVE", None)
    # The AWS-managed key needs no grant.
    managed = aws.endpoint(ORG_VENDOR, kms_key="alias/aws/sns", kms_grant=False)
    assert _first_delivery_reason(api, managed) == ("ACTIVE", None)


# -- admin bookkeeping -------------------------------------------------------------------------
def test_request_log_counters_and_reset(api, aws):
    api.smapi("DELETE", "/_sandbox/requests")
    api.smapi("GET", SUBSCRIBERS, ORG_TOKEN, params={"vendorId": ORG_VENDOR})
    subscriber_id = api.create_subscriber(ORG_TOKEN, ORG_VENDOR, aws.endpoint(ORG_VENDOR))
    api.smapi("GET", f"{SUBSCRIBERS}/{subscriber_id}", "Atza|expired")
    api.refresh("Atzr|org-refresh")

    log = api.admin("GET", "requests")["requests"]
    assert [(r["method"], r["path"], r["status"], r["client_id"]) for r in log] == [
        ("GET", SUBSCRIBERS, 200, ORG_CLIENT),
        ("POST", SUBSCRIBERS, 201, ORG_CLIENT),
        ("GET", f"{SUBSCRIBERS}/{subscriber_id}", 401, None),
        ("POST", "/auth/o2/token", 200, ORG_CLIENT),
    ]
    assert log[0]["query"] == {"vendorId": ORG_VENDOR}
    counters = api.admin("GET", "counters")
    assert counters["writes"] == 1 and counters["total"] >= 4
    assert counters["by_route"][f"POST {SUBSCRIBERS} 201"] == 1
    assert counters["by_route"][f"GET {SUBSCRIBERS}/{{subscriberId}} 401"] == 1

    state = api.admin("GET", "state")
    assert [s["subscriberId"] for s in state["subscribers"]] == [subscriber_id]
    api.admin("POST", "reset")
    assert api.admin("GET", "state")["subscribers"] == []
    assert api.admin("GET", "requests")["requests"] == []
    assert api.admin("GET", "counters") == {"total": 0, "writes": 0, "write_attempts": 0, "by_route": {},
                                            "by_kind": {"token": 0, "read": 0, "write": 0},
                                            "throttled": 0}
    assert api.admin("GET", "deliveries")["deliveries"] == []


def test_admin_minted_tokens_follow_their_scopes(api):
    minted = api.admin("POST", "tokens", {"client_id": ORG_CLIENT, "user_id": DEV3_USER,
                                          "scopes": [SCOPE]})
    ok = api.smapi("GET", SUBSCRIBERS, minted["access_token"],
                   params={"vendorId": DEV3_VENDOR})
    assert ok.status_code == 200
    expired = api.admin("POST", "tokens", {"client_id": ORG_CLIENT, "user_id": DEV3_USER,
                                           "scopes": [SCOPE], "expires_in": 0})
    assert api.smapi("GET", "/v1/vendors", expired["access_token"]).status_code == 401
    assert api.refresh(expired["refresh_token"]).startswith("Atza|")


def test_every_minted_token_is_listed_until_the_reset(api):
    assert api.admin("GET", "tokens") == {"tokens": []}  # the seed's are not
    refreshed = api.refresh("Atzr|org-refresh")
    minted = api.admin("POST", "tokens", {"client_id": ORG_CLIENT, "user_id": DEV3_USER,
                                          "scopes": [SCOPE]})
    redirect = "https://org.example.com/callback"
    code = api.admin("POST", "authorize", {"client_id": ORG_CLIENT, "user_id": DEV3_USER,
                                           "scopes": [SCOPE], "redirect_uri": redirect})["code"]
    exchanged = api.lwa(grant_type="authorization_code", code=code, redirect_uri=redirect,
                        client_id=ORG_CLIENT, client_secret=ORG_SECRET).json()
    listed = api.admin("GET", "tokens")["tokens"]
    assert [(t["token"], t["kind"]) for t in listed] == [
        (refreshed, "access"),  # a refresh grant mints no refresh token
        (minted["access_token"], "access"), (minted["refresh_token"], "refresh"),
        (exchanged["access_token"], "access"), (exchanged["refresh_token"], "refresh")]
    assert {(t["client_id"], t["user_id"]) for t in listed[1:]} == {(ORG_CLIENT, DEV3_USER)}
    assert (listed[0]["client_id"], listed[0]["user_id"]) == (ORG_CLIENT, ORG_ADMIN)
    api.admin("POST", "reset")
    assert api.admin("GET", "tokens") == {"tokens": []}


def test_every_response_carries_a_request_id(api):
    for answer in (api.smapi("GET", "/v1/vendors", ORG_TOKEN), api.smapi("GET", "/v1/vendors"),
                   api.smapi("GET", "/nowhere", ORG_TOKEN), api.lwa(grant_type="password")):
        assert answer.headers["X-Amzn-RequestId"]


# -- the command line --------------------------------------------------------------------------
def test_command_line_prints_environment_and_stops_on_sigterm(tmp_path):
    env_file = tmp_path / "sandbox.env"
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sandbox.py")
    process = subprocess.Popen(
        [sys.executable, script, "--seed", TEST_SEED, "--smapi-port", "0", "--lwa-port", "0",
         "--moto-port", "0", "--env-file", str(env_file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [process.stdout.readline() for dummy in range(7)]
        names = [line.split("=", 1)[0] for line in lines]
        assert names == [f"export {n}" for n in (
            "ASK_SMAPI_SERVER_BASE_URL", "ASK_LWA_TOKEN_HOST", "AWS_URL", "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION")]
        assert env_file.read_text() == "".join(lines)
        smapi_url = lines[0].strip().split("=", 1)[1]
        assert not smapi_url.endswith(":0")
        assert requests.get(f"{smapi_url}/v1/vendors", timeout=10,
                            headers={"Authorization": f"Bearer {ORG_TOKEN}"}).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        deadline = time.time() + 15
        while process.poll() is None and time.time() < deadline:
            time.sleep(0.1)
    assert process.returncode == 0, process.stderr.read()
