# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Login with Amazon: token grants, the authorization URL, and the access token of a module run.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

import math
import threading
from urllib.parse import urlencode, urlsplit

from ansible_collections.skillops.alexa.plugins.module_utils._errors import ApiError
from ansible_collections.skillops.alexa.plugins.module_utils._http import (
    HttpFailure, error_body, foreign_error, json_body)
from ansible_collections.skillops.alexa.plugins.module_utils._secrets import Secrets

SUBSCRIPTIONS_SCOPE = 'alexa::ask:subscriptions'
DEFAULT_LWA_URL = 'https://api.amazon.com'
DEFAULT_AUTHORIZE_URL = 'https://www.amazon.com'
TOKEN_ANSWER = 'a token (a non-empty string access_token, token_type bearer and a positive expires_in)'


def lwa_error(failure, mask=None):
    """The ApiError for a failed token request: LWA's OAuth error body ({error, error_description})
    when the answer has one, else what the transport says went wrong."""
    reply = failure.reply
    if failure.reason or reply is None:
        return ApiError.of_failure(failure, failure.reason)
    body = error_body(reply, 'error')
    if body is None:
        return ApiError.of_failure(failure, foreign_error(reply, 'OAuth error', mask))
    description = body.get('error_description')
    return ApiError.of_failure(failure, description if isinstance(description, str) and description else body['error'],
                               oauth_error=body['error'])


def _described(answer, key):
    """What a token answer holds under ``key``, in words; a token's value is never shown."""
    if key not in answer:
        return '%s missing' % key
    value = answer[key]
    if key.endswith('_token'):
        kind = ('an empty string' if value == '' else 'a string' if isinstance(value, str)
                else 'null' if value is None else 'a %s' % type(value).__name__)
        return '%s %s' % (key, kind)
    return '%s %s' % (key, repr(value)[:40])


class LwaClient:
    """The token endpoint ``{lwa_url}/auth/o2/token`` with client authentication.

    Every token it is given or mints goes into ``secrets``, and every error it raises is masked with
    them: an LWA that echoes the form never gets a secret into a message."""

    def __init__(self, transport, lwa_url, client_id, client_secret, secrets=None):
        self.transport = transport
        self.token_url = lwa_url.rstrip('/') + '/auth/o2/token'
        self.client_id = client_id
        self.secrets = secrets or Secrets()
        self.client_secret = self.secrets.add(client_secret)

    def refresh(self, refresh_token):
        # A refresh creates nothing that could be duplicated, so it is safe to re-send.
        return self._grant(True, grant_type='refresh_token', refresh_token=self.secrets.add(refresh_token))

    def exchange_code(self, code, redirect_uri):
        # A code works once: after a lost response a re-send could only fail, so it is not re-sent.
        return self._grant(False, grant_type='authorization_code', code=self.secrets.add(code),
                           redirect_uri=redirect_uri)

    def _grant(self, idempotent, **form):
        form.update(client_id=self.client_id, client_secret=self.client_secret)
        try:
            return self.transport.request('POST', self.token_url, 'lwa', data=form, headers={'Accept': 'application/json'},
                                          check=self._token_answer, idempotent=idempotent)
        except HttpFailure as failure:
            error = lwa_error(failure, self.secrets.mask)
        if not idempotent and error.maybe_stored:
            # LWA may have spent the code on the attempt whose answer was lost: sending it again
            # cannot help, so the failure is no retryable one for a playbook either.
            error.retryable = False
            error.notes.append('the code may have been used up; ask for a new one')
        raise error.masked(self.secrets)

    def _token_answer(self, reply):
        """The token answer, checked: a bearer access token with a positive lifetime. Its tokens are
        secrets from here on, also when the answer is refused."""
        answer = json_body(reply, 'lwa', self.secrets.mask)
        for key in ('access_token', 'refresh_token'):
            self.secrets.add(answer.get(key))
        expires_in = answer.get('expires_in')
        if (isinstance(answer.get('access_token'), str) and answer['access_token']
                and str(answer.get('token_type', '')).lower() == 'bearer'
                and isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool)
                and math.isfinite(expires_in) and expires_in > 0
                and isinstance(answer.get('refresh_token', ''), str)):
            return answer
        # What came instead, field by field: an excerpt of the body could show a token.
        sent = ', '.join(_described(answer, key) for key in ('access_token', 'token_type', 'expires_in'))
        others = sorted(set(answer) - set(('access_token', 'token_type', 'expires_in', 'refresh_token', 'scope')))
        if others:
            sent += ', and %s' % ', '.join(others[:10])
        raise HttpFailure('LWA answered %s with %s where %s was expected; it sent %s'
                          % (reply.status_code, reply.content_type, TOKEN_ANSWER, sent), reply=reply,
                          method=reply.method, path=urlsplit(reply.url).path, service='lwa')


def authorization_url(client_id, scopes, redirect_uri, state=None, authorize_url=DEFAULT_AUTHORIZE_URL):
    """The consent page an organization sends a developer to (authorization-code grant)."""
    query = [('client_id', client_id), ('scope', ' '.join(scopes)), ('response_type', 'code'),
             ('redirect_uri', redirect_uri)]
    if state:
        query.append(('state', state))
    return authorize_url.rstrip('/') + '/ap/oa?' + urlencode(query)


class AccessToken:
    """The bearer token of one module run: given as is, or minted once from refresh credentials.

    Shared by concurrent requests: the first to need a token (or a new one) mints it while the
    others wait, and none mints a second one for the same reason.
    """

    def __init__(self, lwa=None, access_token=None, refresh_token=None, secrets=None):
        self._lwa = lwa
        self._refresh_token = refresh_token
        self.secrets = secrets or Secrets()
        self._value = self.secrets.add(access_token)
        self._failed = None  # (the stale token, the error minting its replacement)
        self._lock = threading.Lock()

    @property
    def can_refresh(self):
        return bool(self._lwa and self._refresh_token)

    def get(self):
        if self._value is None:
            self.refresh(stale=None)
        return self._value

    def refresh(self, stale):
        """A new access token, unless the one that failed (``stale``) was already replaced; when
        minting its replacement failed, the same failure, without asking LWA again."""
        with self._lock:
            if self._failed and self._failed[0] == stale:
                raise self._failed[1]
            if self._value == stale:
                try:
                    self._value = self.secrets.add(self._lwa.refresh(self._refresh_token)['access_token'])
                except Exception as error:
                    self._failed = (stale, error)
                    raise
            return self._value
