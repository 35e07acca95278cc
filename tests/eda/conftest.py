# SPDX-License-Identifier: GPL-3.0-or-later
"""The world of the EDA tests: the sandbox (run them inside hacking/with-sandbox.sh with the demo
seed's credentials exported), the demo_eda playbook's queue, topic, role, subscriber and
subscription, and the real ansible-rulebook reading them (edakit)."""

import os

import boto3
import pytest

from edakit import Rulebook, Sandbox, Webhook, playbook

QUEUE = 'skillops-eda-inbox'


@pytest.fixture(scope='session')
def sandbox():
    return Sandbox()


@pytest.fixture(scope='session')
def sqs():
    return boto3.client('sqs', region_name=os.environ.get('AWS_REGION', 'us-east-1'),
                        endpoint_url=os.environ['AWS_URL'], aws_access_key_id='testing',
                        aws_secret_access_key='testing')


@pytest.fixture(scope='session')
def world(sandbox, sqs):
    """The demo_eda playbook's set-up, made once, with the welcome message SDNS sent on creation."""
    playbook('playbooks/demo_eda.yml')
    queue_url = sqs.get_queue_url(QueueName=QUEUE)['QueueUrl']
    [subscriber] = [s for s in sandbox.subscribers() if s['name'] == 'skillops-eda']
    return dict(queue_url=queue_url, subscriber_id=subscriber['subscriberId'],
                topic_arn=subscriber['endpoint']['uri'])


@pytest.fixture()
def rulebook(tmp_path):
    """Start rulebooks for one test; all stop when it ends."""
    started = []

    def start(name, rulebook=None, environment=None, shutdown_delay=60, **variables):
        started.append(Rulebook(name, variables, str(tmp_path), rulebook=rulebook, environment=environment,
                                shutdown_delay=shutdown_delay))
        return started[-1]

    yield start
    for running in started:
        running.stop()


@pytest.fixture()
def webhook():
    server = Webhook()
    yield server
    server.server.shutdown()
