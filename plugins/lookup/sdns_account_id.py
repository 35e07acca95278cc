# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
name: sdns_account_id
short_description: The AWS account Alexa Skill Development Notifications publishes from
version_added: 0.1.0
author:
  - skillops.alexa maintainers (@skillops)
description:
  - Returns the ID of the AWS account from which Alexa Skill Development Notifications (SDNS) assumes the IAM
    role of a subscriber to publish to its SNS topic. A trust policy that lets SDNS assume a role names this
    account as principal.
  - It is the value the modules of this collection use, so roles and playbooks need not repeat it.
  - Takes no terms.
'''

EXAMPLES = r'''
- name: Show the principal an SDNS endpoint role must trust
  ansible.builtin.debug:
    msg: "arn:aws:iam::{{ lookup('skillops.alexa.sdns_account_id') }}:root"
'''

RETURN = r'''
_raw:
  description: The SDNS AWS account ID, a string of 12 digits, as the only element of a list.
  type: list
  elements: str
  sample: ['258925066295']
'''

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import SDNS_ACCOUNT_ID


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleLookupError('skillops.alexa.sdns_account_id takes no terms; got %r' % (terms,))
        self.set_options(var_options=variables, direct=kwargs)
        return [SDNS_ACCOUNT_ID]
