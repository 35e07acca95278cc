# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.skillops.alexa.plugins.filter.sdns_events import FilterModule

sdns_events = FilterModule().filters()['sdns_events']


def test_spells_events_as_the_model():
    assert sdns_events(['alexadevelopmentevent.ALL', ' alexacustomerfeedbackevent.skillreviewpublish ']) == [
        'AlexaDevelopmentEvent.All', 'AlexaCustomerFeedbackEvent.SkillReviewPublish']


@pytest.mark.parametrize('events, message', [
    ([], 'role_events must list at least one event; valid events: AlexaDevelopmentEvent.ManifestUpdate'),
    (['AlexaDevelopmentEvent.SkilPublish'], "role_events: unknown event 'AlexaDevelopmentEvent.SkilPublish'"),
    (['AlexaDevelopmentEvent.ALL', 'AlexaDevelopmentEvent.SkillPublish'], 'role_events: AlexaDevelopmentEvent.All already covers'),
    ('AlexaDevelopmentEvent.All', 'role_events must be a list of events, not str'),
])
def test_refuses_naming_the_variable(events, message):
    with pytest.raises(AnsibleFilterError) as caught:
        sdns_events(events, 'role_events')
    assert message in str(caught.value)
