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
    """The SQS client's delete_message and change_message_visibility_batch, and the order of what
    happened; ``gone`` are the receipt handles whose messages were deleted by someone else (a job)."""

    def __init__(self, journal):
        self.journal = journal
        self.gone = set()

    def delete_message(self, QueueUrl, ReceiptHandle):  # pylint: disable=invalid-name  # boto3's names
        self.journal.append(('delete', ReceiptHandle))

    def change_message_visibility_batch(self, QueueUrl, Entries):  # pylint: disable=invalid-name
        self.journal.append(('hide', [(entry['ReceiptHandle'], entry['VisibilityTimeout']) for entry in Entries]))
        return {'Successful': [{'Id': e['Id']} for e in Entries if e['ReceiptHandle'] not in self.gone],
                'Failed': [{'Id': e['Id'], 'Code': 'InvalidParameterValue', 'SenderFault': True}
                           for e in Entries if e['ReceiptHandle'] in self.gone]}


def message(body, number=1):
    return {'MessageId': 'sqs-%d' % number, 'ReceiptHandle': 'handle-%d' % number, 'Body': body}


def envelope(message_id='sns-1', body=NOTIFICATION):
    return json.dumps({'Type': 'Notification', 'MessageId': message_id, 'TopicArn': 'arn:aws:sns:eu-west-1:1:t',
                       'Message': body})


def receiver(sdns_sqs, journal, put=None, **args):
    """A source that acknowledges on emit unless ``acknowledge`` says otherwise."""
    class Queue(asyncio.Queue):
        async def put(self, item):
            journal.append(('put', item.get('meta', {}).get('sns_message_id')))
            if put:
                await put(item)

    made = sdns_sqs.Receiver(Queue(), dict(ARGS, **dict(dict(acknowledge='emit'), **args)))
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
    (dict(acknowledge='never'), "acknowledge must be one of job, emit, not 'never'"),
    (dict(visibility_timeout=1), 'visibility_timeout must be a whole number from 2 to 43200, not 1'),
    (dict(visibility_timeout=60, acknowledge_timeout=30), 'acknowledge_timeout must be a whole number from 60 to 43200'),
    (dict(visibility_timeout=43201), 'visibility_timeout must be a whole number from 2 to 43200, not 43201'),
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


def job_receiver(sdns_sqs, journal, now, **args):
    """A source that leaves the delete to the job, on a clock the test moves (``now[0]``)."""
    made = receiver(sdns_sqs, journal, **dict(dict(acknowledge='job', visibility_timeout=30, acknowledge_timeout=100),
                                              **args))
    made.clock = lambda: now[0]
    return made


def receive(made, *messages):
    made.hold(messages)
    handle(made, *messages)


def test_with_acknowledge_job_the_event_carries_its_receipt_and_nothing_is_deleted(sdns_sqs):
    journal, emitted = [], []

    async def take(event):
        emitted.append(event)

    made = job_receiver(sdns_sqs, journal, [0.0], put=take)
    receive(made, message(envelope('sns-1'), 1))
    assert journal == [('put', 'sns-1')]
    assert emitted[0]['meta']['sqs_receipt_handle'] == 'handle-1'
    assert emitted[0]['meta']['queue_url'] == ARGS['queue_url']
    assert made.held == {'sqs-1': ('handle-1', 100.0)}


def test_with_acknowledge_emit_the_event_has_no_receipt(sdns_sqs):
    emitted = []

    async def take(event):
        emitted.append(event)

    handle(receiver(sdns_sqs, [], put=take), message(envelope('sns-1'), 1))
    assert 'sqs_receipt_handle' not in emitted[0]['meta'] and emitted[0]['meta']['queue_url'] == ARGS['queue_url']


def test_with_acknowledge_job_a_copy_is_deleted_and_a_redelivery_is_tried_again(sdns_sqs, caplog):
    """SNS's second copy (another SQS message) fires nothing; the same SQS message back after its
    hold is the next try of a job that did not acknowledge it."""
    journal = []
    made = job_receiver(sdns_sqs, journal, [0.0])
    receive(made, message(envelope('sns-1'), 1), message(envelope('sns-1'), 2))
    back = dict(message(envelope('sns-1'), 1), ReceiptHandle='handle-1b', Attributes={'ApproximateReceiveCount': '2'})
    receive(made, back)
    assert journal == [('put', 'sns-1'), ('delete', 'handle-2'), ('put', 'sns-1')]
    assert 'message sns-1 came back unacknowledged (receive 2): its event is emitted again' in caplog.text


def test_what_is_held_stays_out_of_sight_until_acknowledged_or_its_time_is_up(sdns_sqs, caplog):
    journal, now = [], [0.0]
    made = job_receiver(sdns_sqs, journal, now)
    receive(made, message(envelope('sns-1'), 1), message(envelope('sns-2'), 2))
    del journal[:]
    now[0] = 10.0
    asyncio.run(made.extend())
    assert journal == [('hide', [('handle-1', 30), ('handle-2', 30)])]
    # A job deleted sns-2: SQS refuses to change it, and the source forgets it.
    made.sqs.gone.add('handle-2')
    now[0] = 20.0
    asyncio.run(made.extend())
    assert list(made.held) == ['sqs-1']
    # 100 s after its receipt the message comes back: hidden for what is left, then let go.
    now[0] = 75.5
    asyncio.run(made.extend())
    assert journal[-1] == ('hide', [('handle-1', 25)])
    assert made.held == {}
    assert 'message sqs-1 was not acknowledged within 100 seconds (acknowledge_timeout): it comes back' in caplog.text


def test_a_stopped_source_lets_what_it_holds_go_at_once(sdns_sqs):
    """Cancelled as ansible-rulebook cancels its sources on SIGTERM and SIGINT, in batches of ten."""
    journal = []
    made = job_receiver(sdns_sqs, journal, [0.0])
    batch = [message(envelope('sns-%d' % n), n) for n in range(1, 13)]
    answers = iter([{'Messages': batch}])

    def receive_message(**request):
        journal.append(('receive', request['VisibilityTimeout']))
        return next(answers, {})

    made.sqs.receive_message = receive_message

    async def until_emitted():
        task = asyncio.ensure_future(made.run())
        while len([entry for entry in journal if entry[0] == 'put']) < 12:
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(asyncio.wait_for(until_emitted(), timeout=10))
    released = [entry[1] for entry in journal if entry[0] == 'hide']
    assert journal[0] == ('receive', 30)
    assert [len(each) for each in released] == [10, 2]
    assert sorted(sum(released, [])) == sorted(('handle-%d' % n, 0) for n in range(1, 13))
    assert made.held == {}


def test_a_failed_extension_is_tried_at_the_next(sdns_sqs, caplog):
    journal = []
    made = job_receiver(sdns_sqs, journal, [0.0])
    receive(made, message(envelope('sns-1'), 1))

    def refused(**request):
        raise ClientError({'Error': {'Code': 'ServiceUnavailable'}}, 'ChangeMessageVisibilityBatch')

    made.sqs.change_message_visibility_batch = refused
    asyncio.run(made.extend())
    assert list(made.held) == ['sqs-1']
    assert 'keeping 1 messages out of sight failed' in caplog.text
    del made.sqs.change_message_visibility_batch
    asyncio.run(made.extend())
    assert journal[-1] == ('hide', [('handle-1', 30)])


def test_a_failure_of_sqs_itself_keeps_the_message_held(sdns_sqs, caplog):
    """Only a refusal of the receipt (the sender's fault: deleted, or received again) lets it go."""
    journal = []
    made = job_receiver(sdns_sqs, journal, [0.0])
    receive(made, message(envelope('sns-1'), 1))
    made.sqs.change_message_visibility_batch = lambda **request: {'Failed': [
        {'Id': '0', 'Code': 'InternalError', 'SenderFault': False, 'Message': 'try again'}]}
    asyncio.run(made.extend())
    assert list(made.held) == ['sqs-1']
    assert 'keeping message sqs-1 out of sight failed: InternalError try again' in caplog.text


def test_a_message_received_again_is_held_by_its_new_receipt(sdns_sqs):
    journal = []
    made = job_receiver(sdns_sqs, journal, [0.0])
    receive(made, message(envelope('sns-1'), 1))
    receive(made, dict(message(envelope('sns-1'), 1), ReceiptHandle='handle-1b'))
    assert made.held == {'sqs-1': ('handle-1b', 100.0)}


def test_the_keeper_outlives_a_failure(sdns_sqs, caplog, monkeypatch):
    journal = []
    made = job_receiver(sdns_sqs, journal, [0.0], visibility_timeout=3)
    calls = []

    async def extend():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError('unforeseen')

    made.extend = extend
    real_sleep = asyncio.sleep
    monkeypatch.setattr(sdns_sqs.asyncio, 'sleep', lambda seconds: real_sleep(0))

    async def two_ticks():
        keeper = asyncio.ensure_future(made.keep_hidden())
        while len(calls) < 2:
            await real_sleep(0)
        keeper.cancel()

    asyncio.run(asyncio.wait_for(two_ticks(), timeout=10))
    assert "keeping messages out of sight failed: RuntimeError('unforeseen')" in caplog.text


def test_a_receive_under_way_at_the_stop_has_its_messages_let_go(sdns_sqs):
    """Cancelled during a long poll: the poll goes on in its thread and returns messages (in SQS, the
    ones just let go among them). They are let go too, once it has returned."""
    import threading
    journal = []
    made = job_receiver(sdns_sqs, journal, [0.0])
    polling, answer = threading.Event(), threading.Event()

    def receive_message(**request):
        polling.set()
        answer.wait(10)
        return {'Messages': [message(envelope('sns-7'), 7)]}

    made.sqs.receive_message = receive_message

    async def stop_during_the_poll():
        task = asyncio.ensure_future(made.run())
        while not polling.is_set():
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.sleep(0.1)
        answer.set()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(asyncio.wait_for(stop_during_the_poll(), timeout=10))
    assert journal == [('hide', [('handle-7', 0)])]
    assert made.held == {}


def test_a_stopped_source_takes_its_unread_events_off_the_rulebooks_queue(sdns_sqs):
    """ansible-rulebook's shutdown notice must find room on the queue; another source's event stays."""
    journal = []
    made = job_receiver(sdns_sqs, journal, [0.0])
    queue = asyncio.Queue(2)
    made.queue = type('Filtered', (), {'queue': queue})()
    made.hold([message(envelope('sns-1'), 1)])
    queue.put_nowait({'meta': {'sqs_message_id': 'sqs-1'}})
    queue.put_nowait({'meta': {'source': 'another'}})
    asyncio.run(made.stop())
    assert [queue.get_nowait()] == [{'meta': {'source': 'another'}}] and queue.empty()
    assert journal == [('hide', [('handle-1', 0)])]
