# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fakes shared by the module_utils tests: an HTTP response and a transport that records calls."""

import copy
import threading
import time

import pytest


class FakeResponse:
    """The parts of requests.Response the clients read."""

    def __init__(self, status_code=200, body=None, headers=None, reason=''):
        self.status_code = status_code
        self.headers = headers or {}
        self.reason = reason
        self._body = body

    def json(self):
        if self._body is None:
            raise ValueError('no JSON body')
        return self._body


class FakeTransport:
    """Stands in for HttpTransport: pops scripted answers (an exception is raised; a callable is called
    with the request's ``recover`` and its result is the answer) and records calls."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = []
        self.pauses = []

    def sleep(self, seconds):
        self.pauses.append(seconds)

    def request(self, method, url, service, headers=None, params=None, json=None, data=None, recover=None):
        # Copies: a caller that mutates its dicts after the call must not rewrite what was recorded.
        self.calls.append(dict(method=method, url=url, service=service, headers=copy.deepcopy(headers),
                               params=copy.deepcopy(params),
                               json=copy.deepcopy(json), data=copy.deepcopy(data), recover=recover))
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer(recover) if callable(answer) else answer


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
