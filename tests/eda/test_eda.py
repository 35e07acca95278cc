# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's rulebooks on the real ansible-rulebook: the sandbox raises events, SDNS delivers
them through the SNS topic to the SQS queue in moto, the rulebook fires, and its jobs' notices
(skillops.alexa.sdns_notify) are what the tests look at."""

import asyncio
import json
import os
import uuid

from edakit import Notices, playbook, running_source, sns_envelope, wait_for

CERTIFICATION = 'AlexaDevelopmentEvent.SkillCertification'
PUBLISH = 'AlexaDevelopmentEvent.SkillPublish'
MODEL = 'AlexaDevelopmentEvent.InteractionModelUpdate'
MANIFEST = 'AlexaDevelopmentEvent.ManifestUpdate'
REVIEW = 'AlexaCustomerFeedbackEvent.SkillReviewPublish'


def skill(label):
    return 'amzn1.ask.skill.%s-%s' % (label, uuid.uuid4().hex[:8])


def delivered(deliveries):
    return [d for d in deliveries if d['delivered']]


def test_each_notification_fires_its_rule(sandbox, sqs, world, rulebook, webhook, tmp_path):
    notices_dir = str(tmp_path / 'notices')
    running = rulebook('sdns_notifications', sdns_queue_url=world['queue_url'], sdns_notify_dir=notices_dir,
                       sdns_notify_webhook_url=webhook.url + '/notify', sdns_review_max_stars=2,
                       sdns_follow_up_url=webhook.url + '/publish', sdns_sqs_wait_seconds=1)
    topic = world['topic_arn']
    skills = {name: skill(name) for name in (
        'failed', 'passed', 'published', 'model', 'low-review', 'high-review', 'manifest', 'console',
        'duplicate', 'after-malformed')}

    assert delivered(sandbox.raise_event(CERTIFICATION, skills['failed'], status='FAILED'))
    assert delivered(sandbox.raise_event(CERTIFICATION, skills['passed'], status='SUCCEEDED'))
    assert delivered(sandbox.raise_event(PUBLISH, skills['published']))
    assert delivered(sandbox.raise_event(MODEL, skills['model'], locale='de-DE'))
    assert delivered(sandbox.raise_event(REVIEW, skills['low-review'], star_rating=2))
    assert delivered(sandbox.raise_event(REVIEW, skills['high-review'], star_rating=5))
    # Delivered, but no rule is about manifest updates.
    assert delivered(sandbox.raise_event(MANIFEST, skills['manifest']))
    # A change made in the developer console (another client than the subscriber's) notifies no one.
    assert sandbox.raise_event(CERTIFICATION, skills['console'], status='FAILED',
                               changed_by='amzn1.application-oa2-client.developer-console') == []
    # SNS delivers a message twice now and then: the same SNS message ID, twice in the queue.
    duplicate = json.dumps({'eventName': PUBLISH, 'timestamp': '2026-11-30T08:00:00.000Z', 'requestId': 'r-1',
                            'payload': {'status': 'SUCCEEDED', 'actor': {'customerId': 'amzn1.account.X'},
                                        'skill': {'skillId': skills['duplicate'], 'vendorId': sandbox.vendor_id},
                                        'subscription': {'subscriptionId': 'amzn1.ask-subscription.x'}}})
    envelope = sns_envelope(duplicate, topic, message_id='sns-%s' % uuid.uuid4())
    for _copy in range(2):
        sqs.send_message(QueueUrl=world['queue_url'], MessageBody=envelope)
    # Not SDNS notifications: skipped, and what follows them is still handled.
    sqs.send_message(QueueUrl=world['queue_url'], MessageBody='this is not JSON')
    sqs.send_message(QueueUrl=world['queue_url'], MessageBody=sns_envelope('{"no": "eventName"}', topic))
    # A topic of another account asks the queue to confirm its subscription: the log says how.
    sqs.send_message(QueueUrl=world['queue_url'], MessageBody=json.dumps({
        'Type': 'SubscriptionConfirmation', 'MessageId': str(uuid.uuid4()), 'Token': '2336412f37fb687f5d51e6e2425',
        'TopicArn': 'arn:aws:sns:us-east-1:210987654321:elsewhere', 'Message': 'You have chosen to subscribe...',
        'SubscribeURL': 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription'}))
    assert delivered(sandbox.raise_event(PUBLISH, skills['after-malformed']))

    notices = Notices(notices_dir)
    # Every job before it runs first, one at a time: some seconds each on a busy machine.
    wait_for('the notice of the event after the malformed messages',
             lambda: notices.about(lambda event: event.get('sdns', {}).get('skill_id') == skills['after-malformed']),
             timeout=300)
    # The queue is drained: every message was handled and deleted.
    wait_for('the queue to be empty', lambda: queue_depth(sqs, world['queue_url']) == 0)

    def about(label):
        return notices.about(lambda event: event.get('sdns', {}).get('skill_id') == skills[label])

    [failed] = about('failed')
    assert failed['rule'] == 'Certification failed'
    assert failed['text'].startswith('SkillCertification FAILED for skill %s' % skills['failed'])
    assert failed['details']['eventName'] == CERTIFICATION
    assert failed['details']['meta']['topic_arn'] == topic
    assert failed['details']['payload']['skill']['vendorId'] == sandbox.vendor_id
    [passed] = about('passed')
    assert 'SUCCEEDED' in passed['text']
    assert [len(about(label)) for label in ('published', 'model', 'low-review', 'duplicate')] == [1, 1, 1, 1]
    assert 'locale de-DE' in about('model')[0]['text']
    assert about('low-review')[0]['text'].startswith('A 2-star review of skill')
    assert [about(label)[0]['rule'] for label in ('passed', 'published', 'model', 'low-review')] == [
        'Certification passed', 'Skill published or interaction model built',
        'Skill published or interaction model built', 'Low review']
    for label in ('high-review', 'manifest', 'console'):
        assert about(label) == [], label
    # Nothing but the events above fired a job.
    assert len(notices.all()) == 7
    # The same notices went to the webhook (the file is written first: wait for the last POST);
    # the certification that passed went to the follow-up too.
    wait_for('every notice at the webhook', lambda: len(webhook.to('/notify')) == 7)
    assert sorted(post['text'] for post in webhook.to('/notify')) == sorted(n['text'] for n in notices.all())
    assert [post['sdns']['skill_id'] for post in webhook.to('/publish')] == [skills['passed']]
    log = running.log()
    # The {} SDNS sent when the subscriber was created (the set-up) fired the rule that says so.
    assert 'SDNS delivered its welcome message to %s: the subscriber works' % topic in log
    assert 'skipped SQS message' in log and 'not JSON' in log and 'has no eventName' in log
    assert 'was delivered again' in log
    assert ('aws sns confirm-subscription --topic-arn arn:aws:sns:us-east-1:210987654321:elsewhere '
            '--token 2336412f37fb687f5d51e6e2425') in log
    assert 'Traceback' not in log


def test_the_filter_unwraps_another_sources_events(rulebook, tmp_path):
    """skillops.alexa.sdns_unwrap behind a source that is not the collection's (ansible-rulebook's own
    generic source, emitting events shaped as amazon.aws.aws_sqs_queue's): the rule on the
    notification fires, and what holds none passes marked."""
    notification = {'eventName': PUBLISH, 'timestamp': '2026-11-30T08:00:00.000Z', 'requestId': 'r-3',
                    'payload': {'status': 'SUCCEEDED', 'skill': {'skillId': 'amzn1.ask.skill.filtered',
                                                                 'vendorId': 'M1'}}}
    envelope = json.loads(sns_envelope(json.dumps(notification), 'arn:aws:sns:us-east-1:1:t', 'sns-filtered'))
    rulebook_path = tmp_path / 'filtered.yml'
    rulebook_path.write_text(json.dumps([{
        'name': 'Other source, filtered', 'hosts': 'all',
        'sources': [{'eda.builtin.generic': {'payload': [
            {'body': 'not an SDNS notification', 'meta': {'MessageId': 'sqs-1'}},
            {'body': envelope, 'meta': {'MessageId': 'sqs-2'}}], 'shutdown_after': 5},
            'filters': [{'skillops.alexa.sdns_unwrap': None}]}],
        'rules': [
            {'name': 'Published', 'condition': 'event.eventName == "%s"' % PUBLISH,
             'action': {'debug': {'msg': 'published {{ event.sdns.skill_id }} sns={{ event.meta.sns_message_id }} '
                                         'sqs={{ event.meta.sqs_message_id }}'}}},
            {'name': 'Not a notification', 'condition': 'event.sdns.malformed is defined',
             'action': {'debug': {'msg': 'skipped: {{ event.sdns.malformed }}'}}}]}]))
    running = rulebook('filtered', rulebook=str(rulebook_path))
    wait_for('both rules to fire', lambda: 'published ' in running.log() and 'skipped: ' in running.log())
    log = running.log()
    assert 'published amzn1.ask.skill.filtered sns=sns-filtered sqs=sqs-2' in log
    assert "skipped: the message body is not JSON (or nests too deep): 'not an SDNS notification'" in log
    assert 'Traceback' not in log


def queue_depth(sqs, queue_url):
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])
    return sum(int(value) for value in attributes['Attributes'].values())


def test_a_message_received_but_not_emitted_comes_back(sqs, world):
    """With acknowledge: emit, the source stops after it received a message and before the rulebook
    took the event: the message stays in the queue and the next run emits it."""
    queue_url = sqs.create_queue(QueueName='skillops-eda-stop-%s' % uuid.uuid4().hex[:8],
                                 Attributes={'VisibilityTimeout': '2'})['QueueUrl']
    message_id = 'sns-%s' % uuid.uuid4()
    notification = json.dumps({'eventName': PUBLISH, 'timestamp': '2026-11-30T08:00:00.000Z', 'requestId': 'r-2',
                               'payload': {'status': 'SUCCEEDED', 'skill': {'skillId': 'amzn1.ask.skill.s',
                                                                            'vendorId': 'M1'}}})
    sqs.send_message(QueueUrl=queue_url, MessageBody=sns_envelope(notification, world['topic_arn'],
                                                                  message_id))
    args = dict(queue_url=queue_url, endpoint_url=os.environ['AWS_URL'], region='us-east-1',
                access_key='testing', secret_key='testing', wait_seconds=1, acknowledge='emit')
    offered = []

    async def never_taken(event):
        offered.append(event)
        await asyncio.Event().wait()

    with running_source('sdns_sqs', args, never_taken) as stop:
        wait_for('the source to offer the event', lambda: offered)
        stop()
    assert queue_depth(sqs, queue_url) == 1, 'the message was deleted before its event was taken'

    emitted = []

    async def taken(event):
        emitted.append(event)

    with running_source('sdns_sqs', args, taken):
        wait_for('the message to come back and be emitted', lambda: emitted, timeout=20)
        wait_for('the message to be deleted once emitted', lambda: queue_depth(sqs, queue_url) == 0)
    assert [event['meta']['sns_message_id'] for event in emitted] == [message_id]
    assert emitted[0]['eventName'] == PUBLISH and emitted[0]['sdns']['skill_id'] == 'amzn1.ask.skill.s'
    sqs.delete_queue(QueueUrl=queue_url)


def test_the_health_source_asks_again_after_a_failed_token_request(sandbox, world):
    """LWA fails the source's first two token requests: each look is logged as failed and the next
    one asks LWA afresh (a client keeps a failed token request for the rest of its run)."""
    sandbox.arm_fault(fault='500', method='POST', path='/auth/o2/token', count=2)
    before = len(sandbox.requests())
    emitted = []

    async def take(event):
        emitted.append(event)

    # Credentials, vendor and URLs come from the environment, as the modules take them.
    with running_source('sdns_subscriber_health', dict(interval=0.2, retry_attempts=1), take):
        wait_for('a look that lists the subscribers', lambda: [
            r for r in sandbox.requests()[before:]
            if r['path'] == '/v0/developmentEvents/subscribers' and r['status'] == 200])
    tokens = [r['status'] for r in sandbox.requests()[before:] if r['service'] == 'lwa']
    assert tokens == [500, 500, 200]
    assert emitted == []  # every subscriber is ACTIVE: nothing to report


def test_an_inactive_subscriber_is_repaired(sandbox, world, rulebook, tmp_path):
    """Broken on purpose, found INACTIVE by the health source, repaired by the rulebook's job, and the
    next event is delivered."""
    notices_dir = str(tmp_path / 'notices')
    running = rulebook('sdns_subscriber_health', sdns_vendor_id=sandbox.vendor_id, sdns_health_interval=1,
                       sdns_notify_dir=notices_dir, sdns_notify_webhook_url='')
    subscriber_id = world['subscriber_id']
    playbook('playbooks/demo_eda.yml', '-e', 'demo_step=break')
    assert delivered(sandbox.raise_event(PUBLISH, skill('while-broken'))) == []
    assert {s['subscriberId']: s['status'] for s in sandbox.subscribers()}[subscriber_id] == 'INACTIVE'

    notices = Notices(notices_dir)
    wait_for('the repair and the recovery notices', lambda: len(notices.all()) >= 2, timeout=120)
    repaired = notices.about(lambda details: 'report' in details)
    recovered = notices.about(lambda details: details.get('sdns_health', {}).get('change') == 'recovered')
    assert len(repaired) == 1 and len(recovered) == 1, notices.all()
    assert repaired[0]['details']['status'] == 'ACTIVE' and repaired[0]['rule'] == 'Subscriber inactive'
    assert 'permission_policy' in repaired[0]['details']['report']['repaired']
    assert 'is ACTIVE again' in recovered[0]['text']
    assert {s['subscriberId']: s['status'] for s in sandbox.subscribers()}[subscriber_id] == 'ACTIVE'
    # The next event reaches the topic again.
    assert delivered(sandbox.raise_event(PUBLISH, skill('after-repair')))
    assert 'Traceback' not in running.log()
