#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: smapi_vendor_info
short_description: List the Amazon developer vendors a token can see
version_added: 0.1.0
description:
  - Calls the SMAPI Vendor API, which lists the vendors (developer accounts) the token's user
    belongs to, with their IDs and the user's roles.
  - An organization uses it to find the vendor IDs of the developers associated with its account.
author:
  - skillops.alexa maintainers (@skillops)
extends_documentation_fragment:
  - skillops.alexa.attributes.INFO_MODULE
  - skillops.alexa.smapi
options:
  name:
    description:
      - Return only vendors with this name.
    type: str
'''

EXAMPLES = r'''
- name: Find my vendor ID
  skillops.alexa.smapi_vendor_info:
  register: vendors

- name: Show it
  ansible.builtin.debug:
    msg: "{{ vendors.vendors | map(attribute='id') }}"
'''

RETURN = r'''
vendors:
  description: The vendors the token's user belongs to.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The vendor ID.
      type: str
    name:
      description: The vendor name.
      type: str
    roles:
      description: The user's roles in the vendor.
      type: list
      elements: str
  sample:
    - id: M1ABCDEFGHIJKL
      name: Example Skills
      roles: [ROLE_ADMINISTRATOR]
'''

from ansible_collections.skillops.alexa.plugins.module_utils._module import SmapiModule
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import matching

VENDORS_PATH = '/v1/vendors'
VENDORS_SHAPE = {'vendors': [{'id': str, 'name?': str, 'roles?': [str]}]}


def main():
    module = SmapiModule(dict(name=dict(type='str')))

    def run():
        vendors = [dict(id=v.get('id'), name=v.get('name'), roles=v.get('roles') or [])
                   for v in module.smapi.get(VENDORS_PATH, shape=VENDORS_SHAPE)['vendors']]
        module.exit_json(changed=False, vendors=matching(vendors, module.params, ('name',)))

    module.run(run)


if __name__ == '__main__':
    main()
