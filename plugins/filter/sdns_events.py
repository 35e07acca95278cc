# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter skillops.alexa.sdns_events: SDNS events checked and spelled as the modules take them.

Roles check their events with it before they make anything, with the same rules and messages as
skillops.alexa.sdns_subscription, from the one list in module_utils.
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import ValidationError, normalize_events


def sdns_events(events, field='events'):
    if isinstance(events, str) or not isinstance(events, (list, tuple)):
        raise AnsibleFilterError('%s must be a list of events, not %s' % (field, type(events).__name__))
    try:
        return normalize_events(events, field)
    except ValidationError as error:
        raise AnsibleFilterError(str(error))


class FilterModule:

    def filters(self):
        return {'sdns_events': sdns_events}
