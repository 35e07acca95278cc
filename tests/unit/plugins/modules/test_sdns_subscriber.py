# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""sdns_subscriber's branches, each run through main() against the in-memory SMAPI of conftest.py:
what it returns, its diff, and exactly which requests it sends."""

import pytest

from ansible_collections.skillops.alexa.plugins.modules import sdns_subscriber
from ansible_collections.skillops.alexa.tests.unit.plugins.modules.smapi_fake import (
    CLI_PROFILE, FOREIGN, REFRESH, ROLE, SUBSCRIBERS, TOPIC, VENDOR, warning_texts)

NAME = 'skill-events'
OTHER_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alexa-sdns-eu'
LIST = ('GET', SUBSCRIBERS, None)


@pytest.fixture
def run(task_of):
    return task_of(sdns_subscriber, vendor_id=VENDOR, name=NAME, topic_arn=TOPIC, role_arn=ROLE)


def body(name=NAME, topic_arn=TOPIC, **extra):
    return dict(name=name, endpoint=dict(uri=topic_arn, authorization=dict(type='AWS_IAM', arn=ROLE)), **extra)


def view(subscriber_id, client_id, name=NAME, topic_arn=TOPIC, status='ACTIVE'):
    return dict(subscriber_id=subscriber_id, name=name, vendor_id=VENDOR, status=status, client_id=client_id,
                topic_arn=topic_arn, role_arn=ROLE)


def test_creates_a_subscriber_and_reports_it_as_sdns_stored_it(run, smapi):
    result = run()

    [new_id] = smapi.subscribers
    created = view(new_id, smapi.client_id)
    assert result['changed'] is True
    assert result['subscriber'] == created
    assert result['diff'] == dict(before={}, after=created)
    assert result['removed_duplicates'] == []
    # Look, create, look for a concurrent run's twin a second later, read back.
    assert smapi.sent() == [LIST, ('POST', SUBSCRIBERS, body(vendorId=VENDOR)), LIST, LIST]
    assert smapi.requests[0].query == dict(vendorId=VENDOR, maxResults='50')
    assert smapi.pauses == [1.0]


def test_a_second_run_with_the_same_values_changes_nothing(run, smapi):
    run()
    del smapi.requests[:]

    result = run()

    [subscriber_id] = smapi.subscribers
    assert result['changed'] is False
    assert result['subscriber'] == view(subscriber_id, smapi.client_id)
    assert result['diff']['before'] == result['diff']['after'] == result['subscriber']
    assert smapi.sent() == [LIST]


def test_check_mode_predicts_the_create_and_sends_no_write(run, smapi):
    result = run(_ansible_check_mode=True)

    predicted = dict(name=NAME, vendor_id=VENDOR, topic_arn=TOPIC, role_arn=ROLE, status='ACTIVE')
    assert result['changed'] is True
    assert result['subscriber'] == predicted
    assert result['diff'] == dict(before={}, after=predicted)
    assert smapi.sent() == [LIST]
    assert smapi.subscribers == {}


def test_a_new_subscriber_sdns_could_not_deliver_to_is_returned_inactive_with_a_warning(run, smapi):
    smapi.new_subscriber_status = 'INACTIVE'

    result = run()

    [new_id] = smapi.subscribers
    assert result['changed'] is True
    assert result['subscriber']['status'] == 'INACTIVE'
    assert ('Subscriber %s is INACTIVE: SDNS could not publish to %s. Check that the topic exists, that the role trusts '
            '258925066295 with external ID %s' % (new_id, TOPIC, VENDOR)) in warning_texts(result)[0]


def test_a_rerun_finds_its_subscriber_on_the_last_page_and_changes_nothing(run, smapi):
    smapi.page_size = 2
    for number in range(1, 5):
        smapi.add_subscriber(VENDOR, 'paged-%d' % number, TOPIC, ROLE)
    subscriber_id = smapi.add_subscriber(VENDOR, NAME, TOPIC, ROLE)

    result = run()

    assert result['changed'] is False
    assert result['subscriber'] == view(subscriber_id, smapi.client_id)
    assert smapi.sent() == [LIST, LIST, LIST]
    assert [request.query.get('nextToken') for request in smapi.requests] == [None, 'offset-2', 'offset-4']


def test_a_name_two_subscribers_share_is_refused_naming_both_before_any_write(run, smapi):
    first = smapi.add_subscriber(VENDOR, NAME, TOPIC, ROLE)
    second = smapi.add_subscriber(VENDOR, NAME, OTHER_TOPIC, ROLE)

    result = run(state='absent')

    assert result['failed'] is True
    assert result['msg'] == "2 subscribers are named %r (%s, %s); name the one to manage with its ID" % (NAME, first, second)
    # Twins may be concurrent creates still settling: it looks once more, after they had the time to.
    assert smapi.sent() == [LIST, LIST]
    assert smapi.pauses == [2.0]
    assert set(smapi.subscribers) == {first, second}


def test_updates_the_endpoint_of_the_subscriber_of_that_name(run, smapi):
    subscriber_id = smapi.add_subscriber(VENDOR, NAME, TOPIC, ROLE)

    result = run(topic_arn=OTHER_TOPIC)

    path = '%s/%s' % (SUBSCRIBERS, subscriber_id)
    # An update sends no vendorId: the subscriber keeps its vendor.
    assert smapi.sent() == [LIST, ('PUT', path, body(topic_arn=OTHER_TOPIC)), LIST]
    assert result['changed'] is True
    assert result['diff'] == dict(before=view(subscriber_id, smapi.client_id),
                                  after=view(subscriber_id, smapi.client_id, topic_arn=OTHER_TOPIC))
    assert result['subscriber'] == result['diff']['after']
    assert smapi.subscribers[subscriber_id]['endpoint']['uri'] == OTHER_TOPIC


def test_renames_the_subscriber_found_by_its_id(run, smapi):
    subscriber_id = smapi.add_subscriber(VENDOR, 'old-name', TOPIC, ROLE)

    result = run(subscriber_id=subscriber_id, name='new-name')

    assert smapi.sent() == [LIST, ('PUT', '%s/%s' % (SUBSCRIBERS, subscriber_id), body(name='new-name')), LIST]
    assert result['changed'] is True
    assert (result['diff']['before']['name'], result['diff']['after']['name']) == ('old-name', 'new-name')
    assert result['subscriber'] == view(subscriber_id, smapi.client_id, name='new-name')


def test_check_mode_predicts_the_update_and_sends_no_write(run, smapi):
    subscriber_id = smapi.add_subscriber(VENDOR, NAME, TOPIC, ROLE)

    result = run(topic_arn=OTHER_TOPIC, _ansible_check_mode=True)

    assert smapi.sent() == [LIST]
    assert result['changed'] is True
    assert result['diff'] == dict(before=view(subscriber_id, smapi.client_id),
                                  after=view(subscriber_id, smapi.client_id, topic_arn=OTHER_TOPIC))
    assert smapi.subscribers[subscriber_id]['endpoint']['uri'] == TOPIC


def test_an_inactive_subscriber_is_reactivated_by_an_update_with_the_same_values(run, smapi):
    subscriber_id = smapi.add_subscriber(VENDOR, NAME, TOPIC, ROLE, status='INACTIVE')

    result = run()

    assert smapi.sent() == [LIST, ('PUT', '%s/%s' % (SUBSCRIBERS, subscriber_id), body()), LIST]
    assert result['changed'] is True
    assert result['diff'] == dict(before=view(subscriber_id, smapi.client_id, status='INACTIVE'),
                                  after=view(subscriber_id, smapi.client_id, status='ACTIVE'))
    assert smapi.subscribers[subscriber_id]['status'] == 'ACTIVE'
    assert warning_texts(result) == []


def test_check_mode_predicts_the_reactivation_and_sends_no_write(run, smapi):
    subscriber_id = smapi.add_subscriber(VENDOR, NAME, TOPIC, ROLE, status='INACTIVE')

    result = run(_ansible_check_mode=True)

    assert smapi.sent() == [LIST]
    assert result['changed'] is True
    assert (result['diff']['before']['status'], result['diff']['after']['status']) == ('INACTIVE', 'ACTIVE')
    assert smapi.subscribers[subscriber_id]['status'] == 'INACTIVE'


def test_reactivate_false_leaves_an_inactive_subscriber_alone(run, smapi):
    subscriber_id = smapi.add_subscriber(VENDOR, NAME, TOPIC, ROLE, status='INACTIVE')

    result = run(reactivate=False)

    assert smapi.sent() == [LIST]
    assert result['changed'] is False
    assert result['subscriber'] == view(subscriber_id, smapi.client_id, status='INACTIVE')


@pytest.mark.parametrize('task', [
    dict(topic_arn=OTHER_TOPIC),
    dict(topic_arn=OTHER_TOPIC, _ansible_check_mode=True),
    dict(state='absent'),
    dict(state='absent', _ansible_check_mode=True),
], ids=['update', 'update in check mode', 'delete', 'delete in check mode'])
def test_a_subscriber_of_another_security_profile_is_refused_before_any_write(run, smapi, task):
    subscriber_id = smapi.add_subscriber(VENDOR, NAME, TOPIC, ROLE, client_id=CLI_PROFILE)

    result = run(lwa_client_id=smapi.client_id, **dict(REFRESH, **task))

    assert result['failed'] is True
    assert result['msg'] == FOREIGN % (subscriber_id, CLI_PROFILE, smapi.client_id)
    assert smapi.sent() == [LIST]
    assert smapi.subscribers[subscriber_id]['endpoint']['uri'] == TOPIC


def test_a_subscriber_of_another_security_profile_declared_as_it_is_is_no_change(run, smapi):
    subscriber_id = smapi.add_subscriber(VENDOR, NAME, TOPIC, ROLE, client_id=CLI_PROFILE)

    result = run(lwa_client_id=smapi.client_id, **REFRESH)

    assert not result.get('failed')
    assert result['changed'] is False
    assert result['subscriber'] == view(subscriber_id, CLI_PROFILE)
    assert smapi.sent() == [LIST]


def test_an_unknown_subscriber_id_fails_and_creates_nothing(run, smapi):
    smapi.add_subscriber(VENDOR, NAME, TOPIC, ROLE)

    result = run(subscriber_id='amzn1.ask-subscriber.gone')

    assert result['failed'] is True
    assert result['msg'] == ('subscriber_id amzn1.ask-subscriber.gone: no such subscriber under vendor %s; check '
                             'subscriber_id and vendor_id, or omit subscriber_id to create a subscriber called name' % VENDOR)
    assert smapi.sent() == [LIST]


def test_absent_deletes_the_subscriber(run, smapi):
    subscriber_id = smapi.add_subscriber(VENDOR, NAME, TOPIC, ROLE)

    result = run(state='absent')

    assert smapi.sent() == [LIST, ('DELETE', '%s/%s' % (SUBSCRIBERS, subscriber_id), None)]
    assert result['changed'] is True
    assert result['diff'] == dict(before=view(subscriber_id, smapi.client_id), after={})
    assert result['subscriber'] == {}
    assert smapi.subscribers == {}


def test_check_mode_predicts_the_delete_and_sends_no_write(run, smapi):
    subscriber_id = smapi.add_subscriber(VENDOR, NAME, TOPIC, ROLE)

    result = run(state='absent', _ansible_check_mode=True)

    assert smapi.sent() == [LIST]
    assert result['changed'] is True
    assert result['diff'] == dict(before=view(subscriber_id, smapi.client_id), after={})
    assert subscriber_id in smapi.subscribers


@pytest.mark.parametrize('task', [dict(), dict(subscriber_id='amzn1.ask-subscriber.gone')], ids=['by name', 'by id'])
def test_absent_when_already_absent_is_no_change(run, smapi, task):
    smapi.add_subscriber(VENDOR, 'another-subscriber', TOPIC, ROLE)

    result = run(state='absent', **task)

    assert smapi.sent() == [LIST]
    assert result['changed'] is False
    assert result['diff'] == dict(before={}, after={})
    assert len(smapi.subscribers) == 1


def test_swapped_arns_are_refused_before_any_request(run, smapi):
    result = run(topic_arn=ROLE, role_arn=TOPIC)

    assert result['failed'] is True
    assert result['msg'] == ("topic_arn must be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:alexa-sdns; got "
                             "%r (it is an IAM role ARN: did you swap topic_arn and role_arn?)" % ROLE)
    assert smapi.sent() == []


def test_a_refused_update_fails_with_smapis_message_its_hint_and_the_facts(run, smapi):
    subscriber_id = smapi.add_subscriber(VENDOR, NAME, TOPIC, ROLE)
    path = '%s/%s' % (SUBSCRIBERS, subscriber_id)
    smapi.refuse('PUT', path, 403, 'Access denied.')

    result = run(topic_arn=OTHER_TOPIC)

    assert result['failed'] is True
    # SMAPI's own words first, then a hint that names what to check.
    failure = 'PUT %s failed (HTTP 403): Access denied. ' % path
    assert result['msg'].startswith(failure)
    assert 'vendor_id' in result['msg'][len(failure):] and 'security profile' in result['msg'][len(failure):]
    assert (result['error']['method'], result['error']['path'], result['error']['status']) == ('PUT', path, 403)
    assert smapi.sent() == [LIST, ('PUT', path, body(topic_arn=OTHER_TOPIC))]
