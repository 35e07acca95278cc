# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter skillops.alexa.sdns_event_text: an event of the collection's EDA sources in one line."""

from ansible.errors import AnsibleFilterError
from ansible_collections.skillops.alexa.plugins.module_utils._events import describe


def sdns_event_text(event):
    if not isinstance(event, dict):
        raise AnsibleFilterError('sdns_event_text expects an event (a dict), not %s' % type(event).__name__)
    try:
        return describe(event)
    except (KeyError, TypeError, AttributeError) as error:
        raise AnsibleFilterError('sdns_event_text: not an event of skillops.alexa.sdns_sqs or '
                                 'skillops.alexa.sdns_subscriber_health (%s: %s)' % (type(error).__name__, error))


class FilterModule:

    def filters(self):
        return {'sdns_event_text': sdns_event_text}
