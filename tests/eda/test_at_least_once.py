# SPDX-License-Identifier: GPL-3.0-or-later
"""At least once, end to end: a rulebook written as the docs say (skillops.alexa.sdns_sqs with
acknowledge: job, each job ending with skillops.alexa.sdns_sqs_ack) on the real ansible-rulebook and
moto. Stopped by each signal while jobs are pending, restarted, it loses no notification; a job that
fails leaves its message to come back, then to the dead-letter queue."""

import json
import os
import signal
import time
import uuid

from edakit import sns_envelope, wait_for

CERTIFICATION = 'AlexaDevelopmentEvent.SkillCertification'
VISIBILITY_TIMEOUT = 6
WAIT_SECONDS = 20
# The job a user writes: do the work, then acknowledge, last.
JOB = '''
- name: Handle a certification
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Record the handling (the work of the job)
      ansible.builtin.copy:
        dest: "{{ handled_dir }}/{{ ansible_eda.event.meta.sns_message_id }}.{{ ansible_eda.event.meta.uuid }}"
        content: "{{ ansible_eda.event.sdns.skill_id }}"
        mode: "0644"
    - name: Fail for a skill whose job always fails
      ansible.builtin.fail:
        msg: this job fails
      when: ansible_eda.event.sdns.skill_id is search('fails')
    - name: Acknowledge the notification
      skillops.alexa.sdns_sqs_ack:
        event: "{{ ansible_eda.event }}"
'''


def rulebook_text(job_path, visibility_timeout, acknowledge_timeout):
    return json.dumps([{
        'name': 'Certifications, at least once', 'hosts': 'all',
        'sources': [{'skillops.alexa.sdns_sqs': {
            'queue_url': '{{ queue_url }}', 'wait_seconds': WAIT_SECONDS, 'acknowledge': 'job',
            'visibility_timeout': visibility_timeout, 'acknowledge_timeout': acknowledge_timeout}}],
        'rules': [
            {'name': 'Certification', 'condition': 'event.eventName == "%s"' % CERTIFICATION,
             'action': {'run_playbook': {'name': job_path, 'extra_vars': {'handled_dir': '{{ handled_dir }}'}}}},
            {'name': 'Nothing to do', 'condition': 'event.meta.queue_url is defined',
             'action': {'run_playbook': {'name': 'skillops.alexa.eda_acknowledge'}}}]}])


class Run:
    """A queue with notifications in it and the rulebook that handles them; what the jobs did."""

    def __init__(self, sqs, rulebook, tmp_path, name, visibility_timeout, acknowledge_timeout, max_receive_count=100):
        self.sqs, self.rulebook, self.tmp_path, self.name = sqs, rulebook, tmp_path, name
        self.dlq_url = sqs.create_queue(QueueName='%s-dlq-%s' % (name, uuid.uuid4().hex[:6]))['QueueUrl']
        dlq_arn = sqs.get_queue_attributes(QueueUrl=self.dlq_url, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
        self.queue_url = sqs.create_queue(QueueName='%s-%s' % (name, uuid.uuid4().hex[:6]), Attributes={
            'RedrivePolicy': json.dumps({'deadLetterTargetArn': dlq_arn, 'maxReceiveCount': max_receive_count})})['QueueUrl']
        self.handled_dir = tmp_path / 'handled'
        self.handled_dir.mkdir()
        job = tmp_path / 'certification_job.yml'
        job.write_text(JOB)
        self.rulebook_path = tmp_path / 'at_least_once.yml'
        self.rulebook_path.write_text(rulebook_text(str(job), visibility_timeout, acknowledge_timeout))
        self.sent = {}
        self.starts = 0

    def send(self, skill_id):
        message_id = 'sns-%s' % uuid.uuid4()
        notification = {'eventName': CERTIFICATION, 'timestamp': '2026-12-07T08:00:00.000Z', 'requestId': message_id,
                        'payload': {'status': 'FAILED', 'skill': {'skillId': skill_id, 'vendorId': 'M1'}}}
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=sns_envelope(
            json.dumps(notification), 'arn:aws:sns:us-east-1:123456789012:sdns', message_id))
        self.sent[message_id] = skill_id

    def start(self, environment=None):
        self.starts += 1
        # Pending jobs go on for 5 s after a clean stop (60 by default): the test need not wait for them.
        return self.rulebook('%s-%d' % (self.name, self.starts), rulebook=str(self.rulebook_path),
                             environment=environment, shutdown_delay=5, queue_url=self.queue_url,
                             handled_dir=str(self.handled_dir))

    def handled(self):
        """How many times each notification's job did its work, by SNS message ID."""
        counts = {}
        for name in os.listdir(self.handled_dir):
            key = name.split('.')[0]
            counts[key] = counts.get(key, 0) + 1
        return counts

    def depth(self, url=None):
        attributes = self.sqs.get_queue_attributes(QueueUrl=url or self.queue_url, AttributeNames=[
            'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])['Attributes']
        return int(attributes['ApproximateNumberOfMessages']), int(attributes['ApproximateNumberOfMessagesNotVisible'])


# The Java runtime of ansible-rulebook's rule engine takes SIGTERM and SIGINT over and ends the process
# at once; with -Xrs it leaves them to ansible-rulebook, which stops its sources cleanly.
CLEAN_STOP = {'JAVA_TOOL_OPTIONS': '-Xrs'}
ABRUPT_STOP = {'JAVA_TOOL_OPTIONS': None}
STOPS = [(signal.SIGTERM, CLEAN_STOP), (signal.SIGINT, CLEAN_STOP), (signal.SIGTERM, ABRUPT_STOP),
         (signal.SIGINT, ABRUPT_STOP), (signal.SIGKILL, ABRUPT_STOP)]


def test_no_notification_is_lost_whatever_stops_the_rulebook(sqs, rulebook, tmp_path):
    """20 notifications queued; the rulebook stopped by SIGTERM, SIGINT (each with and without -Xrs)
    and SIGKILL in turn, each time after 3 more jobs, with jobs pending; started again each time, then
    left to finish."""
    run = Run(sqs, rulebook, tmp_path, 'at-least-once', visibility_timeout=VISIBILITY_TIMEOUT, acknowledge_timeout=300)
    for number in range(20):
        run.send('amzn1.ask.skill.cert-%02d' % number)
    figures = []
    for signum, environment in STOPS:
        running = run.start(environment)
        before = len(run.handled())
        wait_for('3 more jobs', lambda: len(run.handled()) >= before + 3, timeout=120)
        killed = running.kill(signum)
        stopped = time.monotonic()
        handled = run.handled()
        visible, hidden = run.depth()
        # Nothing is lost: every notification is handled, or still in the queue to be.
        assert len(handled) + visible + hidden >= len(run.sent), (handled, visible, hidden)
        assert visible + hidden > 0, 'no job was pending when the rulebook stopped'
        wait_for('the held messages to come back', lambda: run.depth()[1] == 0, timeout=WAIT_SECONDS + 20, every=0.1)
        figures.append(dict(stop=signal.Signals(signum).name + (' -Xrs' if environment is CLEAN_STOP else ''),
                            handled=len(handled),
                            waiting=visible + hidden, held=hidden, back_after=round(time.monotonic() - stopped, 1),
                            released='unacknowledged messages are back in the queue' in running.log(),
                            ended='SIGKILL after 30 s' if killed else 'by itself'))
    running = run.start()
    wait_for('every notification handled and acknowledged',
             lambda: len(run.handled()) == len(run.sent) and run.depth() == (0, 0), timeout=180)
    running.stop()
    handled = run.handled()
    lost = sorted(set(run.sent) - set(handled))
    repeated = sum(handled.values()) - len(handled)
    print('\nat least once: %d notifications, lost %d, repeated %d' % (len(run.sent), len(lost), repeated))
    for figure in figures:
        print('  %(stop)-12s after %(handled)2d handled: %(waiting)2d waiting in the queue (%(held)2d held by the '
              'source), all back %(back_after)4.1f s after the stop; ansible-rulebook ended %(ended)s' % figure)
    assert lost == []
    assert set(handled) == set(run.sent)
    assert run.depth(run.dlq_url) == (0, 0)
    # Stopped cleanly, the source lets its messages go before it ends; ended at once, it leaves them
    # held, and they come back within the visibility timeout.
    assert [f['released'] for f in figures] == [True, True, False, False, False], figures
    assert [f['held'] == 0 for f in figures] == [True, True, False, False, False], figures
    # A receive under way when the process ended still takes messages, for another visibility timeout.
    assert all(f['back_after'] <= WAIT_SECONDS + VISIBILITY_TIMEOUT + 2 for f in figures), figures


def test_a_job_that_fails_is_tried_again_then_its_message_is_dead_lettered(sqs, rulebook, tmp_path):
    run = Run(sqs, rulebook, tmp_path, 'job-fails', visibility_timeout=5, acknowledge_timeout=15, max_receive_count=2)
    run.send('amzn1.ask.skill.fails')
    run.send('amzn1.ask.skill.works')
    [failing] = [key for key, skill in run.sent.items() if skill.endswith('fails')]
    running = run.start()
    wait_for('the failing message in the dead-letter queue', lambda: run.depth(run.dlq_url) == (1, 0), timeout=120)
    wait_for('the queue to be empty', lambda: run.depth() == (0, 0))
    running.stop()
    handled = run.handled()
    # Tried at each of its 2 receives (maxReceiveCount), then moved at the third.
    assert handled[failing] == 2, handled
    assert [count for key, count in handled.items() if key != failing] == [1]
    [message] = sqs.receive_message(QueueUrl=run.dlq_url)['Messages']
    assert json.loads(message['Body'])['MessageId'] == failing
    log = running.log()
    assert 'was not acknowledged within 15 seconds (acknowledge_timeout): it comes back for another try' in log
    assert 'came back unacknowledged (receive 2): its event is emitted again' in log
