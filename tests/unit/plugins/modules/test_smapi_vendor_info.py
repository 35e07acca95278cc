# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""smapi_vendor_info's branches, each run through main() against the in-memory SMAPI of conftest.py:
the vendors of the token's user with their roles, the name filter, what a vendor's answer may leave
out, an answer of another shape refused, check mode, nothing reported changed, no vendor_id needed,
the options every module of the smapi group shares accepted together (one module_defaults block fits
them all), and no secret in a result."""

import os

import pytest
import yaml

from ansible_collections.skillops.alexa.plugins.modules import lwa_token, sdns_subscriber_info, smapi_vendor_info
from ansible_collections.skillops.alexa.tests.unit.plugins.modules.smapi_fake import (
    REFRESH, VENDOR, VENDORS, FakeSmapi, run_refused_echoing_the_secrets, secrets_in)

LIST = ('GET', VENDORS, None)
ADMIN = ['ROLE_ADMINISTRATOR']
RUNTIME = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'meta', 'runtime.yml')


@pytest.fixture
def run(task_of):
    return task_of(smapi_vendor_info)


@pytest.fixture
def vendors(smapi):
    """The vendors of the token's user, as the integration target's sandbox has them: the organization's
    own and two developers' it is associated with."""
    smapi.add_vendor(VENDOR, 'Org Skills', roles=ADMIN)
    smapi.add_vendor('M2DEVVENDOR1', 'Developer One', roles=ADMIN)
    smapi.add_vendor('M2DEVVENDOR2', 'Developer Two', roles=['ROLE_DEVELOPER', 'ROLE_MARKETER'])
    return [dict(id=VENDOR, name='Org Skills', roles=ADMIN),
            dict(id='M2DEVVENDOR1', name='Developer One', roles=ADMIN),
            dict(id='M2DEVVENDOR2', name='Developer Two', roles=['ROLE_DEVELOPER', 'ROLE_MARKETER'])]


def test_lists_the_vendors_of_the_tokens_user_without_vendor_id_and_changes_nothing(run, smapi, vendors):
    result = run()

    assert result['changed'] is False
    assert result['vendors'] == vendors
    assert smapi.sent() == [LIST]
    assert smapi.requests[0].query == {}


@pytest.mark.parametrize('name, indexes', [
    ('Developer One', [1]),
    ('developer one', []),
    ('No Such Vendor', []),
], ids=['a name', 'the name in another case', 'an unknown name'])
def test_the_name_filter_returns_exactly_the_vendors_of_that_name(run, smapi, vendors, name, indexes):
    result = run(name=name)

    assert not result.get('failed'), result.get('msg')
    assert result['changed'] is False
    assert result['vendors'] == [vendors[index] for index in indexes]
    assert smapi.sent() == [LIST]


def test_a_vendor_without_name_or_roles_is_returned_with_none_and_no_roles(run, smapi):
    smapi.vendors.append(dict(id='M3BARE'))
    smapi.vendors.append(dict(id='M3NULLS', name=None, roles=None))

    result = run()

    assert result['vendors'] == [dict(id='M3BARE', name=None, roles=[]), dict(id='M3NULLS', name=None, roles=[])]


@pytest.mark.parametrize('vendor, problem', [
    (dict(name='No ID', roles=ADMIN), 'vendors[0] has no id'),
    (dict(id='M3ROLES', roles='ROLE_ADMINISTRATOR'), 'vendors[0].roles is not a list'),
], ids=['no id', 'roles not a list'])
def test_an_answer_of_another_shape_fails_saying_what_is_wrong(run, smapi, vendor, problem):
    smapi.vendors.append(vendor)

    result = run()

    assert result['failed'] is True
    assert result['msg'].startswith('GET %s ' % VENDORS)
    assert problem in result['msg']
    # The hint names the option to check: an answer SMAPI never gives comes from another server.
    assert 'check smapi_url' in result['msg']
    assert 'vendors' not in result


def test_check_mode_reads_as_a_run_does(run, smapi, vendors):
    result = run(name='Developer Two', _ansible_check_mode=True)

    assert not result.get('skipped'), result.get('msg')
    assert result['changed'] is False
    assert result['vendors'] == [vendors[2]]
    assert smapi.sent() == [LIST]


def test_a_refused_listing_fails_with_smapis_message_and_no_secret_it_echoed(run, smapi):
    run_refused_echoing_the_secrets(run, smapi, VENDORS)


def test_a_result_shows_no_secret_given_to_the_task(run, vendors):
    result = run(lwa_client_id=FakeSmapi.client_id, **REFRESH)

    assert result['vendors'] == vendors
    assert secrets_in(result) == []


def test_without_credentials_it_is_refused_before_any_request_naming_both_ways(run_module, smapi):
    result = run_module(smapi_vendor_info)

    assert result['failed'] is True
    assert result['msg'].startswith('No SMAPI credentials: supply either access_token (env ASK_ACCESS_TOKEN), or '
                                    'lwa_client_id, lwa_client_secret and refresh_token ')
    assert smapi.sent() == []


# What module_defaults for group/skillops.alexa.smapi sets in the integration target: the shared options.
SHARED = dict(vendor_id=VENDOR, authorize_url='https://www.amazon.com', smapi_url='https://api.amazonalexa.com',
              lwa_url='https://api.amazon.com', access_token=FakeSmapi.token)


def test_one_set_of_shared_options_fits_every_module_of_the_smapi_group(run_module, smapi, vendors):
    listed = run_module(smapi_vendor_info, **SHARED)
    subscribers = run_module(sdns_subscriber_info, **SHARED)
    consent = run_module(lwa_token, grant='authorization_url', lwa_client_id=FakeSmapi.client_id,
                         redirect_uri='https://org.example.com/callback', **SHARED)

    assert listed['vendors'] == vendors
    # Each takes what it uses from them: sdns_subscriber_info the vendor, lwa_token the consent page.
    assert subscribers['subscribers'] == [] and smapi.requests[1].query['vendorId'] == VENDOR
    assert consent['authorization_url'].startswith('https://www.amazon.com/ap/oa?')


def test_the_smapi_group_names_the_modules_that_share_the_options():
    with open(RUNTIME) as runtime:
        groups = yaml.safe_load(runtime)['action_groups']

    assert {'smapi_vendor_info', 'sdns_subscriber_info', 'sdns_subscription_info', 'lwa_token'} <= set(groups['smapi'])
