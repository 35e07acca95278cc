# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter skillops.alexa.sdns_endpoint_name: an SDNS endpoint's name checked as SNS and IAM would.

Roles check the name of the topic and the IAM role they would make with it before they make anything, with
the naming rules of module_utils, which the modules' topic ARN check uses too.
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import ValidationError, validate_endpoint_name


def sdns_endpoint_name(name, field='name', role_name=None, role_field='role_name'):
    for value, its_field in ((name, field), (role_name, role_field)):
        if value is not None and not isinstance(value, str):
            raise AnsibleFilterError('%s must be a string, not %s' % (its_field, type(value).__name__))
    try:
        return validate_endpoint_name(name, field, role_name, role_field)
    except ValidationError as error:
        raise AnsibleFilterError(str(error))


class FilterModule:

    def filters(self):
        return {'sdns_endpoint_name': sdns_endpoint_name}
