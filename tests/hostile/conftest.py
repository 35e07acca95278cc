# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How tests/hostile runs the real entry points against the hostile server.

A case is one task of a user (a module, the lookup) or one event source, with its own scenario on
the hostile server and its own sentinel secrets. The cases of a test class run together: the
modules and the lookup in one ``ansible-playbook -vvvv`` whose inventory holds one local host per
case (strategy free, so each case runs and is timed on its own while the others wait on their
servers), the event sources in one asyncio loop. Both use the collection that
ANSIBLE_COLLECTIONS_PATH names (make sets it to the build tree).
"""

import asyncio
import concurrent.futures
import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field

import pytest
import yaml

from hostile_server import HostileServer, Sentinels, marker

COLLECTION = ('ansible_collections', 'skillops', 'alexa')
EVENT_SOURCE = ('extensions', 'eda', 'plugins', 'event_source', 'sdns_subscriber_health.py')
REDIRECT_URI = 'https://example.com/alexa/callback'


@dataclass
class Case:
    """One entry point against one scenario.

    ``entry``: a module's FQCN, ``lookup`` (skillops.alexa.lwa_access_token) or ``eda`` (the event
    source). ``auth``: ``token`` (access_token), ``refresh`` (client ID, secret, refresh token) or
    ``code`` (client ID, secret and an authorization code). ``expect``: fragments of the message,
    where ``{elsewhere}`` stands for the elsewhere server's origin. ``requests``: how many requests
    of each (method, path) the hostile server gets (for an event source: per look)."""
    name: str
    entry: str
    routes: dict
    auth: str = 'token'
    args: dict = field(default_factory=dict)
    transport: dict = field(default_factory=lambda: dict(timeout=5, retry_attempts=3, retry_max_delay=0.2))
    expect: tuple = ()
    requests: dict = field(default_factory=dict)
    within: tuple = None  # (at least, at most) seconds the task or look takes
    secrets: Sentinels = field(default_factory=Sentinels)

    def __str__(self):
        return self.name


@dataclass
class Run:
    """What one case gave: the task's result (or the event source's warnings), how long it took,
    and all that was shown (the whole ansible-playbook output; the event source's logs)."""
    result: dict
    elapsed: float
    shown: str
    looks: list = field(default_factory=list)
    started: float = 0.0  # when the event sources started (time.time(), as log records have it)
    ended: float = 0.0  # when the task ended (time.time())


def client_args(case, url):
    """The shared options of a case: its credentials, as templates of its host's ``secrets``."""
    args = dict(smapi_url=url, lwa_url=url, **case.transport)
    if case.auth == 'token':
        args['access_token'] = '{{ secrets.access_token }}'
    else:
        args.update(lwa_client_id='{{ secrets.client_id }}', lwa_client_secret='{{ secrets.client_secret }}')
        if case.auth == 'refresh':
            args['refresh_token'] = '{{ secrets.refresh_token }}'
        else:
            args.update(code='{{ secrets.code }}', redirect_uri=REDIRECT_URI)
    return args


def case_tasks(case, url):
    """The tasks of one case's host: the entry point, timed, its result kept as ``case_record``."""
    if case.entry == 'lookup':
        options = ', '.join('%s=%s' % (key, value[3:-3] if str(value).startswith('{{') else json.dumps(value))
                            for key, value in client_args(case, url).items() if key != 'smapi_url')
        task = {'name': case.name, 'ansible.builtin.set_fact': {
            'case_token': "{{ lookup('skillops.alexa.lwa_access_token', %s) }}" % options}}
    else:
        args = client_args(case, url)
        args.update(case.args)
        task = {'name': case.name, case.entry: args}
    task.update(register='case_result', ignore_errors=True)
    return [
        {'name': 'start', 'ansible.builtin.set_fact': {'case_start': '{{ now().timestamp() }}'}},
        task,
        {'name': 'record', 'ansible.builtin.set_fact': {'case_record': {
            'result': '{{ case_result }}', 'start': '{{ case_start }}', 'end': '{{ now().timestamp() }}'}}},
    ]


@pytest.fixture(scope='session')
def collection():
    """The collection under test: ANSIBLE_COLLECTIONS_PATH's skillops.alexa."""
    root = os.environ.get('ANSIBLE_COLLECTIONS_PATH', '')
    path = os.path.join(root, *COLLECTION)
    if not root or not os.path.isdir(path):
        pytest.fail('tests/hostile runs against the collection that ANSIBLE_COLLECTIONS_PATH names (make sets it to the '
                    'build tree); found none at %r' % path)
    return path


@pytest.fixture(scope='session')
def servers():
    """The hostile server and the elsewhere server its redirects point to; stopped at the end."""
    with HostileServer('elsewhere') as elsewhere, HostileServer('hostile') as hostile:
        hostile.elsewhere = elsewhere
        yield hostile


@pytest.fixture(scope='session')
def playbook(collection, servers, tmp_path_factory):
    """``playbook(cases)`` runs the cases in one ansible-playbook -vvvv; {name: Run}."""
    executable = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    if not os.path.exists(executable):
        executable = shutil.which('ansible-playbook')

    def run(cases, label):
        work = tmp_path_factory.mktemp(label)
        hosts = {}
        for case in cases:
            url = servers.script(case.name, case.routes)
            hosts[case.name] = dict(ansible_connection='local', ansible_python_interpreter=sys.executable,
                                    secrets=case.secrets.values())
            (work / ('%s.yml' % case.name)).write_text(yaml.safe_dump(case_tasks(case, url), sort_keys=False))
        (work / 'inventory.yml').write_text(yaml.safe_dump({'all': {'hosts': hosts}}))
        records = work / 'records.json'
        (work / 'playbook.yml').write_text(yaml.safe_dump([
            {'name': 'cases', 'hosts': 'all', 'gather_facts': False, 'strategy': 'free', 'tasks': [
                {'name': 'the case of this host',
                 'ansible.builtin.include_tasks': '%s/{{ inventory_hostname }}.yml' % work}]},
            # Written without showing it: the records are what the tests search.
            {'name': 'records', 'hosts': cases[0].name, 'gather_facts': False, 'tasks': [
                {'name': 'write the records', 'no_log': True, 'ansible.builtin.copy': {
                    'dest': str(records), 'mode': '0600',
                    'content': "{{ dict(groups['all'] | zip(groups['all'] | map('extract', hostvars, 'case_record')))"
                               " | to_json }}"}}]},
        ], sort_keys=False))
        env = dict((key, value) for key, value in os.environ.items() if not key.startswith('ASK_'))
        env.update(ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='False', ANSIBLE_LOCAL_TEMP=str(work / 'tmp'), ANSIBLE_NOCOLOR='1',
                   ANSIBLE_RETRY_FILES_ENABLED='False', ANSIBLE_FORKS=str(min(len(cases), 12)))
        started = time.monotonic()
        done = subprocess.run([executable, '-vvvv', '-i', str(work / 'inventory.yml'), str(work / 'playbook.yml')],
                              cwd=str(work), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=300, check=False)
        print('%s: ansible-playbook ran %d cases in %.1fs' % (label, len(cases), time.monotonic() - started))
        (work / 'output.txt').write_text(done.stdout)
        assert done.returncode == 0 and records.exists(), 'ansible-playbook failed (%d):\n%s' % (
            done.returncode, done.stdout[-20000:])
        kept = json.loads(records.read_text())
        runs = {}
        for case in cases:
            record = kept[case.name]
            runs[case.name] = Run(record['result'], float(record['end']) - float(record['start']), done.stdout,
                                  ended=float(record['end']))
            print('  %-40s %5.2fs  %s' % (case.name, runs[case.name].elapsed, record['result'].get('msg', '')[:160]))
        return runs

    return run


class _Records(logging.Handler):
    """Every log record of the process while the event sources run (caplog's way, for many tests)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(scope='session')
def event_source(collection):
    """The event source skillops.alexa.sdns_subscriber_health, imported by path from the collection."""
    spec = importlib.util.spec_from_file_location('sdns_subscriber_health', os.path.join(collection, *EVENT_SOURCE))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def run_sources(event_source, servers):
    """``run_sources(cases, seconds)`` runs the event source of every case at once for ``seconds``,
    then cancels them; {name: Run} with the warnings of each case's looks."""
    def run(cases, seconds):
        sources = {}
        for case in cases:
            url = servers.script(case.name, case.routes)
            args = dict(smapi_url=url, lwa_url=url, vendor_id=vendor_of(case), interval=0.2, **case.transport)
            if case.auth == 'token':
                args['access_token'] = case.secrets.access_token
            else:
                args.update(lwa_client_id=case.secrets.client_id, lwa_client_secret=case.secrets.client_secret,
                            refresh_token=case.secrets.refresh_token)
            args.update(case.args)
            sources[case.name] = args

        async def main():
            # Every source's blocking look runs in a thread: one each, so that none waits for another's.
            asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(len(cases) + 2))
            tasks = dict((name, asyncio.create_task(event_source.main(asyncio.Queue(), args)))
                         for name, args in sources.items())
            await asyncio.sleep(seconds)
            for task in tasks.values():
                task.cancel()
            return dict(zip(tasks, await asyncio.gather(*tasks.values(), return_exceptions=True)))

        records = _Records()
        root = logging.getLogger()
        level = root.level
        root.addHandler(records)
        root.setLevel(logging.DEBUG)
        saved = dict((key, os.environ.pop(key)) for key in list(os.environ) if key.startswith('ASK_'))
        started, wall = time.monotonic(), time.time()
        try:
            ended = asyncio.run(main())
        finally:
            root.removeHandler(records)
            root.setLevel(level)
            os.environ.update(saved)
        print('event sources: %d cases in %.1fs' % (len(cases), time.monotonic() - started))
        shown = '\n'.join('%s %s %s' % (record.name, record.levelname, record.getMessage()) for record in records.records)
        runs = {}
        for case in cases:
            assert isinstance(ended[case.name], asyncio.CancelledError), \
                '%s: the event source stopped by itself: %r' % (case.name, ended[case.name])
            looks = [record for record in records.records if record.name == event_source.logger.name
                     and record.levelno == logging.WARNING and 'of %s failed' % vendor_of(case) in record.getMessage()]
            runs[case.name] = Run(dict(msg=looks[0].getMessage() if looks else ''), seconds, shown, looks, wall)
            print('  %-40s %d looks  %s' % (case.name, len(looks), runs[case.name].result['msg'][:200]))
        return runs

    return run


def vendor_of(case):
    return 'M1VENDOR-%s-END' % case.name


def secrets_of(case, servers):
    """Every secret of a case: its sentinels and the tokens minted for it, here and elsewhere."""
    minted = servers.minted_for(case.name) + servers.elsewhere.minted_for(case.name)
    return case.secrets.secrets() + minted


def leaked(text, case, servers):
    """The secrets of ``case`` that ``text`` holds in any spelling, whole or in part."""
    return [value for value in secrets_of(case, servers) if marker(value) in text]


def showing(text, values):
    """The lines of ``text`` that hold any of ``values`` (by marker), for a failure's message."""
    return '\n'.join(line for line in text.splitlines() if any(marker(value) in line for value in values))[:5000]
