# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.skillops.alexa.plugins.filter.sdns_event_text import FilterModule

sdns_event_text = FilterModule().filters()['sdns_event_text']


def test_an_event_in_one_line():
    event = {'eventName': 'AlexaDevelopmentEvent.SkillPublish', 'requestId': 'r-1', 'payload': {},
             'sdns': {'welcome': False, 'skill_id': 'amzn1.ask.skill.1', 'vendor_id': 'M1', 'status': 'SUCCEEDED'}}
    assert sdns_event_text(event) == 'SkillPublish SUCCEEDED for skill amzn1.ask.skill.1 (vendor M1, request r-1)'


@pytest.mark.parametrize('value, message', [
    ('AlexaDevelopmentEvent.SkillPublish', 'sdns_event_text expects an event (a dict), not str'),
    ({'sdns_health': {'change': 'inactive'}}, 'sdns_event_text: not an event of skillops.alexa.sdns_sqs or '
                                              "skillops.alexa.sdns_subscriber_health (KeyError: 'subscriber')"),
])
def test_what_is_not_an_event_is_refused(value, message):
    with pytest.raises(AnsibleFilterError, match='^%s$' % message.replace('(', r'\(').replace(')', r'\)')):
        sdns_event_text(value)
