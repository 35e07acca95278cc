# SPDX-License-Identifier: GPL-3.0-or-later
"""The SMAPI side: the ten /v0/developmentEvents operations and GET /v1/vendors.

Checks run in the order a caller can fix them: token (401), scope (403), request shape (400),
existence (404), then rights (403). Status codes stay within what each operation declares in
the official Swagger document (create subscriber declares neither 403 nor 404).
"""

import base64
import binascii
import hmac
import json
import re
import time
from urllib.parse import urlencode

import sandbox_authz as authz
import sandbox_events as events
from sandbox_http import ApiError, Reply, Route
from sandbox_state import STATUS_ACTIVE, Subscriber, Subscription

BASE = "/v0/developmentEvents"
MAX_NAME = 255
MAX_VENDOR_ID = 255
MAX_PAGE = 50
NEXT_TOKEN_LIFETIME = 24 * 3600  # "Token has expiry of 24 hours" (Swagger)
TOPIC_ARN = re.compile(r"^arn:aws:sns:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9_-]{1,256}$")
ROLE_ARN = re.compile(r"^arn:aws:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
# unverified: how strictly SMAPI checks the "Amazon Common Identifier" format. The sandbox
# only refuses what cannot be an identifier at all, so unknown but plausible IDs get a 404.
IDENTIFIER = re.compile(r"^[A-Za-z0-9._-]{1,255}$")
INVALID_TOKEN = "Token is invalid or expired."


# -- errors ----------------------------------------------------------------------------------
def unauthorized(message=INVALID_TOKEN):
    return ApiError(401, {"message": message}, {"WWW-Authenticate": "Bearer"})


def forbidden(message):
    return ApiError(403, {"message": message})


def not_found(what, ident):
    return ApiError(404, {"code": "NOT_FOUND", "message": f"No {what} found with ID {ident}."})


class Violations:
    """Collects every problem of a request so one 400 names them all.
    unverified: the violation codes; SMAPI documents the shape, not the codes."""

    def __init__(self):
        self.items = []

    def add(self, field, message, code="INVALID_PARAMETER_VALUE"):
        self.items.append({"code": code, "message": f"{field}: {message}"})

    def missing(self, field):
        self.add(field, "is required.", "MISSING_PARAMETER")

    def check(self):
        if self.items:
            summary = " ".join(v["message"] for v in self.items)
            raise ApiError(400, {"message": f"Request is invalid. {summary}",
                                 "violations": self.items})


# -- authentication --------------------------------------------------------------------------
def bearer_token(req):
    """The usable access token of the Authorization header, or None."""
    header = req.headers.get("Authorization") or ""
    scheme, dummy, value = header.partition(" ")
    return req.state.access_token(value.strip()) if scheme.lower() == "bearer" else None


def authenticate(req, need_scope=True, scope_status=403):
    """The caller's access token. SDNS calls need alexa::ask:subscriptions."""
    token = bearer_token(req)
    if token is None:
        raise unauthorized()
    req.client_id = token.client_id
    problem = authz.scope_problem(token) if need_scope else None
    if problem:
        if scope_status == 401:
            raise unauthorized(problem)
        raise forbidden(problem)
    return token


# -- validation ------------------------------------------------------------------------------
def check_string(v, body, field, max_length=MAX_NAME):
    value = body.get(field)
    if value is None or value == "":
        v.missing(field)
    elif not isinstance(value, str):
        v.add(field, "must be a string.")
    elif len(value) > max_length:
        v.add(field, f"must be at most {max_length} characters long, got {len(value)}.")
    return value


def check_endpoint(v, endpoint):
    if endpoint is None:
        return v.missing("endpoint")
    if not isinstance(endpoint, dict):
        return v.add("endpoint", "must be an object with uri and authorization.")
    uri = endpoint.get("uri")
    if not uri:
        v.missing("endpoint.uri")
    elif not isinstance(uri, str) or not TOPIC_ARN.match(uri):
        # unverified: SDNS refuses FIFO topics (the guide asks for a standard topic).
        v.add("endpoint.uri", f"must be the ARN of a standard SNS topic "
                              f"(arn:aws:sns:<region>:<account>:<topic>), got {uri!r}.")
    auth = endpoint.get("authorization")
    if auth is None:
        return v.missing("endpoint.authorization")
    if not isinstance(auth, dict):
        return v.add("endpoint.authorization", "must be an object with type and arn.")
    if auth.get("type") != "AWS_IAM":
        v.add("endpoint.authorization.type", f"must be AWS_IAM, got {auth.get('type')!r}.")
    arn = auth.get("arn")
    if not arn:
        v.missing("endpoint.authorization.arn")
    elif not isinstance(arn, str) or not ROLE_ARN.match(arn):
        v.add("endpoint.authorization.arn",
              f"must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got {arn!r}.")


def clean_endpoint(endpoint):
    """Store only what the model knows, so responses carry no stray properties."""
    auth = endpoint["authorization"]
    return {"uri": endpoint["uri"], "authorization": {"type": auth["type"], "arn": auth["arn"]}}


def check_events(v, value):
    """Returns the events in the Swagger spelling, duplicates dropped (unverified)."""
    if value is None:
        return v.missing("events")
    if not isinstance(value, list) or not value:
        return v.add("events", "must be a non-empty list of event names.")
    found = []
    for name in value:
        name = events.ALIASES.get(name, name) if isinstance(name, str) else name
        if name not in events.SUBSCRIBABLE:
            v.add("events", f"unknown event {name!r}; known: {', '.join(events.SUBSCRIBABLE)}.")
        elif name not in found:
            found.append(name)
    if events.DEVELOPMENT_ALL in found and any(e in events.DEVELOPMENT_EVENTS for e in found):
        v.add("events", f"{events.DEVELOPMENT_ALL} must not be combined with other "
                        f"AlexaDevelopmentEvent events.")
    return found


def check_vendor_query(v, req):
    vendor_id = req.query.get("vendorId")
    if not vendor_id:
        v.missing("vendorId")
    elif len(vendor_id) > MAX_VENDOR_ID:
        v.add("vendorId", f"must be at most {MAX_VENDOR_ID} characters long.")
    return vendor_id


# -- pagination ------------------------------------------------------------------------------
def _b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Pager:
    """maxResults (1..50, default 50, capped by the admin max_page_size) and an opaque
    nextToken: the offset and issue time, signed together with the query it belongs to."""

    def __init__(self, v, req, query_key):
        self.req = req
        self.query_key = query_key
        self.size = MAX_PAGE
        self.offset = 0
        raw = req.query.get("maxResults")
        if raw is not None:
            if not re.fullmatch(r"\d+", raw) or not 1 <= int(raw) <= MAX_PAGE:
                v.add("maxResults", f"must be an integer from 1 to {MAX_PAGE}, got {raw!r}.")
            else:
                self.size = int(raw)
        token = req.query.get("nextToken")
        if token is not None:
            self.offset = self._decode(token)
            if self.offset is None:
                v.add("nextToken", "is invalid or expired.", "INVALID_NEXT_TOKEN")
                self.offset = 0

    def _decode(self, token):
        try:
            payload_text, signature = token.split(".")
            payload = _unb64(payload_text)
            if not hmac.compare_digest(_unb64(signature), self.req.state.sign(payload)):
                return None
            data = json.loads(payload)
        except (ValueError, binascii.Error):
            return None
        if data.get("q") != self.query_key or time.time() - data.get("t", 0) > \
                NEXT_TOKEN_LIFETIME or not isinstance(data.get("o"), int) or data["o"] < 0:
            return None
        return data["o"]

    def _encode(self, offset):
        payload = json.dumps({"q": self.query_key, "o": offset, "t": int(time.time())},
                             separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self.req.state.sign(payload))}"

    def page(self, key, items):
        size = min(self.size, self.req.state.max_page_size)
        chunk = items[self.offset:self.offset + size]
        self_href = self.req.path + (f"?{self.req.query_string}" if self.req.query_string
                                     else "")
        body = {key: chunk, "_links": {"self": {"href": self_href}}}
        if self.offset + size < len(items):
            token = self._encode(self.offset + size)
            query = {k: v for k, v in self.req.query.items() if k != "nextToken"}
            query["nextToken"] = token
            body["nextToken"] = token
            body["_links"]["next"] = {"href": f"{self.req.path}?{urlencode(query)}"}
        return Reply(200, body)


# -- lookups ---------------------------------------------------------------------------------
def check_identifier(field, value):
    if not IDENTIFIER.match(value):
        v = Violations()
        v.add(field, f"is not a valid identifier: {value!r}.")
        v.check()


def find(store, what, ident):
    """The `what` (subscriber, subscription) of that ID in `store`: a 400 for a malformed ID, a 404 for
    an unknown one."""
    check_identifier(f"{what}Id", ident)
    found = store.get(ident)
    if found is None:
        raise not_found(what, ident)
    return found


def find_subscriber(req, subscriber_id):
    return find(req.state.subscribers, "subscriber", subscriber_id)


def find_subscription(req, subscription_id):
    return find(req.state.subscriptions, "subscription", subscription_id)


def deny_if(problem):
    if problem:
        raise forbidden(problem)


# -- subscribers -----------------------------------------------------------------------------
def list_subscribers(req):
    token = authenticate(req)
    v = Violations()
    vendor_id = check_vendor_query(v, req)
    pager = Pager(v, req, f"subscribers|{vendor_id}")
    v.check()
    deny_if(authz.vendor_problem(req.state, token, vendor_id))
    with req.state.lock:
        items = [s.summary() for s in req.state.subscribers.values() if s.vendor_id == vendor_id]
    return pager.page("subscribers", items)


def create_subscriber(req):
    # The Swagger declares no 403 for this operation: a missing scope or a vendor the user
    # does not belong to is answered 401 ("doesn't have access to the resource"). unverified.
    token = authenticate(req, scope_status=401)
    body = req.json()
    v = Violations()
    name = check_string(v, body, "name")
    vendor_id = check_string(v, body, "vendorId", MAX_VENDOR_ID)
    check_endpoint(v, body.get("endpoint"))
    v.check()
    problem = authz.vendor_problem(req.state, token, vendor_id)
    if problem:
        raise unauthorized(problem)
    # Duplicate names are accepted: SMAPI declares no 409 (unverified).
    subscriber = Subscriber(req.state.new_subscriber_id(), name, vendor_id, token.client_id,
                            clean_endpoint(body["endpoint"]), STATUS_ACTIVE, token.user_id)
    req.state.add_subscriber(subscriber)
    req.deliverer.welcome(subscriber)
    return Reply(201, None, {"Location": f"{BASE}/subscribers/{subscriber.subscriber_id}"})


def get_subscriber(req):
    token = authenticate(req)
    subscriber = find_subscriber(req, req.params["subscriberId"])
    deny_if(authz.read_subscriber_problem(req.state, token, subscriber))
    return Reply(200, subscriber.info())


def update_subscriber(req):
    token = authenticate(req)
    body = req.json()
    v = Violations()
    # unverified: update replaces the subscriber, so both name and endpoint are required.
    name = check_string(v, body, "name")
    check_endpoint(v, body.get("endpoint"))
    v.check()
    subscriber = find_subscriber(req, req.params["subscriberId"])
    deny_if(authz.change_subscriber_problem(req.state, token, subscriber))
    with req.state.lock:
        subscriber.name = name
        subscriber.endpoint = clean_endpoint(body["endpoint"])
        # The documented way out of INACTIVE: update, even with unchanged values.
        # unverified: SDNS publishes nothing on update; the next event tests the fix.
        subscriber.status = STATUS_ACTIVE
    return Reply(204)


def delete_subscriber(req):
    token = authenticate(req)
    subscriber = find_subscriber(req, req.params["subscriberId"])
    deny_if(authz.change_subscriber_problem(req.state, token, subscriber))
    with req.state.lock:
        req.state.subscribers.pop(subscriber.subscriber_id, None)
        # unverified: a deleted subscriber takes its subscriptions with it (SMAPI could also
        # refuse while subscriptions exist; nothing documents either).
        for sid in [s.subscription_id for s in req.state.subscriptions.values()
                    if s.subscriber_id == subscriber.subscriber_id]:
            del req.state.subscriptions[sid]
    return Reply(204)


# -- subscriptions ---------------------------------------------------------------------------
def list_subscriptions(req):
    token = authenticate(req)
    v = Violations()
    vendor_id = check_vendor_query(v, req)
    subscriber_id = req.query.get("subscriberId")
    if subscriber_id is not None and not IDENTIFIER.match(subscriber_id):
        v.add("subscriberId", f"is not a valid identifier: {subscriber_id!r}.")
    pager = Pager(v, req, f"subscriptions|{vendor_id}|{subscriber_id or ''}")
    v.check()
    deny_if(authz.vendor_problem(req.state, token, vendor_id))
    with req.state.lock:
        if subscriber_id:
            find_subscriber(req, subscriber_id)  # unverified: an unknown subscriberId is a 404
        # unverified: a vendor sees the subscriptions it publishes to and those that feed its
        # own subscribers, which is what "for a vendor/subscriber" most plausibly means.
        items = []
        for subscription in req.state.subscriptions.values():
            subscriber = req.state.subscribers.get(subscription.subscriber_id)
            owner = subscriber.vendor_id if subscriber else None
            if vendor_id not in (subscription.vendor_id, owner):
                continue
            if subscriber_id and subscription.subscriber_id != subscriber_id:
                continue
            items.append(subscription.info())
    return pager.page("subscriptions", items)


def _subscription_body(req, create):
    body = req.json()
    v = Violations()
    fields = {"name": check_string(v, body, "name"), "events": check_events(v, body.get("events"))}
    if create:
        fields["vendorId"] = check_string(v, body, "vendorId", MAX_VENDOR_ID)
        fields["subscriberId"] = check_string(v, body, "subscriberId", MAX_NAME)
    elif body.get("subscriberId") is not None:
        current = req.state.subscriptions.get(req.params["subscriptionId"])
        if current and body["subscriberId"] != current.subscriber_id:
            v.add("subscriberId", "cannot be changed; delete the subscription and create "
                                  "another.")
    v.check()
    return fields


def create_subscription(req):
    token = authenticate(req)
    fields = _subscription_body(req, create=True)
    subscriber = find_subscriber(req, fields["subscriberId"])
    deny_if(authz.write_subscription_problem(req.state, token, subscriber, fields["vendorId"]))
    subscription = Subscription(req.state.new_subscription_id(), fields["name"],
                                fields["vendorId"], subscriber.subscriber_id, fields["events"],
                                token.user_id)
    req.state.add_subscription(subscription)
    return Reply(201, None,
                 {"Location": f"{BASE}/subscriptions/{subscription.subscription_id}"})


def get_subscription(req):
    token = authenticate(req)
    subscription = find_subscription(req, req.params["subscriptionId"])
    subscriber = req.state.subscribers.get(subscription.subscriber_id)
    deny_if(authz.read_subscription_problem(req.state, token, subscription, subscriber))
    return Reply(200, subscription.info())


def update_subscription(req):
    token = authenticate(req)
    fields = _subscription_body(req, create=False)
    subscription = find_subscription(req, req.params["subscriptionId"])
    subscriber = find_subscriber(req, subscription.subscriber_id)
    deny_if(authz.write_subscription_problem(req.state, token, subscriber,
                                             subscription.vendor_id))
    with req.state.lock:
        subscription.name = fields["name"]
        subscription.events = fields["events"]
    return Reply(204)


def delete_subscription(req):
    token = authenticate(req)
    subscription = find_subscription(req, req.params["subscriptionId"])
    subscriber = req.state.subscribers.get(subscription.subscriber_id)
    deny_if(authz.read_subscription_problem(req.state, token, subscription, subscriber))
    with req.state.lock:
        req.state.subscriptions.pop(subscription.subscription_id, None)
    return Reply(204)


# -- vendors ---------------------------------------------------------------------------------
def get_vendors(req):
    """Any valid token may list its user's vendors; no SDNS scope is involved."""
    token = authenticate(req, need_scope=False)
    return Reply(200, {"vendors": req.state.vendors_of(token.user_id)})


ROUTES = [
    Route("GET", f"{BASE}/subscribers", list_subscribers),
    Route("POST", f"{BASE}/subscribers", create_subscriber, write=True),
    Route("GET", f"{BASE}/subscribers/{{subscriberId}}", get_subscriber),
    Route("PUT", f"{BASE}/subscribers/{{subscriberId}}", update_subscriber, write=True),
    Route("DELETE", f"{BASE}/subscribers/{{subscriberId}}", delete_subscriber, write=True),
    Route("GET", f"{BASE}/subscriptions", list_subscriptions),
    Route("POST", f"{BASE}/subscriptions", create_subscription, write=True),
    Route("GET", f"{BASE}/subscriptions/{{subscriptionId}}", get_subscription),
    Route("PUT", f"{BASE}/subscriptions/{{subscriptionId}}", update_subscription, write=True),
    Route("DELETE", f"{BASE}/subscriptions/{{subscriptionId}}", delete_subscription, write=True),
    Route("GET", "/v1/vendors", get_vendors),
]
