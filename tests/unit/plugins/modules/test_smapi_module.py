# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SmapiModule.run, the one error path of every module, run as a module's main() is: each failure the
client and the domain code raise ends the task with its own message (a failed request adds its hint
and its facts), and only a bug shows as an unexpected error."""

from types import SimpleNamespace

import pytest

from ansible_collections.skillops.alexa.plugins.module_utils._errors import (
    Ambiguous, ApiError, Conflict, NotFound, ValidationError)
from ansible_collections.skillops.alexa.plugins.module_utils._module import SmapiModule

SUBSCRIBER = '/v0/developmentEvents/subscribers/amzn1.ask-subscriber.1'


def module_raising(error):
    """A module whose body raises ``error``."""
    def body():
        raise error

    def main():
        SmapiModule(argument_spec={}, needs_credentials=False).run(body)

    return SimpleNamespace(main=main)


@pytest.mark.parametrize('error, message', [
    (ValidationError('name must not be empty'), 'name must not be empty'),
    (Conflict('subscriber_id cannot be changed on subscription s1 (it is s0); delete it and create a new one'),
     'subscriber_id cannot be changed on subscription s1 (it is s0); delete it and create a new one'),
    (Ambiguous('subscriber', 'ops', ['s2', 's1']),
     "2 subscribers are named 'ops' (s1, s2); name the one to manage with its ID"),
    # A lookup that found nothing stands for no single request: no facts of one.
    (NotFound('subscription_id s9: no such subscription; check the ID', status=404),
     'subscription_id s9: no such subscription; check the ID'),
], ids=['bad input', 'conflict', 'ambiguous', 'not found by a lookup'])
def test_a_domain_error_fails_the_task_with_its_own_message(run_module, error, message):
    result = run_module(module_raising(error))

    assert result['failed'] is True
    assert result['msg'] == message
    assert 'error' not in result


@pytest.mark.parametrize('error, status, names', [
    (ApiError('Denied.', status=403, method='PUT', path=SUBSCRIBER), 403, ['vendor_id', 'security profile']),
    (NotFound('No subscriber found.', status=404, method='GET', path=SUBSCRIBER, code='NOT_FOUND'), 404, ['ID']),
], ids=['refused', 'not found'])
def test_a_failed_request_fails_the_task_with_its_hint_and_its_facts(run_module, error, status, names):
    result = run_module(module_raising(error))

    assert result['failed'] is True
    assert result['msg'].startswith('%s %s failed (HTTP %d' % (error.method, SUBSCRIBER, status))
    hint = result['msg'][len(str(error)):]
    assert all(name in hint for name in names), hint
    assert (result['error']['method'], result['error']['path'], result['error']['status']) == (
        error.method, SUBSCRIBER, status)
    assert result['error']['message'] in result['msg']


def test_only_a_bug_is_an_unexpected_error(run_module):
    result = run_module(module_raising(KeyError('subscriberId')))

    assert result['failed'] is True
    assert result['msg'] == "Unexpected error: KeyError: 'subscriberId'"
    assert 'error' not in result
