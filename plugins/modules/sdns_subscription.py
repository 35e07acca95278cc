#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: sdns_subscription
short_description: Manage Alexa Skill Development Notifications subscriptions
version_added: 0.1.0
description:
  - Create, update or delete an SDNS subscription, which sends the chosen events of a publishing
    vendor's skills to a subscriber.
  - A subscription is found by O(subscription_id), else by O(name) among the subscriptions of
    O(vendor_id) to O(subscriber_id).
  - The token must come from the security profile that created the subscriber, and its user must
    belong to O(vendor_id). An organization subscribes a developer's vendor with its own token, and
    a developer subscribes to an organization's subscriber with a token the organization issued.
  - O(vendor_id) is the publishing vendor, whose skills' events are delivered. A subscription found by
    O(subscription_id) keeps its publishing vendor; with O(state=absent) it is deleted by its ID alone.
author:
  - skillops.alexa maintainers (@skillops)
extends_documentation_fragment:
  - skillops.alexa.attributes
  - skillops.alexa.smapi
  - skillops.alexa.smapi.CREATES
options:
  name:
    description:
      - Name of the subscription, 1 to 255 characters; its identity when O(subscription_id) is not given.
    type: str
  subscription_id:
    description:
      - ID of an existing subscription. With it, O(name) may be changed.
    type: str
  subscriber_id:
    description:
      - ID of the subscriber that receives the events. Cannot be changed on an existing subscription.
      - Required unless O(subscription_id) is given.
    type: str
  events:
    description:
      - Events to deliver. C(AlexaDevelopmentEvent.All) (also spelled C(ALL)) covers every
        development event and must stand alone; C(AlexaCustomerFeedbackEvent.SkillReviewPublish)
        may be added to it.
      - One or more of C(AlexaDevelopmentEvent.ManifestUpdate), C(AlexaDevelopmentEvent.SkillCertification),
        C(AlexaDevelopmentEvent.SkillPublish), C(AlexaDevelopmentEvent.InteractionModelUpdate),
        C(AlexaDevelopmentEvent.All) and C(AlexaCustomerFeedbackEvent.SkillReviewPublish), matched without regard to case.
      - Required when O(state=present). Compared as a set.
    type: list
    elements: str
  state:
    description:
      - Whether the subscription should exist.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: Be told when certification and publishing finish
  skillops.alexa.sdns_subscription:
    name: certification
    vendor_id: M1ABCDEFGHIJKL
    subscriber_id: "{{ subscriber.subscriber.subscriber_id }}"
    events:
      - AlexaDevelopmentEvent.SkillCertification
      - AlexaDevelopmentEvent.SkillPublish

- name: Everything, reviews included
  skillops.alexa.sdns_subscription:
    name: everything
    vendor_id: M1ABCDEFGHIJKL
    subscriber_id: "{{ subscriber.subscriber.subscriber_id }}"
    events: [AlexaDevelopmentEvent.All, AlexaCustomerFeedbackEvent.SkillReviewPublish]
'''

RETURN = r'''
removed_duplicates:
  description:
    - IDs of subscriptions removed because the same subscription was created twice at the same time, by a concurrent run or by a retry
      whose first attempt was stored after its response was lost, and the other copy was kept (see the notes). A
      warning says so too. Almost always empty.
  returned: when O(state=present)
  type: list
  elements: str
subscription:
  description: The subscription after the task; empty after O(state=absent). In check mode, what it would be.
  returned: always
  type: dict
  contains:
    subscription_id:
      description: ID of the subscription.
      type: str
    name:
      description: Name of the subscription.
      type: str
    subscriber_id:
      description: The subscriber that receives the events.
      type: str
    vendor_id:
      description: The publishing vendor.
      type: str
    events:
      description: The events delivered.
      type: list
      elements: str
'''

from ansible_collections.skillops.alexa.plugins.module_utils._errors import Conflict, NotFound
from ansible_collections.skillops.alexa.plugins.module_utils._module import SmapiModule
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import (
    SUBSCRIPTION_SHAPE, SUBSCRIPTIONS_PATH, find_subscriber, find_subscription, no_such_subscriber, normalize_events,
    plan, refuse_foreign_subscriber, subscription_body, subscription_twin_ids, subscription_view, validate_name)


def main():
    argument_spec = dict(
        name=dict(type='str'),
        subscription_id=dict(type='str'),
        subscriber_id=dict(type='str'),
        # Not 'choices': events are matched case-insensitively and 'ALL' is accepted for 'All'.
        events=dict(type='list', elements='str'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    )
    module = SmapiModule(argument_spec, required_one_of=[('name', 'subscription_id'), ('subscriber_id', 'subscription_id')],
                         required_if=[('state', 'present', ('events',))])
    module.run(lambda: manage(module))


def manage(module):
    params = module.params
    vendor_id, subscriber_id = module.require_vendor(), params['subscriber_id']
    events = normalize_events(params['events']) if params['state'] == 'present' else None
    validate_name(params['name'])

    def lookup(subscription_id=params['subscription_id']):
        if subscription_id:
            return module.smapi.get_or_none('%s/%s' % (SUBSCRIPTIONS_PATH, subscription_id), shape=SUBSCRIPTION_SHAPE)
        return find_subscription(module.smapi, vendor_id, subscriber_id, params['name'])

    def twins():
        return subscription_twin_ids(module.smapi, vendor_id, subscriber_id, params['name'])

    found = lookup()
    current = subscription_view(found) if found else None

    if params['state'] == 'absent':
        # Found by its ID, a subscription is deleted whatever vendor_id says: the ID is its identity.
        module.exit_absent('subscription', SUBSCRIPTIONS_PATH, current, 'subscription_id')

    if current is None and params['subscription_id']:
        raise NotFound('subscription_id %s: no such subscription; check the ID, or omit it to create a subscription '
                       'called name' % params['subscription_id'], status=404)
    for field, value in (('subscriber_id', subscriber_id), ('vendor_id', vendor_id)):
        if current and value and current[field] != value:
            raise Conflict('%s cannot be changed on subscription %s (it is %s); delete it and create a new one'
                           % (field, current['subscription_id'], current[field]))
    wanted = dict(name=params['name'], subscriber_id=subscriber_id, vendor_id=vendor_id, events=events)
    changed, after, diff = plan(current, wanted)
    if changed and module.minting_client_id:
        refuse_foreign_subscriber(find_subscriber(module.smapi, vendor_id, subscriber_id=after['subscriber_id']),
                                  module.minting_client_id, after['subscriber_id'])
    if changed and not module.check_mode:
        if current is None:
            try:
                new_id = module.create('subscription', SUBSCRIPTIONS_PATH, subscription_body(after, with_ids=True),
                                       find_twins=twins)
            except NotFound:
                raise no_such_subscriber(subscriber_id)
        else:
            new_id = current['subscription_id']
            module.smapi.put('%s/%s' % (SUBSCRIPTIONS_PATH, new_id), subscription_body(after, with_ids=False))
        stored = lookup(new_id)
        after = subscription_view(stored) if stored else dict(after, subscription_id=new_id)
        diff['after'] = after
    module.exit_json(changed=changed, subscription=after, diff=diff, removed_duplicates=module.removed_duplicates)


if __name__ == '__main__':
    main()
