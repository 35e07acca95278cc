# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The shared SMAPI/LWA options, their environment variables and rules, and the clients they make.

One place for what the modules, the lookup and the EDA plugins have in common: which options exist,
where they fall back to, when credentials are complete, how a failure is explained, and how the
transport, the LWA and SMAPI clients and the run's secrets are built. No AnsibleModule here, so
code that is not a module uses it as it is (``_module`` adds the module glue).

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

import os

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.skillops.alexa.plugins.module_utils._errors import ApiError, ValidationError
from ansible_collections.skillops.alexa.plugins.module_utils._http import HttpTransport, RetryPolicy
from ansible_collections.skillops.alexa.plugins.module_utils._lwa import (
    DEFAULT_AUTHORIZE_URL, DEFAULT_LWA_URL, SUBSCRIPTIONS_SCOPE, AccessToken, LwaClient)
from ansible_collections.skillops.alexa.plugins.module_utils._secrets import Secrets
from ansible_collections.skillops.alexa.plugins.module_utils._smapi import DEFAULT_SMAPI_URL, SmapiClient

# The shared options: type, default, environment variable, and whether the value is a secret.
OPTIONS = dict(
    access_token=dict(type='str', env='ASK_ACCESS_TOKEN', secret=True),
    lwa_client_id=dict(type='str', env='ASK_LWA_CLIENT_ID'),
    lwa_client_secret=dict(type='str', env='ASK_LWA_CLIENT_CONFIRMATION', secret=True),
    refresh_token=dict(type='str', env='ASK_REFRESH_TOKEN', secret=True),
    smapi_url=dict(type='str', default=DEFAULT_SMAPI_URL, env='ASK_SMAPI_SERVER_BASE_URL'),
    lwa_url=dict(type='str', default=DEFAULT_LWA_URL, env='ASK_LWA_TOKEN_HOST'),
    validate_certs=dict(type='bool', default=True),
    timeout=dict(type='float', default=30),
    retry_attempts=dict(type='int', default=5),
    retry_max_delay=dict(type='float', default=30),
    # Shared although only some modules use them, so that one module_defaults block fits all.
    vendor_id=dict(type='str', env='ASK_VENDOR_ID'),
    authorize_url=dict(type='str', default=DEFAULT_AUTHORIZE_URL, env='ASK_LWA_AUTHORIZE_HOST'),
)
SECRET_OPTIONS = tuple(name for name, spec in OPTIONS.items() if spec.get('secret'))

REFRESH_OPTIONS = (('lwa_client_id', 'ASK_LWA_CLIENT_ID'), ('lwa_client_secret', 'ASK_LWA_CLIENT_CONFIRMATION'),
                   ('refresh_token', 'ASK_REFRESH_TOKEN'))
HOW_TO_AUTHENTICATE = (
    'either access_token (env ASK_ACCESS_TOKEN), or lwa_client_id, lwa_client_secret and refresh_token '
    '(env ASK_LWA_CLIENT_ID, ASK_LWA_CLIENT_CONFIRMATION, ASK_REFRESH_TOKEN) so that access tokens are minted '
    'and refreshed as needed')


def options_outside_a_module(args):
    """The shared options for code that is not a module (an event source): each as given in ``args``,
    else from its environment variable, else its default, converted to its type as a module would."""
    params = {}
    for name, spec in OPTIONS.items():
        # An empty value, as a template of an unset variable gives, counts as not given.
        value = args.get(name) if args.get(name) != '' else None
        if value is None and spec.get('env'):
            value = os.environ.get(spec['env']) or None
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


def can_refresh(params):
    """Whether every refresh credential is given, so that access tokens can be minted."""
    return all(params.get(name) for name, _env_name in REFRESH_OPTIONS)


def credentials_problem(params):
    """Why the shared options cannot authenticate, naming both ways to do it; None when they can."""
    if params.get('access_token'):
        return None
    if not any(params.get(name) for name, _env_name in REFRESH_OPTIONS):
        return 'No SMAPI credentials: supply %s.' % HOW_TO_AUTHENTICATE
    missing = ['%s (env %s)' % (name, env) for name, env in REFRESH_OPTIONS if not params.get(name)]
    if missing:
        return 'Incomplete LWA credentials: %s also needed, or give access_token instead.' % ', '.join(missing)
    return None


def transport_problem(params):
    """Why the transport options make no sense, naming the option; None when they do."""
    if params.get('timeout') is not None and not params['timeout'] > 0:
        return 'timeout must be a number of seconds above 0, not %r' % (params['timeout'],)
    if params.get('retry_attempts') is not None and params['retry_attempts'] < 1:
        return 'retry_attempts must be 1 or more, not %r' % (params['retry_attempts'],)
    if params.get('retry_max_delay') is not None and params['retry_max_delay'] < 0:
        return 'retry_max_delay must be 0 or more seconds, not %r' % (params['retry_max_delay'],)
    return None


def secrets_of(params, on_add=None):
    """The run's secrets, starting with those the options give."""
    return Secrets([params.get(name) for name in SECRET_OPTIONS], on_add=on_add)


def transport_for(params, max_concurrency=1):
    """The HTTP transport the shared options describe."""
    return HttpTransport(
        timeout=params['timeout'], validate_certs=params['validate_certs'],
        retry=RetryPolicy(attempts=params['retry_attempts'], max_delay=params['retry_max_delay']),
        max_concurrency=max_concurrency)


def lwa_client(params, transport, secrets):
    return LwaClient(transport, params['lwa_url'], params['lwa_client_id'], params['lwa_client_secret'], secrets)


def smapi_client(params, transport, secrets):
    """The SMAPI client of one run: one access token, given or minted once and refreshed when stale."""
    lwa = lwa_client(params, transport, secrets) if can_refresh(params) else None
    token = AccessToken(lwa=lwa, access_token=params['access_token'],
                        refresh_token=params['refresh_token'] if lwa else None, secrets=secrets)
    return SmapiClient(transport, token, params['smapi_url'], secrets)


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
REDIRECT_HINT = ('Check %s: it must be the service itself, since no credential is sent to another address '
                 '(a redirect means a proxy, a wrong URL or a compromised name in between).')


def explain(error):
    """A failure as a message that says what to fix: the error, and for a failed request a hint chosen
    from its facts (the service, the status, the OAuth error, ...), never from its text."""
    if not isinstance(error, ApiError) or not error.method:
        return str(error)
    return ('%s %s' % (error, _hint(error))).strip()


def _hint(error):
    service = 'LWA' if error.service == 'lwa' else 'SMAPI'
    if error.status and 300 <= error.status < 400:
        return REDIRECT_HINT % ('lwa_url' if error.service == 'lwa' else 'smapi_url')
    if error.status and 200 <= error.status < 300:
        return ('%s answered what it never does; check %s: it must be the service itself, not a proxy or '
                'another server.' % (service, 'lwa_url' if error.service == 'lwa' else 'smapi_url'))
    if error.retryable:
        return '%s did not answer successfully in time; retry later or raise retry_attempts / timeout.' % service
    if error.service == 'lwa':
        return LWA_HINTS.get((error.oauth_error or '').lower(), 'Check lwa_url and the LWA credentials.')
    if error.missing_scope:
        return MISSING_SCOPE_HINT
    if error.after_refresh:
        return AFTER_REFRESH_HINT
    return SMAPI_HINTS.get(error.status, '')
