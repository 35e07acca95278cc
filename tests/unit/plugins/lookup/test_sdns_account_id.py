# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import SDNS_ACCOUNT_ID


@pytest.fixture
def sdns_account_id():
    return lookup_loader.get('skillops.alexa.sdns_account_id')


def test_returns_the_account_the_modules_use(sdns_account_id):
    assert sdns_account_id.run([], variables={}) == [SDNS_ACCOUNT_ID]


def test_is_an_aws_account_id():
    assert len(SDNS_ACCOUNT_ID) == 12 and SDNS_ACCOUNT_ID.isdigit()


def test_refuses_terms(sdns_account_id):
    with pytest.raises(AnsibleLookupError, match='takes no terms'):
        sdns_account_id.run(['sdns'], variables={})
