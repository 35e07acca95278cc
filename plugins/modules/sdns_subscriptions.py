#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: sdns_subscriptions
short_description: Manage the whole set of Alexa Skill Development Notifications subscriptions to one subscriber
version_added: 0.1.0
description:
  - Converge every subscription to one subscriber in one task, for example those of an organization's
    developer vendors, with one access token and concurrent requests on one connection pool.
  - A subscription is identified by its publishing O(subscriptions[].vendor_id) and its name.
  - What exists is read with as few calls as SMAPI allows. When O(vendor_id) owns the subscriber, one
    list of its subscriptions to the subscriber answers for all items; otherwise each declared vendor's
    subscriptions to it are listed, concurrently.
  - Throttling (HTTP 429) lowers the number of requests in flight, which grows again with successes;
    C(Retry-After) is honoured. A create whose outcome is unknown is looked up before it is sent again.
  - Items that fail do not stop the others. The task then fails naming every failed item, with the
    results of all; running it again completes the rest.
  - The token must come from the security profile that created the subscriber, and its user must belong
    to every publishing vendor (or use a token the organization issued, see M(skillops.alexa.sdns_subscription)).
author:
  - skillops.alexa maintainers (@skillops)
extends_documentation_fragment:
  - skillops.alexa.attributes
  - skillops.alexa.smapi
  - skillops.alexa.smapi.CREATES
options:
  subscriber_id:
    description:
      - ID of the subscriber that receives the events.
    type: str
    required: true
  name:
    description:
      - Name of every subscription whose item does not name its own, 1 to 255 characters.
    type: str
    required: true
  events:
    description:
      - Events of every subscription whose item does not list its own, as O(skillops.alexa.sdns_subscription#module:events)
        takes them.
    type: list
    elements: str
  subscriptions:
    description:
      - The subscriptions to the subscriber, one per publishing vendor and name.
    type: list
    elements: dict
    required: true
    suboptions:
      vendor_id:
        description:
          - The publishing vendor, whose skills' events are delivered.
        type: str
        required: true
      name:
        description:
          - Name of this subscription. Defaults to O(name).
        type: str
      events:
        description:
          - Events of this subscription. Defaults to O(events).
        type: list
        elements: str
  purge:
    description:
      - Delete the subscriptions to O(subscriber_id) that no item declares, whatever their name.
      - Needs O(vendor_id) to be the vendor that owns the subscriber, so that one list shows every
        subscription to it.
    type: bool
    default: false
  max_concurrency:
    description:
      - The most requests in flight at once; C(1) sends them one after another.
    type: int
    default: 8
'''

EXAMPLES = r'''
- name: Subscribe every developer vendor of the organization to its subscriber
  skillops.alexa.sdns_subscriptions:
    vendor_id: M1ORGVENDOR
    subscriber_id: "{{ subscriber.subscriber.subscriber_id }}"
    name: org-notifications
    events: [AlexaDevelopmentEvent.All]
    subscriptions: "{{ developer_vendor_ids | map('community.general.dict_kv', 'vendor_id') | list }}"
    purge: true
  register: converged

- name: Reviews too, for one vendor
  skillops.alexa.sdns_subscriptions:
    vendor_id: M1ORGVENDOR
    subscriber_id: "{{ subscriber.subscriber.subscriber_id }}"
    name: org-notifications
    events: [AlexaDevelopmentEvent.All]
    subscriptions:
      - vendor_id: M2DEVVENDOR1
      - vendor_id: M2DEVVENDOR2
        events: [AlexaDevelopmentEvent.All, AlexaCustomerFeedbackEvent.SkillReviewPublish]
'''

RETURN = r'''
subscriptions:
  description:
    - The declared subscriptions after the task, in the shape M(skillops.alexa.sdns_subscription) returns, those that
      failed to be created left out. In check mode, what they would be (a new one without ID).
  returned: always
  type: list
  elements: dict
results:
  description: What was done for each item, in the order declared, followed by the subscriptions O(purge) deleted.
  returned: always
  type: list
  elements: dict
  contains:
    vendor_id:
      description: The publishing vendor.
      type: str
    name:
      description: The subscription's name.
      type: str
    subscription_id:
      description: The subscription's ID; none for one that is not created (yet).
      type: str
    action:
      description: C(created), C(updated), C(unchanged), C(deleted) or C(failed). In check mode, what would be done.
      type: str
    msg:
      description: Why the item failed; empty otherwise.
      type: str
summary:
  description: How many items ended in each action.
  returned: always
  type: dict
  sample: {created: 990, updated: 0, unchanged: 10, deleted: 2, failed: 0}
removed_duplicates:
  description:
    - IDs of subscriptions this run created and removed again, because a concurrent run created the same one at the same
      time and the other copy was kept (see the notes). A warning says so too. Almost always empty.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.skillops.alexa.plugins.module_utils._bulk import (
    ACTIONS, declared_items, fan_out, plan_set)
from ansible_collections.skillops.alexa.plugins.module_utils._errors import Conflict, ValidationError
from ansible_collections.skillops.alexa.plugins.module_utils._module import SmapiModule, explain
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import (
    SUBSCRIPTIONS_PATH, find_subscriber, list_subscriptions, refuse_foreign_subscriber, subscription_body,
    subscription_view, subscriptions_named)


def main():
    module = SmapiModule(dict(
        subscriber_id=dict(type='str', required=True),
        name=dict(type='str', required=True),
        events=dict(type='list', elements='str'),
        subscriptions=dict(type='list', elements='dict', required=True, options=dict(
            vendor_id=dict(type='str', required=True),
            name=dict(type='str'),
            events=dict(type='list', elements='str'),
        )),
        purge=dict(type='bool', default=False),
        max_concurrency=dict(type='int', default=8),
    ))
    module.run(lambda: converge(module))


def converge(module):
    params = module.params
    subscriber_id, owner_vendor, workers = params['subscriber_id'], params['vendor_id'], params['max_concurrency']
    if not subscriber_id:
        raise ValidationError('subscriber_id must not be empty: give the ID of the subscriber that receives the events')
    if workers < 1:
        raise ValidationError('max_concurrency must be 1 or more (1 sends one request at a time); got %d' % workers)
    if params['purge'] and not owner_vendor:
        raise ValidationError('purge needs vendor_id (or the environment variable ASK_VENDOR_ID) set to the vendor that '
                              'owns subscriber_id, so that one list shows every subscription to it')
    items = declared_items(params['subscriptions'], params['name'], params['events'])
    smapi = module.smapi

    subscriber = find_subscriber(smapi, owner_vendor, subscriber_id=subscriber_id) if owner_vendor else None
    refuse_foreign_subscriber(subscriber, module.minting_client_id, subscriber_id)
    if params['purge'] and subscriber is None:
        raise Conflict('purge: vendor_id %s does not own subscriber_id %s, so no single list shows every subscription to '
                       'it; set vendor_id to the vendor that owns the subscriber' % (owner_vendor, subscriber_id))

    def read_current():
        """The subscriptions to the subscriber as they are, and the vendors whose could not be read."""
        if subscriber:
            found = list_subscriptions(smapi, owner_vendor, subscriber_id)
            return [subscription_view(info) for info in found], {}
        vendor_ids = sorted(set(item.vendor_id for item in items))
        listed = fan_out(lambda vendor_id: list_subscriptions(smapi, vendor_id, subscriber_id), vendor_ids, workers)
        views = dict((info['subscriptionId'], subscription_view(info))
                     for found, dummy in listed for info in found or () if info.get('subscriberId') == subscriber_id)
        return list(views.values()), dict((vendor_id, error) for vendor_id, (dummy, error) in zip(vendor_ids, listed) if error)

    current, unreadable = read_current()
    steps = [step._replace(action='failed', error=unreadable[step.vendor_id]) if step.vendor_id in unreadable else step
             for step in plan_set(items, current, subscriber_id, params['purge'])]

    def apply(step):
        if step.action == 'created':
            def twins():
                return [twin['subscriptionId'] for twin in subscriptions_named(smapi, step.vendor_id, subscriber_id, step.name)]
            return smapi.create(SUBSCRIPTIONS_PATH, subscription_body(step.after, with_ids=True), twins, settle=False).id
        path = '%s/%s' % (SUBSCRIPTIONS_PATH, step.before['subscription_id'])
        if step.action == 'updated':
            smapi.put(path, subscription_body(step.after, with_ids=False))
        else:
            smapi.delete_if_exists(path)
        return step.before['subscription_id']

    # The subscription ID each step ended with, by the step's index.
    ids = dict((index, (step.before or {}).get('subscription_id')) for index, step in enumerate(steps))
    if not module.check_mode:
        writes = [index for index, step in enumerate(steps) if step.action in ('created', 'updated', 'deleted')]
        for index, (subscription_id, error) in zip(writes, fan_out(lambda index: apply(steps[index]), writes, workers)):
            if error:
                steps[index] = steps[index]._replace(action='failed', error=error)
            else:
                ids[index] = subscription_id
        created = [index for index in writes if steps[index].action == 'created']
        for index, outcome in settle(smapi, steps, ids, created, read_current):
            ids[index] = outcome.id
            module.report_settled('subscription', outcome)

    results, final = [], dict((view['subscription_id'], view) for view in current)
    for index, step in enumerate(steps):
        results.append(dict(vendor_id=step.vendor_id, name=step.name, subscription_id=ids[index], action=step.action,
                            msg=explain(step.error) if step.error else ''))
        if step.action == 'deleted':
            final.pop(ids[index], None)
        elif step.action in ('created', 'updated'):
            # A create that check mode predicts has no ID yet.
            final[ids[index] or index] = dict(step.after, subscription_id=ids[index])
    declared = set((item.vendor_id, item.name) for item in items)
    outcome = dict(
        changed=any(result['action'] in ('created', 'updated', 'deleted') for result in results),
        subscriptions=_sorted(view for view in final.values() if (view['vendor_id'], view['name']) in declared),
        results=results, removed_duplicates=module.removed_duplicates,
        summary=dict((action, sum(1 for result in results if result['action'] == action)) for action in ACTIONS),
        diff=dict(before=dict(subscriptions=_sorted(current)), after=dict(subscriptions=_sorted(final.values()))))
    failed = [result for result in results if result['action'] == 'failed']
    if failed:
        module.fail_json(msg='%d of %d subscriptions failed: %s' % (len(failed), len(results), '; '.join(
            'vendor_id %s, name %r: %s' % (result['vendor_id'], result['name'], result['msg']) for result in failed)),
            **outcome)
    module.exit_json(**outcome)


def settle(smapi, steps, ids, created, read_current):
    """Settle the races of this run's creates (see the notes) in one lookup for all of them: the
    (index, Created) of each create."""
    if not created:
        return []

    def all_twins():
        twins = {}
        for view in read_current()[0]:
            twins.setdefault((view['vendor_id'], view['name']), []).append(view['subscription_id'])
        return twins

    identities = dict((index, (steps[index].vendor_id, steps[index].name)) for index in created)
    settled = smapi.settle_many(SUBSCRIPTIONS_PATH, dict((identities[index], ids[index]) for index in created), all_twins)
    return [(index, settled[identities[index]]) for index in created]


def _sorted(views):
    return sorted(views, key=lambda view: (view['vendor_id'], view['name'], view['subscription_id'] or ''))


if __name__ == '__main__':
    main()
