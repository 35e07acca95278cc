# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""sdns_subscriber_info's branches, each run through main() against the in-memory SMAPI of conftest.py:
every page of the vendor's subscribers is read, each filter (ID, name, status, security profile,
other_clients) and their combinations return exactly the subscribers they name, check mode reads as a
run does, nothing is ever written or reported changed, bad input is refused before any request naming
the option, and no secret shows in a result."""

import pytest

from ansible_collections.skillops.alexa.plugins.modules import sdns_subscriber_info
from ansible_collections.skillops.alexa.tests.unit.plugins.modules.smapi_fake import (
    CLI_PROFILE, REFRESH, ROLE, SUBSCRIBERS, TOPIC, VENDOR, FakeSmapi, run_refused_echoing_the_secrets, secrets_in)

LIST = ('GET', SUBSCRIBERS, None)
OURS = FakeSmapi.client_id


@pytest.fixture
def run(task_of):
    return task_of(sdns_subscriber_info, vendor_id=VENDOR)


def view(subscriber_id, name, status='ACTIVE', client_id=OURS):
    return dict(subscriber_id=subscriber_id, name=name, vendor_id=VENDOR, status=status, client_id=client_id,
                topic_arn=TOPIC, role_arn=ROLE)


@pytest.fixture
def paged(smapi):
    """Five subscribers of VENDOR served two a page, so on three pages; their views, in SMAPI's order."""
    smapi.page_size = 2
    return [view(smapi.add_subscriber(VENDOR, name, TOPIC, ROLE), name)
            for name in ('paged-1', 'paged-2', 'paged-3', 'paged-4', 'paged-5')]


@pytest.fixture
def mixed(smapi):
    """Subscribers of VENDOR, two a page: ACTIVE and INACTIVE ones of FakeSmapi.client_id's security profile
    and an ACTIVE one of the ASK CLI's; their views by name."""
    smapi.page_size = 2
    subscribers = [('ours-active', 'ACTIVE', OURS), ('ours-inactive', 'INACTIVE', OURS), ('cli-active', 'ACTIVE', CLI_PROFILE)]
    return dict((name, view(smapi.add_subscriber(VENDOR, name, TOPIC, ROLE, status=status, client_id=client_id), name,
                            status=status, client_id=client_id))
                for name, status, client_id in subscribers)


def test_lists_every_page_of_the_vendors_subscribers_and_changes_nothing(run, smapi, paged):
    result = run()

    assert result['changed'] is False
    assert result['subscribers'] == paged
    # The pages are asked for as large as SMAPI serves them, each after the token of the one before.
    assert smapi.sent() == [LIST, LIST, LIST]
    assert [request.query for request in smapi.requests] == [
        dict(vendorId=VENDOR, maxResults='50'),
        dict(vendorId=VENDOR, maxResults='50', nextToken='offset-2'),
        dict(vendorId=VENDOR, maxResults='50', nextToken='offset-4')]


def test_a_vendor_without_subscribers_lists_none(run, smapi):
    smapi.add_subscriber('M2DEVVENDOR1', 'of-another-vendor', TOPIC, ROLE)

    result = run()

    assert result['changed'] is False
    assert result['subscribers'] == []
    assert smapi.requests[0].query['vendorId'] == VENDOR


def test_vendor_id_is_taken_from_the_environment_when_not_given(run_module, smapi, paged, monkeypatch):
    monkeypatch.setenv('ASK_VENDOR_ID', VENDOR)

    result = run_module(sdns_subscriber_info, access_token=smapi.token)

    assert result['subscribers'] == paged
    assert smapi.requests[0].query['vendorId'] == VENDOR


def test_finds_one_by_name_on_the_last_page(run, smapi, paged):
    result = run(name='paged-5')

    assert result['changed'] is False
    assert result['subscribers'] == [paged[4]]
    assert smapi.sent() == [LIST, LIST, LIST]


def test_finds_one_by_id_as_by_its_name(run, paged):
    by_id = run(subscriber_id=paged[3]['subscriber_id'])

    assert by_id['subscribers'] == [paged[3]]
    assert run(name='paged-4')['subscribers'] == by_id['subscribers']


@pytest.mark.parametrize('task', [
    lambda paged: dict(subscriber_id='amzn1.ask-subscriber.unknown'),
    lambda paged: dict(name='no-such-name'),
    lambda paged: dict(subscriber_id=paged[0]['subscriber_id'], name='paged-2'),
], ids=['unknown id', 'unknown name', 'id of one and name of another'])
def test_what_matches_no_subscriber_is_an_empty_list_not_a_failure(run, smapi, paged, task):
    result = run(**task(paged))

    assert not result.get('failed'), result.get('msg')
    assert result['changed'] is False
    assert result['subscribers'] == []
    assert smapi.sent() == [LIST, LIST, LIST]


@pytest.mark.parametrize('task, names', [
    (dict(status='INACTIVE'), ['ours-inactive']),
    (dict(status='ACTIVE'), ['ours-active', 'cli-active']),
    (dict(client_id=CLI_PROFILE), ['cli-active']),
    (dict(client_id=OURS), ['ours-active', 'ours-inactive']),
    (dict(status='INACTIVE', client_id=OURS), ['ours-inactive']),
    (dict(status='INACTIVE', client_id=CLI_PROFILE), []),
    (dict(name='cli-active', status='ACTIVE'), ['cli-active']),
    (dict(name='cli-active', status='INACTIVE'), []),
], ids=['inactive', 'active', 'of the cli profile', 'of our profile', 'inactive of ours', 'inactive of the cli',
        'name and status', 'name and another status'])
def test_each_filter_and_their_combinations_return_exactly_the_subscribers_they_name(run, smapi, mixed, task, names):
    result = run(**task)

    assert result['changed'] is False
    assert result['subscribers'] == [mixed[name] for name in names]
    # Every page is read whatever the filter.
    assert smapi.sent() == [LIST, LIST]


@pytest.mark.parametrize('task, names', [
    (dict(lwa_client_id=OURS, **REFRESH), ['cli-active']),
    # With only an access token, lwa_client_id merely names the token's security profile.
    (dict(lwa_client_id=OURS), ['cli-active']),
    (dict(lwa_client_id=CLI_PROFILE, **REFRESH), ['ours-active', 'ours-inactive']),
    (dict(lwa_client_id=CLI_PROFILE, status='ACTIVE'), ['ours-active']),
], ids=['ours, refresh credentials', 'ours, access token only', 'the cli profile', 'the cli profile, active'])
def test_other_clients_leaves_out_the_subscribers_of_the_security_profile_in_use(run, smapi, mixed, task, names):
    result = run(other_clients=True, **task)

    assert result['changed'] is False
    assert result['subscribers'] == [mixed[name] for name in names]
    assert smapi.sent() == [LIST, LIST]
    assert secrets_in(result) == []


def test_check_mode_reads_as_a_run_does_and_writes_nothing(run, smapi, mixed):
    result = run(status='ACTIVE', _ansible_check_mode=True)

    assert not result.get('skipped'), result.get('msg')
    assert result['changed'] is False
    assert result['subscribers'] == [mixed['ours-active'], mixed['cli-active']]
    assert smapi.writes() == []


@pytest.mark.parametrize('lwa_client_id', [None, ''], ids=['not given', 'empty'])
def test_other_clients_without_lwa_client_id_is_refused_before_any_request(run, smapi, mixed, lwa_client_id):
    result = run(other_clients=True, lwa_client_id=lwa_client_id)

    assert result['failed'] is True
    assert result['msg'] == ('other_clients needs lwa_client_id (env ASK_LWA_CLIENT_ID): the security profile whose '
                             'subscribers to leave out')
    assert smapi.sent() == []


def test_an_unknown_status_is_refused_before_any_request_naming_the_choices(run, smapi):
    result = run(status='DISABLED')

    assert result['failed'] is True
    assert 'value of status must be one of: ACTIVE, INACTIVE, got: DISABLED' in result['msg']
    assert smapi.sent() == []


def test_without_vendor_id_it_is_refused_before_any_request_saying_where_to_find_it(run, smapi):
    result = run(vendor_id=None)

    assert result['failed'] is True
    assert result['msg'].startswith('vendor_id is required: set vendor_id or the environment variable ASK_VENDOR_ID ')
    assert 'smapi_vendor_info' in result['msg']
    assert smapi.sent() == []


def test_a_refused_listing_fails_with_smapis_message_and_no_secret_it_echoed(run, smapi):
    run_refused_echoing_the_secrets(run, smapi, SUBSCRIBERS)
