# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source skillops.alexa.sdns_sqs, one message at a time, with SQS answered by a stub (the
eda suite runs it against moto and the real ansible-rulebook)."""

import asyncio
import importlib.util
import json
import os

import pytest
from botocore.exceptions import ClientError

SOURCE = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'extensions', 'eda', 'plugins', 'event_source',
                      'sdns_sqs.py')
NOTIFICATION = json.dumps({'eventName': 'AlexaDevelopmentEvent.SkillPublish', 'timestamp': '2026-11-30T08:00:00Z',
                           'payload': {'status': 'SUCCEEDED', 'skill': {'skillId': 'amzn1.ask.skill.1'}}})
ARGS = dict(queue_url='https://sqs.eu-west-1.amazonaws.com/123456789012/skill-events', access_key='testing',
            secret_key='testing')


@pytest.fixture(scope='module')
def sdns_sqs():
    spec = importlib.util.spec_from_file_location('sdns_sqs', SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Stub:
    """The SQS client's delete_message, and the order of what happened."""

    def __init__(self, journal):
        self.journal = journal

    def delete_message(self, QueueUrl, ReceiptHandle):  # pylint: disable=invalid-name  # boto3's names
        self.journal.append(('delete', ReceiptHandle))


def message(body, number=1):
    return {'MessageId': 'sqs-%d' % number, 'ReceiptHandle': 'handle-%d' % number, 'Body': body}


def envelope(message_id='sns-1', body=NOTIFICATION):
    return json.dumps({'Type': 'Notification', 'MessageId': message_id, 'TopicArn': 'arn:aws:sns:eu-west-1:1:t',
                       'Message': body})


def receiver(sdns_sqs, journal, put=None, **args):
    class Queue(asyncio.Queue):
        async def put(self, item):
            journal.append(('put', item.get('meta', {}).get('sns_message_id')))
            if put:
                await put(item)

    made = sdns_sqs.Receiver(Queue(), dict(ARGS, **args))
    made.sqs = Stub(journal)
    return made


def handle(made, *messages):
    async def all_of_them():
        for each in messages:
            await made.handle(each)
    asyncio.run(all_of_them())


def test_a_message_is_deleted_after_its_event_is_put(sdns_sqs):
    journal = []
    handle(receiver(sdns_sqs, journal), message(envelope()))
    assert journal == [('put', 'sns-1'), ('delete', 'handle-1')]


def test_a_message_whose_event_was_not_taken_is_not_deleted(sdns_sqs):
    journal = []

    async def cancelled(item):
        raise asyncio.CancelledError()

    with pytest.raises(asyncio.CancelledError):
        handle(receiver(sdns_sqs, journal, put=cancelled), message(envelope()))
    assert journal == [('put', 'sns-1')]


def test_a_message_delivered_again_is_deleted_without_a_second_event(sdns_sqs):
    journal = []
    handle(receiver(sdns_sqs, journal), message(envelope('sns-1'), 1), message(envelope('sns-1'), 2),
           message(envelope('sns-2'), 3))
    assert journal == [('put', 'sns-1'), ('delete', 'handle-1'), ('delete', 'handle-2'),
                       ('put', 'sns-2'), ('delete', 'handle-3')]


@pytest.mark.parametrize('body, reason', [
    ('not json', "the message body is not JSON (or nests too deep): 'not json'"),
    (envelope(body='{"eventName": "x", "payload": {"skill": "s"}}'), 'payload.skill is a JSON str, not an object'),
    ('[' * 100000, 'the message body is not JSON (or nests too deep)'),
])
def test_a_malformed_message_is_skipped_and_deleted(sdns_sqs, body, reason, caplog):
    journal = []
    handle(receiver(sdns_sqs, journal), message(body), message(envelope('sns-9'), 2))
    assert journal == [('delete', 'handle-1'), ('put', 'sns-9'), ('delete', 'handle-2')]
    assert 'skipped SQS message sqs-1, not an SDNS notification: %s' % reason in caplog.text


def test_a_failing_queue_is_asked_again(sdns_sqs):
    """Looking the queue up, and receiving, fail once each: the source waits and tries again."""
    journal = []
    made = receiver(sdns_sqs, journal, queue_url=None, name='skill-events', region='eu-west-1')
    answers = iter([ClientError({'Error': {'Code': 'ServiceUnavailable'}}, 'GetQueueUrl'),
                    {'QueueUrl': 'https://sqs.eu-west-1.amazonaws.com/1/skill-events'},
                    ClientError({'Error': {'Code': 'ServiceUnavailable'}}, 'ReceiveMessage'),
                    {'Messages': [message(envelope())]}])

    def answer(**request):
        journal.append(('call', request.get('QueueName') or request.get('QueueUrl')))
        found = next(answers)
        if isinstance(found, Exception):
            raise found
        return found

    made.sqs.get_queue_url = made.sqs.receive_message = answer
    waits = []

    async def no_wait(seconds):
        waits.append(seconds)

    async def until_the_event():
        task = asyncio.ensure_future(made.run())
        while ('delete', 'handle-1') not in journal:
            await asyncio.sleep(0)
        task.cancel()

    made.sleep = no_wait
    asyncio.run(asyncio.wait_for(until_the_event(), timeout=10))
    queue_url = 'https://sqs.eu-west-1.amazonaws.com/1/skill-events'
    assert journal == [('call', 'skill-events'), ('call', 'skill-events'), ('call', queue_url), ('call', queue_url),
                       ('put', 'sns-1'), ('delete', 'handle-1')]
    assert waits == [2, 4]  # two tries in a row failed: the second waits longer


def test_a_malformed_message_can_be_left_to_the_dead_letter_queue(sdns_sqs):
    journal = []
    handle(receiver(sdns_sqs, journal, delete_malformed='no'), message('not json'))
    assert journal == []


def test_the_ids_remembered_are_the_latest(sdns_sqs):
    journal = []
    made = receiver(sdns_sqs, journal, remember=2)
    handle(made, *(message(envelope('sns-%d' % n), n) for n in (1, 2, 3, 1)))
    # sns-1 was forgotten when sns-3 came: the fourth message is emitted again.
    puts = [entry[1] for entry in journal if entry[0] == 'put']
    assert puts == ['sns-1', 'sns-2', 'sns-3', 'sns-1']


@pytest.mark.parametrize('args, environment, region', [
    (dict(region='us-west-2'), {'AWS_REGION': 'ap-south-1'}, 'us-west-2'),
    ({}, {'AWS_REGION': 'ap-south-1'}, 'eu-west-1'),  # the queue's URL names its endpoint
    (dict(queue_url='http://localhost:5000/123456789012/q'), {'AWS_DEFAULT_REGION': 'ca-central-1'}, 'ca-central-1'),
    (dict(queue_url='https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q'), {}, 'cn-north-1'),
    (dict(queue_url='https://ap-southeast-2.queue.amazonaws.com/123456789012/q'), {}, 'ap-southeast-2'),
])
def test_the_region(sdns_sqs, monkeypatch, args, environment, region):
    for name in ('AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_CONFIG_FILE'):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert sdns_sqs.sqs_client(dict(ARGS, **args)).meta.region_name == region


@pytest.mark.parametrize('args, message', [
    (dict(queue_url=None), 'give queue_url or name (the queue of the SDNS topic), one of them'),
    (dict(name='q'), 'give queue_url or name (the queue of the SDNS topic), one of them'),
    (dict(wait_seconds=30), 'wait_seconds must be a whole number from 0 to 20, not 30'),
    (dict(max_number_of_messages='ten'), "max_number_of_messages must be a whole number from 1 to 10, not 'ten'"),
    (dict(delete_malformed='maybe'), "delete_malformed must be true or false, not 'maybe'"),
    (dict(access_key=None), 'access_key and secret_key go together'),
    (dict(queue_url='http://localhost:5000/123456789012/q'), 'no AWS region: set region, or AWS_REGION'),
    (dict(profile='nobody'), "profile 'nobody' is not in the AWS configuration"),
])
def test_bad_arguments_are_named(sdns_sqs, monkeypatch, args, message):
    for name in ('AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('AWS_CONFIG_FILE', os.devnull)
    with pytest.raises(ValueError, match='^skillops.alexa.sdns_sqs: ' + message.replace('(', r'\(').replace(')', r'\)')):
        sdns_sqs.Receiver(asyncio.Queue(), dict(ARGS, **args))
