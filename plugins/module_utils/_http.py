# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""HTTP transport shared by the SMAPI and LWA clients: one session, timeouts, retries, errors.

One attempt's result (a response or a requests exception) is judged by ``classify``, a pure
function; ``HttpTransport.request`` is the one loop that acts on the verdict: return, fail, wait
and send again, or, for a create whose outcome is unknown, ask the caller whether the object exists.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

import contextlib
import itertools
import random
import socket
import threading
import time
from collections import namedtuple
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from ansible_collections.skillops.alexa.plugins.module_utils._errors import ApiError, NotFound

try:
    import requests
    from requests.adapters import HTTPAdapter
    from requests.exceptions import ConnectTimeout, InvalidSchema, InvalidURL, MissingSchema, RequestException, SSLError
    from urllib3.exceptions import NewConnectionError
    # Failures that no retry can mend: a wrong URL or a certificate that does not verify.
    PERMANENT_FAILURES = (InvalidSchema, InvalidURL, MissingSchema, SSLError)
    # Failures while connecting: the request never reached the server (NameResolutionError is a NewConnectionError).
    NEVER_SENT = (ConnectTimeout, NewConnectionError, ConnectionRefusedError, socket.gaierror)
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module through missing_required_lib
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

COLLECTION_VERSION = '0.1.0'
USER_AGENT = 'skillops.alexa/%s' % COLLECTION_VERSION

# Throttling and the transient server errors SMAPI declares; any other status is an answer.
RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))
# SMAPI answers a token without the operation's scope with this message and no error code; it is
# recognised here, once, and carried on as the fact ApiError.missing_scope.
SMAPI_NOT_CONSENTED = 'user has not consented to this operation.'

# Under an AdaptiveLimit a 429 is flow control rather than failure: that many of them per request are
# retried beyond the retry policy's attempts.
THROTTLES_ALLOWED = 20

# What a create answers with when its response was lost but the object turned out to exist.
Recovered = namedtuple('Recovered', ['value'])

# The verdict on one attempt: what to do next, the error to raise or keep, and the wait the server asked for.
DONE = 'done'            # a 2xx or 3xx answer
FAIL = 'fail'            # an answer no retry can change
RETRY = 'retry'          # nothing was stored: wait, then send the same request again
UNKNOWN = 'unknown'      # a POST that may have been stored: look before sending it again
Outcome = namedtuple('Outcome', ['action', 'error', 'retry_after'])


def error_from_response(response, service, method, path, attempts=1):
    """The facts of an error answer: SMAPI's {code, message, violations} or LWA's {error, error_description}."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    status = response.status_code
    message = body.get('message') or body.get('error_description') or response.reason or 'no message'
    facts = dict(status=status, method=method, path=path, violations=body.get('violations'), attempts=attempts,
                 service=service, retryable=status in RETRYABLE_STATUSES)
    if service == 'lwa':
        facts['oauth_error'] = body.get('error')
    else:
        facts['code'] = body.get('code')
        facts['missing_scope'] = status in (401, 403) and str(message).strip().lower() == SMAPI_NOT_CONSENTED
    return (NotFound if status == 404 else ApiError)(message, **facts)


def classify(method, path, service, result, attempt):
    """The verdict on one attempt, whose ``result`` is a response or the requests exception raised."""
    post = method.upper() == 'POST'
    if isinstance(result, BaseException):
        permanent = isinstance(result, PERMANENT_FAILURES)
        error = ApiError(_describe_exception(result), method=method, path=path, attempts=attempt, service=service,
                         retryable=not permanent)
        if permanent:
            return Outcome(FAIL, error, None)
        # A connection that failed while connecting never carried the request; any other failure may
        # have come after the server stored a POST.
        never_sent = any(isinstance(cause, NEVER_SENT) for cause in _causes(result))
        return Outcome(UNKNOWN if post and not never_sent else RETRY, error, None)
    if result.status_code < 400:
        return Outcome(DONE, None, None)
    error = error_from_response(result, service, method, path, attempts=attempt)
    if not error.retryable:
        return Outcome(FAIL, error, None)
    retry_after = parse_retry_after(result.headers.get('Retry-After'))
    # 429 is a refusal before any work; a 5xx may come after the object was stored.
    return Outcome(UNKNOWN if post and result.status_code != 429 else RETRY, error, retry_after)


class RetryPolicy:
    """Capped exponential backoff with full jitter, honouring Retry-After up to the cap."""

    def __init__(self, attempts=5, base_delay=0.5, max_delay=30.0, rand=random.uniform):
        self.attempts = max(1, int(attempts))
        self.base_delay = base_delay
        self.max_delay = float(max_delay)
        self._rand = rand

    def delay(self, attempt, retry_after=None):
        """Seconds to wait before attempt number ``attempt + 1``; None when waiting is pointless."""
        if retry_after is not None:
            # The server said when; waiting longer than the cap would stall the play, so give up.
            return retry_after if retry_after <= self.max_delay else None
        return self._rand(0, min(self.max_delay, self.base_delay * (2 ** (attempt - 1))))


def parse_retry_after(value, now=None):
    """Retry-After in seconds, from either form HTTP allows: delta-seconds or an HTTP date."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class AdaptiveLimit:
    """How many requests may be in flight at once, for a module that sends many concurrently.

    Additive increase, multiplicative decrease: a throttled request (429) halves the limit, once per
    round of requests sent at that limit, and as many successes in a row as the limit raise it by
    one, up to ``maximum``. A 429 with ``Retry-After`` also holds every new request until then (at
    most ``max_hold`` seconds), since the service throttles the client, not the one request. The transport holds a slot only while a
    request is on the wire, never while it waits to retry.
    """

    def __init__(self, maximum, max_hold=30.0, clock=time.monotonic):
        self.maximum = self.limit = max(1, int(maximum))
        self.max_hold = max_hold
        self.lowest = self.limit
        self.throttled = 0
        self._clock = clock
        self._resume_at = 0.0
        self._in_flight = 0
        self._successes = 0
        self._round = 0
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def slot(self):
        """Wait for a free slot (and for the end of a hold); yields the round the request is sent in."""
        with self._changed:
            while True:
                held = self._resume_at - self._clock()
                if held > 0:
                    self._changed.wait(held)
                elif self._in_flight >= self.limit:
                    self._changed.wait()
                else:
                    break
            self._in_flight += 1
            sent_in = self._round
        try:
            yield sent_in
        finally:
            with self._changed:
                self._in_flight -= 1
                self._changed.notify_all()

    def record(self, sent_in, outcome):
        """Adapt to one request's verdict (an Outcome of classify)."""
        with self._changed:
            if outcome.error is not None and outcome.error.status == 429:
                self.throttled += 1
                self._successes = 0
                # A wait longer than the retry policy allows ends that request instead (see request), so
                # it must not hold the others that long either.
                if outcome.retry_after:
                    self._resume_at = max(self._resume_at, self._clock() + min(outcome.retry_after, self.max_hold))
                # Requests sent before the last decrease were sent too fast already; count them once.
                if sent_in == self._round:
                    self._round += 1
                    self.limit = max(1, self.limit // 2)
                    self.lowest = min(self.lowest, self.limit)
            elif outcome.action == DONE:
                self._successes += 1
                if self._successes >= self.limit and self.limit < self.maximum:
                    self._successes = 0
                    self.limit += 1
                    self._changed.notify_all()


class HttpTransport:
    """One requests.Session per module run; every call goes through ``request``.

    With ``max_concurrency`` above 1 the session's connection pool holds that many connections and
    an AdaptiveLimit keeps the requests in flight below what the service tolerates.
    """

    def __init__(self, timeout=30, validate_certs=True, retry=None, sleep=time.sleep, session=None, max_concurrency=1):
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.headers['User-Agent'] = '%s python-requests/%s' % (USER_AGENT, requests.__version__)
        self.limit = None
        if max_concurrency > 1:
            self.limit = AdaptiveLimit(max_concurrency, max_hold=self.retry.max_delay)
            # One pool for each host: SMAPI and LWA.
            adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max_concurrency)
            self.session.mount('https://', adapter)
            self.session.mount('http://', adapter)

    def request(self, method, url, service, headers=None, params=None, json=None, data=None, recover=None):
        """Send a request, retrying throttling, transient 5xx and connection failures.

        A POST whose outcome is unknown (sent, then a reset, a timeout or a 5xx) is never re-sent
        blindly: ``recover`` is asked first whether the object exists, and when it returns
        something, that is the answer (as ``Recovered``). Without ``recover`` such a POST is not
        retried. Returns the 2xx response; raises ApiError (NotFound for a 404) otherwise.
        """
        path = urlsplit(url).path
        attempts = self.retry.attempts
        for attempt in itertools.count(1):
            with self.limit.slot() if self.limit else contextlib.nullcontext() as sent_in:
                try:
                    result = self.session.request(method, url, headers=headers, params=params, json=json, data=data,
                                                  timeout=self.timeout, verify=self.validate_certs)
                except RequestException as failure:
                    result = failure
            outcome = classify(method, path, service, result, attempt)
            if self.limit:
                self.limit.record(sent_in, outcome)
                throttled = outcome.error is not None and outcome.error.status == 429
                if throttled and attempts < self.retry.attempts + THROTTLES_ALLOWED:
                    attempts += 1
            if outcome.action == DONE:
                return result
            if outcome.action == FAIL or (outcome.action == UNKNOWN and recover is None):
                raise outcome.error
            wait = self.retry.delay(attempt, outcome.retry_after) if attempt < attempts else None
            if wait is not None:
                self.sleep(wait)
            if outcome.action == UNKNOWN:
                # The one recovery point, before sending again or giving up: the last attempt too may
                # have stored the object.
                found = recover()
                if found is not None:
                    return Recovered(found)
            if wait is None:
                if outcome.retry_after is not None and attempt < attempts:
                    outcome.error.notes.append('the server asked to retry after %ss, more than retry_max_delay=%ss'
                                               % (outcome.retry_after, self.retry.max_delay))
                raise outcome.error


def _causes(exc):
    """The exception and the chain of reasons behind it (urllib3 keeps them in ``reason`` or ``args``)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        nested = getattr(exc, 'reason', None)
        if not isinstance(nested, BaseException):
            nested = next((arg for arg in getattr(exc, 'args', ()) if isinstance(arg, BaseException)), None)
        exc = nested


def _describe_exception(exc):
    """The failure in a few words: the requests error and the innermost reason behind it."""
    cause = list(_causes(exc))[-1]
    if cause is exc:
        return '%s: %s' % (type(exc).__name__, exc)
    return '%s: %s: %s' % (type(exc).__name__, type(cause).__name__, getattr(cause, 'strerror', None) or cause)
