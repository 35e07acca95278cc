# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Access tokens kept on the controller for the rest of one ansible run.

Each task runs in a process of its own, so a token kept in memory dies with the task. The cache is a
directory instead: ansible's local temporary directory of the run, which only the controller's user
can read, and which ansible removes when the run ends. Only the access token and its expiry are
kept, never the credentials it was minted from; the file is named by a hash of them.

This is an internal plugin_utils of skillops.alexa, not a public API: it may change at any time.
"""

import fcntl
import hashlib
import json
import os
import tempfile
import time

SUBDIRECTORY = 'skillops_alexa_lwa'


def cache_key(*credentials):
    """A name for the token of these credentials that does not hold them. It is a plain SHA-256, so
    it could confirm a guessed secret; refresh tokens and client secrets are too long to guess."""
    return hashlib.sha256(json.dumps(list(credentials)).encode('utf-8')).hexdigest()


class TokenCache:
    """Access tokens by key, each with the time it expires, shared by the run's processes."""

    def __init__(self, directory, clock=time.time):
        self.directory = os.path.join(directory, SUBDIRECTORY)
        self.clock = clock

    def get(self, key, mint, renew_before):
        """The kept token for ``key`` while it has more than ``renew_before`` seconds to live; else
        a new one from ``mint()`` (an LWA answer: access_token, expires_in), kept for the next task.

        One process mints at a time, so tasks that run at once on several hosts mint one token."""
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        path = os.path.join(self.directory, key)
        with open(path + '.lock', 'a') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            kept = self._read(path)
            if kept and kept['expires_at'] - self.clock() > renew_before:
                return kept['access_token']
            answer = mint()
            self._write(path, dict(access_token=answer['access_token'],
                                   expires_at=self.clock() + int(answer.get('expires_in', 3600))))
            return answer['access_token']

    @staticmethod
    def _read(path):
        try:
            with open(path) as kept:
                return json.load(kept)
        except (OSError, ValueError):
            return None

    def _write(self, path, entry):
        # mkstemp creates the file readable by its owner only; the rename makes it whole at once.
        handle, temporary = tempfile.mkstemp(dir=self.directory)
        with os.fdopen(handle, 'w') as kept:
            json.dump(entry, kept)
        os.replace(temporary, path)
