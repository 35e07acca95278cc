# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the collection guarantees whatever the server does (issue 19, point 7), proved on the real
entry points: the modules and the lookup through ansible-playbook -vvvv, the event source
sdns_subscriber_health through its main() in asyncio.

1. No redirect is followed (301, 302, 303, 307, 308): the task fails at once naming the status and
   the Location's origin, and the elsewhere server never gets a request, so no credential does.
2. ``timeout`` is a deadline for a whole request: a server that drips its headers or its body is cut
   off at it, the attempt is retried as a transport failure, and the task ends within attempts x
   timeout plus the backoff waits.
3. No secret (access token given or minted, refresh token, client secret, authorization code) shows
   in any spelling in results, messages, -vvvv output or logs, even when the server echoes them.
4. Every answer is checked: non-JSON or truncated bodies are retried and then named, JSON of the
   wrong shape fails at once, never as an "Unexpected error"; LWA answers must hold a bearer token.
5. A listing that does not end (a repeated nextToken, an empty page with one, endless pages) stops
   with an error.

Each case also counts the requests the hostile server got, so that "not retried" and "retried"
are facts, not hopes.
"""

import json

import pytest
import requests

from conftest import Case, leaked, showing
from hostile_server import (
    MINT, SUBSCRIBERS_PATH, SUBSCRIPTIONS_PATH, TOKEN_PATH, VENDORS_PATH, answer, drip_body, drip_headers, echo,
    echo_straddling, pages, redirect, token)

INFO = 'skillops.alexa.sdns_subscriber_info'
SUBSCRIPTION_INFO = 'skillops.alexa.sdns_subscription_info'
LWA_TOKEN = 'skillops.alexa.lwa_token'
SUBSCRIBER = 'skillops.alexa.sdns_subscriber'
SUBSCRIPTION = 'skillops.alexa.sdns_subscription'
SUBSCRIPTIONS = 'skillops.alexa.sdns_subscriptions'
VENDOR_INFO = 'skillops.alexa.smapi_vendor_info'
LOOKUP = 'lookup'
EDA = 'eda'

TOKEN = ('POST', TOKEN_PATH)
LIST_SUBSCRIBERS = ('GET', SUBSCRIBERS_PATH)
CREATE_SUBSCRIBER = ('POST', SUBSCRIBERS_PATH)
LIST_SUBSCRIPTIONS = ('GET', SUBSCRIPTIONS_PATH)
CREATE_SUBSCRIPTION = ('POST', SUBSCRIPTIONS_PATH)
UPDATE_SUBSCRIBER = ('PUT', SUBSCRIBERS_PATH + '/amzn1.ask-subscriber.hostile-1')
VENDORS = ('GET', VENDORS_PATH)
SUBSCRIPTION_ID = 'amzn1.ask-subscription.hostile'
GET_SUBSCRIPTION = ('GET', '%s/%s' % (SUBSCRIPTIONS_PATH, SUBSCRIPTION_ID))

INFO_ARGS = dict(vendor_id='M1HOSTILE')
# No vendor_id: the subscriptions of the three publishing vendors are listed concurrently.
SUBSCRIPTIONS_ARGS = dict(subscriber_id='amzn1.ask-subscriber.hostile-1', name='hostile',
                          events=['AlexaDevelopmentEvent.All'], max_concurrency=8,
                          subscriptions=[dict(vendor_id='M1DEV%d' % number) for number in (1, 2, 3)])
SUBSCRIBER_ARGS = dict(vendor_id='M1HOSTILE', name='hostile-new', topic_arn='arn:aws:sns:us-east-1:123456789012:hostile',
                       role_arn='arn:aws:iam::123456789012:role/hostile')
SUBSCRIPTION_ARGS = dict(vendor_id='M1HOSTILE', subscriber_id='amzn1.ask-subscriber.hostile-1', name='hostile-new',
                         events=['AlexaDevelopmentEvent.All'])
REFRESH_GRANT = dict(grant='refresh_token')
CODE_GRANT = dict(grant='authorization_code')

HTML = '<html><head><title>Sign in</title></head><body><h1>Corporate proxy</h1>Please sign in.</body></html>'
TRUNCATED_LIST = '{"subscribers": [{"subscriberId": "amzn1.ask-subscriber.hostile-1", "name": "trunc'
TRUNCATED_TOKEN = '{"access_token": "Atza|truncated", "token_type": "bea'
TOKEN_ANSWER = 'a token (a non-empty string access_token, token_type bearer and a positive expires_in)'
TIMEOUT_FAILURE = 'no complete answer within the deadline (timeout)'


def cases(listed):
    """The parameters of a test over cases, each named by its case."""
    return [pytest.param(case, id=case.name) for case in listed]


def refused(method, path, status):
    return '%s %s failed (HTTP %d): redirect (HTTP %d) to {elsewhere} refused: requests are sent only to the ' \
           'configured URL' % (method, path, status, status)


def check_failure(case, run, servers):
    """What every hostile case of a task shows: it failed, its message names what happened and never
    an unexpected error, no secret of the case shows anywhere, the hostile server got the requests it
    should, and the elsewhere server none."""
    result = run.result
    assert result.get('failed'), '%s did not fail: %s' % (case, json.dumps(result)[:2000])
    message = result.get('msg', '')
    for fragment in case.expect:
        assert fragment.replace('{elsewhere}', servers.elsewhere.url(case.name)) in message, (case, message)
    assert 'Unexpected error' not in message, message
    assert leaked(json.dumps(result), case, servers) == [], 'secrets in the result of %s: %s' % (case, result)
    assert leaked(run.shown, case, servers) == [], 'secrets in the output of ansible-playbook -vvvv:\n%s' % (
        showing(run.shown, leaked(run.shown, case, servers)))
    check_requests(case, servers)
    if case.entry not in (LOOKUP, SUBSCRIPTIONS):
        # A module that fails on a request says so in facts too.
        assert result['error']['message'] in message and result['error']['method'] and result['error']['path']


def check_requests(case, servers, looks=1):
    for (method, path), count in case.requests.items():
        got = len(servers.got(case.name, method, path))
        if looks == 1:
            assert got == count, '%s: %d requests %s %s, expected %d' % (case, got, method, path, count)
        else:  # the look in flight when the event source was cancelled may have sent some more
            assert looks * count <= got <= (looks + 1) * count, \
                '%s: %d requests %s %s in %d looks, expected %d per look' % (case, got, method, path, looks, count)
    assert servers.elsewhere.got(case.name) == [], '%s: a request reached the elsewhere server' % case


def check_source(case, run, servers, min_looks=2):
    """The event source's counterpart of check_failure: each look failed, was logged as a warning
    naming what happened, the source went on looking, and its logs hold no secret."""
    assert len(run.looks) >= min_looks, '%s: %d failed looks logged: %s' % (case, len(run.looks), run.shown[-3000:])
    for look in run.looks:
        message = look.getMessage()
        for fragment in case.expect:
            assert fragment.replace('{elsewhere}', servers.elsewhere.url(case.name)) in message, (case, message)
        assert 'Unexpected error' not in message and 'Traceback' not in message, message
    assert leaked(run.shown, case, servers) == [], 'secrets in the logs of %s:\n%s' % (
        case, showing(run.shown, leaked(run.shown, case, servers)))
    check_requests(case, servers, looks=len(run.looks))


def test_the_servers_answer_like_the_services(servers):
    """The control: unscripted, both servers answer as SMAPI and LWA do, so a client that followed a
    redirect to the elsewhere server would succeed; a redirect points there."""
    for server in (servers, servers.elsewhere):
        got = requests.post(server.url('control') + TOKEN_PATH, data=dict(grant_type='refresh_token'), timeout=5)
        assert got.status_code == 200 and got.json()['token_type'] == 'bearer' and got.json()['access_token']
        got = requests.get(server.url('control') + SUBSCRIBERS_PATH, params=dict(vendorId='M1'), timeout=5)
        assert got.json()['subscribers'][0]['subscriberId']
    servers.script('control-redirect', {TOKEN: redirect(307)})
    got = requests.post(servers.url('control-redirect') + TOKEN_PATH, allow_redirects=False, timeout=5)
    assert got.status_code == 307
    assert got.headers['Location'] == servers.elsewhere.url('control-redirect') + TOKEN_PATH


# --- 1. redirects ------------------------------------------------------------------------------------

REDIRECTS = [
    case
    for status in (301, 302, 303, 307, 308)
    for case in (
        Case('redirect-lwa-%d' % status, INFO, {TOKEN: redirect(status)}, auth='refresh', args=INFO_ARGS,
             expect=(refused('POST', TOKEN_PATH, status), 'Check lwa_url: it must be the service itself'),
             requests={TOKEN: 1, LIST_SUBSCRIBERS: 0}),
        Case('redirect-smapi-%d' % status, INFO, {LIST_SUBSCRIBERS: redirect(status)}, auth='refresh', args=INFO_ARGS,
             expect=(refused('GET', SUBSCRIBERS_PATH, status), 'Check smapi_url: it must be the service itself'),
             requests={TOKEN: 1, LIST_SUBSCRIBERS: 1}),
    )
] + [
    # Not even to another path of the same origin.
    Case('redirect-relative-302', INFO, {LIST_SUBSCRIBERS: redirect(302, to='relative')}, args=INFO_ARGS,
         expect=('GET %s failed (HTTP 302): redirect (HTTP 302) to the same origin refused' % SUBSCRIBERS_PATH,),
         requests={LIST_SUBSCRIBERS: 1, ('GET', '/moved' + SUBSCRIBERS_PATH): 0}),
    Case('redirect-lwa_token-refresh-307', LWA_TOKEN, {TOKEN: redirect(307)}, auth='refresh', args=REFRESH_GRANT,
         expect=(refused('POST', TOKEN_PATH, 307), 'Check lwa_url'), requests={TOKEN: 1}),
    Case('redirect-lwa_token-code-308', LWA_TOKEN, {TOKEN: redirect(308)}, auth='code', args=CODE_GRANT,
         expect=(refused('POST', TOKEN_PATH, 308), 'Check lwa_url'), requests={TOKEN: 1}),
    Case('redirect-lookup-307', LOOKUP, {TOKEN: redirect(307)}, auth='refresh',
         expect=('skillops.alexa.lwa_access_token: ' + refused('POST', TOKEN_PATH, 307), 'Check lwa_url'),
         requests={TOKEN: 1}),
    # Three items need the token at once; the one request that minting it took is not repeated.
    Case('redirect-subscriptions-lwa-307', SUBSCRIPTIONS, {TOKEN: redirect(307)}, auth='refresh',
         args=SUBSCRIPTIONS_ARGS, expect=('3 of 3 subscriptions failed', refused('POST', TOKEN_PATH, 307)),
         requests={TOKEN: 1, LIST_SUBSCRIPTIONS: 0}),
    Case('redirect-subscriptions-smapi-308', SUBSCRIPTIONS, {LIST_SUBSCRIPTIONS: redirect(308)},
         args=SUBSCRIPTIONS_ARGS, expect=('3 of 3 subscriptions failed', refused('GET', SUBSCRIPTIONS_PATH, 308)),
         requests={LIST_SUBSCRIPTIONS: 3}),
    Case('redirect-subscriber-create-307', SUBSCRIBER, {CREATE_SUBSCRIBER: redirect(307)}, auth='refresh',
         args=SUBSCRIBER_ARGS, expect=(refused('POST', SUBSCRIBERS_PATH, 307), 'Check smapi_url'),
         requests={TOKEN: 1, LIST_SUBSCRIBERS: 1, CREATE_SUBSCRIBER: 1}),
    Case('redirect-subscription-create-308', SUBSCRIPTION, {CREATE_SUBSCRIPTION: redirect(308)},
         args=SUBSCRIPTION_ARGS, expect=(refused('POST', SUBSCRIPTIONS_PATH, 308), 'Check smapi_url'),
         requests={LIST_SUBSCRIPTIONS: 1, CREATE_SUBSCRIPTION: 1}),
]
# The control of the run: the same module, unscripted, succeeds and shows no secret either.
CONTROL = Case('control-info-refresh', INFO, {}, auth='refresh', args=INFO_ARGS, requests={TOKEN: 1, LIST_SUBSCRIBERS: 1})


@pytest.fixture(scope='module')
def redirect_runs(playbook):
    return playbook(REDIRECTS + [CONTROL], 'redirects')


def test_control_task_succeeds_without_showing_secrets(redirect_runs, servers):
    run = redirect_runs[CONTROL.name]
    assert not run.result.get('failed'), run.result
    assert [s['subscriber_id'] for s in run.result['subscribers']] == ['amzn1.ask-subscriber.hostile-1']
    assert leaked(json.dumps(run.result), CONTROL, servers) == [] and leaked(run.shown, CONTROL, servers) == []
    check_requests(CONTROL, servers)


@pytest.mark.parametrize('case', cases(REDIRECTS))
def test_redirect_is_refused_and_reaches_nobody(case, redirect_runs, servers):
    run = redirect_runs[case.name]
    check_failure(case, run, servers)
    if 'error' in run.result:
        assert run.result['error']['status'] in (301, 302, 303, 307, 308) and not run.result['error']['retryable']
        assert run.result['error']['service'] == ('lwa' if 'lwa' in case.name else 'smapi')
    if case.entry == SUBSCRIPTIONS:
        assert [item['action'] for item in run.result['results']] == ['failed'] * 3
    # Nothing that carried a credential left for another origin: the elsewhere server got nothing at all.
    assert servers.elsewhere.got(case.name) == []


# --- 2. deadlines ------------------------------------------------------------------------------------

DRIP = dict(timeout=2, retry_attempts=2, retry_max_delay=0.5)
# What a task takes beside its requests: the module's start on a controller that starts the other
# cases' modules at the same time (the issue allows some 6 s of ansible overhead), and after its last
# request its end (and a create's look for twins).
MODULE_START = 6.0
MODULE_END = 2.0


def drip_bound(attempts):
    """From the first request to the task's end: at least every attempt's whole deadline, at most those
    and the backoff waits between them."""
    return (attempts * DRIP['timeout'] - 0.1,
            attempts * DRIP['timeout'] + (attempts - 1) * DRIP['retry_max_delay'] + MODULE_END)


def task_bound(attempts):
    """The whole task: the issue's bound, (attempts + 1) x timeout plus attempts x retry_max_delay, and
    the module's start."""
    return (attempts + 1) * DRIP['timeout'] + attempts * DRIP['retry_max_delay'] + MODULE_START


TOKEN_JSON = dict(access_token='Atza|late-but-valid', token_type='bearer', expires_in=3600)
DEADLINES = [
    Case('drip-headers-smapi', INFO, {LIST_SUBSCRIBERS: drip_headers(then=dict(subscribers=[]))}, args=INFO_ARGS,
         transport=DRIP, expect=('GET %s failed (no response): %s' % (SUBSCRIBERS_PATH, TIMEOUT_FAILURE),
                                 '(after 2 attempts)'),
         requests={LIST_SUBSCRIBERS: 2}, within=drip_bound(2)),
    Case('drip-body-smapi', INFO, {LIST_SUBSCRIBERS: drip_body(dict(subscribers=[]))}, args=INFO_ARGS, transport=DRIP,
         expect=('GET %s failed (no response): %s' % (SUBSCRIBERS_PATH, TIMEOUT_FAILURE), '(after 2 attempts)'),
         requests={LIST_SUBSCRIBERS: 2}, within=drip_bound(2)),
    Case('drip-body-lwa', INFO, {TOKEN: drip_body(TOKEN_JSON)}, auth='refresh', args=INFO_ARGS, transport=DRIP,
         expect=('POST %s failed (no response): %s' % (TOKEN_PATH, TIMEOUT_FAILURE), '(after 2 attempts)'),
         requests={TOKEN: 2, LIST_SUBSCRIBERS: 0}, within=drip_bound(2)),
    Case('drip-headers-lwa_token-refresh', LWA_TOKEN, {TOKEN: drip_headers(then=TOKEN_JSON)}, auth='refresh',
         args=REFRESH_GRANT, transport=DRIP, expect=('POST %s failed (no response): %s' % (TOKEN_PATH, TIMEOUT_FAILURE),),
         requests={TOKEN: 2}, within=drip_bound(2)),
    # An authorization code works once: a request that may have reached LWA is never sent again.
    Case('drip-body-lwa_token-code', LWA_TOKEN, {TOKEN: drip_body(TOKEN_JSON)}, auth='code', args=CODE_GRANT,
         transport=DRIP, expect=('POST %s failed (no response): %s' % (TOKEN_PATH, TIMEOUT_FAILURE),),
         requests={TOKEN: 1}, within=drip_bound(1)),
    Case('drip-headers-lookup', LOOKUP, {TOKEN: drip_headers(then=TOKEN_JSON)}, auth='refresh', transport=DRIP,
         expect=('skillops.alexa.lwa_access_token: POST %s failed (no response): %s' % (TOKEN_PATH, TIMEOUT_FAILURE),),
         requests={TOKEN: 2}, within=drip_bound(2)),
    # Three lists at once, each cut at its own deadline: the task takes as long as one of them.
    Case('drip-body-subscriptions', SUBSCRIPTIONS, {LIST_SUBSCRIPTIONS: drip_body(dict(subscriptions=[]))},
         args=SUBSCRIPTIONS_ARGS, transport=DRIP,
         expect=('3 of 3 subscriptions failed', 'GET %s failed (no response): %s' % (SUBSCRIPTIONS_PATH, TIMEOUT_FAILURE)),
         requests={LIST_SUBSCRIPTIONS: 6}, within=drip_bound(2)),
    # An update whose answer never completes is retried, and fails: it must not pass for done.
    Case('drip-headers-subscriber-update', SUBSCRIBER, {UPDATE_SUBSCRIBER: drip_headers(then={})},
         args=dict(SUBSCRIBER_ARGS, name='hostile-1', topic_arn='arn:aws:sns:us-east-1:123456789012:hostile-moved'),
         transport=DRIP, expect=('PUT %s failed (no response): %s' % (UPDATE_SUBSCRIBER[1], TIMEOUT_FAILURE),),
         requests={UPDATE_SUBSCRIBER: 2, LIST_SUBSCRIBERS: 1}, within=drip_bound(2)),
    # A create whose answer never completes may be stored: looked up before it is sent again, and after.
    Case('drip-headers-subscriber-create', SUBSCRIBER, {CREATE_SUBSCRIBER: drip_headers()}, args=SUBSCRIBER_ARGS,
         transport=DRIP, expect=('POST %s failed (no response): %s' % (SUBSCRIBERS_PATH, TIMEOUT_FAILURE),),
         requests={CREATE_SUBSCRIBER: 2, LIST_SUBSCRIBERS: 3}, within=drip_bound(2)),
]


@pytest.fixture(scope='module')
def deadline_runs(playbook):
    return playbook(DEADLINES, 'deadlines')


@pytest.mark.parametrize('case', cases(DEADLINES))
def test_dripping_server_is_cut_at_the_deadline(case, deadline_runs, servers):
    run = deadline_runs[case.name]
    low, high = case.within
    attempts = int(round((low + 0.1) / DRIP['timeout']))  # as drip_bound was given them
    requests_took = run.ended - min(request.wall for request in servers.got(case.name))
    print('%s: %.2fs from the first request to the end (bound %.2f to %.2f); the task took %.2fs (bound %.2f)'
          % (case, requests_took, low, high, run.elapsed, task_bound(attempts)))
    check_failure(case, run, servers)
    assert low <= requests_took <= high, '%s: %.2fs from the first request to the end' % (case, requests_took)
    assert run.elapsed <= task_bound(attempts), '%s: the task took %.2fs' % (case, run.elapsed)
    if 'error' in run.result:
        assert run.result['error']['status'] is None
        # A cut answer is retryable, but for a single-use code, which LWA may have spent already.
        assert run.result['error']['retryable'] is ('code' not in case.name)
    # Each attempt began when the previous one was cut off, not sooner; concurrent lists were cut together.
    for method_path in case.requests:
        times = [request.at for request in servers.got(case.name, *method_path)]
        if len(times) == 2:
            assert DRIP['timeout'] - 0.1 <= times[1] - times[0] <= DRIP['timeout'] + DRIP['retry_max_delay'] + 1.5
        if case.entry == SUBSCRIPTIONS:
            assert max(times[:3]) - min(times[:3]) < 1.0, 'the three lists were not sent at once'


# --- 3. secrets -----------------------------------------------------------------------------------------

FORMS = ('plain', 'quote', 'quote_plus', 'json')
SECRETS = [
    # SMAPI echoes the Authorization header of a minted token; LWA's and the lookup's errors echo the form.
    Case('echo-smapi-json-400', INFO, {LIST_SUBSCRIBERS: echo(400)}, auth='refresh', args=INFO_ARGS,
         expect=('GET %s failed (HTTP 400): echo: Authorization: Bearer ********' % SUBSCRIBERS_PATH,),
         requests={TOKEN: 1, LIST_SUBSCRIBERS: 1}),
    # Refused, the token is refreshed once: both minted tokens are masked.
    Case('echo-smapi-json-401-refresh', INFO, {LIST_SUBSCRIBERS: echo(401)}, auth='refresh', args=INFO_ARGS,
         expect=('GET %s failed (HTTP 401): echo: Authorization: Bearer ********' % SUBSCRIBERS_PATH,),
         requests={TOKEN: 2, LIST_SUBSCRIBERS: 2}),
    Case('echo-smapi-html-200', INFO, {LIST_SUBSCRIBERS: echo(200, 'html', 'plain')}, args=INFO_ARGS,
         expect=("SMAPI answered 200 with text/html where a JSON object was expected: '<html><body>echo: ********",),
         requests={LIST_SUBSCRIBERS: 3}),
    Case('echo-lwa-json-400-refresh', LWA_TOKEN, {TOKEN: echo(400)}, auth='refresh', args=REFRESH_GRANT,
         expect=('POST %s failed (HTTP 400, invalid_grant): echo: Authorization: None' % TOKEN_PATH,
                 'refresh_token=********', 'client_secret=********'),
         requests={TOKEN: 1}),
    Case('echo-lwa-json-400-code', LWA_TOKEN, {TOKEN: echo(400)}, auth='code', args=CODE_GRANT,
         expect=('POST %s failed (HTTP 400, invalid_grant)' % TOKEN_PATH, 'code=********', 'client_secret=********'),
         requests={TOKEN: 1}),
    Case('echo-lwa-json-400-info', INFO, {TOKEN: echo(400)}, auth='refresh', args=INFO_ARGS,
         expect=('POST %s failed (HTTP 400, invalid_grant)' % TOKEN_PATH, 'refresh_token=********'),
         requests={TOKEN: 1, LIST_SUBSCRIBERS: 0}),
    Case('echo-lookup-json-400', LOOKUP, {TOKEN: echo(400)}, auth='refresh',
         expect=('skillops.alexa.lwa_access_token: POST %s failed (HTTP 400, invalid_grant)' % TOKEN_PATH,
                 'refresh_token=********', 'client_secret=********'),
         requests={TOKEN: 1}),
    Case('echo-subscriptions-json-403', SUBSCRIPTIONS, {LIST_SUBSCRIPTIONS: echo(403)}, auth='refresh',
         args=SUBSCRIPTIONS_ARGS,
         expect=('3 of 3 subscriptions failed', 'failed (HTTP 403): echo: Authorization: Bearer ********'),
         requests={TOKEN: 1, LIST_SUBSCRIPTIONS: 3}),
    Case('echo-subscription-create-json-400', SUBSCRIPTION, {CREATE_SUBSCRIPTION: echo(400)}, args=SUBSCRIPTION_ARGS,
         expect=('POST %s failed (HTTP 400): echo: Authorization: Bearer ********' % SUBSCRIPTIONS_PATH,),
         requests={LIST_SUBSCRIPTIONS: 1, CREATE_SUBSCRIPTION: 1}),
] + [
    # A body that is no error of the service is quoted (its start): each spelling of a secret is masked there.
    Case('echo-smapi-text-%s' % form, INFO, {LIST_SUBSCRIBERS: echo(400, 'text', form)}, args=INFO_ARGS,
         expect=('GET %s failed (HTTP 400)' % SUBSCRIBERS_PATH, '(text/plain)', "'echo: ********"),
         requests={LIST_SUBSCRIBERS: 1})
    for form in FORMS
] + [
    Case('echo-lwa-text-%s' % form, LWA_TOKEN, {TOKEN: echo(400, 'text', form)}, auth='refresh', args=REFRESH_GRANT,
         expect=('POST %s failed (HTTP 400)' % TOKEN_PATH, '(text/plain)', "'echo: ********"), requests={TOKEN: 1})
    for form in FORMS
]
# The quoted start of a body ends inside a secret: the part shown is a secret all the same.
STRADDLING = Case('echo-straddling-excerpt', INFO, {LIST_SUBSCRIBERS: echo_straddling(400)}, args=INFO_ARGS,
                  expect=('(text/plain)', "'xxx"), requests={LIST_SUBSCRIBERS: 1})


@pytest.fixture(scope='module')
def secret_runs(playbook):
    return playbook(SECRETS + [STRADDLING], 'secrets')


@pytest.mark.parametrize('case', cases(SECRETS))
def test_echoed_secrets_never_show(case, secret_runs, servers):
    run = secret_runs[case.name]
    # The scenario did put the secrets in front of the client: the echo held them.
    assert servers.got(case.name)
    check_failure(case, run, servers)


def test_secret_cut_by_the_excerpt_never_shows(secret_runs, servers):
    check_failure(STRADDLING, secret_runs[STRADDLING.name], servers)


# --- 4. answers -------------------------------------------------------------------------------------------

def token_refused(sent):
    return 'LWA answered 200 with application/json where %s was expected; it sent %s' % (TOKEN_ANSWER, sent)


def unusable(path, expected, content_type='application/json', method='GET', service='SMAPI'):
    return '%s %s failed (HTTP 200): %s answered 200 with %s where %s was expected' % (
        method, path, service, content_type, expected)


ANSWERS = [
    # Not JSON at all: it may come right on the next attempt, so it is retried (3 attempts).
    Case('html-200-smapi', INFO, {LIST_SUBSCRIBERS: answer(200, HTML, 'text/html; charset=utf-8')}, args=INFO_ARGS,
         expect=(unusable(SUBSCRIBERS_PATH, 'a JSON object', 'text/html') + ": '<html><head><title>Sign in",
                 '(after 3 attempts)'),
         requests={LIST_SUBSCRIBERS: 3}),
    Case('truncated-smapi', INFO, {LIST_SUBSCRIBERS: answer(200, TRUNCATED_LIST)}, args=INFO_ARGS,
         expect=(unusable(SUBSCRIBERS_PATH, 'a JSON object') + ": '{\"subscribers\": [{\"subscriberId\"",),
         requests={LIST_SUBSCRIBERS: 3}),
    Case('empty-200-smapi', INFO, {LIST_SUBSCRIBERS: answer(200, '')}, args=INFO_ARGS,
         expect=(unusable(SUBSCRIBERS_PATH, 'a JSON object') + ': an empty body',), requests={LIST_SUBSCRIBERS: 3}),
    # JSON of the wrong shape will not change: one request.
    Case('array-smapi', INFO, {LIST_SUBSCRIBERS: answer(200, '[{"subscriberId": "x"}]')}, args=INFO_ARGS,
         expect=(unusable(SUBSCRIBERS_PATH, 'a JSON object') + ": '[{",), requests={LIST_SUBSCRIBERS: 1}),
    Case('missing-id-smapi', INFO, {LIST_SUBSCRIBERS: answer(200, '{"subscribers": [{"name": "no id"}]}')},
         args=INFO_ARGS, expect=(unusable(SUBSCRIBERS_PATH, 'a JSON object whose subscribers lists objects with '
                                                            'subscriberId, name (subscribers[0] has no subscriberId)'),),
         requests={LIST_SUBSCRIBERS: 1}),
    Case('wrong-type-smapi', INFO, {LIST_SUBSCRIBERS: answer(200, '{"subscribers": "all of them"}')}, args=INFO_ARGS,
         expect=(unusable(SUBSCRIBERS_PATH, 'a JSON object whose subscribers lists objects with subscriberId, name '
                                            '(subscribers is not a list)'),),
         requests={LIST_SUBSCRIBERS: 1}),
    Case('next-token-number-smapi', INFO,
         {LIST_SUBSCRIBERS: answer(200, '{"subscribers": [{"subscriberId": "x", "name": "n"}], "nextToken": 7}')},
         args=INFO_ARGS, expect=(unusable(SUBSCRIBERS_PATH, 'a JSON object whose subscribers lists objects with '
                                                            'subscriberId, name (nextToken is not a non-empty string)'),),
         requests={LIST_SUBSCRIBERS: 1}),
    Case('vendors-wrong-type', VENDOR_INFO, {VENDORS: answer(200, '{"vendors": {"id": "M1HOSTILE"}}')},
         expect=(unusable(VENDORS_PATH, 'a JSON object with vendors (vendors is not a list)'),), requests={VENDORS: 1}),
    Case('vendors-array', VENDOR_INFO, {VENDORS: answer(200, '[]')},
         expect=(unusable(VENDORS_PATH, 'a JSON object') + ": '[]'",), requests={VENDORS: 1}),
    Case('subscription-missing-id', SUBSCRIPTION, {GET_SUBSCRIPTION: answer(200, '{"name": "no id"}')},
         args=dict(vendor_id='M1HOSTILE', subscription_id=SUBSCRIPTION_ID, events=['AlexaDevelopmentEvent.All']),
         expect=(unusable(GET_SUBSCRIPTION[1], 'a JSON object with subscriptionId, name, subscriberId, vendorId '
                                               '(the answer has no subscriptionId)'),),
         requests={GET_SUBSCRIPTION: 1}),
    Case('subscriptions-html-200', SUBSCRIPTIONS, {LIST_SUBSCRIPTIONS: answer(200, HTML, 'text/html')},
         args=SUBSCRIPTIONS_ARGS, expect=('3 of 3 subscriptions failed', unusable(SUBSCRIPTIONS_PATH, 'a JSON object',
                                                                                  'text/html')),
         requests={LIST_SUBSCRIPTIONS: 9}),
    # A create answered without the new object's Location may still have been stored: one look, no re-send.
    Case('create-without-location', SUBSCRIBER, {CREATE_SUBSCRIBER: answer(201, '')}, args=SUBSCRIBER_ARGS,
         expect=('POST %s failed (HTTP 201): SMAPI answered 201 with application/json where a Location header naming '
                 'the new object under %s was expected' % (SUBSCRIBERS_PATH, SUBSCRIBERS_PATH),),
         requests={CREATE_SUBSCRIBER: 1, LIST_SUBSCRIBERS: 2}),
    # LWA: a bearer token with a positive lifetime, or a clear refusal; one request (a refresh is never
    # retried for a token of the wrong shape).
    Case('token-missing-access_token', LWA_TOKEN, {TOKEN: token(token_type='bearer', expires_in=3600)}, auth='refresh',
         args=REFRESH_GRANT, expect=(token_refused("access_token missing, token_type 'bearer', expires_in 3600"),),
         requests={TOKEN: 1}),
    Case('token-empty-access_token', LWA_TOKEN, {TOKEN: token(access_token='', token_type='bearer', expires_in=3600)},
         auth='refresh', args=REFRESH_GRANT,
         expect=(token_refused("access_token an empty string, token_type 'bearer', expires_in 3600"),),
         requests={TOKEN: 1}),
    Case('token-type-mac', LWA_TOKEN, {TOKEN: token(access_token=MINT, token_type='mac', expires_in=3600)},
         auth='refresh', args=REFRESH_GRANT,
         expect=(token_refused("access_token a string, token_type 'mac', expires_in 3600"),), requests={TOKEN: 1}),
    Case('token-expires-zero', LWA_TOKEN, {TOKEN: token(access_token=MINT, token_type='bearer', expires_in=0)},
         auth='refresh', args=REFRESH_GRANT,
         expect=(token_refused("access_token a string, token_type 'bearer', expires_in 0"),), requests={TOKEN: 1}),
    Case('token-expires-string', LWA_TOKEN, {TOKEN: token(access_token=MINT, token_type='bearer', expires_in='3600')},
         auth='code', args=CODE_GRANT,
         expect=(token_refused("access_token a string, token_type 'bearer', expires_in '3600'"),), requests={TOKEN: 1}),
    Case('token-expires-negative', LWA_TOKEN, {TOKEN: token(access_token=MINT, token_type='bearer', expires_in=-60)},
         auth='refresh', args=REFRESH_GRANT,
         expect=(token_refused("access_token a string, token_type 'bearer', expires_in -60"),), requests={TOKEN: 1}),
    Case('token-html-200-refresh', LWA_TOKEN, {TOKEN: answer(200, HTML, 'text/html')}, auth='refresh',
         args=REFRESH_GRANT, expect=(unusable(TOKEN_PATH, 'a JSON object', 'text/html', 'POST', 'LWA') + ": '<html>",
                                     '(after 3 attempts)'),
         requests={TOKEN: 3}),
    # A code works once: an answer that may come right next time is not asked for again.
    Case('token-html-200-code', LWA_TOKEN, {TOKEN: answer(200, HTML, 'text/html')}, auth='code', args=CODE_GRANT,
         expect=(unusable(TOKEN_PATH, 'a JSON object', 'text/html', 'POST', 'LWA') + ": '<html>",),
         requests={TOKEN: 1}),
    Case('token-truncated-info', INFO, {TOKEN: answer(200, TRUNCATED_TOKEN)}, auth='refresh', args=INFO_ARGS,
         expect=(unusable(TOKEN_PATH, 'a JSON object', method='POST', service='LWA'),),
         requests={TOKEN: 3, LIST_SUBSCRIBERS: 0}),
    Case('token-type-mac-info', INFO, {TOKEN: token(access_token=MINT, token_type='mac', expires_in=3600)},
         auth='refresh', args=INFO_ARGS, expect=(token_refused("access_token a string, token_type 'mac'"),),
         requests={TOKEN: 1, LIST_SUBSCRIBERS: 0}),
    Case('token-array-lookup', LOOKUP, {TOKEN: answer(200, '[]')}, auth='refresh',
         expect=('skillops.alexa.lwa_access_token: ' + unusable(TOKEN_PATH, 'a JSON object', method='POST',
                                                                service='LWA'),),
         requests={TOKEN: 1}),
    Case('token-empty-lookup', LOOKUP, {TOKEN: token(access_token='', token_type='bearer', expires_in=3600)},
         auth='refresh', expect=(token_refused("access_token an empty string"),), requests={TOKEN: 1}),
]


@pytest.fixture(scope='module')
def answer_runs(playbook):
    # With the listings of part 5, which take the longest: they run beside these.
    return playbook(ANSWERS + PAGES, 'answers')


@pytest.mark.parametrize('case', cases(ANSWERS))
def test_unusable_answer_is_named(case, answer_runs, servers):
    run = answer_runs[case.name]
    check_failure(case, run, servers)
    if 'error' in run.result:
        error = run.result['error']
        assert error['service'] == ('lwa' if case.requests.get(TOKEN) else 'smapi')
        assert error['status'] in (200, 201)
        # Retried (more than one request of the failing kind) exactly when the error says retryable; a
        # create and a code exchange are never sent again, whatever the answer.
        if case.entry != SUBSCRIBER and case.auth != 'code':
            assert error['retryable'] is (max(case.requests.values()) > 1), error


# --- 5. pagination ---------------------------------------------------------------------------------------------

PAGES = [
    Case('pages-repeat-info', INFO, {LIST_SUBSCRIBERS: pages('repeat', 'subscribers', 'subscriberId')}, args=INFO_ARGS,
         expect=('GET %s failed (HTTP 200): SMAPI answered the same nextToken twice (page 2)' % SUBSCRIBERS_PATH,),
         requests={LIST_SUBSCRIBERS: 2}),
    Case('pages-empty-info', INFO, {LIST_SUBSCRIBERS: pages('empty', 'subscribers', 'subscriberId')}, args=INFO_ARGS,
         expect=('GET %s failed (HTTP 200): SMAPI answered an empty page with a nextToken (page 1)' % SUBSCRIBERS_PATH,),
         requests={LIST_SUBSCRIBERS: 1}),
    Case('pages-endless-info', INFO, {LIST_SUBSCRIBERS: pages('endless', 'subscribers', 'subscriberId')}, args=INFO_ARGS,
         expect=('GET %s failed (HTTP 200): SMAPI offered more than 200 pages of 50' % SUBSCRIBERS_PATH,),
         requests={LIST_SUBSCRIBERS: 200}),
    Case('pages-repeat-subscription-info', SUBSCRIPTION_INFO,
         {LIST_SUBSCRIPTIONS: pages('repeat', 'subscriptions', 'subscriptionId')}, args=INFO_ARGS,
         expect=('GET %s failed (HTTP 200): SMAPI answered the same nextToken twice (page 2)' % SUBSCRIPTIONS_PATH,),
         requests={LIST_SUBSCRIPTIONS: 2}),
    Case('pages-endless-subscriptions', SUBSCRIPTIONS, {LIST_SUBSCRIPTIONS: pages('endless', 'subscriptions',
                                                                                  'subscriptionId')},
         args=dict(SUBSCRIPTIONS_ARGS, subscriptions=[dict(vendor_id='M1DEV1')]),
         expect=('1 of 1 subscriptions failed', 'SMAPI offered more than 200 pages of 50'),
         requests={LIST_SUBSCRIPTIONS: 200}),
]


@pytest.mark.parametrize('case', cases(PAGES))
def test_listing_that_does_not_end_is_stopped(case, answer_runs, servers):
    run = answer_runs[case.name]
    check_failure(case, run, servers)
    if 'error' in run.result:
        assert run.result['error']['status'] == 200 and not run.result['error']['retryable']
    # The pages were followed as SMAPI means them to be: each with the token the previous one gave.
    got = servers.got(case.name, 'GET')
    assert all(request.query['maxResults'] == ['50'] for request in got)
    if 'endless' in case.name:
        assert [request.query.get('nextToken') for request in got[1:4]] == [
            ['page-token-2'], ['page-token-3'], ['page-token-4']]


# --- the event source ------------------------------------------------------------------------------------------

SOURCE_DRIP = dict(timeout=1, retry_attempts=2, retry_max_delay=0.2)
SOURCES = [
    Case('eda-redirect-smapi-307', EDA, {LIST_SUBSCRIBERS: redirect(307)}, auth='refresh',
         expect=(refused('GET', SUBSCRIBERS_PATH, 307), 'Check smapi_url'), requests={TOKEN: 1, LIST_SUBSCRIBERS: 1}),
    Case('eda-redirect-lwa-308', EDA, {TOKEN: redirect(308)}, auth='refresh',
         expect=(refused('POST', TOKEN_PATH, 308), 'Check lwa_url'), requests={TOKEN: 1, LIST_SUBSCRIBERS: 0}),
    Case('eda-drip-body-smapi', EDA, {LIST_SUBSCRIBERS: drip_body(dict(subscribers=[]))}, transport=SOURCE_DRIP,
         expect=('GET %s failed (no response): %s' % (SUBSCRIBERS_PATH, TIMEOUT_FAILURE), '(after 2 attempts)'),
         requests={LIST_SUBSCRIBERS: 2}, within=(2 * 1 - 0.1, 2 * 1 + 0.2 + 1.0)),
    Case('eda-drip-headers-lwa', EDA, {TOKEN: drip_headers(then=TOKEN_JSON)}, auth='refresh', transport=SOURCE_DRIP,
         expect=('POST %s failed (no response): %s' % (TOKEN_PATH, TIMEOUT_FAILURE),), requests={TOKEN: 2},
         within=(2 * 1 - 0.1, 2 * 1 + 0.2 + 1.0)),
    Case('eda-echo-smapi-401', EDA, {LIST_SUBSCRIBERS: echo(401)}, auth='refresh',
         expect=('failed (HTTP 401): echo: Authorization: Bearer ********',), requests={TOKEN: 2, LIST_SUBSCRIBERS: 2}),
    Case('eda-echo-lwa-text', EDA, {TOKEN: echo(400, 'text', 'quote_plus')}, auth='refresh',
         expect=('(text/plain)', "'echo: ********"), requests={TOKEN: 1}),
    Case('eda-echo-lwa-json', EDA, {TOKEN: echo(400)}, auth='refresh',
         expect=('refresh_token=********', 'client_secret=********'), requests={TOKEN: 1}),
    Case('eda-html-200', EDA, {LIST_SUBSCRIBERS: answer(200, HTML, 'text/html')},
         transport=dict(timeout=5, retry_attempts=2, retry_max_delay=0.2),
         expect=(unusable(SUBSCRIBERS_PATH, 'a JSON object', 'text/html') + ": '<html>",), requests={LIST_SUBSCRIBERS: 2}),
    Case('eda-token-empty', EDA, {TOKEN: token(access_token='', token_type='bearer', expires_in=3600)},
         auth='refresh', expect=(token_refused('access_token an empty string'),), requests={TOKEN: 1}),
    Case('eda-token-type-mac', EDA, {TOKEN: token(access_token=MINT, token_type='mac', expires_in=3600)},
         auth='refresh', expect=(token_refused("access_token a string, token_type 'mac'"),), requests={TOKEN: 1}),
    Case('eda-pages-repeat', EDA, {LIST_SUBSCRIBERS: pages('repeat', 'subscribers', 'subscriberId')},
         expect=('SMAPI answered the same nextToken twice (page 2)',), requests={LIST_SUBSCRIBERS: 2}),
]
SOURCE_SECONDS = 6.0


@pytest.fixture(scope='module')
def source_runs(run_sources):
    return run_sources(SOURCES, SOURCE_SECONDS)


@pytest.mark.parametrize('case', cases(SOURCES))
def test_event_source_logs_the_failure_and_goes_on(case, source_runs, servers):
    run = source_runs[case.name]
    check_source(case, run, servers)
    if case.within:
        # From the start of the source to the end of its first look: every attempt cut at its deadline.
        first_look = run.looks[0].created - run.started
        low, high = case.within
        print('%s: the first look took %.2fs (bound %.2f to %.2f)' % (case, first_look, low, high))
        assert low <= first_look <= high
