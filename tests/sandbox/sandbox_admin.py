# SPDX-License-Identifier: GPL-3.0-or-later
"""The admin API under /_sandbox on the SMAPI port: what tests and demos need to steer the
sandbox (reset, inspect, page size, latency, throttle, vendors in bulk, user consent, tokens,
skill events, faults). Never logged, delayed or throttled."""

import re
import uuid

import sandbox_events as events
from sandbox_http import ADMIN_PREFIX as ADMIN
from sandbox_http import ApiError, Reply, Route
from sandbox_knobs import KnobError, Throttle, check_latency
from sandbox_state import FAULT_KINDS, Fault

MAX_BULK_VENDORS = 10000
# Vendor IDs like M3DEV00001: the prefix, then the number zero-padded to five digits.
VENDOR_PREFIX = re.compile(r"^[A-Za-z0-9]{1,250}$")

CONFIG_KEYS = ("max_page_size", "latency", "throttle", "access_token_lifetime")
THROTTLE_KEYS = ("rate", "burst")


def bad(message):
    return ApiError(400, {"message": message})


def _body(req, *required):
    body = req.json()
    missing = [name for name in required if body.get(name) in (None, "")]
    if missing:
        raise bad(f"missing {', '.join(missing)}")
    return body


def _client_and_user(req, body):
    if body["client_id"] not in req.state.clients:
        raise bad(f"unknown client {body['client_id']}")
    if body["user_id"] not in req.state.users:
        raise bad(f"unknown user {body['user_id']}")
    scopes = body.get("scopes") or []
    if isinstance(scopes, str):  # the authorization URL carries scopes space-separated
        scopes = scopes.split()
    return scopes


def reset(req):
    req.state.reset()
    return Reply(200, {"reset": True})


def state(req):
    return Reply(200, req.state.snapshot())


def requests_log(req):
    with req.state.lock:
        return Reply(200, {"requests": list(req.state.requests)})


def clear_requests(req):
    with req.state.lock:
        req.state.requests.clear()
    return Reply(204)


def counters(req):
    return Reply(200, req.state.counter_report())


def get_config(req):
    return Reply(200, req.state.config_report())


def config(req):
    """Sets the keys given, all or none: every value is checked before any is applied."""
    body = req.json()
    unknown = sorted(set(body) - set(CONFIG_KEYS))
    if unknown:
        raise bad(f"unknown config key {', '.join(unknown)}; known: {', '.join(CONFIG_KEYS)}")
    changes = {}
    if "max_page_size" in body:
        size = body["max_page_size"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise bad("max_page_size must be a positive integer")
        changes["max_page_size"] = size
    if "access_token_lifetime" in body:
        # Amazon's access tokens live an hour; a shorter life lets a test see a client renew one.
        lifetime = body["access_token_lifetime"]
        if not isinstance(lifetime, int) or isinstance(lifetime, bool) or lifetime < 1:
            raise bad("access_token_lifetime must be a positive integer (seconds)")
        changes["access_token_lifetime"] = lifetime
    try:
        if "latency" in body:
            changes["latency"] = check_latency(body["latency"])
        if "throttle" in body:
            changes["throttle"] = _throttle(body["throttle"])
    except KnobError as exc:
        raise bad(str(exc)) from None
    with req.state.lock:
        for name, value in changes.items():
            setattr(req.state, name, value)
    return get_config(req)


def _throttle(spec):
    """A new Throttle (all buckets full), or None to turn it off."""
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise bad('throttle must be an object {"rate": N, "burst": N} or null')
    unknown = sorted(set(spec) - set(THROTTLE_KEYS))
    if unknown:
        raise bad(f"unknown throttle key {', '.join(unknown)}; known: {', '.join(THROTTLE_KEYS)}")
    if "rate" not in spec:
        raise bad("throttle needs rate (requests per second)")
    return Throttle(spec["rate"], spec.get("burst"))


def add_vendors(req):
    """Vendors in bulk for realistic seeds: `count` vendors prefix + 00001..., named
    "Developer 1"..., with `user_id` a member of each in `roles`."""
    body = _body(req, "count", "user_id")
    count = body["count"]
    if not isinstance(count, int) or isinstance(count, bool) \
            or not 1 <= count <= MAX_BULK_VENDORS:
        raise bad(f"count must be an integer from 1 to {MAX_BULK_VENDORS}")
    prefix = body.get("prefix", "M3DEV")
    if not isinstance(prefix, str) or not VENDOR_PREFIX.match(prefix):
        raise bad("prefix must be 1 to 250 letters and digits")
    roles = body.get("roles", ["ROLE_ADMINISTRATOR"])
    if not isinstance(roles, list) or not roles \
            or not all(isinstance(role, str) and role for role in roles):
        raise bad("roles must be a non-empty list of role names")
    vendor_ids = [f"{prefix}{number:05d}" for number in range(1, count + 1)]
    names = [f"Developer {number}" for number in range(1, count + 1)]
    try:
        req.state.add_vendors(vendor_ids, names, body["user_id"], roles)
    except ValueError as exc:
        raise bad(str(exc)) from None
    return Reply(201, {"vendor_ids": vendor_ids})


def authorize(req):
    """The user consenting at the LWA authorization URL: returns the code the redirect would
    carry."""
    body = _body(req, "client_id", "user_id", "redirect_uri")
    scopes = _client_and_user(req, body)
    client = req.state.clients[body["client_id"]]
    if client.redirect_uris and body["redirect_uri"] not in client.redirect_uris:
        raise bad(f"redirect_uri {body['redirect_uri']} is not registered for client "
                  f"{client.client_id}")
    code = req.state.new_code(client.client_id, body["user_id"], scopes, body["redirect_uri"])
    return Reply(200, {"code": code.code})


def tokens(req):
    body = _body(req, "client_id", "user_id")
    scopes = _client_and_user(req, body)
    expires_in = body.get("expires_in", req.state.access_token_lifetime)
    if not isinstance(expires_in, int) or isinstance(expires_in, bool):
        raise bad("expires_in must be an integer")
    access, refresh = req.state.mint(body["client_id"], body["user_id"], scopes, expires_in)
    return Reply(200, {"access_token": access.token, "refresh_token": refresh.token,
                       "expires_in": expires_in})


def issued_tokens(req):
    return Reply(200, {"tokens": req.state.issued_tokens()})


def expire_tokens(req):
    client_id = req.json().get("client_id")
    if client_id is not None and client_id not in req.state.clients:
        raise bad(f"unknown client {client_id}")
    return Reply(200, {"expired": req.state.expire_tokens(client_id)})


def _number(body, name, default, minimum, integer=False):
    value = body.get(name, default)
    kinds = int if integer else (int, float)
    if value is None and default is None:
        return None
    if not isinstance(value, kinds) or isinstance(value, bool) or value < minimum:
        raise bad(f"{name} must be {'an integer' if integer else 'a number'} >= {minimum}")
    return value


def arm_fault(req):
    body = _body(req, "fault")
    kind = str(body["fault"])
    if kind not in FAULT_KINDS:
        raise bad(f"fault must be one of {', '.join(FAULT_KINDS)}")
    method, path = body.get("method", "*"), body.get("path", "*")
    if not isinstance(method, str) or not isinstance(path, str):
        raise bad("method and path must be strings")
    fault = Fault(str(uuid.uuid4()), kind, method.upper(), path,
                  count=_number(body, "count", 1, 1, integer=True),
                  every=_number(body, "every", 1, 1, integer=True),
                  retry_after=_number(body, "retry_after", None, 0),
                  delay=_number(body, "delay", 0, 0))
    req.state.arm_fault(fault)
    return Reply(201, {"id": fault.id})


def faults(req):
    return Reply(200, req.state.fault_report())


def disarm_faults(req):
    req.state.disarm_faults()
    return Reply(204)


def raise_event(req):
    """A change to a skill finished: notify the matching subscriptions."""
    body = _body(req, "vendor_id", "skill_id", "event", "changed_by")
    if body["vendor_id"] not in req.state.vendors:
        raise bad(f"unknown vendor {body['vendor_id']}")
    if body["event"] not in events.RAISABLE:
        raise bad(f"event must be one of {', '.join(events.RAISABLE)}")
    status = body.get("status", "SUCCEEDED")
    if status not in events.STATUSES:
        raise bad(f"status must be one of {', '.join(events.STATUSES)}")
    star_rating = str(body.get("star_rating", "5"))
    if star_rating not in ("1", "2", "3", "4", "5"):
        raise bad("star_rating must be 1 to 5")
    customer_id = body.get("customer_id")
    if not customer_id:
        # The actor is a user of the vendor; which one does not matter to subscribers.
        members = [u.user_id for u in req.state.users.values()
                   if body["vendor_id"] in u.vendors]
        customer_id = members[0] if members else "amzn1.account.UNKNOWN"
    spec = {"vendor_id": body["vendor_id"], "skill_id": body["skill_id"],
            "event": body["event"], "status": status, "changed_by": body["changed_by"],
            "customer_id": customer_id, "request_id": body.get("request_id"),
            "locale": body.get("locale", "en-US"), "star_rating": star_rating}
    return Reply(200, {"deliveries": req.deliverer.raise_event(spec)})


def deliveries(req):
    with req.state.lock:
        return Reply(200, {"deliveries": list(req.state.deliveries)})


ROUTES = [
    Route("POST", f"{ADMIN}/reset", reset),
    Route("GET", f"{ADMIN}/state", state),
    Route("GET", f"{ADMIN}/requests", requests_log),
    Route("DELETE", f"{ADMIN}/requests", clear_requests),
    Route("GET", f"{ADMIN}/counters", counters),
    Route("GET", f"{ADMIN}/config", get_config),
    Route("POST", f"{ADMIN}/config", config),
    Route("POST", f"{ADMIN}/vendors", add_vendors),
    Route("POST", f"{ADMIN}/authorize", authorize),
    Route("POST", f"{ADMIN}/tokens", tokens),
    Route("GET", f"{ADMIN}/tokens", issued_tokens),
    Route("POST", f"{ADMIN}/events", raise_event),
    Route("GET", f"{ADMIN}/deliveries", deliveries),
    Route("POST", f"{ADMIN}/expire-tokens", expire_tokens),
    Route("POST", f"{ADMIN}/faults", arm_fault),
    Route("GET", f"{ADMIN}/faults", faults),
    Route("DELETE", f"{ADMIN}/faults", disarm_faults),
]
