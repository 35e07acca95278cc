# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""HTTP transport shared by the SMAPI and LWA clients: one session, timeouts, retries, errors.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import time
from collections import namedtuple
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

try:
    import requests
    from requests.exceptions import (ConnectTimeout, ConnectionError as RequestsConnectionError, InvalidSchema,
                                     InvalidURL, MissingSchema, RequestException, SSLError)
    # Failures that no retry can mend: a wrong URL or a certificate that does not verify.
    PERMANENT_FAILURES = (InvalidSchema, InvalidURL, MissingSchema, SSLError)
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module through missing_required_lib
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover
    from urlparse import urlsplit  # type: ignore[no-redef]

COLLECTION_VERSION = '0.1.0'
USER_AGENT = 'skillops.alexa/%s' % COLLECTION_VERSION

# Throttling and the transient server errors SMAPI declares; anything else is an answer.
RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))

# What a create answers with when its response was lost but the object turned out to exist.
Recovered = namedtuple('Recovered', ['value'])


class ApiError(Exception):
    """Any failed SMAPI or LWA call: HTTP status, service code, message, violations, request."""

    def __init__(self, message, status=None, method=None, path=None, code=None, violations=None, attempts=1):
        super(ApiError, self).__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.code = code
        self.violations = violations or []
        self.attempts = attempts

    def __str__(self):
        where = '%s %s' % (self.method, self.path) if self.method else 'request'
        status = 'HTTP %s' % self.status if self.status else 'no response'
        text = '%s failed (%s' % (where, status)
        if self.code:
            text += ', %s' % self.code
        text += '): %s' % self.message
        if self.violations:
            text += ' [%s]' % '; '.join(
                v.get('message') or v.get('code') or str(v) for v in self.violations if isinstance(v, dict))
        if self.attempts > 1:
            text += ' (after %d attempts)' % self.attempts
        return text

    def as_dict(self):
        """The error for a module result; never holds request bodies or headers."""
        return dict(status=self.status, code=self.code, message=self.message, violations=self.violations,
                    method=self.method, path=self.path, attempts=self.attempts)

    @classmethod
    def from_response(cls, response, method, path, attempts=1):
        """Read SMAPI ({code, message, violations}) and OAuth ({error, error_description}) bodies."""
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        message = body.get('message') or body.get('error_description') or response.reason or 'no message'
        code = body.get('code') or body.get('error')
        return cls(message, status=response.status_code, method=method, path=path, code=code,
                   violations=body.get('violations'), attempts=attempts)


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


class HttpTransport:
    """One requests.Session per module run; every call goes through ``request``."""

    def __init__(self, timeout=30, validate_certs=True, retry=None, sleep=time.sleep, session=None):
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.headers['User-Agent'] = '%s python-requests/%s' % (USER_AGENT, requests.__version__)
        self.calls = 0

    def request(self, method, url, headers=None, params=None, json=None, data=None, recover=None):
        """Send a request, retrying throttling, transient 5xx and connection failures.

        A non-idempotent request (POST) whose outcome is unknown -- sent, then a reset, a timeout
        or a 5xx -- is never re-sent blindly: ``recover`` is asked first whether the object exists
        and, when it returns something, that is the answer (as ``Recovered``). Without ``recover``
        such a request is not retried. Returns the 2xx response; raises ApiError otherwise.
        """
        path = urlsplit(url).path
        unsafe = method.upper() == 'POST'
        attempt = 0
        while True:
            attempt += 1
            retry_after = None
            try:
                self.calls += 1
                response = self.session.request(method, url, headers=headers, params=params, json=json,
                                                data=data, timeout=self.timeout, verify=self.validate_certs)
            except RequestException as exc:
                error = ApiError(_describe_exception(exc), method=method, path=path, attempts=attempt)
                if isinstance(exc, PERMANENT_FAILURES):
                    raise error
                # A connect timeout or refused connection never reached the server.
                never_sent = isinstance(exc, ConnectTimeout) or _is_connect_failure(exc)
                outcome_unknown = unsafe and not never_sent
            else:
                if response.status_code < 400:
                    return response
                error = ApiError.from_response(response, method, path, attempts=attempt)
                if response.status_code not in RETRYABLE_STATUSES:
                    raise error
                retry_after = parse_retry_after(response.headers.get('Retry-After'))
                # 429 is a refusal before any work; a 5xx may come after the object was stored.
                outcome_unknown = unsafe and response.status_code != 429

            if outcome_unknown and recover is None:
                raise error
            wait = self.retry.delay(attempt, retry_after) if attempt < self.retry.attempts else None
            if wait is None:
                if retry_after is not None and attempt < self.retry.attempts:
                    error.message += (' (the server asked to retry after %ss, more than retry_max_delay=%ss)'
                                      % (retry_after, self.retry.max_delay))
                if outcome_unknown:
                    # Giving up, but the last attempt may have stored the object: say so if it did.
                    found = recover()
                    if found is not None:
                        return Recovered(found)
                raise error
            self.sleep(wait)
            if outcome_unknown:
                found = recover()
                if found is not None:
                    return Recovered(found)


def _is_connect_failure(exc):
    """True when requests failed while connecting, before the request could be sent."""
    if not isinstance(exc, RequestsConnectionError):
        return False
    text = repr(exc)
    return 'NewConnectionError' in text or 'Connection refused' in text or 'NameResolutionError' in text


def _describe_exception(exc):
    """The failure in a few words: the requests error and the innermost reason behind it."""
    cause, seen = exc, set()
    while id(cause) not in seen:
        seen.add(id(cause))
        nested = getattr(cause, 'reason', None)
        if not isinstance(nested, BaseException):
            nested = next((arg for arg in getattr(cause, 'args', ()) if isinstance(arg, BaseException)), None)
        if nested is None:
            break
        cause = nested
    if cause is exc:
        return '%s: %s' % (type(exc).__name__, exc)
    return '%s: %s: %s' % (type(exc).__name__, type(cause).__name__, getattr(cause, 'strerror', None) or cause)
