# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Login with Amazon: token grants, the authorization URL, and the access token of a module run.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

import threading
from urllib.parse import urlencode

SUBSCRIPTIONS_SCOPE = 'alexa::ask:subscriptions'
DEFAULT_LWA_URL = 'https://api.amazon.com'
DEFAULT_AUTHORIZE_URL = 'https://www.amazon.com'


class LwaClient:
    """The token endpoint ``{lwa_url}/auth/o2/token`` with client authentication."""

    def __init__(self, transport, lwa_url, client_id, client_secret):
        self.transport = transport
        self.token_url = lwa_url.rstrip('/') + '/auth/o2/token'
        self.client_id = client_id
        self.client_secret = client_secret

    def refresh(self, refresh_token):
        # A refresh creates nothing that could be duplicated, so it is safe to re-send.
        return self._grant(_nothing_to_recover, grant_type='refresh_token', refresh_token=refresh_token)

    def exchange_code(self, code, redirect_uri):
        # A code works once: after a lost response a re-send could only fail, so it is not re-sent.
        return self._grant(None, grant_type='authorization_code', code=code, redirect_uri=redirect_uri)

    def _grant(self, recover, **form):
        form.update(client_id=self.client_id, client_secret=self.client_secret)
        response = self.transport.request('POST', self.token_url, 'lwa', data=form,
                                          headers={'Accept': 'application/json'}, recover=recover)
        return response.json()


def _nothing_to_recover():
    return None


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

    def __init__(self, lwa=None, access_token=None, refresh_token=None):
        self._lwa = lwa
        self._refresh_token = refresh_token
        self._value = access_token
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
                    self._value = self._lwa.refresh(self._refresh_token)['access_token']
                except Exception as error:
                    self._failed = (stale, error)
                    raise
            return self._value
