# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The secrets of one run (tokens, client secrets, codes) and the masking of any text that may hold them.

A server may echo what it was sent: an error body that repeats the Authorization header, a form
field, a query. Masking covers each secret as it was given and as it travels: URL-encoded (a form
body, a query) and JSON-escaped (a JSON body that quotes it).

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

import json
import threading
from urllib.parse import quote, quote_plus

MASK = '********'
# Shorter values are no secrets worth the name (and masking them would garble every message).
MIN_SECRET_LENGTH = 6


def forms_of(value):
    """The spellings of a secret that can reach a text: as is, URL-encoded and JSON-escaped."""
    return {value, quote(value, safe=''), quote_plus(value), quote(value), json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1]}


class Secrets:
    """The run's secrets. ``on_add`` is told every new spelling (a module registers them as no_log values)."""

    def __init__(self, values=(), on_add=None):
        self._forms = set()
        self._on_add = on_add
        self._lock = threading.Lock()
        for value in values:
            self.add(value)

    def add(self, value):
        """Register a secret given to the run or minted by it; returns it."""
        if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
            new = forms_of(value) - self._forms
            with self._lock:
                self._forms |= new
            if new and self._on_add:
                self._on_add(new)
        return value

    def mask(self, text):
        """``text`` with every spelling of every secret replaced by MASK (the longest first, so that a
        secret holding another is masked whole)."""
        if not isinstance(text, str) or not self._forms:
            return text
        for form in sorted(self._forms, key=len, reverse=True):
            text = text.replace(form, MASK)
        return text
