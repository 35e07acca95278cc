# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event filter skillops.alexa.sdns_unwrap, loaded by path as ansible-rulebook loads it (not with
runpy here: ansible-test's collection loader claims every path under ansible_collections/)."""

import json
import os
import importlib.util

import pytest

FILTER = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'extensions', 'eda', 'plugins', 'event_filter',
                      'sdns_unwrap.py')
TOPIC = 'arn:aws:sns:us-east-1:123456789012:alexa-sdns'
NOTIFICATION = {'eventName': 'AlexaDevelopmentEvent.SkillPublish', 'timestamp': '2026-11-30T08:00:00.000Z',
                'requestId': 'r-1',
                'payload': {'status': 'SUCCEEDED', 'skill': {'skillId': 'amzn1.ask.skill.1', 'vendorId': 'M1'}}}
ENVELOPE = {'Type': 'Notification', 'MessageId': 'sns-1', 'TopicArn': TOPIC, 'Message': json.dumps(NOTIFICATION),
            'Timestamp': '2026-11-30T08:00:01.000Z'}


@pytest.fixture(scope='module')
def sdns_unwrap():
    spec = importlib.util.spec_from_file_location('sdns_unwrap', FILTER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


@pytest.mark.parametrize('event, sqs_message_id', [
    # amazon.aws.aws_sqs_queue: the parsed body, the SQS message ID in meta
    ({'body': ENVELOPE, 'meta': {'MessageId': 'sqs-1'}}, 'sqs-1'),
    # ansible.eda.webhook behind an SNS HTTPS subscription: the envelope is the payload, no SQS
    ({'payload': ENVELOPE, 'meta': {'endpoint': 'sns', 'headers': {'x-amz-sns-message-type': 'Notification'}}},
     None),
])
def test_other_sources_events_become_sdns_events(sdns_unwrap, event, sqs_message_id):
    unwrapped = sdns_unwrap(event)
    assert unwrapped['eventName'] == NOTIFICATION['eventName']
    assert unwrapped['payload'] == NOTIFICATION['payload']
    assert unwrapped['sdns']['skill_id'] == 'amzn1.ask.skill.1'
    assert unwrapped['meta']['sns_message_id'] == 'sns-1'
    assert unwrapped['meta'].get('sqs_message_id') == sqs_message_id
    assert unwrapped['meta']['topic_arn'] == TOPIC
    # The event's own meta stays.
    assert all(unwrapped['meta'][key] == value for key, value in event['meta'].items())


def test_a_notification_already_unwrapped_stays_one(sdns_unwrap):
    unwrapped = sdns_unwrap(dict(NOTIFICATION, meta={'uuid': 'u-1'}))
    assert unwrapped['payload'] == NOTIFICATION['payload'] and unwrapped['meta'] == {'uuid': 'u-1'}


def test_what_holds_no_notification_passes_marked(sdns_unwrap):
    odd = sdns_unwrap({'body': {'eventName': 'x', 'payload': {'skill': 'amzn1.ask.skill.1'}}})
    assert odd['sdns'] == {'malformed': 'payload.skill is a JSON str, not an object'}
    event = {'body': 'hello', 'meta': {'MessageId': 'sqs-9'}}
    passed = sdns_unwrap(dict(event))
    assert passed['body'] == 'hello' and 'eventName' not in passed
    assert passed['sdns'] == {'malformed': "the message body is not JSON (or nests too deep): 'hello'"}
