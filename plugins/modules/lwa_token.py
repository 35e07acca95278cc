#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lwa_token
short_description: Get Login with Amazon tokens for the Skill Management API
version_added: 0.1.0
description:
  - Exchange an LWA refresh token, or an authorization code that a user returned, for tokens; or
    build the authorization URL an organization sends its developers so that they grant the
    organization's security profile access (scope C(alexa::ask:subscriptions) and others).
  - The results hold secrets. B(Set C(no_log) to true on the task) so that they stay out of logs and
    job output, and pass them on through registered variables only.
  - Nothing is changed, so the task never reports a change. In check mode tokens are still refreshed,
    but an authorization code is not exchanged, since it works only once.
author:
  - skillops.alexa maintainers (@skillops)
extends_documentation_fragment:
  - skillops.alexa.attributes.INFO_MODULE
  - skillops.alexa.smapi
options:
  grant:
    description:
      - C(refresh_token) mints an access token from O(refresh_token).
      - C(authorization_code) exchanges O(code), returned to O(redirect_uri), for an access and a refresh token.
      - C(authorization_url) only builds the consent URL; no request is made.
      - The alias O(action) is deprecated, since C(action) is also a task keyword; it will be removed in 0.2.0.
    type: str
    choices: [refresh_token, authorization_code, authorization_url]
    default: refresh_token
    aliases: [action]
  code:
    description:
      - The authorization code the user's browser brought to O(redirect_uri). Used once.
      - Only with O(grant=authorization_code).
    type: str
  redirect_uri:
    description:
      - A redirect URI registered with the security profile (Allowed Return URLs).
    type: str
  scopes:
    description:
      - Scopes to ask the user for.
    type: list
    elements: str
    default: ['alexa::ask:subscriptions', 'alexa::ask:skills:readwrite']
  oauth_state:
    description:
      - The OAuth C(state) of the consent URL, an opaque value returned with the code to tie the answer to
        the request (CSRF protection).
      - The alias O(state) is deprecated, since C(state) means present or absent everywhere else; it will be
        removed in 0.2.0.
    type: str
    aliases: [state]
notes:
  - O(access_token) is ignored; it is accepted so that C(module_defaults) for the group applies.
'''

EXAMPLES = r'''
- name: URL to send a developer, who signs in and consents
  skillops.alexa.lwa_token:
    grant: authorization_url
    lwa_client_id: "{{ org_client_id }}"
    redirect_uri: https://example.com/alexa/callback
    oauth_state: dev-42
  register: consent

- name: Exchange the code the developer returned
  skillops.alexa.lwa_token:
    grant: authorization_code
    code: "{{ returned_code }}"
    redirect_uri: https://example.com/alexa/callback
  no_log: true
  register: developer_tokens
'''

RETURN = r'''
access_token:
  description: The access token, valid for RV(expires_in) seconds.
  returned: when O(grant) is not C(authorization_url)
  type: str
refresh_token:
  description: The new refresh token; keep it secret. (Not returned for O(grant=refresh_token), whose refresh token is the one given.)
  returned: when O(grant=authorization_code)
  type: str
token_type:
  description: Always C(bearer).
  returned: when O(grant) is not C(authorization_url)
  type: str
expires_in:
  description: Seconds the access token is valid.
  returned: when O(grant) is not C(authorization_url)
  type: int
  sample: 3600
authorization_url:
  description: The consent URL to send to the user.
  returned: when O(grant=authorization_url)
  type: str
  sample: https://www.amazon.com/ap/oa?client_id=CLIENT&scope=alexa%3A%3Aask%3Asubscriptions&response_type=code&redirect_uri=https%3A%2F%2Fexample.com%2Fcb
'''

from ansible_collections.skillops.alexa.plugins.module_utils._lwa import authorization_url
from ansible_collections.skillops.alexa.plugins.module_utils._module import SmapiModule


def main():
    module = SmapiModule(
        dict(
            grant=dict(type='str', default='refresh_token', choices=['refresh_token', 'authorization_code', 'authorization_url'],
                       aliases=['action'], deprecated_aliases=[_deprecated_alias('action')]),
            code=dict(type='str', no_log=True),
            redirect_uri=dict(type='str'),
            scopes=dict(type='list', elements='str', default=['alexa::ask:subscriptions', 'alexa::ask:skills:readwrite']),
            oauth_state=dict(type='str', aliases=['state'], deprecated_aliases=[_deprecated_alias('state')]),
        ),
        needs_credentials=False,
        required_if=[
            ('grant', 'refresh_token', ('lwa_client_id', 'lwa_client_secret', 'refresh_token')),
            ('grant', 'authorization_code', ('lwa_client_id', 'lwa_client_secret', 'code', 'redirect_uri')),
            ('grant', 'authorization_url', ('lwa_client_id', 'redirect_uri')),
        ],
    )
    params = module.params
    # Otherwise a forgotten grant would refresh a token from the group's defaults and drop the code unnoticed.
    if params['code'] and params['grant'] != 'authorization_code':
        module.fail_json(msg='code is used only with grant=authorization_code, not grant=%s: set grant to '
                             'authorization_code to exchange the code, or remove code' % params['grant'])

    def run():
        if params['grant'] == 'authorization_url':
            module.exit_json(changed=False, authorization_url=authorization_url(
                params['lwa_client_id'], params['scopes'], params['redirect_uri'], params['oauth_state'],
                params['authorize_url']))
        if params['grant'] == 'refresh_token':
            tokens = module.lwa(returns_tokens=True).refresh(params['refresh_token'])
            # The refresh token is the one given (and would come back masked as a no_log value).
            tokens.pop('refresh_token', None)
        elif module.check_mode:
            module.exit_json(changed=False, msg='Check mode: the code was not exchanged, since it works only once.')
        else:
            tokens = module.lwa(returns_tokens=True).exchange_code(params['code'], params['redirect_uri'])
        module.exit_json(changed=False, access_token=tokens.get('access_token'), refresh_token=tokens.get('refresh_token'),
                         token_type=tokens.get('token_type'), expires_in=tokens.get('expires_in'))

    module.run(run)


def _deprecated_alias(name):
    return dict(name=name, version='0.2.0', collection_name='skillops.alexa')


if __name__ == '__main__':
    main()
