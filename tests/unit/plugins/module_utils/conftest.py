# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fakes shared by the module_utils tests: an HTTP response and a transport that records calls."""

import copy
import json as jsonlib
import threading
import time
from urllib.parse import urlsplit

import pytest

from ansible_collections.skillops.alexa.plugins.module_utils._http import RETRYABLE_STATUSES, HttpFailure, Reply


def FakeResponse(status_code=200, body=None, headers=None, reason='', content=None):
    """A complete answer as the transport hands it to a client: ``body`` as JSON, or raw ``content``."""
    if content is None:
        content = b'' if body is None else jsonlib.dumps(body).encode()
    headers = dict(headers or {})
    if body is not None:
        headers.setdefault('Content-Type', 'application/json')
    return Reply(status_code, headers, content, reason)


class FakeTransport:
    """Stands in for HttpTransport: pops scripted answers and records calls. A Reply with a 2xx
    status goes through the request's ``check``, any other is raised as the transport raises it (an
    HttpFailure that a POST may have been stored after a 5xx); an exception is raised as it is."""

    def __init__(self, *script, attempts=3):
        self.script = list(script)
        self.calls = []
        self.pauses = []
        self.attempts = attempts

    def sleep(self, seconds):
        self.pauses.append(seconds)

    def backoff(self, failure):
        return 0.5 if failure.attempts < (failure.budget or self.attempts) else None

    def request(self, method, url, service, headers=None, params=None, json=None, data=None, check=None,
                idempotent=None, first_attempt=1, budget=None):
        # Copies: a caller that mutates its dicts after the call must not rewrite what was recorded.
        self.calls.append(dict(method=method, url=url, service=service, headers=copy.deepcopy(headers),
                               params=copy.deepcopy(params), json=copy.deepcopy(json), data=copy.deepcopy(data),
                               first_attempt=first_attempt, idempotent=idempotent, budget=budget))
        answer = self.script.pop(0)
        path = urlsplit(url).path
        if isinstance(answer, HttpFailure):
            answer.method, answer.path, answer.service = method, path, service
            answer.attempts = max(answer.attempts, first_attempt)
        if isinstance(answer, Exception):
            raise answer
        answer.method, answer.url = method, url
        if 200 <= answer.status_code < 300:
            try:
                return check(answer) if check else answer
            except HttpFailure as failure:
                # As the transport says: a POST answered at all may have been stored.
                failure.maybe_stored = method == 'POST' if idempotent is None else not idempotent
                raise
        retryable = answer.status_code in RETRYABLE_STATUSES
        raise HttpFailure(reply=answer, method=method, path=path, service=service, attempts=first_attempt,
                          retryable=retryable, maybe_stored=retryable and answer.status_code != 429 and method == 'POST')


@pytest.fixture
def response():
    return FakeResponse


@pytest.fixture
def transport_of():
    return FakeTransport


class Overlap:
    """A piece of work that takes a moment and counts how many ran at once (``peak``)."""

    def __init__(self):
        self.running = self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, *dummy):
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        time.sleep(0.02)
        with self._lock:
            self.running -= 1


@pytest.fixture
def overlap():
    return Overlap
