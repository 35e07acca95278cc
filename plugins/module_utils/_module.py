# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The module class every skillops.alexa module is built on: shared options, client, failures.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.skillops.alexa.plugins.module_utils._config import (
    OPTIONS, can_refresh, credentials_problem, explain, lwa_client, secrets_of, smapi_client, transport_for,
    transport_problem)
from ansible_collections.skillops.alexa.plugins.module_utils._errors import ApiError, SkillopsError
from ansible_collections.skillops.alexa.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR


def from_env(name):
    return dict(fallback=(env_fallback, [name]))


def smapi_argument_spec():
    """The options every module of the smapi action group accepts (doc fragment skillops.alexa.smapi)."""
    spec = {}
    for name, option in OPTIONS.items():
        spec[name] = dict(type=option['type'])
        if 'default' in option:
            spec[name]['default'] = option['default']
        if option.get('env'):
            spec[name].update(from_env(option['env']))
        if option.get('secret'):
            spec[name]['no_log'] = True
    return spec


class SmapiModule(AnsibleModule):
    """AnsibleModule with the shared SMAPI/LWA options, one transport per run and one error path."""

    def __init__(self, argument_spec=None, needs_credentials=True, **kwargs):
        spec = smapi_argument_spec()
        spec.update(argument_spec or {})
        kwargs.setdefault('supports_check_mode', True)
        super().__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        problem = transport_problem(self.params)
        if problem:
            self.fail_json(msg=problem)
        # Every secret of the run, given or minted, in every spelling a server could echo, is a no_log
        # value: ansible masks it wherever it would appear in the output.
        self.secrets = secrets_of(self.params, on_add=self.no_log_values.update)
        # Only the modules that send requests concurrently have max_concurrency.
        self.transport = transport_for(self.params, max_concurrency=self.params.get('max_concurrency') or 1)
        self._smapi = None
        # IDs of copies this run created and removed because a concurrent run's create won (see create).
        self.removed_duplicates = []
        if needs_credentials:
            problem = credentials_problem(self.params)
            if problem:
                self.fail_json(msg=problem)

    def warn(self, warning):
        # Warnings are not masked by no_log values on every ansible-core (2.19 keeps them as objects).
        super().warn(self.secrets.mask(warning) if hasattr(self, 'secrets') else warning)

    def require_vendor(self):
        """The vendor ID, which the module cannot work without."""
        if not self.params['vendor_id']:
            self.fail_json(msg='vendor_id is required: set vendor_id or the environment variable ASK_VENDOR_ID to the '
                               'vendor ID of the developer account (Developer Console, Settings, Customer Details; '
                               'or skillops.alexa.smapi_vendor_info).')
        return self.params['vendor_id']

    @property
    def can_refresh(self):
        """Whether every refresh credential is given, so that access tokens can be minted."""
        return can_refresh(self.params)

    @property
    def minting_client_id(self):
        """The security profile of this run's tokens: lwa_client_id when the refresh credentials are
        given, since the module mints and refreshes tokens with them (a given access_token too, which
        must come from them); None when only an access token of unknown profile is given."""
        return self.params['lwa_client_id'] if self.can_refresh else None

    def lwa(self, returns_tokens=False):
        """The LWA client. For a task whose result is the tokens it mints (``returns_tokens``), those
        are masked in its errors but not registered as no_log values, which would hide the result."""
        return lwa_client(self.params, self.transport, secrets_of(self.params) if returns_tokens else self.secrets)

    @property
    def smapi(self):
        if self._smapi is None:
            self._smapi = smapi_client(self.params, self.transport, self.secrets)
        return self._smapi

    def create(self, what, path, body, find_twins):
        """Create through the client and return the ID to keep; say so when this run removed copies
        (a warning, and the IDs in ``removed_duplicates``)."""
        created = self.smapi.create(path, body, find_twins)
        self.report_settled(what, created)
        return created.id

    def report_settled(self, what, created):
        """Say so when this run removed copies of ``what`` in favour of a concurrent run's (or of the
        one its own retry left)."""
        if created.removed:
            self.removed_duplicates.extend(created.removed)
            self.warn('Another run (or a retry after a lost response) created the same %s at the same time: kept %s, '
                      'the lowest ID, and removed %s.' % (what, created.id, ', '.join(created.removed)))

    def exit_absent(self, noun, path, current, id_key):
        """Delete ``current`` unless it is already gone (or this is check mode) and end the task."""
        if current and not self.check_mode:
            self.smapi.delete_if_exists('%s/%s' % (path, current[id_key]))
        self.exit_json(changed=current is not None, diff=dict(before=current or {}, after={}), **{noun: {}})

    def run(self, main):
        """Run the module body; the client's errors and bad input end as one clear failure."""
        try:
            main()
        except ApiError as error:
            # A failed request also leaves its facts in the result, for a playbook to branch on.
            facts = dict(error=error.as_dict()) if error.method else {}
            self.fail_json(msg=self.secrets.mask(explain(error)), **facts)
        except SkillopsError as error:
            self.fail_json(msg=self.secrets.mask(str(error)))
        except Exception as error:  # pylint: disable=broad-except
            # Keep unexpected failures readable; the traceback still shows with -vvv.
            self.fail_json(msg=self.secrets.mask('Unexpected error: %s: %s' % (type(error).__name__, error)),
                           exception=self.secrets.mask(traceback.format_exc()))
