# SPDX-License-Identifier: GPL-3.0-or-later
"""The sandbox's in-memory world: vendors, LWA clients, users, tokens, subscribers,
subscriptions, the request log and every delivery attempt.

One re-entrant lock guards it all; the HTTP servers are threaded and several requests may
touch the same subscriber at once. Network calls (delivery to AWS) never run under the lock.
"""

import copy
import fnmatch
import hashlib
import hmac
import secrets
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field

import yaml

from sandbox_knobs import Throttle, check_latency, check_throttle

SCOPE_SUBSCRIPTIONS = "alexa::ask:subscriptions"
ACCESS_TOKEN_LIFETIME = 3600
# LWA authorization codes live five minutes (LWA documentation for the code grant).
CODE_LIFETIME = 300
DEFAULT_PAGE_SIZE = 50
STATUS_ACTIVE = "ACTIVE"
STATUS_INACTIVE = "INACTIVE"
# Fault kinds for POST /_sandbox/faults: an HTTP status answered instead of the operation, a
# dropped connection (before or after the operation), a delay before normal handling, or a
# barrier that holds requests until `count` of them have arrived and then serves them together.
STATUS_FAULTS = ("429", "500", "502", "503", "504")
FAULT_KINDS = STATUS_FAULTS + ("reset", "delay", "commit_then_reset", "barrier")
BARRIER_TIMEOUT = 10
# What GET /_sandbox/counters counts in by_kind: LWA token calls, SMAPI reads (GET) and writes.
REQUEST_KINDS = ("token", "read", "write")


class SeedError(ValueError):
    """The seed file does not describe a consistent world."""


@dataclass
class Vendor:
    id: str
    name: str


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list = field(default_factory=list)
    name: str = ""


@dataclass
class User:
    user_id: str
    name: str
    vendors: dict  # vendor ID -> list of roles


@dataclass
class Token:
    """An access or refresh token: bound to a client, a user and scopes."""

    token: str
    client_id: str
    user_id: str
    scopes: list
    expires_at: float = None  # None: never expires (refresh tokens)
    revoked: bool = False

    def usable(self, now=None):
        if self.revoked:
            return False
        return self.expires_at is None or (now or time.time()) < self.expires_at

    def has_scope(self, scope):
        return scope in self.scopes


@dataclass
class AuthCode:
    code: str
    client_id: str
    user_id: str
    scopes: list
    redirect_uri: str
    expires_at: float
    used: bool = False


@dataclass
class Subscriber:
    subscriber_id: str
    name: str
    vendor_id: str
    client_id: str  # the LWA client whose token created it; only that client may change it
    endpoint: dict
    status: str = STATUS_ACTIVE
    created_by: str = ""

    def info(self):
        """SubscriberInfo, the GET shape: no status, no clientId."""
        return {"subscriberId": self.subscriber_id, "name": self.name,
                "endpoint": copy.deepcopy(self.endpoint)}

    def summary(self):
        """SubscriberSummary, the list shape: the only place status is visible."""
        return {"subscriberId": self.subscriber_id, "name": self.name, "status": self.status,
                "clientId": self.client_id, "endpoint": copy.deepcopy(self.endpoint)}

    @property
    def topic_arn(self):
        return self.endpoint["uri"]

    @property
    def role_arn(self):
        return self.endpoint["authorization"]["arn"]


@dataclass
class Subscription:
    subscription_id: str
    name: str
    vendor_id: str  # the publishing vendor
    subscriber_id: str
    events: list
    created_by: str = ""

    def info(self):
        """SubscriptionInfo and SubscriptionSummary have the same shape."""
        return {"name": self.name, "subscriptionId": self.subscription_id,
                "subscriberId": self.subscriber_id, "vendorId": self.vendor_id,
                "events": list(self.events)}


@dataclass
class Fault:
    """An armed fault: fires on every `every`-th request matching `method` and the fnmatch
    pattern `path`, until it has fired `count` times."""

    id: str
    fault: str
    method: str = "*"
    path: str = "*"
    count: int = 1
    every: int = 1
    retry_after: float = None
    delay: float = 0
    fired: int = 0
    seen: int = 0  # matching requests so far, fired or not
    barrier: threading.Barrier = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.fault == "barrier":
            self.barrier = threading.Barrier(self.count)

    def hold(self):
        """Keep the request waiting before it is handled: `delay` seconds, or for a barrier until
        all `count` requests have arrived (at most `delay` seconds, default BARRIER_TIMEOUT;
        then the waiting ones go on)."""
        if self.barrier is None:
            time.sleep(self.delay)
            return
        try:
            self.barrier.wait(self.delay or BARRIER_TIMEOUT)
        except threading.BrokenBarrierError:
            pass

    @property
    def remaining(self):
        return self.count - self.fired

    @property
    def status(self):
        return int(self.fault) if self.fault in STATUS_FAULTS else None

    @property
    def operates(self):
        """Whether the request is still handled (for a reset or an error status it is not)."""
        return self.fault in ("delay", "commit_then_reset", "barrier")

    @property
    def drops(self):
        """Whether the connection closes without a response."""
        return self.fault in ("reset", "commit_then_reset")

    def matches(self, method, path):
        return (self.remaining > 0 and self.method in ("*", method)
                and fnmatch.fnmatchcase(path, self.path))

    def report(self):
        return {"id": self.id, "fault": self.fault, "method": self.method, "path": self.path,
                "count": self.count, "remaining": self.remaining, "fired": self.fired}


def load_seed(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _require(entry, keys, what):
    missing = [key for key in keys if key not in entry]
    if missing:
        raise SeedError(f"{what} {entry!r} lacks {', '.join(missing)}")


class State:
    """Everything the SMAPI and LWA servers share. `reset()` returns to the seed, and the knobs
    to the values given here (the command line's or the Sandbox constructor's)."""

    def __init__(self, seed, latency=0, throttle=None):
        """`throttle`: None (off) or (rate, burst), burst None for its default."""
        self.seed = seed
        self.start_latency = check_latency(latency)
        self.start_throttle = check_throttle(*throttle) if throttle else None
        self.lock = threading.RLock()
        # Signs nextToken values so a client cannot forge or reuse them for another query.
        self.page_secret = secrets.token_bytes(32)
        self.reset()

    # -- seed ------------------------------------------------------------------------------
    def reset(self):
        with self.lock:
            self.vendors = {}
            self.clients = {}
            self.users = {}
            self.access_tokens = {}
            self.refresh_tokens = {}
            self.issued = []  # the tokens minted since the reset, in order (the seed's are not)
            self.codes = {}
            self.subscribers = {}  # insertion order is list order
            self.subscriptions = {}
            self.requests = []
            self.counters = Counter()
            self.by_route = Counter()
            self.by_kind = Counter()
            self.deliveries = []
            self.max_page_size = DEFAULT_PAGE_SIZE
            self.access_token_lifetime = ACCESS_TOKEN_LIFETIME
            self.latency = self.start_latency
            # Fresh buckets: every client starts with a full one.
            self.throttle = Throttle(*self.start_throttle) if self.start_throttle else None
            self.faults = []
            self.faults_fired = 0
            self._load(copy.deepcopy(self.seed))

    def _load(self, seed):
        now = time.time()
        for entry in seed.get("vendors") or []:
            _require(entry, ["id"], "vendor")
            self.vendors[entry["id"]] = Vendor(entry["id"], entry.get("name", entry["id"]))
        for entry in seed.get("clients") or []:
            _require(entry, ["client_id", "client_secret"], "client")
            self.clients[entry["client_id"]] = Client(
                entry["client_id"], entry["client_secret"],
                list(entry.get("redirect_uris") or []), entry.get("name", ""))
        for entry in seed.get("users") or []:
            _require(entry, ["user_id"], "user")
            vendors = entry.get("vendors") or {}
            if isinstance(vendors, list):  # a bare list of vendor IDs: administrator everywhere
                vendors = {vendor_id: ["ROLE_ADMINISTRATOR"] for vendor_id in vendors}
            for vendor_id in vendors:
                if vendor_id not in self.vendors:
                    raise SeedError(f"user {entry['user_id']} names unknown vendor {vendor_id}")
            self.users[entry["user_id"]] = User(entry["user_id"], entry.get("name", ""),
                                                {k: list(v or []) for k, v in vendors.items()})
        for kind, table in (("refresh_tokens", self.refresh_tokens),
                            ("access_tokens", self.access_tokens)):
            for entry in seed.get(kind) or []:
                _require(entry, ["token", "client_id", "user_id"], kind[:-1].replace("_", " "))
                self._check_refs(entry["client_id"], entry["user_id"], entry["token"])
                expires_at = None
                if kind == "access_tokens":
                    expires_at = now + int(entry.get("expires_in", ACCESS_TOKEN_LIFETIME))
                table[entry["token"]] = Token(entry["token"], entry["client_id"],
                                              entry["user_id"], list(entry.get("scopes") or []),
                                              expires_at, bool(entry.get("revoked", False)))

    def _check_refs(self, client_id, user_id, what):
        if client_id not in self.clients:
            raise SeedError(f"{what}: unknown client {client_id}")
        if user_id not in self.users:
            raise SeedError(f"{what}: unknown user {user_id}")

    # -- tokens ----------------------------------------------------------------------------
    def mint(self, client_id, user_id, scopes, expires_in=None, refresh_token=None):
        """Issue an access token (and a refresh token unless one is being reused); `expires_in`
        None: the configured access_token_lifetime."""
        with self.lock:
            if expires_in is None:
                expires_in = self.access_token_lifetime
            access = Token("Atza|" + secrets.token_urlsafe(48), client_id, user_id, list(scopes),
                           time.time() + expires_in)
            self.access_tokens[access.token] = access
            self.issued.append(("access", access))
            if refresh_token is None:
                refresh_token = Token("Atzr|" + secrets.token_urlsafe(48), client_id, user_id,
                                      list(scopes))
                self.refresh_tokens[refresh_token.token] = refresh_token
                self.issued.append(("refresh", refresh_token))
            return access, refresh_token

    def issued_tokens(self):
        """Every token minted since the reset (LWA's grants and the admin API's), oldest first."""
        with self.lock:
            return [{"token": token.token, "kind": kind, "client_id": token.client_id,
                     "user_id": token.user_id} for kind, token in self.issued]

    def access_token(self, token):
        """The usable access token behind a bearer value, or None."""
        with self.lock:
            found = self.access_tokens.get(token)
            return found if found and found.usable() else None

    def expire_tokens(self, client_id=None):
        """Every access token issued so far (of one client, if given) expires now."""
        with self.lock:
            now = time.time()
            expired = [token for token in self.access_tokens.values()
                       if client_id in (None, token.client_id)]
            for token in expired:
                token.expires_at = min(token.expires_at, now)
            return len(expired)

    def new_code(self, client_id, user_id, scopes, redirect_uri):
        with self.lock:
            code = AuthCode("ANcode" + secrets.token_urlsafe(24), client_id, user_id,
                            list(scopes), redirect_uri, time.time() + CODE_LIFETIME)
            self.codes[code.code] = code
            return code

    # -- membership --------------------------------------------------------------------------
    def add_vendors(self, vendor_ids, names, user_id, roles):
        """More vendors beyond the seed, each with `user_id` as a member in `roles`: all or
        none (ValueError naming the problem). Reset removes them."""
        with self.lock:
            user = self.users.get(user_id)
            if user is None:
                raise ValueError(f"unknown user {user_id}")
            taken = [vendor_id for vendor_id in vendor_ids if vendor_id in self.vendors]
            if taken:
                more = f" and {len(taken) - 3} more" if len(taken) > 3 else ""
                raise ValueError(f"vendor IDs exist already: {', '.join(taken[:3])}{more}")
            for vendor_id, name in zip(vendor_ids, names):
                self.vendors[vendor_id] = Vendor(vendor_id, name)
                user.vendors[vendor_id] = list(roles)

    def is_member(self, user_id, vendor_id):
        user = self.users.get(user_id)
        return bool(user) and vendor_id in user.vendors

    def vendors_of(self, user_id):
        user = self.users.get(user_id)
        if not user:
            return []
        return [{"id": vendor_id, "name": self.vendors[vendor_id].name, "roles": list(roles)}
                for vendor_id, roles in user.vendors.items()]

    # -- resources -------------------------------------------------------------------------
    @staticmethod
    def new_subscriber_id():
        # Amazon's common identifier style; the exact form is unverified and clients must not
        # parse it.
        return f"amzn1.ask-subscriber.{uuid.uuid4()}"

    @staticmethod
    def new_subscription_id():
        return f"amzn1.ask-subscription.{uuid.uuid4()}"

    def add_subscriber(self, subscriber):
        with self.lock:
            self.subscribers[subscriber.subscriber_id] = subscriber

    def add_subscription(self, subscription):
        with self.lock:
            self.subscriptions[subscription.subscription_id] = subscription

    def set_status(self, subscriber_id, status):
        with self.lock:
            subscriber = self.subscribers.get(subscriber_id)
            if subscriber:
                subscriber.status = status

    # -- bookkeeping -----------------------------------------------------------------------
    def record_request(self, entry, route_key, write, done, kind, throttled=False):
        # "writes" counts the writes that changed something (`done`); refused ones, and those
        # a fault kept from happening, only add to write_attempts. `kind` (token, read, write)
        # counts every request, routed or not; `throttled` the 429s of the throttle.
        with self.lock:
            self.requests.append(entry)
            self.counters["total"] += 1
            self.by_kind[kind] += 1
            if throttled:
                self.counters["throttled"] += 1
            if write:
                self.counters["write_attempts"] += 1
                if done:
                    self.counters["writes"] += 1
            self.by_route[route_key] += 1

    def counter_report(self):
        with self.lock:
            return {"total": self.counters["total"], "writes": self.counters["writes"],
                    "write_attempts": self.counters["write_attempts"], "by_route": dict(self.by_route),
                    "by_kind": {kind: self.by_kind[kind] for kind in REQUEST_KINDS},
                    "throttled": self.counters["throttled"]}

    def config_report(self):
        """What POST /_sandbox/config sets, as it stands."""
        with self.lock:
            return {"max_page_size": self.max_page_size, "latency": self.latency,
                    "throttle": self.throttle.report() if self.throttle else None,
                    "access_token_lifetime": self.access_token_lifetime}

    # -- faults ----------------------------------------------------------------------------
    def arm_fault(self, fault):
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, method, path):
        """The fault this request triggers (the first armed one that matches and is due)."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.seen += 1
                    if fault.seen % fault.every == 0:
                        fault.fired += 1
                        self.faults_fired += 1
                        return fault
            return None

    def fault_report(self):
        with self.lock:
            return {"faults": [fault.report() for fault in self.faults],
                    "fired_total": self.faults_fired}

    def disarm_faults(self):
        with self.lock:
            self.faults = []

    def record_delivery(self, delivery):
        with self.lock:
            self.deliveries.append(delivery)

    def sign(self, data):
        return hmac.new(self.page_secret, data, hashlib.sha256).digest()[:16]

    def snapshot(self):
        """The whole world as JSON for GET /_sandbox/state. Client secrets stay out."""
        with self.lock:
            return {
                "vendors": [asdict(v) for v in self.vendors.values()],
                "clients": [{"client_id": c.client_id, "name": c.name,
                             "redirect_uris": list(c.redirect_uris)}
                            for c in self.clients.values()],
                "users": [asdict(u) for u in self.users.values()],
                "subscribers": [dict(s.summary(), vendorId=s.vendor_id)
                                for s in self.subscribers.values()],
                "subscriptions": [s.info() for s in self.subscriptions.values()],
                "config": self.config_report(),
            }
