#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: sdns_subscription_info
short_description: List Alexa Skill Development Notifications subscriptions
version_added: 0.1.0
description:
  - List the SDNS subscriptions of a vendor, all pages, optionally only those to one subscriber;
    or get one by ID or name.
  - A vendor sees the subscriptions that publish its events and those to its own subscribers.
  - The filters combine; a subscription is returned only if it passes every one that is set.
  - Subscriptions have no status; that of their subscriber is in M(skillops.alexa.sdns_subscriber_info).
author:
  - skillops.alexa maintainers (@skillops)
extends_documentation_fragment:
  - skillops.alexa.attributes.INFO_MODULE
  - skillops.alexa.smapi
options:
  subscriber_id:
    description:
      - Return only subscriptions to this subscriber.
    type: str
  subscription_id:
    description:
      - Return only the subscription with this ID (read directly, so O(vendor_id) is not used).
    type: str
  name:
    description:
      - Return only subscriptions with this name. A name is unique only per publishing vendor and subscriber,
        so several subscriptions may share it; add O(subscriber_id) to narrow them down.
    type: str
'''

EXAMPLES = r'''
- name: Which vendors publish to our subscriber?
  skillops.alexa.sdns_subscription_info:
    vendor_id: M1ABCDEFGHIJKL
    subscriber_id: amzn1.ask-subscriber.2b8f6f1e-5f7c-4b55-9f0a-0b9d5c1e7d11
  register: found

- name: Find the subscriptions called certification, to any subscriber
  skillops.alexa.sdns_subscription_info:
    vendor_id: M1ABCDEFGHIJKL
    name: certification
  register: certification
'''

RETURN = r'''
subscriptions:
  description: The subscriptions, in the shape M(skillops.alexa.sdns_subscription) returns.
  returned: always
  type: list
  elements: dict
  sample:
    - subscription_id: amzn1.ask-subscription.0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
      name: certification
      subscriber_id: amzn1.ask-subscriber.2b8f6f1e-5f7c-4b55-9f0a-0b9d5c1e7d11
      vendor_id: M1ABCDEFGHIJKL
      events: [AlexaDevelopmentEvent.SkillCertification]
'''

from ansible_collections.skillops.alexa.plugins.module_utils._module import SmapiModule
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import (
    SUBSCRIPTION_SHAPE, SUBSCRIPTIONS_PATH, list_subscriptions, matching, subscription_view)


def main():
    argument_spec = dict(subscriber_id=dict(type='str'), subscription_id=dict(type='str'), name=dict(type='str'))
    module = SmapiModule(argument_spec)

    def run():
        params = module.params
        if params['subscription_id']:
            found = [module.smapi.get_or_none('%s/%s' % (SUBSCRIPTIONS_PATH, params['subscription_id']), shape=SUBSCRIPTION_SHAPE)]
        else:
            found = list_subscriptions(module.smapi, module.require_vendor(), params['subscriber_id'])
        subscriptions = [subscription_view(item) for item in found if item]
        module.exit_json(changed=False, subscriptions=matching(subscriptions, params, ('subscriber_id', 'name')))

    module.run(run)


if __name__ == '__main__':
    main()
