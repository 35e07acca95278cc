# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""A whole set of subscriptions to one subscriber: the declared items, the plan, and running it concurrently.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.skillops.alexa.plugins.module_utils._errors import Ambiguous, SkillopsError, ValidationError
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import normalize_events, plan, validate_name

ACTIONS = ('created', 'updated', 'unchanged', 'deleted', 'failed')

# One declared subscription: its identity is (vendor_id, name).
Item = namedtuple('Item', ['vendor_id', 'name', 'events'])
# What to do for one identity: ``before`` is the subscription as it is (None: none), ``after`` as it
# will be (None: deleted), ``error`` why it cannot be done.
Step = namedtuple('Step', ['action', 'vendor_id', 'name', 'before', 'after', 'error'])


def declared_items(subscriptions, name, events):
    """The declared subscriptions, each with its own or the task's name and events; every item is
    checked before any request, and a bad one is refused naming its index and field."""
    items, seen = [], {}
    for index, declared in enumerate(subscriptions):
        field = 'subscriptions[%d]' % index
        item_name = validate_name(declared.get('name') or name, field + '.name')
        item_events = declared.get('events') or events
        if not item_events:
            raise ValidationError('%s.events is not set and neither is events: give the task events for every item, '
                                  'or the item its own' % field)
        item = Item(declared['vendor_id'], item_name, normalize_events(item_events, field + '.events'))
        identity = (item.vendor_id, item.name)
        if identity in seen:
            raise ValidationError('%s repeats subscriptions[%d] (vendor_id %s, name %r): declare each vendor_id and '
                                  'name once' % (field, seen[identity], item.vendor_id, item.name))
        seen[identity] = index
        items.append(item)
    return items


def plan_set(items, current, subscriber_id, purge):
    """One step per declared item, and with ``purge`` one per subscription to the subscriber that no
    item declares. ``current`` holds the subscription views as they are; each item is compared with
    the one helper every module uses (``plan``)."""
    existing = {}
    for view in current:
        existing.setdefault((view['vendor_id'], view['name']), []).append(view)
    steps = []
    for item in items:
        twins = existing.pop((item.vendor_id, item.name), [])
        if len(twins) > 1:
            error = Ambiguous('subscription', item.name, [twin['subscription_id'] for twin in twins])
            steps.append(Step('failed', item.vendor_id, item.name, None, None, error))
            continue
        before = twins[0] if twins else None
        wanted = dict(name=item.name, subscriber_id=subscriber_id, vendor_id=item.vendor_id, events=item.events)
        changed, after, dummy = plan(before, wanted)
        action = 'created' if before is None else 'updated' if changed else 'unchanged'
        steps.append(Step(action, item.vendor_id, item.name, before, after, None))
    if purge:
        for (vendor_id, name), views in sorted(existing.items()):
            steps.extend(Step('deleted', vendor_id, name, view, None, None) for view in views)
    return steps


def fan_out(work, items, workers):
    """``work(item)`` for every item, at most ``workers`` at once, as (result, error) in item order.

    A SkillopsError is the item's outcome, so one item's failure does not stop the others; any
    other exception is a bug and ends the task.
    """
    def guarded(item):
        try:
            return work(item), None
        except SkillopsError as error:
            return None, error

    if workers <= 1 or len(items) <= 1:
        return [guarded(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(guarded, items))
