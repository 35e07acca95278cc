# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The module class every skillops.alexa module is built on: shared options, client, failures.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.skillops.alexa.plugins.module_utils._errors import ApiError, SkillopsError, ValidationError
from ansible_collections.skillops.alexa.plugins.module_utils._http import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, HttpTransport, RetryPolicy)
from ansible_collections.skillops.alexa.plugins.module_utils._lwa import (
    DEFAULT_AUTHORIZE_URL, DEFAULT_LWA_URL, SUBSCRIPTIONS_SCOPE, AccessToken, LwaClient)
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


def can_refresh(params):
    """Whether every refresh credential is given, so that access tokens can be minted."""
    return all(params[name] for name, _env_name in REFRESH_OPTIONS)


def credentials_problem(params):
    """Why the shared options cannot authenticate, naming both ways to do it; None when they can."""
    if params['access_token']:
        return None
    if not any(params[name] for name, _env_name in REFRESH_OPTIONS):
        return 'No SMAPI credentials: supply %s.' % HOW_TO_AUTHENTICATE
    missing = ['%s (env %s)' % (name, env) for name, env in REFRESH_OPTIONS if not params[name]]
    if missing:
        return 'Incomplete LWA credentials: %s also needed, or give access_token instead.' % ', '.join(missing)
    return None


def transport_for(params, max_concurrency=1):
    """The HTTP transport the shared options describe."""
    return HttpTransport(
        timeout=params['timeout'], validate_certs=params['validate_certs'],
        retry=RetryPolicy(attempts=params['retry_attempts'], max_delay=params['retry_max_delay']),
        max_concurrency=max_concurrency)


def lwa_client(params, transport):
    return LwaClient(transport, params['lwa_url'], params['lwa_client_id'], params['lwa_client_secret'])


def smapi_client(params, transport):
    """The SMAPI client of one run: one access token, given or minted once and refreshed when stale."""
    lwa = lwa_client(params, transport) if can_refresh(params) else None
    token = AccessToken(lwa=lwa, access_token=params['access_token'],
                        refresh_token=params['refresh_token'] if lwa else None)
    return SmapiClient(transport, token, params['smapi_url'])


def options_outside_a_module(args):
    """The shared options for code that is not a module (an event source): each as given in ``args``,
    else from its environment variable, else its default, converted to its type as a module would."""
    params = {}
    for name, spec in smapi_argument_spec().items():
        # An empty value, as a template of an unset variable gives, counts as not given.
        value = args.get(name) if args.get(name) != '' else None
        if value is None and 'fallback' in spec:
            value = os.environ.get(spec['fallback'][1][0]) or None
        if value is None:
            value = spec.get('default')
        if value is not None:
            try:
                value = _CONVERT[spec['type']](value)
            except (TypeError, ValueError):
                raise ValidationError('%s must be %s, not %r' % (name, _KINDS[spec['type']], value)) from None
        params[name] = value
    return params


_CONVERT = dict(str=str, bool=lambda value: boolean(value, strict=True), float=float, int=int)
_KINDS = dict(str='a string', bool='true or false', float='a number', int='a whole number')


LWA_HINTS = {
    'invalid_client': 'LWA rejected the client: check lwa_client_id and lwa_client_secret (the security profile).',
    'invalid_grant': ('LWA rejected the grant: the refresh token or code is expired, revoked, already used, or was '
                      'issued to another security profile than lwa_client_id. Generate a new one for this client '
                      'with the scope %s.' % SUBSCRIPTIONS_SCOPE),
}
SMAPI_HINTS = {
    401: ('The access token is invalid or expired. Supply a fresh access_token, or lwa_client_id, '
          'lwa_client_secret and refresh_token so the module can refresh it.'),
    403: ("The token's user or security profile may not do this: use a token of a user of the vendor "
          "named by vendor_id, and, to change a subscriber or its subscriptions, one from the security "
          "profile (LWA client) that created the subscriber."),
    404: 'Check the ID: no such object is visible to this token.',
    400: 'Correct the request as the violations say.',
}
MISSING_SCOPE_HINT = ('The token lacks the scope %s: mint a refresh token whose scopes include it (for example '
                      'ask util generate-lwa-tokens --scopes "%s").' % (SUBSCRIPTIONS_SCOPE, SUBSCRIPTIONS_SCOPE))
AFTER_REFRESH_HINT = ("SMAPI rejects even a new token from this refresh token: check that the refresh token's user "
                      'and security profile may use SMAPI (tokens from the client credentials grant never can).')


def explain(error):
    """A failure as a message that says what to fix: the error, and for a failed request a hint chosen
    from its facts (the service, the status, the OAuth error, ...), never from its text."""
    if not isinstance(error, ApiError) or not error.method:
        return str(error)
    return ('%s %s' % (error, _hint(error))).strip()


def _hint(error):
    service = 'LWA' if error.service == 'lwa' else 'SMAPI'
    if error.retryable:
        return '%s did not answer successfully in time; retry later or raise retry_attempts / timeout.' % service
    if error.service == 'lwa':
        return LWA_HINTS.get((error.oauth_error or '').lower(), 'Check lwa_url and the LWA credentials.')
    if error.missing_scope:
        return MISSING_SCOPE_HINT
    if error.after_refresh:
        return AFTER_REFRESH_HINT
    return SMAPI_HINTS.get(error.status, '')


class SmapiModule(AnsibleModule):
    """AnsibleModule with the shared SMAPI/LWA options, one transport per run and one error path."""

    def __init__(self, argument_spec=None, needs_credentials=True, **kwargs):
        spec = smapi_argument_spec()
        spec.update(argument_spec or {})
        kwargs.setdefault('supports_check_mode', True)
        super().__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        # Only the modules that send requests concurrently have max_concurrency.
        self.transport = transport_for(self.params, max_concurrency=self.params.get('max_concurrency') or 1)
        self._smapi = None
        # IDs of copies this run created and removed because a concurrent run's create won (see create).
        self.removed_duplicates = []
        if needs_credentials:
            problem = credentials_problem(self.params)
            if problem:
                self.fail_json(msg=problem)

    def require_vendor(self):
        """The vendor ID, which the module cannot work without."""
        if not self.params['vendor_id']:
            self.fail_json(msg='vendor_id is required: set vendor_id or the environment variable ASK_VENDOR_ID to the '
                               'vendor ID of the developer account (Developer Console, Settings, Customer Details; '
                               'or skillops.alexa.smapi_vendor_info).')
        return self.params['vendor_id']

    @property
    def can_refresh(self):
        """Whether every refresh credential is given, so that access tokens can be minted."""
        return can_refresh(self.params)

    @property
    def minting_client_id(self):
        """The security profile of this run's tokens: lwa_client_id when the refresh credentials are
        given, since the module mints and refreshes tokens with them (a given access_token too, which
        must come from them); None when only an access token of unknown profile is given."""
        return self.params['lwa_client_id'] if self.can_refresh else None

    def lwa(self):
        return lwa_client(self.params, self.transport)

    @property
    def smapi(self):
        if self._smapi is None:
            self._smapi = smapi_client(self.params, self.transport)
        return self._smapi

    def create(self, what, path, body, find_twins):
        """Create through the client and return the ID to keep; say so when this run removed copies
        (a warning, and the IDs in ``removed_duplicates``)."""
        created = self.smapi.create(path, body, find_twins)
        self.report_settled(what, created)
        return created.id

    def report_settled(self, what, created):
        """Say so when this run removed copies of ``what`` in favour of a concurrent run's (or of the
        one its own retry left)."""
        if created.removed:
            self.removed_duplicates.extend(created.removed)
            self.warn('Another run (or a retry after a lost response) created the same %s at the same time: kept %s, '
                      'the lowest ID, and removed %s.' % (what, created.id, ', '.join(created.removed)))

    def exit_absent(self, noun, path, current, id_key):
        """Delete ``current`` unless it is already gone (or this is check mode) and end the task."""
        if current and not self.check_mode:
            self.smapi.delete_if_exists('%s/%s' % (path, current[id_key]))
        self.exit_json(changed=current is not None, diff=dict(before=current or {}, after={}), **{noun: {}})

    def run(self, main):
        """Run the module body; the client's errors and bad input end as one clear failure."""
        try:
            main()
        except ApiError as error:
            # A failed request also leaves its facts in the result, for a playbook to branch on.
            facts = dict(error=error.as_dict()) if error.method else {}
            self.fail_json(msg=explain(error), **facts)
        except SkillopsError as error:
            self.fail_json(msg=str(error))
        except Exception as error:  # pylint: disable=broad-except
            # Keep unexpected failures readable; the traceback still shows with -vvv.
            self.fail_json(msg='Unexpected error: %s: %s' % (type(error).__name__, error),
                           exception=traceback.format_exc())
