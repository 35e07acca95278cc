# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import os

import pytest

from ansible_collections.skillops.alexa.plugins.module_utils._errors import (
    Ambiguous, ApiError, Conflict, NotFound, ValidationError)
from ansible_collections.skillops.alexa.plugins.module_utils._config import (
    credentials_problem, explain, options_outside_a_module, transport_problem)

TOKEN = '/auth/o2/token'
SUBSCRIBER = '/v0/developmentEvents/subscribers/amzn1.ask-subscriber.1'


def hint_of(error):
    """What explain() says after the error itself: the error comes first, whole, then the hint."""
    explained = explain(error)
    assert explained.startswith('%s ' % error), explained
    return explained[len(str(error)):].strip()


# For each set of facts: the hint's kind (facts of one kind share a hint, facts of different kinds
# never do) and what the hint must name: the option to check or the fix to make.
HINTS = [
    (dict(service='lwa', status=401, oauth_error='invalid_client'), 'lwa client', ['lwa_client_id', 'lwa_client_secret']),
    (dict(service='lwa', status=400, oauth_error='INVALID_GRANT'), 'lwa grant',
     ['refresh token', 'lwa_client_id', 'alexa::ask:subscriptions']),
    (dict(service='lwa', status=400, oauth_error='invalid_request'), 'lwa other', ['lwa_url']),
    (dict(service='lwa', status=503, retryable=True), 'lwa retry', ['LWA', 'retry_attempts', 'timeout']),
    (dict(status=401), 'expired', ['access_token', 'refresh_token']),
    (dict(status=401, after_refresh=True), 'after refresh', ["refresh token's user", 'security profile']),
    (dict(status=403, missing_scope=True), 'scope', ['alexa::ask:subscriptions', 'generate-lwa-tokens']),
    (dict(status=401, missing_scope=True), 'scope', ['alexa::ask:subscriptions', 'generate-lwa-tokens']),
    (dict(status=403), 'forbidden', ['vendor_id', 'security profile']),
    (dict(status=404, code='NOT_FOUND'), 'not found', ['ID', 'token']),
    (dict(status=400), 'bad request', ['violations']),
    (dict(status=429, retryable=True), 'smapi retry', ['SMAPI', 'retry_attempts', 'timeout']),
    (dict(status=None, retryable=True), 'smapi retry', ['SMAPI', 'retry_attempts', 'timeout']),
    (dict(status=307), 'smapi redirect', ['smapi_url', 'redirect']),
    (dict(service='lwa', status=308), 'lwa redirect', ['lwa_url', 'redirect']),
    (dict(status=200, retryable=True), 'smapi elsewhere', ['smapi_url', 'proxy']),
    (dict(service='lwa', status=200), 'lwa elsewhere', ['lwa_url', 'proxy']),
]


def failed_request(facts):
    return ApiError('any text at all', method='POST', path=TOKEN if facts.get('service') == 'lwa' else SUBSCRIBER, **facts)


@pytest.mark.parametrize('facts, kind, names', HINTS, ids=['%s %s' % (case[1], case[0].get('status')) for case in HINTS])
def test_explain_adds_a_hint_that_names_what_to_check(facts, kind, names):
    hint = hint_of(failed_request(facts))
    for name in names:
        assert name in hint, (kind, hint)


def test_explain_chooses_the_hint_from_the_facts():
    hints = [(kind, hint_of(failed_request(facts))) for facts, kind, dummy in HINTS]
    for kind, hint in hints:
        assert hint, kind
        for other_kind, other_hint in hints:
            assert (hint == other_hint) is (kind == other_kind), (kind, other_kind, hint)


@pytest.mark.parametrize('message', ['User has not consented to this operation.', 'Consent is missing.',
                                     'Token is invalid/expired. (also with a freshly refreshed access token)'])
@pytest.mark.parametrize('status', [401, 403])
def test_explain_reads_no_message_text(status, message):
    # The words of a message never choose the hint: a plain 401 or 403 keeps its hint whatever it says.
    plain = hint_of(ApiError('Forbidden.', status=status, method='GET', path=SUBSCRIBER))
    assert hint_of(ApiError(message, status=status, method='GET', path=SUBSCRIBER)) == plain


def test_explain_without_a_hint_is_the_error():
    error = ApiError('I am a teapot', status=418, method='GET', path=SUBSCRIBER)
    assert explain(error) == 'GET %s failed (HTTP 418): I am a teapot' % SUBSCRIBER


def test_explain_after_refresh_says_so_in_the_error_and_the_hint():
    error = ApiError('Token is invalid/expired.', status=401, method='GET', path=SUBSCRIBER, after_refresh=True)
    assert explain(error).startswith('GET %s failed (HTTP 401): Token is invalid/expired. (also with a freshly '
                                     'refreshed access token) SMAPI rejects even a new token' % SUBSCRIBER)


@pytest.mark.parametrize('error, message', [
    (ValidationError('name must not be empty'), 'name must not be empty'),
    (Conflict('subscriber_id cannot be changed on subscription s1'), 'subscriber_id cannot be changed on subscription s1'),
    (Ambiguous('subscriber', 'ops', ['s2', 's1']),
     "2 subscribers are named 'ops' (s1, s2); name the one to manage with its ID"),
    # A lookup that found nothing stands for no single request: its message says it all.
    (NotFound('subscription_id s9: no such subscription; check the ID', status=404),
     'subscription_id s9: no such subscription; check the ID'),
])
def test_explain_reports_domain_errors_as_they_are(error, message):
    assert explain(error) == message


# --- the shared options outside a module (the event source sdns_subscriber_health) ----------------

def test_options_outside_a_module_take_argument_then_environment_then_default(monkeypatch):
    for name in [name for name in os.environ if name.startswith('ASK_')]:
        monkeypatch.delenv(name)
    monkeypatch.setenv('ASK_VENDOR_ID', 'M1FROMENV')
    monkeypatch.setenv('ASK_REFRESH_TOKEN', 'Atzr|from-env')
    params = options_outside_a_module({'vendor_id': 'M1GIVEN', 'refresh_token': '', 'timeout': '5',
                                       'validate_certs': 'no'})
    # Every shared option, the given ones converted to their types; an empty value, as the template of
    # an unset rulebook variable gives, is not a value.
    assert params == dict(
        vendor_id='M1GIVEN', refresh_token='Atzr|from-env', timeout=5.0, validate_certs=False,
        access_token=None, lwa_client_id=None, lwa_client_secret=None,
        smapi_url='https://api.amazonalexa.com', lwa_url='https://api.amazon.com',
        authorize_url='https://www.amazon.com', retry_attempts=5, retry_max_delay=30)


def test_options_outside_a_module_name_the_bad_value():
    with pytest.raises(ValidationError, match="retry_attempts must be a whole number, not 'many'"):
        options_outside_a_module({'retry_attempts': 'many'})


@pytest.mark.parametrize('given, problem', [
    ({'access_token': 'Atza|x'}, None),
    ({'lwa_client_id': 'c', 'lwa_client_secret': 's', 'refresh_token': 'r'}, None),
    ({}, 'No SMAPI credentials: supply either access_token (env ASK_ACCESS_TOKEN)'),
    ({'lwa_client_id': 'c'}, 'Incomplete LWA credentials: lwa_client_secret (env ASK_LWA_CLIENT_CONFIRMATION), '
                             'refresh_token (env ASK_REFRESH_TOKEN) also needed'),
])
def test_credentials_problem_names_what_is_missing(given, problem):
    params = dict({'access_token': None, 'lwa_client_id': None, 'lwa_client_secret': None, 'refresh_token': None},
                  **given)
    found = credentials_problem(params)
    if problem is None:
        assert found is None
    else:
        assert found.startswith(problem)


@pytest.mark.parametrize('params, problem', [
    (dict(timeout=0, retry_attempts=5, retry_max_delay=30), 'timeout must be a number of seconds above 0, not 0'),
    (dict(timeout=-1.5, retry_attempts=5, retry_max_delay=30), 'timeout must be a number of seconds above 0, not -1.5'),
    (dict(timeout=30, retry_attempts=0, retry_max_delay=30), 'retry_attempts must be 1 or more, not 0'),
    (dict(timeout=30, retry_attempts=1, retry_max_delay=-1), 'retry_max_delay must be 0 or more seconds, not -1'),
    (dict(timeout=0.5, retry_attempts=1, retry_max_delay=0), None),
])
def test_transport_options_out_of_range_are_named(params, problem):
    assert transport_problem(params) == problem
