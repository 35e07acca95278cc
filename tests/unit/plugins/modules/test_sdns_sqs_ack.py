# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""sdns_sqs_ack's branches, each run through main(): which message it deletes and in which region, what it
returns, that check mode and an event acknowledged on emit make no client at all, that a throttled delete
is retried and a refused one fails naming the message and the queue, and that bad input is refused with
what to give instead.

amazon.aws's AnsibleAWSModule, the boto3 client it makes and its retry wrapper are the real ones; SQS
is a botocore Stubber attached to every client the module makes, which checks each request against
SQS's model and the parameters the test expects (the integration target runs it against moto)."""

import json
import os
import time

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.skillops.alexa.plugins.modules import sdns_sqs_ack

QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/skill-events'
HANDLE = 'AQEB-receipt-handle-of-the-latest-receive'
MESSAGE_ID = '5fea7756-0ea4-451a-a703-a558b933e274'
EVENT = dict(meta=dict(queue_url=QUEUE_URL, sqs_message_id=MESSAGE_ID, sqs_receipt_handle=HANDLE),
             body=dict(eventName='AlexaDevelopmentEvent.SkillPublish'))
CREDENTIALS = dict(access_key='AKIAUNITTESTACCESS', secret_key='unit-test-aws-secret-key')
SECRET_KEY = CREDENTIALS['secret_key']
# Where SQS is, for an endpoint whose queue URLs name no region (as moto's do).
LOCAL_ENDPOINT = 'http://localhost:5000'
LOCAL_QUEUE_URL = LOCAL_ENDPOINT + '/123456789012/skill-events'
DELETE = dict(QueueUrl=QUEUE_URL, ReceiptHandle=HANDLE)


class Sqs:
    """Stands in for SQS: the next client the module makes gets a Stubber with the answers queued here
    until then, in order. ``clients`` are the (region, endpoint URL) of the clients made; ``stubbers``
    their stubbers."""

    def __init__(self):
        self.answers = []
        self.clients = []
        self.stubbers = []

    def deletes(self, expected=None):
        """Answer a DeleteMessage of ``expected`` (DELETE unless given) as SQS does: an empty success."""
        self.answers.append(lambda stubber: stubber.add_response('delete_message', {}, expected or DELETE))

    def refuses(self, code, message, status=400, expected=None):
        """Answer a DeleteMessage of ``expected`` with SQS's error ``code``."""
        self.answers.append(lambda stubber: stubber.add_client_error(
            'delete_message', service_error_code=code, service_message=message, http_status_code=status,
            expected_params=expected or DELETE))

    def client_made(self, client):
        stubber = Stubber(client)
        for answer in self.answers:
            answer(stubber)
        del self.answers[:]
        stubber.activate()
        self.clients.append((client.meta.region_name, client.meta.endpoint_url))
        self.stubbers.append(stubber)
        return client


@pytest.fixture
def sqs(monkeypatch, tmp_path):
    """The Sqs every client the module makes is stubbed by; the AWS environment and configuration files
    are put out of reach, so that only the task's arguments count."""
    for name in list(os.environ):
        if name.startswith(('AWS_', 'EC2_', 'BOTO_')):
            monkeypatch.delenv(name)
    monkeypatch.setenv('AWS_CONFIG_FILE', str(tmp_path / 'no-config'))
    monkeypatch.setenv('AWS_SHARED_CREDENTIALS_FILE', str(tmp_path / 'no-credentials'))
    server = Sqs()
    make_client = boto3.session.Session.client

    def stubbed_client(session, *args, **kwargs):
        return server.client_made(make_client(session, *args, **kwargs))

    monkeypatch.setattr(boto3.session.Session, 'client', stubbed_client)
    yield server
    assert server.answers == [], 'answers queued for a client the module never made'
    for stubber in server.stubbers:
        stubber.assert_no_pending_responses()


@pytest.fixture
def run(run_module, sqs):  # pylint: disable=unused-argument  # sqs: no client is made without the stub
    def run_sdns_sqs_ack(**args):
        return run_module(sdns_sqs_ack, **dict(CREDENTIALS, **args))
    return run_sdns_sqs_ack


def test_deletes_the_message_of_the_event_in_the_region_its_queue_url_names(run, sqs):
    sqs.deletes()

    # The region option is for endpoints whose URLs name none; an AWS queue URL's region wins.
    result = run(event=EVENT, region='us-east-1')

    assert not result.get('failed'), result.get('msg')
    assert result['changed'] is True
    assert (result['acknowledged'], result['queue_url'], result['message_id']) == (True, QUEUE_URL, MESSAGE_ID)
    assert [region for region, endpoint in sqs.clients] == ['eu-west-1']
    assert SECRET_KEY not in json.dumps(result)


def test_acknowledges_by_queue_url_and_receipt_handle(run, sqs):
    sqs.deletes()

    result = run(queue_url=QUEUE_URL, receipt_handle=HANDLE)

    assert result['changed'] is True
    assert (result['acknowledged'], result['queue_url']) == (True, QUEUE_URL)
    # Without an event there is no message ID to tell.
    assert 'message_id' not in result
    assert [region for region, endpoint in sqs.clients] == ['eu-west-1']


def test_a_queue_url_that_names_no_region_is_reached_through_the_region_and_endpoint_given(run, sqs):
    sqs.deletes(dict(QueueUrl=LOCAL_QUEUE_URL, ReceiptHandle=HANDLE))

    result = run(queue_url=LOCAL_QUEUE_URL, receipt_handle=HANDLE, region='ap-southeast-2', endpoint_url=LOCAL_ENDPOINT)

    assert result['changed'] is True and result['acknowledged'] is True
    assert sqs.clients == [('ap-southeast-2', LOCAL_ENDPOINT)]


def test_a_queue_url_that_names_no_region_needs_the_region_option(run, sqs):
    result = run(queue_url=LOCAL_QUEUE_URL, receipt_handle=HANDLE, endpoint_url=LOCAL_ENDPOINT)

    assert result['failed'] is True
    assert 'requires a region' in result['msg']
    assert sqs.clients == []


def test_acknowledging_twice_is_accepted_and_reported_as_a_change_again(run, sqs):
    # SQS accepts the delete of a message already deleted and does not tell.
    sqs.deletes()
    first = run(event=EVENT)
    sqs.deletes()
    second = run(event=EVENT)

    assert (first['changed'], second['changed']) == (True, True)
    assert not second.get('failed')
    assert len(sqs.clients) == 2


def test_check_mode_predicts_the_delete_and_makes_no_client(run, sqs):
    result = run(event=EVENT, _ansible_check_mode=True)

    assert result['changed'] is True
    # The message is not acknowledged yet: it comes back unless a run outside check mode deletes it.
    assert (result['acknowledged'], result['queue_url'], result['message_id']) == (False, QUEUE_URL, MESSAGE_ID)
    assert sqs.clients == []


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check mode'])
def test_an_event_acknowledged_when_it_was_emitted_needs_nothing(run, sqs, check_mode):
    emitted = dict(meta=dict(queue_url=QUEUE_URL, sqs_message_id='m-1'))

    result = run(event=emitted, _ansible_check_mode=check_mode)

    assert result['changed'] is False
    assert (result['acknowledged'], result['queue_url'], result['message_id']) == (False, QUEUE_URL, 'm-1')
    assert result['msg'] == 'acknowledged when it was emitted (the source has acknowledge: emit)'
    assert sqs.clients == []


def test_a_throttled_delete_is_retried(run, sqs, monkeypatch):
    # AWSRetry's backoff sleeps between the tries: here it only says how long.
    pauses = []
    monkeypatch.setattr(time, 'sleep', pauses.append)
    sqs.refuses('Throttling', 'Rate exceeded')
    sqs.deletes()

    result = run(event=EVENT)

    assert not result.get('failed'), result.get('msg')
    assert result['changed'] is True and result['acknowledged'] is True
    assert len(pauses) == 1


@pytest.mark.parametrize('task, what', [
    (dict(event=EVENT), 'SQS message %s' % MESSAGE_ID),
    (dict(queue_url=QUEUE_URL, receipt_handle=HANDLE), 'the SQS message'),
], ids=['event', 'queue_url and receipt_handle'])
def test_a_refused_delete_fails_naming_the_message_the_queue_and_sqs_error(run, sqs, task, what):
    sqs.refuses('ReceiptHandleIsInvalid', 'The input receipt handle "%s" is not a valid receipt handle.' % HANDLE)

    result = run(**task)

    assert result['failed'] is True
    assert result['msg'].startswith('Could not acknowledge %s in %s: ' % (what, QUEUE_URL))
    assert 'ReceiptHandleIsInvalid' in result['msg'] and 'is not a valid receipt handle' in result['msg']
    # SQS's error code is in the result for a playbook to branch on.
    assert result['error']['code'] == 'ReceiptHandleIsInvalid'
    assert SECRET_KEY not in json.dumps(result)


@pytest.mark.parametrize('event', [
    dict(eventName='AlexaDevelopmentEvent.SkillPublish'),
    dict(meta=dict(source=dict(name='sdns'))),
    dict(meta='https://sqs.eu-west-1.amazonaws.com/123456789012/skill-events'),
], ids=['no meta', 'no queue_url in meta', 'meta not an object'])
def test_what_is_not_an_event_of_the_source_is_refused_saying_what_to_give(run, sqs, event):
    result = run(event=event)

    assert result['failed'] is True
    assert result['msg'] == ('event has no meta.queue_url, so it is not an event of skillops.alexa.sdns_sqs: give '
                             'the event as ansible-rulebook hands it over (event: "{{ ansible_eda.event }}")')
    assert sqs.clients == []


@pytest.mark.parametrize('meta, field, kind', [
    (dict(queue_url=[QUEUE_URL], sqs_receipt_handle=HANDLE), 'queue_url', 'list'),
    (dict(queue_url=QUEUE_URL, sqs_receipt_handle=dict(handle=HANDLE)), 'sqs_receipt_handle', 'dict'),
], ids=['queue_url', 'sqs_receipt_handle'])
def test_a_field_of_the_event_that_is_not_a_string_is_refused_naming_it(run, sqs, meta, field, kind):
    result = run(event=dict(meta=meta))

    assert result['failed'] is True
    assert result['msg'].startswith('event.meta.%s is a %s, not a string: ' % (field, kind))
    assert 'ansible_eda.event' in result['msg']
    assert sqs.clients == []


@pytest.mark.parametrize('task, names', [
    (dict(event=EVENT, queue_url=QUEUE_URL), ['mutually exclusive', 'event', 'queue_url']),
    (dict(event=EVENT, receipt_handle=HANDLE), ['mutually exclusive', 'event', 'receipt_handle']),
    (dict(queue_url=QUEUE_URL), ['required together', 'queue_url', 'receipt_handle']),
    (dict(), ['one of the following is required', 'event', 'queue_url']),
], ids=['event and queue_url', 'event and receipt_handle', 'queue_url alone', 'neither'])
def test_options_given_in_a_wrong_combination_are_refused_naming_them(run, sqs, task, names):
    result = run(**task)

    assert result['failed'] is True
    assert all(name in result['msg'] for name in names), result['msg']
    assert sqs.clients == []
