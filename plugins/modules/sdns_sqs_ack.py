#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: sdns_sqs_ack
short_description: Acknowledge a Skill Development Notification that a rulebook's job handled
version_added: 0.1.0
description:
  - Deletes the SQS message of an event of the event source C(skillops.alexa.sdns_sqs) with
    C(acknowledge=job), so that it does not come back. Until then the source keeps the message out of
    sight, and a stop, a crash or a failed job brings it back for another try.
  - Make it the last task of the job, so that a job that fails leaves its notification to be tried
    again and, after the queue's C(maxReceiveCount), to its dead-letter queue.
  - An event of the source with C(acknowledge=emit) was acknowledged when it was emitted; the task
    then does nothing.
author:
  - skillops.alexa maintainers (@skillops)
extends_documentation_fragment:
  - skillops.alexa.attributes.action
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
options:
  event:
    description:
      - The event, as ansible-rulebook hands it to the job (C(ansible_eda.event)) or to an action
        (C(event)). Its C(meta.queue_url) and C(meta.sqs_receipt_handle) name the message.
      - Give this or O(queue_url) and O(receipt_handle).
    type: dict
  queue_url:
    description: URL of the queue that holds the message.
    type: str
  receipt_handle:
    description: The receipt handle of the message, from its latest receive.
    type: str
  region:
    description:
      - AWS region of the queue, for an endpoint whose URL does not name it (such as O(endpoint_url)).
        The region an AWS queue URL names (C(https://sqs.REGION.amazonaws.com/...)) is used instead.
notes:
  - SQS does not tell whether the message was still there, so every acknowledgement it accepts reports
    a change; acknowledging twice is harmless.
  - A receipt handle is good only until the message is received again. A job that ran past the
    source's C(acknowledge_timeout) acknowledges a message that came back for another try, and SQS may
    keep it; the next try then repeats the job.
'''

EXAMPLES = r'''
# The last task of a playbook that a rulebook on skillops.alexa.sdns_sqs runs
- name: Acknowledge the notification
  skillops.alexa.sdns_sqs_ack:
    event: "{{ ansible_eda.event }}"

# In a rulebook, the last rule acknowledges what no other rule takes, with the collection's playbook
# that runs this module alone.
- name: Nothing to do
  condition: event.meta.queue_url is defined
  action:
    run_playbook:
      name: skillops.alexa.eda_acknowledge
'''

RETURN = r'''
acknowledged:
  description: Whether the message was deleted now; false for an event acknowledged when it was emitted.
  returned: always
  type: bool
queue_url:
  description: The queue of the message.
  returned: always
  type: str
message_id:
  description: The SQS message ID.
  returned: when given an event that names it
  type: str
'''

try:
    import botocore
except ImportError:
    pass  # reported by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.skillops.alexa.plugins.module_utils._events import queue_region

HOW = 'give the event as ansible-rulebook hands it over (event: "{{ ansible_eda.event }}")'


def message_of(module):
    """(queue URL, receipt handle or None, SQS message ID or None) of the message to delete."""
    event = module.params['event']
    if event is None:
        return module.params['queue_url'], module.params['receipt_handle'], None
    meta = event.get('meta')
    if not isinstance(meta, dict) or not meta.get('queue_url'):
        module.fail_json(msg='event has no meta.queue_url, so it is not an event of skillops.alexa.sdns_sqs: ' + HOW)
    for field in ('queue_url', 'sqs_receipt_handle'):
        if not isinstance(meta.get(field) or '', str):
            module.fail_json(msg='event.meta.%s is a %s, not a string: %s' % (field, type(meta[field]).__name__, HOW))
    return meta['queue_url'], meta.get('sqs_receipt_handle'), meta.get('sqs_message_id')


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(event=dict(type='dict'), queue_url=dict(type='str'), receipt_handle=dict(type='str')),
        mutually_exclusive=[('event', 'queue_url'), ('event', 'receipt_handle')],
        required_together=[('queue_url', 'receipt_handle')],
        required_one_of=[('event', 'queue_url')],
        supports_check_mode=True,
    )
    queue_url, receipt_handle, message_id = message_of(module)
    result = dict(queue_url=queue_url, acknowledged=False)
    if message_id:
        result.update(message_id=message_id)
    if not receipt_handle:
        module.exit_json(changed=False, msg='acknowledged when it was emitted (the source has acknowledge: emit)',
                         **result)
    if not module.check_mode:
        # An AWS queue URL names the queue's region, and no other region can reach the queue.
        region = queue_region(queue_url)
        sqs = module.client('sqs', retry_decorator=AWSRetry.jittered_backoff(), **({'region': region} if region else {}))
        try:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=receipt_handle, aws_retry=True)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            module.fail_json_aws(error, msg='Could not acknowledge %s in %s' % (
                'SQS message %s' % message_id if message_id else 'the SQS message', queue_url))
    result.update(acknowledged=not module.check_mode)
    module.exit_json(changed=True, **result)


if __name__ == '__main__':
    main()
