# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the module tests share beside their fixtures (conftest.py): an in-memory SMAPI, the subscriber,
the other security profile and the refusal that the SDNS module tests have in common, and the secrets
that no module's result may show.

The SMAPI stands in for requests' transport adapter, the last step before the network, so a module
runs as in a play: its own code, the SMAPI client, the HTTP transport (deadlines, error handling)
and the comparison helper are the real ones. It records every request it gets as sent.
"""

import io
import json
import threading
from collections import namedtuple
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import ReadTimeoutError


# Spelled out here rather than taken from the module_utils, so that a wrong path there shows.
SMAPI_HOST = 'api.amazonalexa.com'
SUBSCRIBERS = '/v0/developmentEvents/subscribers'
SUBSCRIPTIONS = '/v0/developmentEvents/subscriptions'
VENDORS = '/v1/vendors'
LIST_SUBSCRIBERS = ('GET', SUBSCRIBERS, None)   # as FakeSmapi.sent() gives a request
# Events a subscription may name.
CERTIFICATION = 'AlexaDevelopmentEvent.SkillCertification'
PUBLISH = 'AlexaDevelopmentEvent.SkillPublish'
ALL = 'AlexaDevelopmentEvent.All'

# The SDNS module tests: the vendor that owns the subscriber, and the subscriber's topic and role.
VENDOR = 'M1ORGVENDOR'
TOPIC = 'arn:aws:sns:us-east-1:123456789012:alexa-sdns'
ROLE = 'arn:aws:iam::123456789012:role/alexa-sdns-publisher'
# A security profile other than FakeSmapi.client_id: the ASK CLI's.
CLI_PROFILE = 'amzn1.application-oa2-client.ask-cli'
# The refresh credentials make lwa_client_id the profile of the run's tokens; access_token is used as it is.
REFRESH = dict(lwa_client_secret='unit-test-client-secret', refresh_token='unit-test-refresh-token')
# Why a module will not change a subscriber of another security profile, or its subscriptions: the
# subscriber's ID, the profile that created it, lwa_client_id.
FOREIGN = ('subscriber_id %s was created by the security profile %s, not by lwa_client_id %s, and SDNS lets only that '
           'profile change it or its subscriptions: use lwa_client_id, lwa_client_secret and refresh_token of the '
           'security profile that created the subscriber')

# One request as the server got it: the query and the JSON body decoded, None when there is none.
Request = namedtuple('Request', ['method', 'path', 'query', 'body'])


class FakeSmapi:
    """The subscriber and subscription operations of SMAPI over two dicts, and its vendor list, as SMAPI
    answers them.

    ``token`` is the only bearer token it accepts; subscribers it creates belong to ``client_id``
    and start ``ACTIVE`` (``new_subscriber_status`` says otherwise). ``refuse(method, path, status,
    message)`` answers the next such request with that error instead. ``store_late(vendor_id,
    lower_id)`` holds the next create of a subscription for that vendor past the client's timeout.
    ``pauses`` are the waits the transport asked for (none is slept). Lists are served in pages of
    maxResults, or of ``page_size`` when that is smaller, each but the last with a nextToken;
    GET /v1/vendors answers ``vendors``.
    """

    token = 'unit-test-access-token'
    client_id = 'amzn1.application-oa2-client.ours'

    def __init__(self):
        self.subscribers = {}
        self.subscriptions = {}
        self.requests = []
        self.pauses = []
        self.new_subscriber_status = 'ACTIVE'
        self.page_size = None
        self.vendors = []
        self._refusals = {}
        self._late = {}
        self.stored_late = []
        self._ids = 0
        self._lock = threading.Lock()

    # --- what a test sets up and reads ---

    def add_subscriber(self, vendor_id, name, topic_arn, role_arn, status='ACTIVE', client_id=None):
        subscriber_id = self._new_id('amzn1.ask-subscriber.')
        self.subscribers[subscriber_id] = dict(
            subscriberId=subscriber_id, name=name, status=status, clientId=client_id or self.client_id,
            vendorId=vendor_id, endpoint=dict(uri=topic_arn, authorization=dict(type='AWS_IAM', arn=role_arn)))
        return subscriber_id

    def add_subscription(self, vendor_id, name, subscriber_id, events):
        subscription_id = self._new_id('amzn1.ask-subscription.')
        self.subscriptions[subscription_id] = dict(subscriptionId=subscription_id, name=name, subscriberId=subscriber_id,
                                                   vendorId=vendor_id, events=list(events))
        return subscription_id

    def add_vendor(self, vendor_id, name, roles=('ROLE_ADMINISTRATOR',)):
        self.vendors.append(dict(id=vendor_id, name=name, roles=list(roles)))

    def refuse(self, method, path, status, message):
        self._refusals[(method, path)] = (status, dict(message=message))

    def store_late(self, vendor_id, lower_id=True):
        """The next create of a subscription for ``vendor_id`` gets no answer within the client's
        timeout, and SMAPI stores it only when the client sends it again (after it looked and found
        nothing, as a real server may finish a request its client gave up on): just before the new
        attempt, so the late copy has the lower ID, or just after it (``lower_id=False``).
        ``stored_late`` lists the IDs of the copies stored so."""
        self._late[vendor_id] = dict(lower_id=lower_id, held=None)

    def sent(self):
        """(method, path, body) of every request, in the order received."""
        return [(request.method, request.path, request.body) for request in self.requests]

    def writes(self):
        """(method, path, body) of every request but the GETs, in the order received."""
        return [sent for sent in self.sent() if sent[0] != 'GET']

    # --- the server ---

    def send(self, prepared):
        url = urlsplit(prepared.url)
        request = Request(prepared.method, url.path, dict(parse_qsl(url.query)),
                          json.loads(prepared.body) if prepared.body else None)
        with self._lock:
            self.requests.append(request)
            if url.netloc != SMAPI_HOST:
                raise AssertionError('a request to %s, which is not SMAPI: %s %s' % (url.netloc, request.method, url.path))
            if prepared.headers.get('Authorization') != 'Bearer %s' % self.token:
                return self._answer(prepared, 401, dict(message='Token is invalid or expired.'))
            refusal = self._refusals.pop((request.method, request.path), None)
            if refusal:
                return self._answer(prepared, *refusal)
            late = self._late.get((request.body or {}).get('vendorId')) if request.path == SUBSCRIPTIONS else None
            if late and request.method == 'POST':
                return self._create_late(prepared, request, late)
            collection, dummy, object_id = url.path.rpartition('/')
            if url.path in (SUBSCRIBERS, SUBSCRIPTIONS, VENDORS):
                collection, object_id = url.path, None
            handler = self._routes().get((request.method, collection, object_id is None))
            if handler is None:
                raise AssertionError('SMAPI has no operation %s %s' % (request.method, url.path))
            return self._answer(prepared, *handler(request, object_id))

    def _routes(self):
        return {
            ('GET', SUBSCRIBERS, True): self._list_subscribers,
            ('POST', SUBSCRIBERS, True): self._create_subscriber,
            ('PUT', SUBSCRIBERS, False): self._update_subscriber,
            ('DELETE', SUBSCRIBERS, False): self._delete(self.subscribers, 'subscriber'),
            ('GET', SUBSCRIPTIONS, True): self._list_subscriptions,
            ('POST', SUBSCRIPTIONS, True): self._create_subscription,
            ('GET', SUBSCRIPTIONS, False): self._get_subscription,
            ('PUT', SUBSCRIPTIONS, False): self._update_subscription,
            ('DELETE', SUBSCRIPTIONS, False): self._delete(self.subscriptions, 'subscription'),
            ('GET', VENDORS, True): self._list_vendors,
        }

    def _list_subscribers(self, request, dummy):
        # A SubscriberSummary names no vendor.
        summaries = [dict((key, value) for key, value in subscriber.items() if key != 'vendorId')
                     for subscriber in self.subscribers.values() if subscriber['vendorId'] == request.query['vendorId']]
        return self._page(request, 'subscribers', summaries)

    def _page(self, request, key, items):
        """The page of ``items`` that the request's nextToken (an offset here) and maxResults ask for."""
        token = request.query.get('nextToken', 'offset-0')
        if not token.startswith('offset-') or not token[len('offset-'):].isdigit():
            return 400, dict(code='INVALID_NEXT_TOKEN', message='nextToken is invalid or expired.')
        start = int(token[len('offset-'):])
        size = min(int(request.query.get('maxResults', 50)), self.page_size or 50)
        page = {key: items[start:start + size]}
        if start + size < len(items):
            page['nextToken'] = 'offset-%d' % (start + size)
        return 200, page

    def _list_vendors(self, dummy, dummy_id):
        # The vendors of the token's user; SMAPI does not page them.
        return 200, dict(vendors=[dict(vendor) for vendor in self.vendors])

    def _create_subscriber(self, request, dummy):
        body = request.body
        subscriber_id = self.add_subscriber(body['vendorId'], body['name'], body['endpoint']['uri'],
                                            body['endpoint']['authorization']['arn'], status=self.new_subscriber_status)
        return 201, None, dict(Location='%s/%s' % (SUBSCRIBERS, subscriber_id))

    def _update_subscriber(self, request, subscriber_id):
        if subscriber_id not in self.subscribers:
            return self._not_found('subscriber', subscriber_id)
        # An update, even with the same values, is how SDNS reactivates an INACTIVE subscriber.
        self.subscribers[subscriber_id].update(name=request.body['name'], endpoint=request.body['endpoint'],
                                               status='ACTIVE')
        return (204,)

    def _list_subscriptions(self, request, dummy):
        vendor_id, subscriber_id = request.query['vendorId'], request.query.get('subscriberId')
        if subscriber_id and subscriber_id not in self.subscribers:
            return self._not_found('subscriber', subscriber_id)

        def owner(subscription):
            return self.subscribers.get(subscription['subscriberId'], {}).get('vendorId')

        # A vendor sees the subscriptions it publishes to and those to its own subscribers.
        listed = [dict(subscription) for subscription in self.subscriptions.values()
                  if vendor_id in (subscription['vendorId'], owner(subscription))
                  and subscriber_id in (None, subscription['subscriberId'])]
        return self._page(request, 'subscriptions', listed)

    def _create_subscription(self, request, dummy):
        body = request.body
        if body['subscriberId'] not in self.subscribers:
            return self._not_found('subscriber', body['subscriberId'])
        subscription_id = self.add_subscription(body['vendorId'], body['name'], body['subscriberId'], body['events'])
        return 201, None, dict(Location='%s/%s' % (SUBSCRIPTIONS, subscription_id))

    def _create_late(self, prepared, request, late):
        if late.get('held') is None:
            late['held'] = request
            raise requests.exceptions.ReadTimeout(ReadTimeoutError(None, prepared.url, 'Read timed out.'))
        del self._late[request.body['vendorId']]

        def store_the_held_one():
            held = late['held'].body
            self.stored_late.append(self.add_subscription(held['vendorId'], held['name'], held['subscriberId'],
                                                          held['events']))

        if late['lower_id']:
            store_the_held_one()
        answer = self._create_subscription(request, None)
        if not late['lower_id']:
            store_the_held_one()
        return self._answer(prepared, *answer)

    def _get_subscription(self, dummy, subscription_id):
        if subscription_id not in self.subscriptions:
            return self._not_found('subscription', subscription_id)
        return 200, dict(self.subscriptions[subscription_id])

    def _update_subscription(self, request, subscription_id):
        if subscription_id not in self.subscriptions:
            return self._not_found('subscription', subscription_id)
        self.subscriptions[subscription_id].update(name=request.body['name'], events=request.body['events'])
        return (204,)

    def _delete(self, store, what):
        def delete(dummy, object_id):
            if store.pop(object_id, None) is None:
                return self._not_found(what, object_id)
            return (204,)
        return delete

    @staticmethod
    def _not_found(what, object_id):
        return 404, dict(code='NOT_FOUND', message='No %s found with ID %s.' % (what, object_id))

    def _new_id(self, prefix):
        self._ids += 1
        return '%s%04d' % (prefix, self._ids)

    @staticmethod
    def _answer(prepared, status, body=None, headers=None):
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers or {})
        if body is not None:
            response.headers['Content-Type'] = 'application/json'
        response.raw = io.BytesIO(b'' if body is None else json.dumps(body).encode())
        response.url = prepared.url
        response.request = prepared
        return response


def warning_texts(result):
    """The texts of a module result's warnings."""
    # ansible-core 2.19 nests each warning's text in an event; older cores return the text.
    return [item['event']['msg'] if isinstance(item, dict) else item for item in result.get('warnings', [])]


def add_subscriber(smapi, client_id=None):
    """A subscriber of VENDOR, created by ``client_id`` (FakeSmapi.client_id unless given); its ID."""
    return smapi.add_subscriber(VENDOR, 'org-subscriber', TOPIC, ROLE, client_id=client_id)


# Every secret a task may be given (FakeSmapi.token is the access token): none may show in a result.
SECRETS = (FakeSmapi.token, REFRESH['lwa_client_secret'], REFRESH['refresh_token'])


def secrets_in(result):
    """The SECRETS that ``result`` shows anywhere: its messages, its facts, its invocation's arguments."""
    text = json.dumps(result)
    return [secret for secret in SECRETS if secret in text]


def run_refused_echoing_the_secrets(run, smapi, path):
    """Runs ``run`` with the refresh credentials while SMAPI refuses the next GET ``path`` (HTTP 400) with a
    message that repeats every secret of SECRETS, as a server that echoes what it was sent does, and checks
    that the task fails with SMAPI's message, masked, and the request's facts, showing no secret."""
    smapi.refuse('GET', path, 400, 'Bad request: %s.' % ', '.join(SECRETS))

    result = run(lwa_client_id=FakeSmapi.client_id, **REFRESH)

    assert result['failed'] is True
    assert result['msg'].startswith('GET %s failed (HTTP 400): Bad request: ********, ********, ********.' % path)
    assert (result['error']['method'], result['error']['path'], result['error']['status']) == ('GET', path, 400)
    assert secrets_in(result) == []


def run_on_an_unknown_subscriber(run, smapi):
    """Runs ``run`` naming a subscriber ID SMAPI does not list, and checks that the task fails naming it after
    one listing of subscriptions, and sends nothing else."""
    result = run(subscriber_id='amzn1.ask-subscriber.gone')

    assert result['failed'] is True
    assert result['msg'] == ('subscriber_id amzn1.ask-subscriber.gone: no such subscriber is visible to this token; '
                             'check the ID the subscriber owner gave you')
    assert smapi.sent() == [('GET', SUBSCRIPTIONS, None)]


def run_on_a_foreign_subscriber(run, smapi, **task):
    """Runs ``run(**task)`` naming a new subscriber of VENDOR that CLI_PROFILE created, with the refresh
    credentials of FakeSmapi.client_id's profile, and checks that the module refuses it with FOREIGN."""
    foreign = add_subscriber(smapi, client_id=CLI_PROFILE)

    result = run(subscriber_id=foreign, lwa_client_id=smapi.client_id, **dict(REFRESH, **task))

    assert result['failed'] is True
    assert result['msg'] == FOREIGN % (foreign, CLI_PROFILE, smapi.client_id)
