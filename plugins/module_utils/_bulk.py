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
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import (
    SUBSCRIPTIONS_PATH, list_subscriptions, normalize_events, plan, subscription_body, subscription_twin_ids,
    subscription_view, validate_name)
from ansible_collections.skillops.alexa.plugins.module_utils._smapi import Created

ACTIONS = ('created', 'updated', 'unchanged', 'deleted', 'failed')
WRITES = ('created', 'updated', 'deleted')

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
        item_name = declared.get('name') or name
        if item_name is None:
            raise ValidationError('%s.name is not set and neither is name: give the task a name for every item, or '
                                  'the item its own' % field)
        validate_name(item_name, field + '.name')
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


def by_identity(views):
    """The subscription views grouped by identity, (vendor_id, name); more than one is a set of twins."""
    grouped = {}
    for view in views:
        grouped.setdefault((view['vendor_id'], view['name']), []).append(view)
    return grouped


def plan_set(items, current, subscriber_id, purge, purge_names=None):
    """One step per declared item, and with ``purge`` one per subscription to the subscriber that no
    item declares (only those named in ``purge_names`` when it is given). ``current`` holds the
    subscription views as they are; each item is compared with the one helper every module uses
    (``plan``)."""
    existing = by_identity(current)
    steps = []
    for item in items:
        twins = existing.pop((item.vendor_id, item.name), [])
        if len(twins) > 1:
            error = Ambiguous('subscription', item.name, [twin['subscription_id'] for twin in twins],
                              fix='delete the extra ones (skillops.alexa.sdns_subscription with subscription_id and '
                                  'state=absent)')
            steps.append(Step('failed', item.vendor_id, item.name, None, None, error))
            continue
        before = twins[0] if twins else None
        wanted = dict(name=item.name, subscriber_id=subscriber_id, vendor_id=item.vendor_id, events=item.events)
        changed, after, dummy = plan(before, wanted)
        action = 'created' if before is None else 'updated' if changed else 'unchanged'
        steps.append(Step(action, item.vendor_id, item.name, before, after, None))
    if purge:
        for (vendor_id, name), views in sorted(existing.items()):
            if purge_names is None or name in purge_names:
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


def read_set(smapi, subscriber_id, owner_vendor, vendor_ids, workers):
    """The subscriptions to the subscriber as they are, with as few calls as SMAPI allows, and the
    vendors whose subscriptions could not be read (vendor_id: error).

    ``owner_vendor`` is the vendor that owns the subscriber, or None when the token's vendor does
    not: then one list per declared vendor, concurrently, instead of one list for all.
    """
    if owner_vendor:
        listed = [(list_subscriptions(smapi, owner_vendor, subscriber_id), None)]
    else:
        listed = fan_out(lambda vendor_id: list_subscriptions(smapi, vendor_id, subscriber_id), vendor_ids, workers)
    # Only those to this subscriber, whatever else a list may hold.
    views = dict((info['subscriptionId'], subscription_view(info))
                 for found, dummy in listed for info in found or () if info.get('subscriberId') == subscriber_id)
    unreadable = {} if owner_vendor else dict(
        (vendor_id, error) for vendor_id, (dummy, error) in zip(vendor_ids, listed) if error)
    return list(views.values()), unreadable


def apply_steps(smapi, subscriber_id, steps, ids, workers):
    """Carry out the writes of ``steps`` concurrently. Returns ``ids`` (the subscription ID of each
    step, by index) with the new ones, the steps with those that failed marked so, and the indexes
    of the creates sent again after a lost response (``Created.resent``). Creates are not settled
    here (see settle_creates)."""
    def apply(step):
        if step.action == 'created':
            def twins():
                return subscription_twin_ids(smapi, step.vendor_id, subscriber_id, step.name)
            return smapi.create(SUBSCRIPTIONS_PATH, subscription_body(step.after, with_ids=True), twins, settle=False)
        path = '%s/%s' % (SUBSCRIPTIONS_PATH, step.before['subscription_id'])
        if step.action == 'updated':
            smapi.put(path, subscription_body(step.after, with_ids=False))
        else:
            smapi.delete_if_exists(path)
        return Created(step.before['subscription_id'])

    ids, steps, resent = dict(ids), list(steps), set()
    writes = [index for index, step in enumerate(steps) if step.action in WRITES]
    for index, (written, error) in zip(writes, fan_out(lambda index: apply(steps[index]), writes, workers)):
        if error:
            steps[index] = steps[index]._replace(action='failed', error=error)
        else:
            ids[index] = written.id
            if written.resent:
                resent.add(index)
    return ids, steps, resent


def settle_creates(smapi, steps, ids, read, resent=()):
    """Settle the races of this run's creates with concurrent runs (SmapiClient.settle_many) in one
    lookup for all of them; ``read()`` is read_set's answer, ``resent`` apply_steps' indexes of
    creates sent again. Returns (index, Created) per create."""
    created = [index for index, step in enumerate(steps) if step.action == 'created' and ids[index]]
    if not created:
        return []

    def all_twins():
        return dict((identity, [view['subscription_id'] for view in views])
                    for identity, views in by_identity(read()[0]).items())

    identities = dict((index, (steps[index].vendor_id, steps[index].name)) for index in created)
    settled = smapi.settle_many(SUBSCRIPTIONS_PATH, dict((identities[index], ids[index]) for index in created), all_twins,
                                resent=set(identities[index] for index in created if index in resent))
    return [(index, settled[identities[index]]) for index in created]


def report(items, current, steps, ids, explain):
    """The module's result: the declared subscriptions after the task, one result per step, the
    counts by action, and the whole set before and after as the diff."""
    results, after = [], dict((view['subscription_id'], view) for view in current)
    for index, step in enumerate(steps):
        results.append(dict(vendor_id=step.vendor_id, name=step.name, subscription_id=ids[index], action=step.action,
                            msg=explain(step.error) if step.error else ''))
        if step.action == 'deleted':
            after.pop(ids[index], None)
        elif step.action in ('created', 'updated'):
            # A create that check mode predicts has no ID yet.
            after[ids[index] or index] = dict(step.after, subscription_id=ids[index])
    declared = set((item.vendor_id, item.name) for item in items)
    return dict(
        changed=any(result['action'] in WRITES for result in results),
        subscriptions=_sorted(view for view in after.values() if (view['vendor_id'], view['name']) in declared),
        results=results,
        summary=dict((action, sum(1 for result in results if result['action'] == action)) for action in ACTIONS),
        diff=dict(before=dict(subscriptions=_sorted(current)), after=dict(subscriptions=_sorted(after.values()))))


def _sorted(views):
    return sorted(views, key=lambda view: (view['vendor_id'], view['name'], view['subscription_id'] or ''))
