# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The module class every skillops.alexa module is built on: shared options, client, failures.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.skillops.alexa.plugins.module_utils._http import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, ApiError, HttpTransport, RetryPolicy)
from ansible_collections.skillops.alexa.plugins.module_utils._lwa import (
    DEFAULT_AUTHORIZE_URL, DEFAULT_LWA_URL, SUBSCRIPTIONS_SCOPE, AccessToken, LwaClient)
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import ValidationError
from ansible_collections.skillops.alexa.plugins.module_utils._smapi import DEFAULT_SMAPI_URL, SmapiClient

REFRESH_OPTIONS = (('lwa_client_id', 'ASK_LWA_CLIENT_ID'), ('lwa_client_secret', 'ASK_LWA_CLIENT_CONFIRMATION'),
                   ('refresh_token', 'ASK_REFRESH_TOKEN'))
HOW_TO_AUTHENTICATE = (
    'either access_token (env ASK_ACCESS_TOKEN), or lwa_client_id, lwa_client_secret and refresh_token '
    '(env ASK_LWA_CLIENT_ID, ASK_LWA_CLIENT_CONFIRMATION, ASK_REFRESH_TOKEN) so that access tokens are minted '
    'and refreshed as needed')


def from_env(name):
    return dict(fallback=(env_fallback, [name]))


def smapi_argument_spec():
    """The options every module of the smapi action group accepts (doc fragment skillops.alexa.smapi)."""
    return dict(
        access_token=dict(type='str', no_log=True, **from_env('ASK_ACCESS_TOKEN')),
        lwa_client_id=dict(type='str', **from_env('ASK_LWA_CLIENT_ID')),
        lwa_client_secret=dict(type='str', no_log=True, **from_env('ASK_LWA_CLIENT_CONFIRMATION')),
        refresh_token=dict(type='str', no_log=True, **from_env('ASK_REFRESH_TOKEN')),
        smapi_url=dict(type='str', default=DEFAULT_SMAPI_URL, **from_env('ASK_SMAPI_SERVER_BASE_URL')),
        lwa_url=dict(type='str', default=DEFAULT_LWA_URL, **from_env('ASK_LWA_TOKEN_HOST')),
        validate_certs=dict(type='bool', default=True),
        timeout=dict(type='float', default=30),
        retry_attempts=dict(type='int', default=5),
        retry_max_delay=dict(type='float', default=30),
        # Shared although only some modules use them, so that one module_defaults block fits all.
        vendor_id=dict(type='str', **from_env('ASK_VENDOR_ID')),
        authorize_url=dict(type='str', default=DEFAULT_AUTHORIZE_URL, **from_env('ASK_LWA_AUTHORIZE_HOST')),
    )


def explain(error):
    """The client's error as a failure message that says what to fix."""
    code = (error.code or '').lower()
    message = (error.message or '').lower()
    if error.path and error.path.endswith('/auth/o2/token'):
        if code == 'invalid_client':
            hint = 'LWA rejected the client: check lwa_client_id and lwa_client_secret (the security profile).'
        elif code == 'invalid_grant':
            hint = ('LWA rejected the grant: the refresh token or code is expired, revoked, already used, or was '
                    'issued to another security profile than lwa_client_id. Generate a new one for this client '
                    'with the scope %s.' % SUBSCRIPTIONS_SCOPE)
        else:
            hint = 'Check lwa_url and the LWA credentials.'
    elif error.status == 401 and 'freshly refreshed' in message:
        hint = ("SMAPI rejects even a new token from this refresh token: check that the refresh token's user "
                'and security profile may use SMAPI (tokens from the client credentials grant never can).')
    elif error.status == 401:
        hint = ('The access token is invalid or expired. Supply a fresh access_token, or lwa_client_id, '
                'lwa_client_secret and refresh_token so the module can refresh it.')
    elif error.status == 403 and 'consent' in message:
        hint = ('The token lacks the scope %s: mint a refresh token whose scopes include it (for example '
                'ask util generate-lwa-tokens --scopes "%s").' % (SUBSCRIPTIONS_SCOPE, SUBSCRIPTIONS_SCOPE))
    elif error.status == 403:
        hint = ("The token's user or security profile may not do this: use a token of a user of the vendor "
                "named by vendor_id, and, to change a subscriber or its subscriptions, one from the security "
                "profile (LWA client) that created the subscriber.")
    elif error.status == 404:
        hint = 'Check the ID: no such object is visible to this token.'
    elif error.status == 400:
        hint = 'Correct the request as the violations say.'
    elif error.status in (429, 500, 502, 503, 504) or error.status is None:
        hint = 'SMAPI did not answer successfully in time; retry later or raise retry_attempts / timeout.'
    else:
        hint = ''
    return ('%s %s' % (error, hint)).strip()


class SmapiModule(AnsibleModule):
    """AnsibleModule with the shared SMAPI/LWA options, one transport per run and one error path."""

    def __init__(self, argument_spec=None, needs_credentials=True, **kwargs):
        spec = smapi_argument_spec()
        spec.update(argument_spec or {})
        kwargs.setdefault('supports_check_mode', True)
        super(SmapiModule, self).__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        self.transport = HttpTransport(
            timeout=self.params['timeout'], validate_certs=self.params['validate_certs'],
            retry=RetryPolicy(attempts=self.params['retry_attempts'], max_delay=self.params['retry_max_delay']))
        self._smapi = None
        if needs_credentials:
            self._check_credentials()

    def _check_credentials(self):
        """Fail before any request when the task cannot authenticate, naming both ways to do it."""
        given = [name for name, _env_name in REFRESH_OPTIONS if self.params[name]]
        if self.params['access_token']:
            return
        if not given:
            self.fail_json(msg='No SMAPI credentials: supply %s.' % HOW_TO_AUTHENTICATE)
        missing = ['%s (env %s)' % (name, env) for name, env in REFRESH_OPTIONS if not self.params[name]]
        if missing:
            self.fail_json(msg='Incomplete LWA credentials: %s also needed, or give access_token instead.'
                           % ', '.join(missing))

    def require_vendor(self):
        """The vendor ID, which the module cannot work without."""
        if not self.params['vendor_id']:
            self.fail_json(msg='vendor_id is required: set vendor_id or the environment variable ASK_VENDOR_ID to the '
                               'vendor ID of the developer account (Developer Console, Settings, Customer Details; '
                               'or skillops.alexa.smapi_vendor_info).')
        return self.params['vendor_id']

    def lwa(self):
        return LwaClient(self.transport, self.params['lwa_url'], self.params['lwa_client_id'],
                         self.params['lwa_client_secret'])

    @property
    def smapi(self):
        if self._smapi is None:
            can_refresh = all(self.params[name] for name, _env_name in REFRESH_OPTIONS)
            token = AccessToken(lwa=self.lwa() if can_refresh else None, access_token=self.params['access_token'],
                                refresh_token=self.params['refresh_token'] if can_refresh else None)
            self._smapi = SmapiClient(self.transport, token, self.params['smapi_url'])
        return self._smapi

    def exit_absent(self, noun, path, current, id_key):
        """Delete ``current`` unless it is already gone (or this is check mode) and end the task."""
        if current and not self.check_mode:
            try:
                self.smapi.delete('%s/%s' % (path, current[id_key]))
            except ApiError as error:
                # A retried DELETE whose first attempt went through finds nothing left: that is the goal.
                if error.status != 404:
                    raise
        self.exit_json(changed=current is not None, diff=dict(before=current or {}, after={}), **{noun: {}})

    def run(self, main):
        """Run the module body; the client's errors and bad input end as one clear failure."""
        try:
            main()
        except ValidationError as error:
            self.fail_json(msg=str(error))
        except ApiError as error:
            self.fail_json(msg=explain(error), error=error.as_dict())
        except Exception as error:  # pylint: disable=broad-except
            # Keep unexpected failures readable; the traceback still shows with -vvv.
            self.fail_json(msg='Unexpected error: %s: %s' % (type(error).__name__, error),
                           exception=traceback.format_exc())
