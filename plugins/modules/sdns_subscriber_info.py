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
  - The filters combine; a subscriber is returned only if it passes every one that is set.
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
  status:
    description:
      - Return only subscribers with this status.
      - V(INACTIVE) subscribers get no notifications since a delivery failed, until they are updated
        (M(skillops.alexa.sdns_subscriber) reactivates them).
    type: str
    choices: [ACTIVE, INACTIVE]
  client_id:
    description:
      - Return only subscribers created by the LWA security profile with this client ID (the C(client_id) of each
        returned subscriber).
    type: str
  other_clients:
    description:
      - Return only subscribers created by a security profile other than O(lwa_client_id), the one this task uses.
      - These are the subscribers whose subscriptions this task's tokens cannot change, and that skill changes made
        with them do not notify.
      - Needs O(lwa_client_id), even when O(access_token) is given (it then only names the security profile).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Find every subscriber that stopped receiving notifications
  skillops.alexa.sdns_subscriber_info:
    vendor_id: M1ABCDEFGHIJKL
    status: INACTIVE
  register: inactive

- name: Show them
  ansible.builtin.debug:
    msg: "{{ inactive.subscribers | map(attribute='name') }}"

- name: Find every subscriber created by another security profile than this task's (lwa_client_id or ASK_LWA_CLIENT_ID)
  skillops.alexa.sdns_subscriber_info:
    vendor_id: M1ABCDEFGHIJKL
    other_clients: true
  register: foreign

- name: Find those of one security profile
  skillops.alexa.sdns_subscriber_info:
    vendor_id: M1ABCDEFGHIJKL
    client_id: amzn1.application-oa2-client.0123456789abcdef
  register: of_profile
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
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import list_subscribers, matching, subscriber_view


def main():
    argument_spec = dict(subscriber_id=dict(type='str'), name=dict(type='str'),
                         status=dict(type='str', choices=['ACTIVE', 'INACTIVE']), client_id=dict(type='str'),
                         other_clients=dict(type='bool', default=False))
    module = SmapiModule(argument_spec)
    params = module.params
    # Truthiness, not required_if: an empty lwa_client_id (an unset environment variable) would exclude no one.
    if params['other_clients'] and not params['lwa_client_id']:
        module.fail_json(msg='other_clients needs lwa_client_id (env ASK_LWA_CLIENT_ID): the security profile whose '
                             'subscribers to leave out')

    def run():
        vendor_id = module.require_vendor()
        subscribers = [subscriber_view(summary, vendor_id) for summary in list_subscribers(module.smapi, vendor_id)]
        mine = params['lwa_client_id'] if params['other_clients'] else None
        module.exit_json(changed=False, subscribers=matching(
            subscribers, params, ('subscriber_id', 'name', 'status', 'client_id'), unlike=dict(client_id=mine)))

    module.run(run)


if __name__ == '__main__':
    main()
