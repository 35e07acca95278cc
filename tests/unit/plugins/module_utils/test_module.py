# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.skillops.alexa.plugins.module_utils._http import ApiError
from ansible_collections.skillops.alexa.plugins.module_utils._module import explain

TOKEN = '/auth/o2/token'
SUBSCRIBER = '/v0/developmentEvents/subscribers/amzn1.ask-subscriber.1'


@pytest.mark.parametrize('status, path, code, message, hint', [
    (401, TOKEN, 'invalid_client', 'Client authentication failed',
     'LWA rejected the client: check lwa_client_id and lwa_client_secret (the security profile).'),
    (400, TOKEN, 'INVALID_GRANT', 'The request has an invalid grant parameter',
     'LWA rejected the grant: the refresh token or code is expired, revoked, already used, or was issued to another '
     'security profile than lwa_client_id. Generate a new one for this client with the scope alexa::ask:subscriptions.'),
    (400, TOKEN, 'invalid_request', 'Missing parameter', 'Check lwa_url and the LWA credentials.'),
    (401, SUBSCRIBER, None, 'Token is invalid/expired',
     'The access token is invalid or expired. Supply a fresh access_token, or lwa_client_id, lwa_client_secret and '
     'refresh_token so the module can refresh it.'),
    (401, SUBSCRIBER, None, 'Token is invalid/expired. (also with a freshly refreshed access token)',
     "SMAPI rejects even a new token from this refresh token: check that the refresh token's user and security "
     'profile may use SMAPI (tokens from the client credentials grant never can).'),
    (403, SUBSCRIBER, None, 'User has not consented to this operation.',
     'The token lacks the scope alexa::ask:subscriptions: mint a refresh token whose scopes include it (for example '
     'ask util generate-lwa-tokens --scopes "alexa::ask:subscriptions").'),
    (403, SUBSCRIBER, None, 'Consent is missing for this scope.',
     'The token lacks the scope alexa::ask:subscriptions: mint a refresh token whose scopes include it (for example '
     'ask util generate-lwa-tokens --scopes "alexa::ask:subscriptions").'),
    (403, SUBSCRIBER, None, 'Access denied.',
     "The token's user or security profile may not do this: use a token of a user of the vendor named by vendor_id, "
     "and, to change a subscriber or its subscriptions, one from the security profile (LWA client) that created the "
     "subscriber."),
    (404, SUBSCRIBER, 'NOT_FOUND', 'Subscriber not found.', 'Check the ID: no such object is visible to this token.'),
    (400, SUBSCRIBER, None, 'Invalid request.', 'Correct the request as the violations say.'),
    (429, SUBSCRIBER, None, 'Rate exceeded.',
     'SMAPI did not answer successfully in time; retry later or raise retry_attempts / timeout.'),
    (None, SUBSCRIBER, None, 'ReadTimeout: Read timed out.',
     'SMAPI did not answer successfully in time; retry later or raise retry_attempts / timeout.'),
])
def test_explain_adds_the_hint_to_the_error(status, path, code, message, hint):
    error = ApiError(message, status=status, method='POST', path=path, code=code)
    assert explain(error) == '%s %s' % (error, hint)


def test_explain_without_a_hint_is_the_error():
    error = ApiError('I am a teapot', status=418, method='GET', path=SUBSCRIBER)
    assert explain(error) == 'GET %s failed (HTTP 418): I am a teapot' % SUBSCRIBER
