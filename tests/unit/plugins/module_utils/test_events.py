# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json

import pytest

from ansible_collections.skillops.alexa.plugins.module_utils._events import (
    Malformed, describe, identity, queue_region, status_changes, unwrap)

TOPIC = 'arn:aws:sns:us-east-1:123456789012:alexa-sdns'
SKILL = {'skillId': 'amzn1.ask.skill.89751fb9-1d43-4e4f-9d8b-6e7a1d9f0a11', 'vendorId': 'M1ABCDEFGHIJKL'}
SUBSCRIPTION = {'subscriptionId': 'amzn1.ask-subscription.2b8f6f1e'}
# The bodies of the SDNS guide's event-schema pages, one per kind.
CERTIFICATION = {'eventName': 'AlexaDevelopmentEvent.SkillCertification', 'timestamp': '2026-11-30T08:00:00.000Z',
                 'requestId': 'a1b2c3d4-0000-4000-8000-000000000001',
                 'payload': {'status': 'FAILED', 'actor': {'customerId': 'amzn1.account.AEXAMPLE'},
                             'skill': SKILL, 'subscription': SUBSCRIPTION}}
MODEL = {'eventName': 'AlexaDevelopmentEvent.InteractionModelUpdate', 'timestamp': '2026-11-30T08:00:00.000Z',
         'requestId': 'a1b2c3d4-0000-4000-8000-000000000002',
         'payload': {'status': 'SUCCEEDED', 'actor': {'customerId': 'amzn1.account.AEXAMPLE'},
                     'interactionModel': dict(SKILL, locale='en-GB'), 'subscription': SUBSCRIPTION}}
REVIEW = {'eventName': 'AlexaCustomerFeedbackEvent.SkillReviewPublish', 'timestamp': '2026-11-30T08:00:00.000Z',
          'payload': {'skill': SKILL, 'subscription': SUBSCRIPTION,
                      'review': {'reviewId': 'R1EXAMPLE', 'url': 'https://www.amazon.com/review/R1EXAMPLE',
                                 'starRating': '2'}}}


def envelope(message, message_id='b9a2e6c4-5f3d-4d0e-9a57-1f1e8d7c6b5a', kind='Notification'):
    return json.dumps({'Type': kind, 'MessageId': message_id, 'TopicArn': TOPIC, 'Message': message,
                       'Timestamp': '2026-11-30T08:00:01.000Z', 'SignatureVersion': '1', 'Signature': 'x'})


@pytest.mark.parametrize('notification, facts', [
    (CERTIFICATION, {'welcome': False, 'skill_id': SKILL['skillId'], 'vendor_id': SKILL['vendorId'], 'status': 'FAILED'}),
    (MODEL, {'welcome': False, 'skill_id': SKILL['skillId'], 'vendor_id': SKILL['vendorId'], 'status': 'SUCCEEDED',
             'locale': 'en-GB'}),
    (REVIEW, {'welcome': False, 'skill_id': SKILL['skillId'], 'vendor_id': SKILL['vendorId'], 'star_rating': 2}),
])
def test_the_envelope_comes_off(notification, facts):
    event = unwrap(envelope(json.dumps(notification)), meta={'sqs_message_id': 'sqs-1'})
    assert {key: event[key] for key in notification} == notification
    assert event['sdns'] == facts
    assert event['meta'] == {'sqs_message_id': 'sqs-1', 'sns_message_id': 'b9a2e6c4-5f3d-4d0e-9a57-1f1e8d7c6b5a',
                             'topic_arn': TOPIC, 'published_at': '2026-11-30T08:00:01.000Z'}
    assert identity(event) == 'b9a2e6c4-5f3d-4d0e-9a57-1f1e8d7c6b5a'


def test_raw_message_delivery_is_the_notification_itself():
    event = unwrap(json.dumps(CERTIFICATION), meta={'sqs_message_id': 'sqs-2'})
    assert event['eventName'] == CERTIFICATION['eventName'] and event['payload'] == CERTIFICATION['payload']
    assert event['meta'] == {'sqs_message_id': 'sqs-2'}
    assert identity(event) == 'sqs-2'


@pytest.mark.parametrize('rating', ['5', ' 5 ', 5, 5.0])
def test_a_star_rating_is_a_number(rating):
    body = dict(REVIEW, payload=dict(REVIEW['payload'], review={'starRating': rating}))
    assert unwrap(json.dumps(body))['sdns']['star_rating'] == 5


def test_a_value_already_parsed_is_taken_as_is():
    assert unwrap(json.loads(envelope(json.dumps(REVIEW))))['sdns']['star_rating'] == 2


@pytest.mark.parametrize('body', [envelope('{}'), '{}'])
def test_the_welcome_message_is_its_own_event(body):
    event = unwrap(body)
    assert event['sdns'] == {'welcome': True}
    assert 'eventName' not in event


def test_a_subscription_to_confirm_says_how():
    confirmation = json.loads(envelope('You have chosen to subscribe...', kind='SubscriptionConfirmation'))
    with pytest.raises(Malformed) as raised:
        unwrap(json.dumps(dict(confirmation, Token='2336412f37fb687f5d51e6e2425')))
    assert str(raised.value).startswith('an SNS SubscriptionConfirmation, not a notification: topic %s asks this '
                                        'queue to confirm its subscription' % TOPIC)
    assert 'aws sns confirm-subscription --topic-arn %s --token 2336412f37fb687f5d51e6e2425 ' % TOPIC in str(raised.value)


@pytest.mark.parametrize('body, where', [
    (envelope(json.dumps(dict(REVIEW, payload=dict(REVIEW['payload'], review={
        'starRating': '1', 'url': "https://x/{{ lookup('pipe', 'id') }}"})))), 'payload.review.url'),
    (envelope(json.dumps(dict(CERTIFICATION, requestId='{% raw %}'))), 'requestId'),
    (envelope(json.dumps(dict(CERTIFICATION, payload=dict(CERTIFICATION['payload'], **{'{#': 1})))), 'payload.{#'),
    (envelope(json.dumps(dict(CERTIFICATION, extra=[1, ['{{ x }}']]))), 'extra[1][0]'),
    (json.dumps(dict(json.loads(envelope('{}')), TopicArn='arn:{{ x }}')), 'meta.topic_arn'),
])
def test_a_template_in_a_notification_is_refused(body, where):
    """A job's playbook would run it: SDNS writes none, so it is not SDNS's message."""
    with pytest.raises(Malformed) as raised:
        unwrap(body)
    assert str(raised.value) == ('%s holds a template mark ({{, {%% or {#), which a job would run as a template: '
                                 'not a notification SDNS wrote' % where)


@pytest.mark.parametrize('queue_url, region', [
    ('https://sqs.eu-west-1.amazonaws.com/123456789012/q', 'eu-west-1'),
    ('https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q', 'cn-north-1'),
    ('https://ap-southeast-2.queue.amazonaws.com/123456789012/q', 'ap-southeast-2'),
    ('http://localhost:5000/123456789012/q', None),
    ('https://sqs.eu-west-1.amazonaws.com.example.com/1/q', None),
    (None, None),
])
def test_the_region_a_queue_url_names(queue_url, region):
    assert queue_region(queue_url) == region


@pytest.mark.parametrize('body, reason', [
    ('not json', 'the message body is not JSON'),
    ('[1, 2]', 'the notification is a JSON list, not an object'),
    (envelope('not json'), 'the SNS Message is not JSON'),
    (envelope('{"x": 1}', kind='UnsubscribeConfirmation'), 'an SNS UnsubscribeConfirmation message, not a notification'),
    (envelope('{"payload": {}}'), 'the notification has no eventName'),
    (envelope('{"eventName": "AlexaDevelopmentEvent.SkillPublish"}'),
     'the AlexaDevelopmentEvent.SkillPublish notification has no payload object'),
    (envelope(json.dumps(dict(REVIEW, payload=dict(REVIEW['payload'], review={'starRating': 'five'})))),
     "payload.review.starRating is not a rating from 1 to 5: 'five'"),
    (envelope(json.dumps(dict(REVIEW, payload=dict(REVIEW['payload'], review={'starRating': True})))),
     'payload.review.starRating is not a rating from 1 to 5: True'),
    (envelope(json.dumps(dict(REVIEW, payload=dict(REVIEW['payload'], review={'starRating': '2.5'})))),
     "payload.review.starRating is not a rating from 1 to 5: '2.5'"),
    (envelope('{"eventName": "x", "payload": {"review": {"starRating": 1e400}}}'),
     'payload.review.starRating is not a rating from 1 to 5: inf'),
    (envelope('{"eventName": "x", "payload": {"skill": "amzn1.ask.skill.1"}}'),
     'payload.skill is a JSON str, not an object'),
    (envelope('{"eventName": "x", "payload": {"review": [1]}}'), 'payload.review is a JSON list, not an object'),
    (envelope('{"eventName": "x", "payload": {"status": 1}}'), 'payload.status is a JSON int, not a string'),
    (envelope('{"eventName": "x", "payload": {"interactionModel": {"locale": ["en-US"]}}}'),
     'payload.interactionModel.locale is a JSON list, not a string'),
    ('[' * 100000 + ']' * 100000, 'the message body is not JSON (or nests too deep)'),
])
def test_what_is_not_a_notification_says_why(body, reason):
    with pytest.raises(Malformed) as raised:
        unwrap(body)
    assert str(raised.value).startswith(reason)


def summary(subscriber_id, status):
    return {'subscriberId': subscriber_id, 'name': 'n-' + subscriber_id, 'status': status, 'clientId': 'c',
            'endpoint': {'uri': TOPIC, 'authorization': {'type': 'AWS_IAM', 'arn': 'arn:aws:iam::1:role/r'}}}


def test_status_changes_are_reported_once():
    events, statuses = status_changes({}, [summary('a', 'ACTIVE'), summary('b', 'INACTIVE')], 'M1')
    # An INACTIVE subscriber at the first look is news; an ACTIVE one is not.
    assert [(e['sdns_health']['change'], e['sdns_health']['subscriber']['subscriber_id']) for e in events] == [
        ('inactive', 'b')]
    assert events[0]['sdns_health']['previous_status'] is None
    assert events[0]['sdns_health']['subscriber']['vendor_id'] == 'M1'
    assert statuses == {'a': 'ACTIVE', 'b': 'INACTIVE'}
    # Nothing changed: nothing to say.
    assert status_changes(statuses, [summary('a', 'ACTIVE'), summary('b', 'INACTIVE')], 'M1')[0] == []
    events, statuses = status_changes(statuses, [summary('a', 'INACTIVE'), summary('b', 'ACTIVE')], 'M1')
    assert [(e['sdns_health']['change'], e['sdns_health']['previous_status']) for e in events] == [
        ('inactive', 'ACTIVE'), ('recovered', 'INACTIVE')]
    # A subscriber that is gone, or a status SDNS may add later, is no change to report.
    assert status_changes(statuses, [summary('a', 'SUSPENDED')], 'M1') == ([], {'a': 'SUSPENDED'})


@pytest.mark.parametrize('body, text', [
    (envelope(json.dumps(CERTIFICATION)),
     'SkillCertification FAILED for skill %s (vendor M1ABCDEFGHIJKL, request a1b2c3d4-0000-4000-8000-000000000001)'
     % SKILL['skillId']),
    (envelope(json.dumps(MODEL)),
     'InteractionModelUpdate SUCCEEDED for skill %s, locale en-GB (vendor M1ABCDEFGHIJKL, request '
     'a1b2c3d4-0000-4000-8000-000000000002)' % SKILL['skillId']),
    (envelope(json.dumps(REVIEW)), 'A 2-star review of skill %s: https://www.amazon.com/review/R1EXAMPLE' % SKILL['skillId']),
    (envelope('{}'), 'SDNS delivered its welcome message to topic %s: the subscriber works' % TOPIC),
])
def test_describe_says_what_the_notification_says(body, text):
    assert describe(unwrap(body)) == text


def test_describe_says_what_happened_to_a_subscriber():
    [inactive] = status_changes({}, [summary('a', 'INACTIVE')], 'M1')[0]
    assert describe(inactive) == ('Subscriber n-a (a) is INACTIVE: SDNS failed to deliver to its topic %s and sends '
                                  'it nothing more until it is repaired and updated' % TOPIC)
    [recovered] = status_changes({'a': 'INACTIVE'}, [summary('a', 'ACTIVE')], 'M1')[0]
    assert describe(recovered) == 'Subscriber n-a (a) is ACTIVE again'
