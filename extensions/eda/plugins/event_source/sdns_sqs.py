# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source skillops.alexa.sdns_sqs: Skill Development Notifications from an SQS queue."""

import asyncio
import logging
import math
import os
import sys
import time
from collections import OrderedDict

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoRegionError, ProfileNotFound

# ansible-rulebook runs this file by path, not as part of a package: the collection's module_utils
# import once the directory that holds ansible_collections/ is on sys.path.
_COLLECTIONS = os.path.normpath(os.path.join(os.path.abspath(__file__), *[os.pardir] * 7))
if os.path.basename(_COLLECTIONS) == 'ansible_collections' and os.path.dirname(_COLLECTIONS) not in sys.path:
    sys.path.insert(0, os.path.dirname(_COLLECTIONS))

from ansible_collections.skillops.alexa.plugins.module_utils._events import (  # noqa: E402 pylint: disable=wrong-import-position
    Malformed, identity, queue_region, unwrap)

DOCUMENTATION = r"""
---
short_description: Receive Alexa Skill Development Notifications from an SQS queue
description:
  - Long-polls an SQS queue subscribed to the SNS topic of an SDNS subscriber and emits each
    notification itself, with the SNS envelope taken off (or as it is, for raw message delivery).
  - An event has the notification's C(eventName), C(timestamp), C(requestId) and C(payload); under
    C(sdns) the facts rules test most (C(skill_id), C(vendor_id), C(status), C(locale), and a review's
    C(star_rating) as a number); under C(meta) the C(sns_message_id), C(topic_arn), C(published_at),
    C(sqs_message_id), C(queue_url) and, with O(acknowledge=job), C(sqs_receipt_handle).
  - The C({}) SDNS publishes when a subscriber is created becomes an event whose C(sdns.welcome) is true.
  - With O(acknowledge=job) (the default) a message is deleted only when a job acknowledges its event
    with M(skillops.alexa.sdns_sqs_ack). Until then the source keeps it out of sight, for at most
    O(acknowledge_timeout) seconds after it was received. A message whose job failed, or never ran,
    comes back then and is emitted again; after the queue's C(maxReceiveCount) receives, its redrive
    policy moves it to the dead-letter queue. When the source is stopped, the messages it holds come
    back at once, after the receive under way (at most O(wait_seconds)); when it dies (SIGKILL, a host
    lost), within O(visibility_timeout) seconds, or O(wait_seconds) more if a receive was under way. ansible-rulebook stops its sources on SIGTERM and
    SIGINT only with E(JAVA_TOOL_OPTIONS=-Xrs); otherwise the Java runtime of its rule engine ends the
    process at once, as SIGKILL does.
  - Every event therefore needs a job, or a rule, that acknowledges it, also the events no other rule
    takes (with the ruleset's default C(match_multiple_rules=false), so that a last rule that
    acknowledges takes only those).
  - The source needs C(sqs:ReceiveMessage), C(sqs:ChangeMessageVisibility) and C(sqs:DeleteMessage) on
    the queue (and C(sqs:GetQueueUrl) with O(name)); the jobs that acknowledge need C(sqs:DeleteMessage).
  - With O(acknowledge=emit) a message is deleted as soon as its event is on the rulebook's queue, so
    the events ansible-rulebook keeps for its pending jobs are lost when it stops.
  - A message delivered twice by SNS (same SNS message ID, another SQS message) within one run is
    deleted without a second event. With O(acknowledge=emit) an SQS redelivery of a message already
    emitted is deleted too; with O(acknowledge=job) it is the next try and is emitted again. With raw
    message delivery there is no SNS message ID, so only the SQS message ID tells messages apart.
  - A message that is not an SDNS notification is logged and kept out of the event stream. An SNS
    C(SubscriptionConfirmation) (a queue subscribed to a topic in another account) is logged with the
    command that confirms the subscription.
  - AWS credentials as boto3 finds them (environment, profile, instance role), or given here.
options:
  queue_url:
    description: URL of the queue. Give this or O(name).
    type: str
  name:
    description: Name of the queue, in the account of the credentials.
    type: str
  region:
    description:
      - AWS region of the queue. Defaults to the region in O(queue_url), else E(AWS_REGION) or
        E(AWS_DEFAULT_REGION).
    type: str
  endpoint_url:
    description: URL to use instead of the AWS endpoint (for example moto). Defaults to E(AWS_URL).
    type: str
  access_key:
    description: AWS access key ID.
    type: str
  secret_key:
    description: AWS secret access key.
    type: str
  session_token:
    description: AWS session token of temporary credentials.
    type: str
  profile:
    description: Name of the AWS profile to use.
    type: str
  acknowledge:
    description:
      - When a message is deleted from the queue.
      - V(job) deletes it only when a job acknowledges its event (M(skillops.alexa.sdns_sqs_ack) as the
        job's last task). A stop, a crash or a failed job loses nothing, at the price of a repeated job
        now and then. This is the default because SDNS sends each notification only once, and a lost
        certification failure is a fix a customer waits for. A rulebook that forgets to acknowledge
        sees its events again and again, with a warning in the log, not silence.
      - V(emit) deletes it as soon as its event is on the rulebook's queue, and events of pending jobs are
        lost when ansible-rulebook stops. For rulebooks whose actions are not jobs.
    type: str
    choices: [job, emit]
    default: job
  visibility_timeout:
    description:
      - With O(acknowledge=job), how long a message the source holds stays out of sight past its last
        extension; the source extends it every third of this time. A message held by a source that
        died (SIGKILL, a host lost) comes back after at most this long. From 2 to 43200.
    type: int
    default: 30
  acknowledge_timeout:
    description:
      - With O(acknowledge=job), the longest time after its receipt a message waits for its job's
        acknowledgement, which is the time its event waits for the rulebook's pending jobs plus the job.
        Then it comes back for another try, counted as a receive by the queue's redrive policy.
      - ansible-rulebook runs a rule set's jobs one at a time and keeps about 20 events waiting
        (O(max_number_of_messages), and the jobs it queues), so give at least 21 times the longest job.
        Defaults to 900, or O(visibility_timeout) if that is longer.
      - From O(visibility_timeout) to 43200 (the 12 hours SQS keeps a message out of sight at most).
    type: int
    default: 900
  wait_seconds:
    description: How long one receive waits for messages (SQS long polling, 0 to 20).
    type: int
    default: 20
  max_number_of_messages:
    description: Most messages one receive returns (1 to 10).
    type: int
    default: 10
  delete_malformed:
    description:
      - Delete a message that is not an SDNS notification, after logging it. With V(false) it stays
        in the queue for the queue's redrive policy (a dead-letter queue) to take.
    type: bool
    default: true
  remember:
    description:
      - How many message IDs of emitted events (SNS, or SQS for raw delivery) to remember to recognise
        redeliveries; the oldest are forgotten first.
    type: int
    default: 10000
"""

EXAMPLES = r"""
# Each job ends with the task that acknowledges its event; the last rule acknowledges what no other
# rule takes.
- name: Skill certification
  hosts: all
  sources:
    - skillops.alexa.sdns_sqs:
        queue_url: https://sqs.us-east-1.amazonaws.com/123456789012/skill-events
  rules:
    - name: Certification failed
      condition: event.sdns.status == "FAILED"
      action:
        run_playbook:
          name: my_team.skills.open_a_ticket   # its last task: skillops.alexa.sdns_sqs_ack
    - name: Nothing to do
      condition: event.meta.queue_url is defined
      action:
        run_playbook:
          name: skillops.alexa.eda_acknowledge
"""

logger = logging.getLogger(__name__)

ACKNOWLEDGE = ('job', 'emit')
LONGEST_HOLD = 43200  # SQS keeps a message out of sight for at most 12 hours after its receipt
RELEASE_WITHIN = 10  # seconds a stopping source gives SQS, past a long poll under way, to take its messages back


class Seen:
    """The identities of the most recent events emitted, at most ``limit`` of them, each with the
    SQS message ID of the message that carried it."""

    def __init__(self, limit):
        self.limit = limit
        self._ids = OrderedDict()

    def __contains__(self, key):
        return key in self._ids

    def get(self, key):
        return self._ids.get(key)

    def add(self, key, message_id):
        self._ids[key] = message_id
        self._ids.move_to_end(key)
        while len(self._ids) > self.limit:
            self._ids.popitem(last=False)


def _integer(args, name, default, low, high):
    value = args.get(name, default)
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value is None or not low <= value <= high:
        raise ValueError('skillops.alexa.sdns_sqs: %s must be a whole number from %d to %d, not %r'
                         % (name, low, high, args.get(name)))
    return value


def _boolean(args, name, default):
    value = args.get(name, default)
    if isinstance(value, bool):
        return value
    if str(value).lower() in ('true', 'yes', '1', 'on'):
        return True
    if str(value).lower() in ('false', 'no', '0', 'off'):
        return False
    raise ValueError('skillops.alexa.sdns_sqs: %s must be true or false, not %r' % (name, value))


def _choice(args, name, choices):
    value = args.get(name) or choices[0]
    if value not in choices:
        raise ValueError('skillops.alexa.sdns_sqs: %s must be one of %s, not %r' % (name, ', '.join(choices), value))
    return value


def _region(args):
    """The region given; else the one in queue_url, which names the queue's endpoint; else the
    environment's, as amazon.aws reads it."""
    return (args.get('region') or queue_region(args.get('queue_url'))
            or os.environ.get('AWS_REGION') or os.environ.get('AWS_DEFAULT_REGION'))


def sqs_client(args, wait_seconds=20):
    """An SQS client as amazon.aws users expect: arguments first, then the environment. Its calls end
    in time (a long poll in its wait plus a margin), so an extension is never late by botocore's minute."""
    if bool(args.get('access_key')) != bool(args.get('secret_key')):
        raise ValueError('skillops.alexa.sdns_sqs: access_key and secret_key go together: give both, or neither '
                         'to use the environment or a profile')
    kwargs = dict(region_name=_region(args),
                  endpoint_url=args.get('endpoint_url') or os.environ.get('AWS_URL') or None,
                  config=Config(connect_timeout=5, read_timeout=wait_seconds + 10,
                                retries=dict(mode='standard', max_attempts=3)))
    if args.get('access_key'):
        kwargs.update(aws_access_key_id=args['access_key'], aws_secret_access_key=args['secret_key'],
                      aws_session_token=args.get('session_token') or None)
    try:
        return boto3.session.Session(profile_name=args.get('profile') or None).client('sqs', **kwargs)
    except NoRegionError:
        raise ValueError('skillops.alexa.sdns_sqs: no AWS region: set region, or AWS_REGION in the environment') from None
    except ProfileNotFound:
        raise ValueError('skillops.alexa.sdns_sqs: profile %r is not in the AWS configuration' % args['profile']) from None


class Receiver:
    """One run of the source: receive, unwrap, emit; then delete (acknowledge: emit), or keep the
    message out of sight until a job deletes it (acknowledge: job)."""

    def __init__(self, queue, args):
        if bool(args.get('queue_url')) == bool(args.get('name')):
            raise ValueError('skillops.alexa.sdns_sqs: give queue_url or name (the queue of the SDNS topic), '
                             'one of them')
        self.queue = queue
        self.args = args
        self.wait_seconds = _integer(args, 'wait_seconds', 20, 0, 20)
        self.max_messages = _integer(args, 'max_number_of_messages', 10, 1, 10)
        self.delete_malformed = _boolean(args, 'delete_malformed', True)
        self.seen = Seen(_integer(args, 'remember', 10000, 1, 10 ** 7))
        self.by_job = _choice(args, 'acknowledge', ACKNOWLEDGE) == 'job'
        self.visibility_timeout = _integer(args, 'visibility_timeout', 30, 2, LONGEST_HOLD)
        self.acknowledge_timeout = _integer(args, 'acknowledge_timeout', max(900, self.visibility_timeout),
                                            self.visibility_timeout, LONGEST_HOLD)
        # What this run holds out of sight for a job: SQS message ID -> (latest receipt handle, when it
        # must come back).
        self.held = {}
        # SQS calls under way in their threads: a cancelled task does not stop them.
        self.calls = set()
        self.receiving = None
        self.sqs = sqs_client(args, self.wait_seconds)
        self.queue_url = args.get('queue_url')
        self.sleep = asyncio.sleep
        self.clock = time.monotonic

    async def _call(self, method, **kwargs):
        # boto3 blocks: run it beside the event loop. Shielded, so that a cancelled caller leaves the
        # call to end in its thread, where run() can still wait for it and use its answer.
        call = asyncio.ensure_future(asyncio.to_thread(getattr(self.sqs, method), **kwargs))
        self.calls.add(call)
        call.add_done_callback(self.calls.discard)
        if method == 'receive_message':
            self.receiving = call
        return await asyncio.shield(call)

    async def run(self):
        keeper = asyncio.ensure_future(self.keep_hidden()) if self.by_job else None
        try:
            await self.receive()
        finally:
            if keeper:
                keeper.cancel()
                # Stopped (ansible-rulebook cancels its sources on SIGTERM and SIGINT): what the jobs
                # did not acknowledge goes back to the queue now rather than after its timeout.
                try:
                    await asyncio.wait_for(self.stop(), self.wait_seconds + RELEASE_WITHIN)
                except asyncio.TimeoutError:
                    logger.warning('skillops.alexa.sdns_sqs: SQS did not take the unacknowledged messages back in '
                                   'time: they come back after their visibility timeout')
            for call in set(self.calls):
                call.cancel()  # its thread ends on its own; what it receives comes back after its timeout

    def take_back_unread(self):
        """Take this source's events the rulebook has not read off its queue. ansible-rulebook (1.3) puts
        its shutdown notice on that queue after the source ends, and waits forever when the queue is
        full with no reader left; the messages of these events are let go with the rest."""
        queue = getattr(self.queue, 'queue', self.queue)  # under ansible-rulebook's filtering wrapper
        if not hasattr(queue, 'get_nowait'):
            return
        others = []
        while not queue.empty():
            item = queue.get_nowait()
            if not (isinstance(item, dict) and item.get('meta', {}).get('sqs_message_id') in self.held):
                others.append(item)
        for item in others:
            queue.put_nowait(item)

    async def stop(self):
        """Let go of what is held once the calls under way have ended: the receive still long-polling
        would take the released messages again, an extension would hide them again."""
        self.take_back_unread()
        if self.calls:
            await asyncio.wait(set(self.calls))
        if self.receiving and not self.receiving.cancelled() and not self.receiving.exception():
            self.hold(self.receiving.result().get('Messages', []))  # received after the stop, never handled
        await self.release()

    async def receive(self):
        failures = 0
        extra = dict(VisibilityTimeout=self.visibility_timeout) if self.by_job else {}
        while True:
            try:
                if not self.queue_url:
                    self.queue_url = (await self._call('get_queue_url', QueueName=self.args['name']))['QueueUrl']
                received = await self._call('receive_message', QueueUrl=self.queue_url,
                                            WaitTimeSeconds=self.wait_seconds,
                                            MaxNumberOfMessages=self.max_messages,
                                            AttributeNames=['ApproximateReceiveCount'], **extra)
                self.receiving = None  # its messages are this loop's to handle now
            except (BotoCoreError, ClientError) as error:
                # A queue that is gone or access that was taken away shows in the log each time;
                # the source keeps trying, more slowly, rather than stop the rulebook.
                failures += 1
                logger.warning('skillops.alexa.sdns_sqs: receiving from %s failed: %s',
                               self.queue_url or self.args['name'], error)
                await self.sleep(min(2 ** failures, 60))
                continue
            failures = 0
            messages = received.get('Messages', [])
            if self.by_job:
                self.hold(messages)
            for message in messages:
                await self.handle(message)

    def hold(self, messages):
        """Held from their receipt, not their emission: the last of a batch may wait long for the rulebook.
        A message received again is held by its new receipt handle (only the latest acts in SQS)."""
        until = self.clock() + self.acknowledge_timeout
        self.held.update((message['MessageId'], (message['ReceiptHandle'], until)) for message in messages)

    async def handle(self, message):
        try:
            event = unwrap(message['Body'], meta=dict(sqs_message_id=message['MessageId'],
                                                      queue_url=self.queue_url))
        except Exception as problem:  # pylint: disable=broad-except
            # Malformed says what is wrong; anything else is a message unwrap did not foresee. Either
            # way one message must not stop the source (it would stop again at every restart).
            logger.warning('skillops.alexa.sdns_sqs: skipped SQS message %s, not an SDNS notification: %s',
                           message['MessageId'], problem if isinstance(problem, Malformed) else repr(problem))
            if self.delete_malformed:
                await self.delete(message)
            else:
                self.held.pop(message['MessageId'], None)
            return
        key = identity(event)
        first = self.seen.get(key)
        if first is not None and (first != message['MessageId'] or not self.by_job):
            # SNS delivered it twice (another SQS message), or SQS again after the event was emitted
            # and its message not deleted (acknowledge: emit).
            logger.info('skillops.alexa.sdns_sqs: message %s was delivered again; its event was emitted already', key)
            await self.delete(message)
            return
        if first is not None:
            logger.warning('skillops.alexa.sdns_sqs: message %s came back unacknowledged (receive %s): its event '
                           'is emitted again', key, message.get('Attributes', {}).get('ApproximateReceiveCount', '?'))
        if self.by_job:
            event['meta']['sqs_receipt_handle'] = message['ReceiptHandle']
        await self.queue.put(event)
        self.seen.add(key, message['MessageId'])
        if not self.by_job:
            await self.delete(message)

    async def delete(self, message):
        self.held.pop(message['MessageId'], None)
        try:
            await self._call('delete_message', QueueUrl=self.queue_url, ReceiptHandle=message['ReceiptHandle'])
        except (BotoCoreError, ClientError) as error:
            # It comes back after its visibility timeout; its event is not emitted twice in this run.
            logger.warning('skillops.alexa.sdns_sqs: deleting message %s failed: %s', message['MessageId'], error)

    async def keep_hidden(self):
        while True:
            await asyncio.sleep(self.visibility_timeout / 3)
            try:
                await self.extend()
            except Exception as problem:  # pylint: disable=broad-except
                # The keeper must outlive any one failure, or every held message comes back and runs twice.
                logger.warning('skillops.alexa.sdns_sqs: keeping messages out of sight failed: %r', problem)

    async def extend(self):
        """Keep what is held out of sight for another visibility_timeout, or until its
        acknowledge_timeout, when it is let go for another try."""
        now = self.clock()
        changes = []
        for message_id, (handle, until) in list(self.held.items()):
            left = until - now
            if left <= self.visibility_timeout:
                del self.held[message_id]
                logger.warning('skillops.alexa.sdns_sqs: message %s was not acknowledged within %d seconds '
                               '(acknowledge_timeout): it comes back for another try. Every event needs a job '
                               'or rule that ends with skillops.alexa.sdns_sqs_ack.', message_id,
                               self.acknowledge_timeout)
            changes.append((message_id, handle, max(0, min(math.ceil(left), self.visibility_timeout))))
        await self.change_visibility(changes)

    async def release(self):
        held, self.held = self.held, {}
        await self.change_visibility([(message_id, handle, 0) for message_id, (handle, _until) in held.items()])
        if held:
            logger.info('skillops.alexa.sdns_sqs: stopping; %d unacknowledged messages are back in the queue',
                        len(held))

    async def change_visibility(self, changes):
        for first in range(0, len(changes), 10):  # SQS takes 10 entries a call
            batch = changes[first:first + 10]
            try:
                answer = await self._call('change_message_visibility_batch', QueueUrl=self.queue_url, Entries=[
                    dict(Id=str(number), ReceiptHandle=handle, VisibilityTimeout=seconds)
                    for number, (_message_id, handle, seconds) in enumerate(batch)])
            except (BotoCoreError, ClientError) as error:
                # Tried again at the next extension; a message not extended in time may come back and
                # be emitted again (a repeat, not a loss).
                logger.warning('skillops.alexa.sdns_sqs: keeping %d messages out of sight failed: %s', len(batch), error)
                continue
            for failed in answer.get('Failed', []):
                message_id, handle, _seconds = batch[int(failed['Id'])]
                if failed.get('SenderFault') and self.held.get(message_id, (None,))[0] == handle:
                    # Deleted by its job (acknowledged), or no longer this receipt's to change.
                    del self.held[message_id]
                    logger.debug('skillops.alexa.sdns_sqs: message %s is no longer held: %s', message_id,
                                 failed.get('Code'))
                else:
                    logger.warning('skillops.alexa.sdns_sqs: keeping message %s out of sight failed: %s %s',
                                   message_id, failed.get('Code'), failed.get('Message', ''))


async def main(queue, args):
    """The entry point ansible-rulebook calls."""
    await Receiver(queue, args).run()


if __name__ == '__main__':
    class PrintQueue(asyncio.Queue):
        async def put(self, item):
            print(item)

    asyncio.run(main(PrintQueue(), dict(queue_url=sys.argv[1], acknowledge='emit')))
