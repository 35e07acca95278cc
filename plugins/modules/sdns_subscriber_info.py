#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: sdns_subscriber_info
short_description: List Alexa Skill Development Notifications subscribers
version_added: 0.1.0
description:
  - List the SDNS subscribers of a vendor, all pages, with their status and the LWA security
    profile that created each one; or get one by ID or name.
author:
  - skillops.alexa maintainers (@skillops)
extends_documentation_fragment:
  - skillops.alexa.attributes.INFO_MODULE
  - skillops.alexa.smapi
options:
  subscriber_id:
    description:
      - Return only the subscriber with this ID.
    type: str
  name:
    description:
      - Return only subscribers with this name.
    type: str
'''

EXAMPLES = r'''
- name: Find subscribers that stopped receiving notifications
  skillops.alexa.sdns_subscriber_info:
    vendor_id: M1ABCDEFGHIJKL
  register: found

- name: Show them
  ansible.builtin.debug:
    msg: "{{ found.subscribers | selectattr('status', 'equalto', 'INACTIVE') | map(attribute='name') }}"
'''

RETURN = r'''
subscribers:
  description: The subscribers, in the shape M(skillops.alexa.sdns_subscriber) returns.
  returned: always
  type: list
  elements: dict
  sample:
    - subscriber_id: amzn1.ask-subscriber.2b8f6f1e-5f7c-4b55-9f0a-0b9d5c1e7d11
      name: skill-events
      vendor_id: M1ABCDEFGHIJKL
      status: ACTIVE
      client_id: amzn1.application-oa2-client.0123456789abcdef
      topic_arn: arn:aws:sns:us-east-1:123456789012:alexa-sdns
      role_arn: arn:aws:iam::123456789012:role/alexa-sdns-publisher
'''

from ansible_collections.skillops.alexa.plugins.module_utils._module import SmapiModule
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import SUBSCRIBERS_PATH, matching, subscriber_view


def main():
    argument_spec = dict(subscriber_id=dict(type='str'), name=dict(type='str'))
    module = SmapiModule(argument_spec)

    def run():
        vendor_id = module.require_vendor()
        summaries = module.smapi.paginate(SUBSCRIBERS_PATH, 'subscribers', params=dict(vendorId=vendor_id))
        subscribers = [subscriber_view(summary, vendor_id) for summary in summaries]
        module.exit_json(changed=False, subscribers=matching(subscribers, module.params, ('subscriber_id', 'name')))

    module.run(run)


if __name__ == '__main__':
    main()
