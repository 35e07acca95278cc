# SPDX-License-Identifier: GPL-3.0-or-later
"""make demo-eda: the rulebooks of extensions/eda/ on the sandbox, told as a short story. Runs inside
hacking/with-sandbox.sh with the demo seed's credentials exported; ansible-rulebook runs both rulebooks
and their jobs write their notices (skillops.alexa.sdns_notify) to a directory read here. Logs are
shown only when a step fails; with DEMO_LOGS set to a directory they are kept there."""

import glob
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'eda'))
from edakit import Notices, Rulebook, Sandbox, playbook, wait_for  # noqa: E402 pylint: disable=wrong-import-position

STARTED = time.monotonic()


def say(text):
    print('%6.1fs  %s' % (time.monotonic() - STARTED, text), flush=True)


def main():
    if not (shutil.which('java') or os.environ.get('JAVA_HOME')):
        print('!! make demo-eda needs a Java 17 (or later) runtime for ansible-rulebook: install one (Debian: '
              'apt-get install openjdk-17-jre-headless) or set JAVA_HOME')
        return 1
    # So that SIGTERM reaches ansible-rulebook, not the Java runtime of its rule engine (docs: eda.rst).
    os.environ.setdefault('JAVA_TOOL_OPTIONS', '-Xrs')
    work = tempfile.mkdtemp()
    notices = Notices(os.path.join(work, 'notices'))
    sandbox = Sandbox()
    rulebooks = []
    told = []

    skills = ['amzn1.ask.skill.batch-%d' % number for number in range(1, 6)]

    def of_batch(notice):
        return notice['details'].get('sdns', {}).get('skill_id') in skills

    def next_notice(what):
        """The next notice not told yet; a notice of the stopped batch is told with its batch."""
        def fresh():
            return [notice for notice in notices.all() if notice not in told and not of_batch(notice)]
        notice = wait_for(what, fresh, timeout=120)[0]
        told.append(notice)
        say('   notice (rule "%s"): %s' % (notice['rule'], notice['text']))
        return notice

    try:
        say('Set up: the SQS queue, and the topic, role, subscriber and subscription delivering to it')
        playbook('playbooks/demo_eda.yml')
        queue_url = '%s/123456789012/skillops-eda-inbox' % os.environ['AWS_URL']
        say('Start the rulebooks skillops.alexa.sdns_notifications and skillops.alexa.sdns_subscriber_health')
        common = dict(sdns_notify_dir=notices.directory, sdns_notify_webhook_url='')
        notifications = dict(common, sdns_queue_url=queue_url, sdns_review_max_stars=2, sdns_follow_up_url='',
                             sdns_sqs_wait_seconds=1)
        # After a clean stop ansible-rulebook goes on with pending jobs for --shutdown-delay (60 s by
        # default): 5 here, so the story need not wait.
        rulebooks.append(Rulebook('sdns_notifications', notifications, work, shutdown_delay=5))
        rulebooks.append(Rulebook('sdns_subscriber_health', dict(
            common, sdns_vendor_id=sandbox.vendor_id, sdns_health_interval=2), work))

        say('A certification of skill amzn1.ask.skill.demo fails')
        sandbox.raise_event('AlexaDevelopmentEvent.SkillCertification', 'amzn1.ask.skill.demo', status='FAILED')
        next_notice('the job of the failed certification')

        say('Five more certifications fail; ansible-rulebook is stopped (SIGTERM) after the first job')
        for skill in skills:
            sandbox.raise_event('AlexaDevelopmentEvent.SkillCertification', skill, status='FAILED')
        wait_for('the first job of the five', lambda: [notice for notice in notices.all() if of_batch(notice)],
                 timeout=120)
        killed = rulebooks[0].kill(signal.SIGTERM)
        handled = {notice['details']['sdns']['skill_id'] for notice in notices.all() if of_batch(notice)}
        say('   stopped%s with %d of 5 handled; the others are back in the queue, unacknowledged' % (
            ' (it did not end by itself: SIGKILL after 30 s)' if killed else '', len(handled)))
        rulebooks[0] = Rulebook('sdns_notifications', notifications, work, shutdown_delay=5)
        say('Start it again')
        wait_for('a notice for each of the five', lambda: set(skills) <= {
            notice['details']['sdns']['skill_id'] for notice in notices.all() if of_batch(notice)}, timeout=120)
        batch = [notice for notice in notices.all() if of_batch(notice)]
        told.extend(batch)
        say('   all 5 notified: lost 0, repeated %d' % (len(batch) - len(skills)))

        say("Someone breaks the subscriber: its role may no longer publish to the topic")
        playbook('playbooks/demo_eda.yml', '-e', 'demo_step=break')
        deliveries = sandbox.raise_event('AlexaDevelopmentEvent.SkillPublish', 'amzn1.ask.skill.demo')
        [status] = [s['status'] for s in sandbox.subscribers() if s['name'] == 'skillops-eda']
        say('   the next notification: %s; the subscriber is now %s' % (
            deliveries[0]['reason'] or 'delivered', status))
        next_notice('the repair job')
        next_notice('the recovery')

        say('The skill is published: does the notification arrive again?')
        sandbox.raise_event('AlexaDevelopmentEvent.SkillPublish', 'amzn1.ask.skill.demo')
        next_notice('the job of the publish event')

        for rulebook in rulebooks:
            rulebook.stop()
        say('Stop the rulebooks and tear down')
        playbook('playbooks/demo_eda.yml', '-e', 'demo_step=cleanup')
        left = [subscriber['subscriberId'] for subscriber in sandbox.subscribers()]
        assert not left, 'subscribers left on the sandbox: %s' % ', '.join(left)
        print('\nDone in %.1fs, nothing left on the sandbox. Fired: %s.' % (
            time.monotonic() - STARTED, ', '.join(notice['rule'] for notice in told)))
    except AssertionError as failure:
        for log in sorted(glob.glob(os.path.join(work, '*.log'))):
            print('--- %s' % os.path.basename(log))
            with open(log) as handle:
                print(handle.read()[-6000:])
        print('!! %s' % failure)
        return 1
    finally:
        for rulebook in rulebooks:
            rulebook.stop()
        if os.environ.get('DEMO_LOGS'):
            for log in glob.glob(os.path.join(work, '*.log')):
                shutil.copy(log, os.environ['DEMO_LOGS'])
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
