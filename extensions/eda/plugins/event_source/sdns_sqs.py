# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source skillops.alexa.sdns_sqs: Skill Development Notifications from an SQS queue."""

import asyncio
import logging
import os
import re
import sys
from collections import OrderedDict
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoRegionError, ProfileNotFound

# ansible-rulebook runs this file by path, not as part of a package: the collection's module_utils
# import once the directory that holds ansible_collections/ is on sys.path.
_COLLECTIONS = os.path.normpath(os.path.join(os.path.abspath(__file__), *[os.pardir] * 7))
if os.path.basename(_COLLECTIONS) == 'ansible_collections' and os.path.dirname(_COLLECTIONS) not in sys.path:
    sys.path.insert(0, os.path.dirname(_COLLECTIONS))

from ansible_collections.skillops.alexa.plugins.module_utils._events import (  # noqa: E402 pylint: disable=wrong-import-position
    Malformed, identity, unwrap)

DOCUMENTATION = r"""
---
short_description: Receive Alexa Skill Development Notifications from an SQS queue
description:
  - Long-polls an SQS queue subscribed to the SNS topic of an SDNS subscriber and emits each
    notification itself, with the SNS envelope taken off (or as it is, for raw message delivery).
  - An event has the notification's C(eventName), C(timestamp), C(requestId) and C(payload); under
    C(sdns) the facts rules test most (C(skill_id), C(vendor_id), C(status), C(locale), and a review's
    C(star_rating) as a number); under C(meta) the C(sns_message_id), C(topic_arn), C(published_at) and
    C(sqs_message_id).
  - The C({}) SDNS publishes when a subscriber is created becomes an event whose C(sdns.welcome) is true.
  - A message is deleted only after its event is on the rulebook's queue. A message received but not
    yet emitted when the source stops stays in the queue and comes back after its visibility timeout.
    A message delivered again within one run (same SNS message ID) is deleted without a second event.
    With raw message delivery there is no SNS message ID, so only SQS's own redeliveries (same SQS
    message ID) are recognised then, not a message SNS delivered twice.
  - A message that is not an SDNS notification is logged and kept out of the event stream.
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
- skillops.alexa.sdns_sqs:
    queue_url: https://sqs.us-east-1.amazonaws.com/123456789012/skill-events
"""

logger = logging.getLogger(__name__)


class Seen:
    """The identities of the most recent events emitted, at most ``limit`` of them."""

    def __init__(self, limit):
        self.limit = limit
        self._ids = OrderedDict()

    def __contains__(self, key):
        return key in self._ids

    def add(self, key):
        self._ids[key] = True
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


def _region(args):
    """The region given; else the one in queue_url, which names the queue's endpoint; else the
    environment's, as amazon.aws reads it."""
    if args.get('region'):
        return args['region']
    # https://sqs.REGION.amazonaws.com[.cn]/ACCOUNT/NAME, or the older https://REGION.queue.amazonaws.com/...
    host = urlsplit(args.get('queue_url') or '').hostname or ''
    match = re.match(r'^(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(?:\.cn)?$', host)
    if match:
        return match.group(1) or match.group(2)
    return os.environ.get('AWS_REGION') or os.environ.get('AWS_DEFAULT_REGION')


def sqs_client(args):
    """An SQS client as amazon.aws users expect: arguments first, then the environment."""
    if bool(args.get('access_key')) != bool(args.get('secret_key')):
        raise ValueError('skillops.alexa.sdns_sqs: access_key and secret_key go together: give both, or neither '
                         'to use the environment or a profile')
    kwargs = dict(region_name=_region(args),
                  endpoint_url=args.get('endpoint_url') or os.environ.get('AWS_URL') or None)
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
    """One run of the source: receive, unwrap, emit, then delete."""

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
        self.sqs = sqs_client(args)
        self.queue_url = args.get('queue_url')
        self.sleep = asyncio.sleep

    async def _call(self, method, **kwargs):
        # boto3 blocks: run it beside the event loop. A receive still under way when the source is
        # cancelled ends in its thread; its messages stay in the queue until visible again.
        return await asyncio.to_thread(getattr(self.sqs, method), **kwargs)

    async def run(self):
        failures = 0
        while True:
            try:
                if not self.queue_url:
                    self.queue_url = (await self._call('get_queue_url', QueueName=self.args['name']))['QueueUrl']
                received = await self._call('receive_message', QueueUrl=self.queue_url,
                                            WaitTimeSeconds=self.wait_seconds,
                                            MaxNumberOfMessages=self.max_messages)
            except (BotoCoreError, ClientError) as error:
                # A queue that is gone or access that was taken away shows in the log each time;
                # the source keeps trying, more slowly, rather than stop the rulebook.
                failures += 1
                logger.warning('skillops.alexa.sdns_sqs: receiving from %s failed: %s',
                               self.queue_url or self.args['name'], error)
                await self.sleep(min(2 ** failures, 60))
                continue
            failures = 0
            for message in received.get('Messages', []):
                await self.handle(message)

    async def handle(self, message):
        try:
            event = unwrap(message['Body'], meta=dict(sqs_message_id=message['MessageId']))
        except Exception as problem:  # pylint: disable=broad-except
            # Malformed says what is wrong; anything else is a message unwrap did not foresee. Either
            # way one message must not stop the source (it would stop again at every restart).
            logger.warning('skillops.alexa.sdns_sqs: skipped SQS message %s, not an SDNS notification: %s',
                           message['MessageId'], problem if isinstance(problem, Malformed) else repr(problem))
            if self.delete_malformed:
                await self.delete(message)
            return
        key = identity(event)
        if key in self.seen:
            logger.info('skillops.alexa.sdns_sqs: message %s was delivered again; its event was emitted already',
                        key)
        else:
            await self.queue.put(event)
            self.seen.add(key)
        await self.delete(message)

    async def delete(self, message):
        try:
            await self._call('delete_message', QueueUrl=self.queue_url, ReceiptHandle=message['ReceiptHandle'])
        except (BotoCoreError, ClientError) as error:
            # It comes back after its visibility timeout; its event is not emitted twice in this run.
            logger.warning('skillops.alexa.sdns_sqs: deleting message %s failed: %s', message['MessageId'], error)


async def main(queue, args):
    """The entry point ansible-rulebook calls."""
    await Receiver(queue, args).run()


if __name__ == '__main__':
    class PrintQueue(asyncio.Queue):
        async def put(self, item):
            print(item)

    asyncio.run(main(PrintQueue(), dict(queue_url=sys.argv[1])))
