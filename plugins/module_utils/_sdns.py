# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The SDNS domain: events, ARNs, how subscribers and subscriptions are found, compared and sent.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

import json
import re

from ansible_collections.skillops.alexa.plugins.module_utils._errors import Ambiguous, Conflict, NotFound, ValidationError
from ansible_collections.skillops.alexa.plugins.module_utils._smapi import SETTLE_SECONDS

# The AWS account SDNS publishes from: the principal an endpoint role must trust.
SDNS_ACCOUNT_ID = '258925066295'
SUBSCRIBERS_PATH = '/v0/developmentEvents/subscribers'
SUBSCRIPTIONS_PATH = '/v0/developmentEvents/subscriptions'
# What SMAPI answers for a subscriber and a subscription, as far as the modules read them
# (_smapi.shape_problem): an answer of another shape is refused before they see it.
SUBSCRIBER_SHAPE = {'subscriberId': str, 'name': str, 'status?': str, 'clientId?': str,
                    'endpoint?': {'uri?': str, 'authorization?': {'arn?': str}}}
SUBSCRIPTION_SHAPE = {'subscriptionId': str, 'name': str, 'subscriberId': str, 'vendorId': str, 'events?': [str]}
MAX_NAME_LENGTH = 255

# Spelled as in the official SMAPI model; 'All' stands alone and covers every development event.
ALL_DEVELOPMENT_EVENTS = 'AlexaDevelopmentEvent.All'
EVENTS = (
    'AlexaDevelopmentEvent.ManifestUpdate',
    'AlexaDevelopmentEvent.SkillCertification',
    'AlexaDevelopmentEvent.SkillPublish',
    'AlexaDevelopmentEvent.InteractionModelUpdate',
    ALL_DEVELOPMENT_EVENTS,
    'AlexaCustomerFeedbackEvent.SkillReviewPublish',
)
_EVENTS_BY_LOWER = dict((event.lower(), event) for event in EVENTS)

_PARTITIONS = 'aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc'
_REGION = r'[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}'
# A standard SNS topic's name; a FIFO topic's adds .fifo.
MAX_TOPIC_NAME_LENGTH = 256
TOPIC_NAME = r'[A-Za-z0-9_-]{1,%d}' % MAX_TOPIC_NAME_LENGTH
TOPIC_ARN = re.compile(r'^arn:(%s):sns:(%s):(\d{12}):(%s(?:\.fifo)?)$' % (_PARTITIONS, _REGION, TOPIC_NAME))
ROLE_ARN = re.compile(r'^arn:(%s):iam::(\d{12}):role/((?:[\x21-\x7e]+/)*)([\w+=,.@-]{1,64})$' % _PARTITIONS)
ANY_ARN = re.compile(r'^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$')

TOPIC_EXAMPLE = 'arn:aws:sns:us-east-1:123456789012:alexa-sdns'
ROLE_EXAMPLE = 'arn:aws:iam::123456789012:role/alexa-sdns-publisher'


def normalize_events(events, field='events'):
    """The events in the model's spelling, without duplicates, in a stable order."""
    if not events:
        raise ValidationError('%s must list at least one event; valid events: %s' % (field, ', '.join(EVENTS)))
    chosen = []
    for event in events:
        canonical = _EVENTS_BY_LOWER.get(str(event).strip().lower())
        if canonical is None:
            raise ValidationError('%s: unknown event %r; valid events: %s' % (field, event, ', '.join(EVENTS)))
        if canonical not in chosen:
            chosen.append(canonical)
    development = [e for e in chosen if e.startswith('AlexaDevelopmentEvent.')]
    if ALL_DEVELOPMENT_EVENTS in development and len(development) > 1:
        raise ValidationError(
            '%s: %s already covers every development event and must stand alone; remove %s (it may be '
            'combined only with AlexaCustomerFeedbackEvent.SkillReviewPublish)'
            % (field, ALL_DEVELOPMENT_EVENTS, ', '.join(e for e in development if e != ALL_DEVELOPMENT_EVENTS)))
    return sorted(chosen, key=EVENTS.index)


def validate_name(name, field='name'):
    if name is None:
        return None
    if not name.strip():
        raise ValidationError('%s must not be empty' % field)
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError('%s is %d characters long; SMAPI accepts at most %d'
                              % (field, len(name), MAX_NAME_LENGTH))
    return name


# An IAM role's name, and what the roles add to an endpoint's name to name its IAM role by default.
MAX_ROLE_NAME_LENGTH = 64
ROLE_NAME = r'[A-Za-z0-9+=,.@_-]{1,%d}' % MAX_ROLE_NAME_LENGTH
ROLE_SUFFIX = '-sdns-publisher'


def validate_endpoint_name(name, field, role_name=None, role_field=None):
    """The name of an SDNS endpoint's SNS topic, checked with its IAM role's name before either is made.

    The role is ``role_name``, or ``name`` + ROLE_SUFFIX when no role name is given, so then the suffix
    leaves ``name`` less room than a topic name has. The messages name ``field`` and ``role_field``.
    """
    def fits(pattern, value):
        return isinstance(value, str) and re.fullmatch(pattern, value) is not None

    if role_name is None:
        if not (fits(TOPIC_NAME, name) and fits(ROLE_NAME, name + ROLE_SUFFIX)):
            raise ValidationError(
                '%s must be 1 to %d letters, digits, hyphens or underscores, as it names the SNS topic and the IAM '
                'role NAME%s (at most %d characters); got %s'
                % (field, min(MAX_TOPIC_NAME_LENGTH, MAX_ROLE_NAME_LENGTH - len(ROLE_SUFFIX)), ROLE_SUFFIX,
                   MAX_ROLE_NAME_LENGTH, json.dumps(name)))
        return name
    if not fits(TOPIC_NAME, name):
        raise ValidationError('%s must be 1 to %d letters, digits, hyphens or underscores, as it names a standard SNS '
                              'topic (SDNS cannot publish to a FIFO topic); got %s'
                              % (field, MAX_TOPIC_NAME_LENGTH, json.dumps(name)))
    if not fits(ROLE_NAME, role_name):
        role_field = role_field or 'role_name'
        raise ValidationError('%s must be 1 to %d letters, digits or characters of +=,.@_- (IAM role names): shorten '
                              '%s, to which the default role name adds %s, or set %s; got %s (%d characters)'
                              % (role_field, MAX_ROLE_NAME_LENGTH, field, ROLE_SUFFIX, role_field,
                                 json.dumps(role_name), len(role_name)))
    return name


def validate_topic_arn(arn, field='topic_arn'):
    """An SNS topic ARN; spots a role ARN given in its place."""
    if TOPIC_ARN.match(arn):
        if arn.endswith('.fifo'):
            raise ValidationError('%s %s is a FIFO topic; SDNS publishes to standard SNS topics only' % (field, arn))
        return arn
    hint = _what_it_is(arn)
    if ROLE_ARN.match(arn):
        hint = 'it is an IAM role ARN: did you swap topic_arn and role_arn?'
    raise ValidationError('%s must be an SNS topic ARN like %s; got %r (%s)' % (field, TOPIC_EXAMPLE, arn, hint))


def validate_role_arn(arn, field='role_arn'):
    """An IAM role ARN; spots a topic ARN given in its place."""
    if ROLE_ARN.match(arn):
        return arn
    hint = _what_it_is(arn)
    if TOPIC_ARN.match(arn):
        hint = 'it is an SNS topic ARN: did you swap topic_arn and role_arn?'
    raise ValidationError('%s must be an IAM role ARN like %s; got %r (%s)' % (field, ROLE_EXAMPLE, arn, hint))


def _what_it_is(arn):
    match = ANY_ARN.match(arn)
    if not match:
        return 'not an ARN: it must start with arn:<partition>:'
    partition, service, region = match.group(1), match.group(2), match.group(3)
    if not re.match('^(%s)$' % _PARTITIONS, partition):
        return 'unknown partition %r' % partition
    if service == 'sns' and not re.match('^%s$' % _REGION, region):
        return 'invalid region %r' % region
    return 'malformed %s ARN' % (service or 'unknown')


def subscriber_view(summary, vendor_id):
    """The result and diff shape of a subscriber, from a SubscriberSummary (or SubscriberInfo)."""
    endpoint = summary.get('endpoint') or {}
    return dict(
        subscriber_id=summary.get('subscriberId'),
        name=summary.get('name'),
        vendor_id=vendor_id,
        status=summary.get('status'),
        client_id=summary.get('clientId'),
        topic_arn=endpoint.get('uri'),
        role_arn=(endpoint.get('authorization') or {}).get('arn'),
    )


def subscriber_body(view, with_vendor):
    body = dict(name=view['name'], endpoint=dict(
        uri=view['topic_arn'], authorization=dict(type='AWS_IAM', arn=view['role_arn'])))
    if with_vendor:
        body['vendorId'] = view['vendor_id']
    return body


def subscription_view(info):
    return dict(
        subscription_id=info.get('subscriptionId'),
        name=info.get('name'),
        subscriber_id=info.get('subscriberId'),
        vendor_id=info.get('vendorId'),
        events=_as_stored(info.get('events') or []),
    )


def _as_stored(events):
    """Events read from SMAPI in the model's spelling and order; unknown (newer) ones kept, last."""
    known = [_EVENTS_BY_LOWER.get(event.lower(), event) for event in events]
    return sorted(set(known), key=lambda e: (EVENTS.index(e) if e in EVENTS else len(EVENTS), e))


def subscription_body(view, with_ids):
    body = dict(name=view['name'], events=view['events'])
    if with_ids:
        body.update(vendorId=view['vendor_id'], subscriberId=view['subscriber_id'])
    return body


def plan(current, wanted, force=False):
    """Compare what is with what is asked for: the one place that decides ``changed`` and the diff.

    ``current`` is the object's view or None when it does not exist; ``wanted`` holds the values
    the task asks for, None meaning "leave as it is". Returns (changed, after, diff) where ``after``
    is the view the object will have, from which the request body is built.
    """
    asked = dict((key, value) for key, value in wanted.items() if value is not None)
    if current is None:
        after = asked
        changed = True
    else:
        after = dict(current, **asked)
        changed = force or after != current
    return changed, after, dict(before=current or {}, after=after)


def matching(items, params, keys, unlike=None):
    """The items whose values equal every one of ``keys`` that the task set in ``params`` and differ
    from every value of ``unlike`` (item key -> value) that is not None: the info modules' one filter."""
    wanted = dict((key, params[key]) for key in keys if params.get(key) is not None)
    unwanted = dict((key, value) for key, value in (unlike or {}).items() if value is not None)
    return [item for item in items
            if all(item.get(key) == value for key, value in wanted.items())
            and all(item.get(key) != value for key, value in unwanted.items())]


def the_one_named(twins, what, id_key, name, sleep):
    """The single item of ``twins()`` (the items called ``name``), or None; several raise Ambiguous.

    Several at once may also be concurrent creates still settling (SmapiClient.create removes the
    extra ones within SETTLE_SECONDS), so they are looked up once more after that.
    """
    items = twins()
    if len(items) > 1:
        sleep(2 * SETTLE_SECONDS)
        items = twins()
    if len(items) > 1:
        raise Ambiguous(what, name, [item.get(id_key) for item in items])
    return items[0] if items else None


def list_subscribers(smapi, vendor_id):
    """Every SubscriberSummary of ``vendor_id`` (the list is where status and client live)."""
    return smapi.paginate(SUBSCRIBERS_PATH, 'subscribers', SUBSCRIBER_SHAPE, params=dict(vendorId=vendor_id))


def list_subscriptions(smapi, vendor_id, subscriber_id=None):
    """Every subscription ``vendor_id`` can see, or only those to ``subscriber_id``."""
    query = dict(vendorId=vendor_id)
    if subscriber_id:
        query['subscriberId'] = subscriber_id
    try:
        return list(smapi.paginate(SUBSCRIPTIONS_PATH, 'subscriptions', SUBSCRIPTION_SHAPE, params=query))
    except NotFound:
        if not subscriber_id:
            raise
        # SMAPI's own 404 does not say which ID it could not find.
        raise no_such_subscriber(subscriber_id)


def no_such_subscriber(subscriber_id):
    return NotFound('subscriber_id %s: no such subscriber is visible to this token; check the ID the subscriber '
                    'owner gave you' % subscriber_id, status=404)


def subscribers_named(smapi, vendor_id, name):
    """The SubscriberSummaries called ``name``."""
    return [subscriber for subscriber in list_subscribers(smapi, vendor_id) if subscriber.get('name') == name]


def subscriptions_named(smapi, vendor_id, subscriber_id, name):
    """The subscriptions called ``name`` from ``vendor_id`` to ``subscriber_id``."""
    return [s for s in list_subscriptions(smapi, vendor_id, subscriber_id)
            if s.get('subscriberId') == subscriber_id and s.get('vendorId') == vendor_id and s.get('name') == name]


def subscription_twin_ids(smapi, vendor_id, subscriber_id, name):
    """The IDs of the subscriptions with one identity: what a create asks to recover and to settle."""
    return [twin['subscriptionId'] for twin in subscriptions_named(smapi, vendor_id, subscriber_id, name)]


def find_subscriber(smapi, vendor_id, subscriber_id=None, name=None):
    """The SubscriberSummary by ID, else by name; None when there is none."""
    if subscriber_id:
        return next((s for s in list_subscribers(smapi, vendor_id) if s.get('subscriberId') == subscriber_id), None)
    return the_one_named(lambda: subscribers_named(smapi, vendor_id, name), 'subscriber', 'subscriberId', name,
                         smapi.transport.sleep)


def find_subscription(smapi, vendor_id, subscriber_id, name):
    """The subscription called ``name`` from ``vendor_id`` to ``subscriber_id``; None when there is none."""
    return the_one_named(lambda: subscriptions_named(smapi, vendor_id, subscriber_id, name), 'subscription',
                         'subscriptionId', name, smapi.transport.sleep)


def refuse_foreign_subscriber(subscriber, client_id, subscriber_id):
    """Refuse, before any write, a subscriber that another security profile created.

    SDNS changes a subscriber, and writes a subscription to it, only with a token of the subscriber's
    security profile, and notifies only about that profile's skill changes. ``client_id``
    is the token's profile when the module knows it (it mints the token), ``subscriber`` the
    SubscriberSummary when the token's vendor owns it; without either, SDNS decides.
    """
    if subscriber and client_id and subscriber.get('clientId') not in (None, client_id):
        raise Conflict('subscriber_id %s was created by the security profile %s, not by lwa_client_id %s, and SDNS '
                       'lets only that profile change it or its subscriptions: use lwa_client_id, lwa_client_secret '
                       'and refresh_token of the security profile that created the subscriber' % (
                           subscriber_id, subscriber['clientId'], client_id))
