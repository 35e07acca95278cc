# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""HTTP transport shared by the SMAPI and LWA clients: one session, deadlines, no redirects, retries.

It knows HTTP only. One attempt's result (a complete Reply or the requests exception raised) is
judged by ``classify``, a pure function; ``HttpTransport.request`` is the one loop that acts on
the verdict: return, fail, or wait and send again. What a body means, and the error shapes of
SMAPI and LWA, belong to their clients: the transport hands them an ``HttpFailure``.

What it guarantees, whatever the server does:
- No redirect is followed: a 3xx is a failure naming the status and the Location's origin, so a
  credential (a bearer token, the LWA form) is never sent anywhere but the URL it was meant for.
- ``timeout`` is a deadline for a whole attempt: connect, send, the headers and the whole body. A
  server that drips its answer is cut off when it passes (a watchdog shuts the socket down) and
  the attempt counts as a transport failure, retried like a reset.
- A body larger than MAX_BODY_BYTES is refused.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

import contextlib
import itertools
import json as jsonlib
import random
import socket
import threading
import time
from collections import namedtuple
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

try:
    import requests
    from requests.adapters import HTTPAdapter
    from requests.exceptions import ConnectTimeout, InvalidSchema, InvalidURL, MissingSchema, RequestException, SSLError
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError
    # Failures that no retry can mend: a wrong URL or a certificate that does not verify.
    PERMANENT_FAILURES = (InvalidSchema, InvalidURL, MissingSchema, SSLError)
    # Failures while connecting: the request never reached the server (NameResolutionError is a NewConnectionError).
    NEVER_SENT = (ConnectTimeout, NewConnectionError, ConnectionRefusedError, socket.gaierror)
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module through missing_required_lib
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc
    HTTPAdapter = HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = object

COLLECTION_VERSION = '0.1.0'
USER_AGENT = 'skillops.alexa/%s' % COLLECTION_VERSION

# Throttling and the transient server errors SMAPI declares; any other status is an answer.
RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))
# Neither SMAPI nor LWA answers anything near this; a larger body is a server gone wrong.
MAX_BODY_BYTES = 8 * 1024 * 1024
# How much of an unusable body an error message quotes.
EXCERPT_CHARS = 160

# Under an AdaptiveLimit a 429 is flow control rather than failure: that many of them per request are
# retried beyond the retry policy's attempts.
THROTTLES_ALLOWED = 20

# The verdict on one attempt: what to do next, and the failure to raise or keep.
DONE = 'done'            # a 2xx answer
FAIL = 'fail'            # an answer or a failure no retry can change
RETRY = 'retry'          # nothing was stored: wait, then send the same request again
UNKNOWN = 'unknown'      # a POST that may have been stored: its caller must look before sending it again
Outcome = namedtuple('Outcome', ['action', 'failure'])


class Reply:
    """A complete answer: status, headers and the whole body, read within the attempt's deadline."""

    def __init__(self, status_code, headers=None, content=b'', reason='', method='GET', url=''):
        self.status_code = status_code
        self.headers = headers if headers is not None else {}
        self.content = content
        self.reason = reason
        self.method = method
        self.url = url

    @property
    def content_type(self):
        return (self.headers.get('Content-Type') or 'no content type').split(';')[0].strip()

    @property
    def text(self):
        return self.content.decode('utf-8', errors='replace')

    def excerpt(self, mask=None):
        """The start of the body, for an error message. ``mask`` hides the caller's secrets in the
        whole body first, so that the cut never leaves part of one, and the text is quoted as it
        is (an escaping repr would spell a secret in a way no mask knows)."""
        text = ' '.join((mask or _as_is)(self.text).split())
        if not text:
            return 'an empty body'
        return "'%s%s'" % (text[:EXCERPT_CHARS], '...' if len(text) > EXCERPT_CHARS else '')

    def json(self):
        """The body as JSON; ValueError if it is not (empty, HTML, truncated, nested past Python's limit)."""
        try:
            return jsonlib.loads(self.text)
        except RecursionError:
            raise ValueError('JSON nested too deep') from None


def _as_is(text):
    return text


class HttpFailure(Exception):
    """An attempt (or the last of several) that gave nothing the caller can use, with what the
    transport knows of it. ``reply`` is the answer, if one came; ``reason`` says in words what went
    wrong when the answer itself does not (no answer, a redirect, a body the caller could not use).
    ``maybe_stored``: a POST that reached the server may have been stored."""

    def __init__(self, reason=None, reply=None, method='GET', path='', service='smapi', attempts=1,
                 retryable=False, retry_after=None, maybe_stored=False, budget=None):
        super().__init__(reason or 'HTTP %s' % getattr(reply, 'status_code', None))
        self.reason = reason
        self.reply = reply
        self.method = method
        self.path = path
        self.service = service
        self.attempts = attempts
        self.retryable = retryable
        self.retry_after = retry_after
        self.maybe_stored = maybe_stored
        # The attempts this request may make, throttles under an AdaptiveLimit included.
        self.budget = budget
        self.notes = []

    @property
    def status(self):
        return self.reply.status_code if self.reply is not None else None


def unusable(reply, service, expected, retryable=False, mask=None):
    """A failure for a 2xx answer whose body is not what the operation returns: names the status, the
    content type, what was expected and what came instead (``mask`` hides secrets in the excerpt)."""
    return HttpFailure('%s answered %s with %s where %s was expected: %s'
                       % (service.upper(), reply.status_code, reply.content_type, expected, reply.excerpt(mask)),
                       reply=reply, method=reply.method, path=urlsplit(reply.url).path, service=service,
                       retryable=retryable)


def error_body(reply, key):
    """The JSON object of an error answer when it holds a string ``key`` (the service's own error
    shape), else None (a proxy's page, an empty body)."""
    try:
        body = reply.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) and isinstance(body.get(key), str) else None


def foreign_error(reply, shape, mask=None):
    """The words for an error answer in no ``shape`` of the service: its reason, content type and body."""
    return '%s; the body (%s) is no %s: %s' % (reply.reason or 'no reason', reply.content_type, shape,
                                               reply.excerpt(mask))


def json_body(reply, service, mask=None, kind=dict, expected='a JSON object'):
    """The body of a 2xx answer as JSON of type ``kind``. A body that is not JSON at all (HTML from a
    proxy, a truncated answer) may come right on the next attempt; JSON of another type will not."""
    try:
        body = reply.json()
    except ValueError:
        raise unusable(reply, service, expected, retryable=True, mask=mask) from None
    if not isinstance(body, kind):
        raise unusable(reply, service, expected, mask=mask)
    return body


def classify(method, result, idempotent):
    """The verdict on one attempt, whose ``result`` is a Reply or an HttpFailure of the transport."""
    if isinstance(result, HttpFailure):
        if not result.retryable:
            return Outcome(FAIL, result)
        return Outcome(UNKNOWN if result.maybe_stored and not idempotent else RETRY, result)
    if 200 <= result.status_code < 300:
        return Outcome(DONE, None)
    path = urlsplit(result.url).path
    if 300 <= result.status_code < 400:
        return Outcome(FAIL, HttpFailure(
            'redirect (HTTP %s) to %s refused: requests are sent only to the configured URL'
            % (result.status_code, _origin_of(result.headers.get('Location'))), reply=result, method=method, path=path))
    failure = HttpFailure(reply=result, method=method, path=path, retryable=result.status_code in RETRYABLE_STATUSES)
    if not failure.retryable:
        return Outcome(FAIL, failure)
    failure.retry_after = parse_retry_after(result.headers.get('Retry-After'))
    # 429 is a refusal before any work; a 5xx may come after the object was stored.
    failure.maybe_stored = result.status_code != 429
    return Outcome(UNKNOWN if failure.maybe_stored and not idempotent else RETRY, failure)


def _origin_of(location):
    """Where a Location points, in words: its origin, never its path or query (which may hold anything)."""
    try:
        parts = urlsplit(location or '')
        port = parts.port
    except ValueError:
        return 'an address that does not parse'
    if parts.hostname:
        # The host and port alone: any user and password in the address stay out of the message.
        return '%s//%s%s' % (parts.scheme + ':' if parts.scheme else '', parts.hostname, ':%d' % port if port else '')
    return 'the same origin' if parts.path else 'nowhere'


def failure_of(exception, method, post, expired):
    """The HttpFailure for a requests exception raised by one attempt (None: the deadline cut it)."""
    # A connection that failed while connecting never carried the request; any other failure may
    # have come after the server stored a POST. That holds at the deadline too.
    never_sent = any(isinstance(cause, NEVER_SENT) for cause in _causes(exception))
    # Every read waits at most what was left of the deadline when the request began, so a read that
    # timed out is the deadline running out; on a busy host the read can notice a moment before the
    # deadline's own timer does. Either way the task must say the same thing.
    if not never_sent and any(isinstance(cause, ReadTimeoutError) for cause in _causes(exception)):
        expired = True
    if expired:
        return HttpFailure('no complete answer within the deadline (timeout)', method=method, retryable=True,
                           maybe_stored=post and not never_sent)
    # A wrong URL or a certificate that does not verify stops the request before it is sent.
    permanent = isinstance(exception, PERMANENT_FAILURES)
    return HttpFailure(_describe_exception(exception), method=method, retryable=not permanent,
                       maybe_stored=post and not never_sent and not permanent)


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
            if outcome.failure is not None and outcome.failure.status == 429:
                self.throttled += 1
                self._successes = 0
                # A wait longer than the retry policy allows ends that request instead (see request), so
                # it must not hold the others that long either.
                if outcome.failure.retry_after:
                    self._resume_at = max(self._resume_at,
                                          self._clock() + min(outcome.failure.retry_after, self.max_hold))
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


# --- the deadline of one attempt -----------------------------------------------------------------
# requests' timeout bounds the connection and each read, not the answer: a server (or a proxy) that
# sends a byte now and then holds a call for as long as it likes. Each attempt therefore runs under
# a Deadline. The connections of this transport make their connection (name lookup and connect to
# each address) in a helper thread given only the time left, and hand the Deadline themselves
# while they are in use; when it passes, a timer shuts their socket down, which ends any read in
# progress (a proxy's answer to CONNECT, the headers, the body). A connection that goes back to
# the pool leaves the Deadline first, so the timer never touches a socket another request took.

_attempt = threading.local()


def _shut_down(sock):
    # Down to the socket itself: through a proxy over TLS, urllib3 wraps it in an SSLTransport.
    while sock is not None and not isinstance(sock, socket.socket):
        sock = getattr(sock, 'socket', None)
    if sock is None:
        return
    try:
        # socket.socket's own shutdown, also for a TLS socket: it acts on the descriptor at once,
        # without the TLS goodbye a stalled peer would never answer.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class Deadline:
    """The end of one attempt, for the connections of the thread that makes it. ``cut`` says the
    timer shut down a connection in use: nothing read from it is a whole answer."""

    def __init__(self, seconds, clock=time.monotonic):
        self._clock = clock
        self.at = clock() + seconds
        self.expired = False
        self.cut = False
        # Each connection in use, with the socket it had when last seen: a response to "Connection:
        # close" takes the socket over from its connection, which then holds None.
        self._connections = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True

    def remaining(self):
        return max(0.001, self.at - self._clock())

    def watch(self, connection):
        with self._lock:
            if self._connections is None:
                return
            seen = self._find(connection)
            if seen is None:
                seen = [connection, None]
                self._connections.append(seen)
            seen[1] = connection.sock or seen[1]
            if self.expired:
                self._cut(seen)

    def release(self, connection):
        with self._lock:
            seen = self._find(connection) if self._connections else None
            if seen is not None:
                self._connections.remove(seen)

    def _find(self, connection):
        return next((seen for seen in self._connections if seen[0] is connection), None)

    def _expire(self):
        with self._lock:
            if self._connections is None:  # the attempt ended in time
                return
            self.expired = True
            for seen in self._connections:
                self._cut(seen)

    def _cut(self, seen):
        self.cut = True
        _shut_down(seen[0].sock)
        _shut_down(seen[1])

    def __enter__(self):
        _attempt.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        _attempt.deadline = None
        self._timer.cancel()
        with self._lock:
            self._connections = None


def _current_deadline():
    return getattr(_attempt, 'deadline', None)


class _DeadlineConnection:
    """What the deadline needs of a connection, for urllib3's HTTP and HTTPS connections alike."""

    def _new_conn(self):
        deadline = _current_deadline()
        if deadline is None:
            return super()._new_conn()
        # The name lookup has no timeout, and urllib3 gives each address of a name the whole
        # timeout: the connection is made aside, and given up when the deadline comes first.
        new_conn = super()._new_conn
        made = {}
        lock = threading.Lock()

        def connect():
            try:
                sock = new_conn()
            except BaseException as error:  # pylint: disable=broad-except
                made['error'] = error
                return
            with lock:
                if made.get('abandoned'):
                    sock.close()
                else:
                    made['sock'] = sock

        worker = threading.Thread(target=connect, name='skillops-connect', daemon=True)
        worker.start()
        worker.join(deadline.remaining())
        with lock:
            if 'sock' not in made and 'error' not in made:
                made['abandoned'] = True
                raise ConnectTimeoutError(self, 'no connection to %s within the deadline' % self.host)
        if isinstance(made.get('error'), ConnectTimeoutError) and not isinstance(made['error'], NewConnectionError):
            # urllib3 was given what was left of the deadline and ran out first (a busy machine wakes
            # this thread late): the same end, told the same way. (A refusal is a NewConnectionError,
            # which urllib3 derives from ConnectTimeoutError.)
            raise ConnectTimeoutError(self, 'no connection to %s within the deadline' % self.host)
        if 'error' in made:
            raise made['error']
        return made['sock']

    def connect(self):
        # Watched from here on: through a proxy, the proxy's answer to CONNECT is read in connect().
        deadline = _current_deadline()
        if deadline is not None:
            deadline.watch(self)
        return super().connect()

    def getresponse(self, *args, **kwargs):
        # A connection from the pool connected under another attempt's deadline.
        deadline = _current_deadline()
        if deadline is not None:
            deadline.watch(self)
        return super().getresponse(*args, **kwargs)


class _DeadlineHTTPConnection(_DeadlineConnection, HTTPConnection):
    pass


class _DeadlineHTTPSConnection(_DeadlineConnection, HTTPSConnection):
    pass


class _DeadlinePool:
    def _put_conn(self, conn):
        deadline = _current_deadline()
        if deadline is not None and conn is not None:
            deadline.release(conn)
        return super()._put_conn(conn)


class _DeadlineHTTPPool(_DeadlinePool, HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _DeadlineHTTPSPool(_DeadlinePool, HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


_POOL_CLASSES = {'http': _DeadlineHTTPPool, 'https': _DeadlineHTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections, direct or through an HTTP(S) proxy, obey the attempt's
    Deadline. A SOCKS proxy keeps its own connections: there the deadline bounds each read only."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOL_CLASSES

    def proxy_manager_for(self, proxy, **kwargs):
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith('socks'):
            manager.pool_classes_by_scheme = _POOL_CLASSES
        return manager


class HttpTransport:
    """One requests.Session per run; every call goes through ``request``.

    With ``max_concurrency`` above 1 the session's connection pool holds that many connections and
    an AdaptiveLimit keeps the requests in flight below what the service tolerates.
    """

    def __init__(self, timeout=30, validate_certs=True, retry=None, sleep=time.sleep, session=None, max_concurrency=1):
        self.timeout = float(timeout)
        self.validate_certs = validate_certs
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.headers['User-Agent'] = '%s python-requests/%s' % (USER_AGENT, requests.__version__)
        self.limit = None
        if max_concurrency > 1:
            self.limit = AdaptiveLimit(max_concurrency, max_hold=self.retry.max_delay)
        # One pool for each host (SMAPI and LWA), as large as the requests in flight.
        adapter = DeadlineAdapter(pool_connections=2, pool_maxsize=max(1, max_concurrency))
        self.session.mount('https://', adapter)
        self.session.mount('http://', adapter)

    def request(self, method, url, service, headers=None, params=None, json=None, data=None, check=None,
                idempotent=None, first_attempt=1, budget=None):
        """Send a request, retrying throttling, transient 5xx, connection failures and deadlines.

        ``check(reply)`` turns a 2xx Reply into what the caller wants, or raises an HttpFailure
        (``unusable``); a retryable one is retried like a 5xx. A request that is not ``idempotent``
        (by default a POST) whose outcome is unknown is not re-sent: the HttpFailure says
        ``maybe_stored``, and the caller, who knows how to look, decides (``first_attempt`` and
        ``budget``, the failure's, then carry the count on). Raises HttpFailure for anything but a
        usable 2xx answer.
        """
        if idempotent is None:
            idempotent = method.upper() != 'POST'
        path = urlsplit(url).path
        attempts = budget or self.retry.attempts
        for attempt in itertools.count(first_attempt):
            with self.limit.slot() if self.limit else contextlib.nullcontext() as sent_in:
                result = self._attempt(method, url, headers, params, json, data)
            if isinstance(result, Reply) and 200 <= result.status_code < 300 and check:
                try:
                    value = check(result)
                except HttpFailure as failure:
                    failure.maybe_stored = not idempotent
                    result = failure
            else:
                value = result
            outcome = classify(method, result, idempotent)
            failure = outcome.failure
            if self.limit:
                self.limit.record(sent_in, outcome)
                if failure is not None and failure.status == 429 and attempts < self.retry.attempts + THROTTLES_ALLOWED:
                    attempts += 1
            if failure is not None:
                failure.method, failure.path, failure.service = method, path, service
                failure.attempts, failure.budget = attempt, attempts
            if outcome.action == DONE:
                return value
            if outcome.action in (FAIL, UNKNOWN):
                raise failure
            wait = self.backoff(failure)
            if wait is None:
                raise failure
            self.sleep(wait)

    def backoff(self, failure):
        """Seconds to wait before the attempt after ``failure``; None when none is left (then the
        failure says why, if the server asked for a longer wait than allowed)."""
        if failure.attempts >= (failure.budget or self.retry.attempts):
            return None
        wait = self.retry.delay(failure.attempts, failure.retry_after)
        if wait is None:
            failure.notes.append('the server asked to retry after %ss, more than retry_max_delay=%ss'
                                 % (failure.retry_after, self.retry.max_delay))
        return wait

    def _attempt(self, method, url, headers, params, json, data):
        """One attempt under its deadline: a complete Reply, or the HttpFailure of a transport error."""
        post = method.upper() == 'POST'
        with Deadline(self.timeout) as deadline:
            try:
                response = self.session.request(
                    method, url, headers=headers, params=params, json=json, data=data, allow_redirects=False,
                    stream=True, timeout=(deadline.remaining(), deadline.remaining()), verify=self.validate_certs)
                try:
                    content = self._read(response)
                finally:
                    response.close()
            except RequestException as exception:
                return failure_of(exception, method, post, deadline.expired)
            if deadline.cut:
                # The watchdog's shutdown can end a read as if the answer were complete (headers cut
                # short read as the end of the headers): nothing read after it is an answer.
                return failure_of(None, method, post, expired=True)
        if content is None:
            return HttpFailure('the answer is larger than %d bytes' % MAX_BODY_BYTES, method=method)
        return Reply(response.status_code, response.headers, content, response.reason, method, response.url or url)

    @staticmethod
    def _read(response):
        """The whole body, or None once it is larger than MAX_BODY_BYTES."""
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return None
            chunks.append(chunk)
        return b''.join(chunks)


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
    # urllib3 puts the connection object before the words (a repr with a memory address): the words only.
    words = cause.args[-1] if len(cause.args) > 1 and isinstance(cause.args[-1], str) else cause
    return '%s: %s: %s' % (type(exc).__name__, type(cause).__name__, getattr(cause, 'strerror', None) or words)
