# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fixtures of the module tests: a module's main() run with its arguments, the in-memory SMAPI
of smapi_fake.py every request goes to, and a subscriber on it."""

import json

import pytest
from ansible.module_utils.common import warnings as module_warnings

from ansible_collections.skillops.alexa.plugins.module_utils import _module
from ansible_collections.skillops.alexa.plugins.module_utils._config import OPTIONS
from ansible_collections.skillops.alexa.plugins.module_utils._http import DeadlineAdapter
from ansible_collections.skillops.alexa.tests.unit.plugins.modules.smapi_fake import FakeSmapi, add_subscriber

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19
    import contextlib
    from unittest import mock

    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps(dict(ANSIBLE_MODULE_ARGS=args)).encode()):
            yield


@pytest.fixture
def run_module(capsys):
    """run(module, **args): the result of the module's main() given ``args``, as a dict."""
    def run(module, **args):
        # In a play each task is a process of its own: no warning of an earlier run may be carried over.
        module_warnings._global_warnings.clear()
        module_warnings._global_deprecations.clear()
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        return json.loads(capsys.readouterr().out)
    return run


@pytest.fixture
def smapi(monkeypatch):
    """The FakeSmapi every request of the test goes to; the ASK_* environment is cleared so that only
    the task's arguments count."""
    server = FakeSmapi()
    for option in OPTIONS.values():
        if option.get('env'):
            monkeypatch.delenv(option['env'], raising=False)
    monkeypatch.setattr(DeadlineAdapter, 'send', lambda adapter, prepared, **kwargs: server.send(prepared))
    make_transport = _module.transport_for

    def transport_that_never_sleeps(params, max_concurrency=1):
        transport = make_transport(params, max_concurrency=max_concurrency)
        transport.sleep = server.pauses.append
        return transport

    monkeypatch.setattr(_module, 'transport_for', transport_that_never_sleeps)
    return server


@pytest.fixture
def task_of(run_module, smapi):
    """task_of(module, **defaults) gives run(**args): the module's result for ``args`` over ``defaults``,
    authenticated with the access token the fake SMAPI accepts (so no token is minted)."""
    def task_of(module, **defaults):
        def run(**args):
            return run_module(module, **dict(dict(defaults, access_token=smapi.token), **args))
        return run
    return task_of


@pytest.fixture
def subscriber_id(smapi):
    """The ID of a subscriber of VENDOR that the fake SMAPI's client_id created."""
    return add_subscriber(smapi)
