# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.skillops.alexa.plugins.filter.sdns_endpoint_name import FilterModule

sdns_endpoint_name = FilterModule().filters()['sdns_endpoint_name']

TOPIC_RULE = ('topic must be 1 to 256 letters, digits, hyphens or underscores, as it names a standard SNS topic (SDNS '
              'cannot publish to a FIFO topic); got "team events"')
ROLE_RULE = ('role must be 1 to 64 letters, digits or characters of +=,.@_- (IAM role names): shorten topic, to which '
             'the default role name adds -sdns-publisher, or set role; got "%s" (65 characters)' % ('r' * 65))
NAMED_TWICE = ('team_name must be 1 to 49 letters, digits, hyphens or underscores, as it names the SNS topic and the '
               'IAM role NAME-sdns-publisher (at most 64 characters); got "%s"' % ('x' * 50))


def test_returns_a_good_name_unchanged():
    assert sdns_endpoint_name('team-events', 'team_name') == 'team-events'
    assert sdns_endpoint_name('x' * 256, 'topic', 'publisher', 'role') == 'x' * 256


@pytest.mark.parametrize('args, message', [
    (('x' * 50, 'team_name'), NAMED_TWICE),
    (('team.events',), 'name must be 1 to 49 letters'),
    (('team events', 'topic', 'publisher', 'role'), TOPIC_RULE),
    (('team', 'topic', 'r' * 65, 'role'), ROLE_RULE),
    (('team', 'topic', 'a/b'), 'role_name must be 1 to 64 letters'),
    ((['team'], 'team_name'), 'team_name must be a string, not list'),
    (('team', 'topic', 42, 'role'), 'role must be a string, not int'),
])
def test_refuses_naming_the_variable(args, message):
    with pytest.raises(AnsibleFilterError) as caught:
        sdns_endpoint_name(*args)
    assert str(caught.value).startswith(message)
