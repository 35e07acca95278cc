#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: sdns_subscriber
short_description: Manage Alexa Skill Development Notifications subscribers
version_added: 0.1.0
description:
  - Create, update, reactivate or delete an SDNS subscriber, the endpoint (an Amazon SNS topic and the
    IAM role SDNS assumes to publish there) that receives skill development notifications.
  - A subscriber is found by O(subscriber_id), else by O(name) among all subscribers of O(vendor_id).
  - When a subscriber is created, SDNS publishes an empty JSON object C({}) to the topic.
  - If SDNS fails to deliver a notification the subscriber becomes C(INACTIVE); fix the cause (the
    topic, or the role's trust or permission policy) and run this module again to reactivate it.
  - SDNS lets only the security profile that created a subscriber change or delete it. When the subscriber
    found was created by another profile than O(lwa_client_id) (for example with the ASK CLI's own), a
    change or a delete fails before any request, in check mode too, naming both client IDs; declared with
    the values it has, it reports no change.
author:
  - skillops.alexa maintainers (@skillops)
extends_documentation_fragment:
  - skillops.alexa.attributes
  - skillops.alexa.smapi
  - skillops.alexa.smapi.CREATES
options:
  name:
    description:
      - Name of the subscriber, 1 to 255 characters. Its identity within the vendor when O(subscriber_id) is not given.
      - Required to create a subscriber.
    type: str
  subscriber_id:
    description:
      - ID of an existing subscriber. With it, O(name) may be changed.
    type: str
  topic_arn:
    description:
      - ARN of the standard SNS topic that receives the notifications (the endpoint URI).
      - Required when O(state=present).
    type: str
  role_arn:
    description:
      - ARN of the IAM role that SDNS (AWS account 258925066295) assumes, with the vendor ID as
        external ID, to publish to O(topic_arn).
      - Required when O(state=present).
    type: str
  state:
    description:
      - Whether the subscriber should exist.
    type: str
    choices: [present, absent]
    default: present
  reactivate:
    description:
      - Update an C(INACTIVE) subscriber even when nothing else differs, which is how SDNS reactivates it.
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: Deliver skill development notifications to an SNS topic
  skillops.alexa.sdns_subscriber:
    name: skill-events
    vendor_id: M1ABCDEFGHIJKL
    topic_arn: arn:aws:sns:us-east-1:123456789012:alexa-sdns
    role_arn: arn:aws:iam::123456789012:role/alexa-sdns-publisher
  register: subscriber

- name: Remove the subscriber
  skillops.alexa.sdns_subscriber:
    name: skill-events
    vendor_id: M1ABCDEFGHIJKL
    state: absent
'''

RETURN = r'''
removed_duplicates:
  description:
    - IDs of subscribers removed because the same subscriber was created twice at the same time, by a concurrent run or by a retry
      whose first attempt was stored after its response was lost, and the other copy was kept (see the notes). A
      warning says so too. Almost always empty.
  returned: when O(state=present)
  type: list
  elements: str
subscriber:
  description: The subscriber after the task; empty after O(state=absent). In check mode, what it would be.
  returned: always
  type: dict
  contains:
    subscriber_id:
      description: ID of the subscriber; give it to developers who subscribe to it.
      type: str
      sample: amzn1.ask-subscriber.2b8f6f1e-5f7c-4b55-9f0a-0b9d5c1e7d11
    name:
      description: Name of the subscriber.
      type: str
    vendor_id:
      description: Vendor that owns the subscriber.
      type: str
    status:
      description: C(ACTIVE), or C(INACTIVE) after a failed delivery.
      type: str
    client_id:
      description: The LWA security profile that created the subscriber.
      type: str
    topic_arn:
      description: The SNS topic notifications are published to.
      type: str
    role_arn:
      description: The IAM role SDNS assumes to publish.
      type: str
'''

from ansible_collections.skillops.alexa.plugins.module_utils._errors import NotFound
from ansible_collections.skillops.alexa.plugins.module_utils._module import SmapiModule
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import (
    SDNS_ACCOUNT_ID, SUBSCRIBERS_PATH, find_subscriber, plan, refuse_foreign_subscriber, subscriber_body, subscriber_view,
    subscribers_named, validate_name, validate_role_arn, validate_topic_arn)


def main():
    argument_spec = dict(
        name=dict(type='str'),
        subscriber_id=dict(type='str'),
        topic_arn=dict(type='str'),
        role_arn=dict(type='str'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        reactivate=dict(type='bool', default=True),
    )
    module = SmapiModule(argument_spec, required_one_of=[('name', 'subscriber_id')],
                         required_if=[('state', 'present', ('topic_arn', 'role_arn'))])
    module.run(lambda: manage(module))


def manage(module):
    params = module.params
    vendor_id, subscriber_id = module.require_vendor(), params['subscriber_id']
    if params['state'] == 'present':
        validate_name(params['name'])
        validate_topic_arn(params['topic_arn'])
        validate_role_arn(params['role_arn'])

    def lookup(by_id=subscriber_id):
        return find_subscriber(module.smapi, vendor_id, subscriber_id=by_id, name=params['name'])

    def twins():
        return [twin['subscriberId'] for twin in subscribers_named(module.smapi, vendor_id, params['name'])]

    found = lookup()
    current = subscriber_view(found, vendor_id) if found else None

    if params['state'] == 'absent':
        if current:
            refuse_foreign_subscriber(found, module.minting_client_id, current['subscriber_id'])
        module.exit_absent('subscriber', SUBSCRIBERS_PATH, current, 'subscriber_id')

    if current is None and subscriber_id:
        raise NotFound('subscriber_id %s: no such subscriber under vendor %s; check subscriber_id and vendor_id, '
                       'or omit subscriber_id to create a subscriber called name' % (subscriber_id, vendor_id), status=404)
    # Updating an INACTIVE subscriber, even with the same values, is how SDNS reactivates it.
    reactivate = params['reactivate'] and current is not None and current['status'] == 'INACTIVE'
    wanted = dict(name=params['name'], vendor_id=vendor_id, topic_arn=params['topic_arn'],
                  role_arn=params['role_arn'], status='ACTIVE' if reactivate or current is None else None)
    changed, after, diff = plan(current, wanted)
    if changed and current:
        # Another profile's subscriber (made with the ASK CLI's own profile, say) is read fine but only
        # its profile may change it: say so before SDNS refuses, in check mode too.
        refuse_foreign_subscriber(found, module.minting_client_id, current['subscriber_id'])
    if changed and not module.check_mode:
        if current is None:
            new_id = module.create('subscriber', SUBSCRIBERS_PATH, subscriber_body(after, with_vendor=True),
                                   find_twins=twins)
        else:
            new_id = current['subscriber_id']
            module.smapi.put('%s/%s' % (SUBSCRIBERS_PATH, new_id), subscriber_body(after, with_vendor=False))
        # Read back what SDNS made of it: the status tells whether the first delivery ({}) worked.
        stored = lookup(by_id=new_id)
        after = subscriber_view(stored, vendor_id) if stored else dict(after, subscriber_id=new_id)
        diff['after'] = after
        if after.get('status') == 'INACTIVE':
            module.warn('Subscriber %s is INACTIVE: SDNS could not publish to %s. Check that the topic exists, that '
                        'the role trusts %s with external ID %s, and that it may sns:Publish to the topic (the role '
                        'skillops.alexa.sdns_doctor checks all of it).' % (new_id, after['topic_arn'], SDNS_ACCOUNT_ID, vendor_id))
    module.exit_json(changed=changed, subscriber=after, diff=diff, removed_duplicates=module.removed_duplicates)


if __name__ == '__main__':
    main()
