# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
name: lwa_access_token
short_description: One LWA access token for all the SMAPI tasks of a run
version_added: 0.1.0
author:
  - skillops.alexa maintainers (@skillops)
description:
  - Returns a Login with Amazon (LWA) access token minted from a refresh token, and keeps it on the controller
    for the rest of the C(ansible-playbook) run, so that every later call with the same credentials returns
    the same token instead of asking LWA for a new one.
  - Meant for C(module_defaults) of the group C(skillops.alexa.smapi), as in the examples. A play of many SMAPI
    tasks then mints one access token, where each task would otherwise mint its own.
  - A token is renewed when less than O(renew_before) seconds of its life remain, so a long play never hands
    a task a token about to expire.
  - The token is kept in a file readable only by the controller's user, in the run's local temporary directory
    (C(ANSIBLE_LOCAL_TEMP)), which ansible removes when the run ends normally; a run that is killed leaves it
    there until the token expires (an hour at most). The file holds the access token and its expiry, never
    the client secret or the refresh token, and is named by a SHA-256 hash of the credentials.
  - Without all three refresh credentials it returns O(access_token) as it is, as the modules then use it,
    so a play can set this lookup in C(module_defaults) whichever way the environment authenticates.
  - Runs on the controller, so the environment variables are the controller's.
  - Takes no terms.
extends_documentation_fragment:
  - skillops.alexa.smapi.plugin
options:
  access_token:
    description:
      - An access token returned as it is unless O(lwa_client_id), O(lwa_client_secret) and O(refresh_token)
        are all set. With them, a token is minted from them instead, since a given one may expire during the
        run.
    type: str
    env:
      - name: ASK_ACCESS_TOKEN
  renew_before:
    description:
      - Seconds of life a kept token must still have to be returned; with less, a new one is minted and kept.
      - LWA access tokens live 3600 seconds.
    type: int
    default: 600
notes:
  - Give the modules the refresh credentials too (the C(ASK_*) environment variables, as in the examples, or
    the same options in C(module_defaults)). They then know the token's security profile, and if SMAPI rejects
    the token (revoked, or expired early) they refresh it once and repeat the call.
  - The kept token is renewed by its age only. If SMAPI revokes it during the run, every later task is handed
    it again and refreshes it for itself as above (one more LWA request per task) until the kept token is
    renewed; without refresh credentials those tasks fail.
seealso:
  - module: skillops.alexa.lwa_token
'''

EXAMPLES = r'''
# The credentials are the ASK CLI environment variables ASK_LWA_CLIENT_ID, ASK_LWA_CLIENT_CONFIRMATION and
# ASK_REFRESH_TOKEN. Every SMAPI task of the play, in its roles too, uses the one token.
- name: Subscribe the developers' vendors
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/skillops.alexa.smapi:
      access_token: "{{ lookup('skillops.alexa.lwa_access_token') }}"
  tasks:
    - name: Find the subscriber
      skillops.alexa.sdns_subscriber_info:
        name: acme-skill-events
      register: subscriber

    - name: Subscribe every developer vendor
      skillops.alexa.sdns_subscriptions:
        subscriber_id: "{{ subscriber.subscribers[0].subscriber_id }}"
        name: acme-skill-events
        subscriptions: "{{ developer_subscriptions }}"  # [{vendor_id: M2DEVVENDOR1}, ...]

# Credentials from variables (for example from a vault), given to the modules as well.
- name: Report the subscribers with credentials from a vault
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/skillops.alexa.smapi:
      access_token: >-
        {{ lookup('skillops.alexa.lwa_access_token', lwa_client_id=lwa_client_id,
                  lwa_client_secret=lwa_client_secret, refresh_token=lwa_refresh_token) }}
      lwa_client_id: "{{ lwa_client_id }}"
      lwa_client_secret: "{{ lwa_client_secret }}"
      refresh_token: "{{ lwa_refresh_token }}"
  tasks:
    - name: List the subscribers
      skillops.alexa.sdns_subscriber_info:
'''

RETURN = r'''
_raw:
  description: The access token, as the only element of a list. It is a secret.
  type: list
  elements: str
'''

from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible_collections.skillops.alexa.plugins.module_utils._config import (
    HOW_TO_AUTHENTICATE, REFRESH_OPTIONS, explain, lwa_client, secrets_of, transport_for, transport_problem)
from ansible_collections.skillops.alexa.plugins.module_utils._errors import SkillopsError
from ansible_collections.skillops.alexa.plugins.module_utils._http import HAS_REQUESTS
from ansible_collections.skillops.alexa.plugins.plugin_utils._token_cache import TokenCache, cache_key

# The options of the lookup that the shared client takes (_config.OPTIONS).
CLIENT_OPTIONS = ('access_token', 'lwa_client_id', 'lwa_client_secret', 'refresh_token', 'lwa_url', 'validate_certs',
                  'timeout', 'retry_attempts', 'retry_max_delay')


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleLookupError('skillops.alexa.lwa_access_token takes no terms; got %d' % len(terms))
        self.set_options(var_options=variables, direct=kwargs)
        params = dict((name, self.get_option(name)) for name in CLIENT_OPTIONS)
        missing = ['%s (env %s)' % (name, env) for name, env in REFRESH_OPTIONS if not params[name]]
        # As the modules do: without every refresh credential, a given access token is the one to use.
        if missing and params['access_token']:
            return [params['access_token']]
        if len(missing) == len(REFRESH_OPTIONS):
            raise AnsibleLookupError('skillops.alexa.lwa_access_token needs SMAPI credentials: set %s'
                                     % HOW_TO_AUTHENTICATE)
        if missing:
            raise AnsibleLookupError('skillops.alexa.lwa_access_token needs the LWA credentials: set %s'
                                     % ', '.join(missing))
        problem = transport_problem(params)
        if problem:
            raise AnsibleLookupError('skillops.alexa.lwa_access_token: %s' % problem)
        if not HAS_REQUESTS:
            raise AnsibleLookupError('skillops.alexa.lwa_access_token needs the Python library requests '
                                     'on the controller: pip install requests')
        # Anything this lookup raises is masked with the run's secrets, in every spelling a server
        # that echoes them could use: a lookup has no no_log values to hide them later.
        secrets = secrets_of(params)
        cache = TokenCache(C.DEFAULT_LOCAL_TMP)
        key = cache_key(*[params[name] for name in ('lwa_url', 'lwa_client_id', 'lwa_client_secret', 'refresh_token')])
        try:
            return [cache.get(key, lambda: lwa_client(params, transport_for(params), secrets).refresh(
                params['refresh_token']), self.get_option('renew_before'))]
        except SkillopsError as error:
            raise AnsibleLookupError('skillops.alexa.lwa_access_token: %s' % secrets.mask(explain(error))) from None
