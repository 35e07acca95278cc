# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader


@pytest.fixture
def sdns_account_id():
    return lookup_loader.get('skillops.alexa.sdns_account_id')


def test_returns_the_account_sdns_publishes_from(sdns_account_id):
    # Spelled out, not taken from the module_utils the lookup returns it from: the account the roles'
    # documentation and the trust policies of the integration tests name.
    assert sdns_account_id.run([], variables={}) == ['258925066295']


def test_refuses_terms(sdns_account_id):
    with pytest.raises(AnsibleLookupError, match='takes no terms'):
        sdns_account_id.run(['sdns'], variables={})
