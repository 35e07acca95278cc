# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import time

import pytest

from ansible_collections.skillops.alexa.plugins.module_utils._bulk import (
    Item, apply_steps, declared_items, fan_out, plan_set, read_set, settle_creates)
from ansible_collections.skillops.alexa.plugins.module_utils._errors import Ambiguous, ApiError, NotFound, ValidationError
from ansible_collections.skillops.alexa.plugins.module_utils._smapi import Created

ALL = 'AlexaDevelopmentEvent.All'
PUBLISH = 'AlexaDevelopmentEvent.SkillPublish'
SUBSCRIBER = 'amzn1.ask-subscriber.1'


def view(vendor_id, name='org', events=(ALL,), subscription_id=None):
    return dict(subscription_id=subscription_id or 'sub-%s-%s' % (vendor_id, name), name=name,
                subscriber_id=SUBSCRIBER, vendor_id=vendor_id, events=list(events))


# --- declared_items -----------------------------------------------------------------------------

def test_items_take_the_tasks_name_and_events_unless_they_have_their_own():
    items = declared_items([{'vendor_id': 'V1'}, {'vendor_id': 'V2', 'name': 'mine', 'events': ['alexadevelopmentevent.skillpublish']}],
                           'org', ['AlexaDevelopmentEvent.ALL'])
    assert items == [Item('V1', 'org', [ALL]), Item('V2', 'mine', [PUBLISH])]


@pytest.mark.parametrize('subscriptions, events, message', [
    ([{'vendor_id': 'V1'}, {'vendor_id': 'V1', 'name': 'org'}], [ALL],
     "subscriptions[1] repeats subscriptions[0] (vendor_id V1, name 'org'): declare each vendor_id and name once"),
    ([{'vendor_id': 'V1'}], None,
     'subscriptions[0].events is not set and neither is events: give the task events for every item, or the item its own'),
    ([{'vendor_id': 'V1'}, {'vendor_id': 'V2', 'events': ['Nope']}], [ALL],
     "subscriptions[1].events: unknown event 'Nope'; valid events:"),
    ([{'vendor_id': 'V1', 'name': 'x' * 256}], [ALL], 'subscriptions[0].name is 256 characters long; SMAPI accepts at most 255'),
])
def test_a_bad_item_is_refused_naming_its_index_and_field(subscriptions, events, message):
    # (the task's name is 'org')
    with pytest.raises(ValidationError) as caught:
        declared_items(subscriptions, 'org', events)
    assert str(caught.value).startswith(message)


# --- plan_set -------------------------------------------------------------------------------------

def test_plan_set_compares_each_item_with_its_identity():
    items = [Item('V1', 'org', [ALL]), Item('V2', 'org', [ALL]), Item('V3', 'org', [PUBLISH])]
    current = [view('V1'), view('V2', events=[PUBLISH]), view('V4'), view('V1', name='theirs')]
    steps = plan_set(items, current, SUBSCRIBER, purge=False)
    assert [(step.action, step.vendor_id) for step in steps] == [('unchanged', 'V1'), ('updated', 'V2'), ('created', 'V3')]
    assert steps[1].before == view('V2', events=[PUBLISH]) and steps[1].after == view('V2')
    assert steps[2].before is None
    assert steps[2].after == dict(name='org', subscriber_id=SUBSCRIBER, vendor_id='V3', events=[PUBLISH])


def test_purge_deletes_every_undeclared_subscription_to_the_subscriber():
    current = [view('V1'), view('V4'), view('V1', name='theirs')]
    steps = plan_set([Item('V1', 'org', [ALL])], current, SUBSCRIBER, purge=True)
    assert [(step.action, step.vendor_id, step.name) for step in steps] == [
        ('unchanged', 'V1', 'org'), ('deleted', 'V1', 'theirs'), ('deleted', 'V4', 'org')]
    assert steps[2].before == view('V4') and steps[2].after is None


def test_purge_names_leaves_undeclared_subscriptions_of_other_names_alone():
    current = [view('V1'), view('V4'), view('V1', name='theirs'), view('V5', name='theirs')]
    steps = plan_set([Item('V1', 'org', [ALL])], current, SUBSCRIBER, purge=True, purge_names=['org'])
    assert [(step.action, step.vendor_id, step.name) for step in steps] == [
        ('unchanged', 'V1', 'org'), ('deleted', 'V4', 'org')]


def test_twins_of_an_identity_fail_that_item_only():
    current = [view('V1', subscription_id='s2'), view('V1', subscription_id='s1')]
    steps = plan_set([Item('V1', 'org', [ALL]), Item('V2', 'org', [ALL])], current, SUBSCRIBER, purge=True)
    assert [step.action for step in steps] == ['failed', 'created']
    assert isinstance(steps[0].error, Ambiguous) and steps[0].error.ids == ['s1', 's2']
    assert str(steps[0].error) == ("2 subscriptions are named 'org' (s1, s2); delete the extra ones "
                                   "(skillops.alexa.sdns_subscription with subscription_id and state=absent)")


def test_an_item_without_a_name_needs_the_tasks():
    assert declared_items([{'vendor_id': 'V1', 'name': 'own'}], None, [ALL]) == [Item('V1', 'own', [ALL])]
    with pytest.raises(ValidationError) as caught:
        declared_items([{'vendor_id': 'V1', 'name': 'own'}, {'vendor_id': 'V2'}], None, [ALL])
    assert str(caught.value) == ('subscriptions[1].name is not set and neither is name: give the task a name for every '
                                 'item, or the item its own')


class Lists:
    """SmapiClient.paginate for list_subscriptions: scripted pages by vendor."""

    def __init__(self, by_vendor):
        self.by_vendor = by_vendor
        self.asked = []

    def paginate(self, path, item_key, id_key, params=None):
        self.asked.append(params['vendorId'])
        answer = self.by_vendor[params['vendorId']]
        if isinstance(answer, Exception):
            raise answer
        return iter(answer)


def _info(subscription_id, vendor_id, subscriber_id=SUBSCRIBER):
    return dict(subscriptionId=subscription_id, name='org', subscriberId=subscriber_id, vendorId=vendor_id, events=[ALL])


def test_read_set_keeps_only_the_subscriptions_to_the_subscriber():
    # Whatever else the owner's list holds (its subscriptions to another subscriber), only these count.
    smapi = Lists({'OWNER': [_info('s1', 'V1'), _info('s2', 'OWNER', 'amzn1.ask-subscriber.other')]})
    views, unreadable = read_set(smapi, SUBSCRIBER, 'OWNER', ['V1'], workers=4)
    assert [view['subscription_id'] for view in views] == ['s1'] and unreadable == {}
    assert smapi.asked == ['OWNER']


def test_read_set_without_the_owner_lists_each_vendor_and_names_the_unreadable():
    denied = ApiError('denied', status=403, method='GET', path='/v0/developmentEvents/subscriptions')
    smapi = Lists({'V1': [_info('s1', 'V1')], 'V2': [_info('s1', 'V1'), _info('s2', 'V2')], 'V3': denied})
    views, unreadable = read_set(smapi, SUBSCRIBER, None, ['V1', 'V2', 'V3'], workers=2)
    assert sorted(view['subscription_id'] for view in views) == ['s1', 's2']
    assert unreadable == {'V3': denied}


# --- fan_out --------------------------------------------------------------------------------------

def test_fan_out_keeps_the_order_and_each_items_error():
    def work(n):
        if n == 3:
            raise NotFound('no %d' % n)
        time.sleep(0.01 * (5 - n))
        return n * 10

    outcomes = fan_out(work, [1, 2, 3, 4], workers=4)
    assert [value for value, dummy in outcomes] == [10, 20, None, 40]
    assert [str(error) if error else None for dummy, error in outcomes] == [None, None, 'no 3', None]


def test_fan_out_runs_at_most_workers_at_once(overlap):
    work = overlap()
    fan_out(work, list(range(12)), workers=3)
    assert work.peak == 3
    work = overlap()
    fan_out(work, list(range(4)), workers=1)
    assert work.peak == 1


def test_fan_out_lets_a_bug_end_the_task():
    with pytest.raises(KeyError):
        fan_out(lambda n: {}[n], [1, 2], workers=2)


class Writes:
    """The SmapiClient calls of apply_steps and settle_creates: creates answer from ``created`` by
    vendor; settle_many is recorded and keeps each run's own ID."""

    def __init__(self, created):
        self.created = created
        self.settled = []

    def create(self, path, body, find_twins, settle=True):
        assert settle is False  # the bulk path settles all its creates together
        return self.created[body['vendorId']]

    def settle_many(self, path, created, find_all_twins, resent=()):
        self.settled.append((dict(created), set(resent)))
        return dict((identity, Created(own_id)) for identity, own_id in created.items())


def test_the_creates_sent_again_reach_the_settle_as_resent():
    steps = plan_set([Item('V1', 'org', [ALL]), Item('V2', 'org', [ALL])], [], SUBSCRIBER, purge=False)
    smapi = Writes({'V1': Created('s1'), 'V2': Created('s2', resent=True)})
    ids, steps, resent = apply_steps(smapi, SUBSCRIBER, steps, {0: None, 1: None}, workers=2)
    assert ids == {0: 's1', 1: 's2'} and resent == {1}
    settled = settle_creates(smapi, steps, ids, lambda: ([], {}), resent)
    assert settled == [(0, Created('s1')), (1, Created('s2'))]
    assert smapi.settled == [({('V1', 'org'): 's1', ('V2', 'org'): 's2'}, {('V2', 'org')})]
