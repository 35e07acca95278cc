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
  - Items that fail do not stop the others. The task then fails naming the failed items (the first ten in
    the message, all in RV(results)); running it again completes the rest.
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
      - Required unless every item names its own.
    type: str
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
      - Delete the subscriptions to O(subscriber_id) that no item declares, whatever their name unless
        O(purge_names) is given.
      - Needs O(vendor_id) to be the vendor that owns the subscriber, so that one list shows every
        subscription to it.
    type: bool
    default: false
  purge_names:
    description:
      - With O(purge), delete only the undeclared subscriptions with one of these names, and leave those
        under other names alone, for example the ones developers made themselves.
      - Without it, O(purge) deletes every undeclared subscription.
    type: list
    elements: str
  max_concurrency:
    description:
      - The most requests in flight at once; C(1) sends them one after another.
      - Below it, the number in flight adapts to throttling. A 429 halves it, and it grows back by one after
        as many successes in a row. A C(Retry-After) holds every new request until then.
      - Under this limit a throttled request is retried up to 20 more times than O(retry_attempts) allows, since
        a 429 then means "slower", not "failed".
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
    - IDs of subscriptions removed because the same one was created twice at the same time, by a concurrent run or by a retry
      whose first attempt was stored after its response was lost, and the other copy was kept (see the notes). A
      warning says so too. Almost always empty.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.skillops.alexa.plugins.module_utils._bulk import (
    apply_steps, declared_items, plan_set, read_set, report, settle_creates)
from ansible_collections.skillops.alexa.plugins.module_utils._errors import Conflict, SkillopsError, ValidationError
from ansible_collections.skillops.alexa.plugins.module_utils._config import explain
from ansible_collections.skillops.alexa.plugins.module_utils._module import SmapiModule
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import find_subscriber, refuse_foreign_subscriber

# The failure message names this many failed items; results holds them all.
FAILURES_NAMED = 10


def main():
    module = SmapiModule(dict(
        subscriber_id=dict(type='str', required=True),
        name=dict(type='str'),
        events=dict(type='list', elements='str'),
        subscriptions=dict(type='list', elements='dict', required=True, options=dict(
            vendor_id=dict(type='str', required=True),
            name=dict(type='str'),
            events=dict(type='list', elements='str'),
        )),
        purge=dict(type='bool', default=False),
        purge_names=dict(type='list', elements='str'),
        max_concurrency=dict(type='int', default=8),
    ))
    module.run(lambda: converge(module))


def converge(module):
    params = module.params
    subscriber_id, vendor_id, workers = params['subscriber_id'], params['vendor_id'], params['max_concurrency']
    if not subscriber_id:
        raise ValidationError('subscriber_id must not be empty: give the ID of the subscriber that receives the events')
    if workers < 1:
        raise ValidationError('max_concurrency must be 1 or more (1 sends one request at a time); got %d' % workers)
    if params['purge_names'] is not None and not params['purge']:
        raise ValidationError('purge_names takes effect only with purge: set purge to true, or leave purge_names out')
    if params['purge'] and not vendor_id:
        raise ValidationError('purge needs vendor_id (or the environment variable ASK_VENDOR_ID) set to the vendor that '
                              'owns subscriber_id, so that one list shows every subscription to it')
    items = declared_items(params['subscriptions'], params['name'], params['events'])
    smapi = module.smapi

    # When the token's vendor owns the subscriber, one list shows every subscription to it.
    subscriber = find_subscriber(smapi, vendor_id, subscriber_id=subscriber_id) if vendor_id else None
    refuse_foreign_subscriber(subscriber, module.minting_client_id, subscriber_id)
    if params['purge'] and subscriber is None:
        raise Conflict('purge: vendor_id %s does not own subscriber_id %s, so no single list shows every subscription to '
                       'it; set vendor_id to the vendor that owns the subscriber' % (vendor_id, subscriber_id))
    owner = vendor_id if subscriber else None
    vendor_ids = sorted(set(item.vendor_id for item in items))

    def read():
        return read_set(smapi, subscriber_id, owner, vendor_ids, workers)

    current, unreadable = read()
    steps = [step._replace(action='failed', error=unreadable[step.vendor_id]) if step.vendor_id in unreadable else step
             for step in plan_set(items, current, subscriber_id, params['purge'], params['purge_names'])]
    # The subscription ID of each step, by its index; a create's comes when it is made.
    ids = dict((index, (step.before or {}).get('subscription_id')) for index, step in enumerate(steps))
    if not module.check_mode:
        ids, steps, resent = apply_steps(smapi, subscriber_id, steps, ids, workers)
        try:
            for index, created in settle_creates(smapi, steps, ids, read, resent):
                ids[index] = created.id
                module.report_settled('subscription', created)
        except SkillopsError as error:
            # The creates are done; only the look for a concurrent run's twins failed.
            module.warn('Could not look for subscriptions that a concurrent run created at the same time: %s. A rerun '
                        'finds and names any such twin.' % explain(error))

    outcome = dict(report(items, current, steps, ids, explain), removed_duplicates=module.removed_duplicates)
    failed = [result for result in outcome['results'] if result['action'] == 'failed']
    if failed:
        named = '; '.join('vendor_id %s, name %r: %s' % (result['vendor_id'], result['name'], result['msg'])
                          for result in failed[:FAILURES_NAMED])
        more = ' ... and %d more, each in results' % (len(failed) - FAILURES_NAMED) if len(failed) > FAILURES_NAMED else ''
        module.fail_json(msg='%d of %d subscriptions failed: %s%s' % (len(failed), len(outcome['results']), named, more),
                         **outcome)
    module.exit_json(**outcome)


if __name__ == '__main__':
    main()
