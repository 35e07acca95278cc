# SPDX-License-Identifier: GPL-3.0-or-later
"""What the AWX tests drive: the controller's REST API (api/v2) and ansible-playbook with awx.awx's
environment variables naming the controller."""

import json
import os
import re
import subprocess
import sys
import tempfile

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


class Controller:
    def __init__(self, environment):
        self.host = environment['CONTROLLER_HOST'].rstrip('/')
        self.auth = (environment.get('CONTROLLER_USERNAME', ''), environment.get('CONTROLLER_PASSWORD', ''))
        self.verify = environment.get('CONTROLLER_VERIFY_SSL', 'true').lower() not in ('false', '0', 'no')
        self.projects_root = environment.get('AWX_PROJECTS_ROOT', '')
        self.environment = {key: environment[key] for key in
                            ('CONTROLLER_HOST', 'CONTROLLER_USERNAME', 'CONTROLLER_PASSWORD', 'CONTROLLER_VERIFY_SSL')
                            if key in environment}

    def request(self, method, path, body=None, **params):
        """(status, JSON body or None) of ``method /api/v2/path``."""
        answer = requests.request(method, '%s/api/v2/%s' % (self.host, path.lstrip('/')), auth=self.auth,
                                  json=body, params=params, verify=self.verify, timeout=60)
        try:
            return answer.status_code, answer.json()
        except ValueError:
            return answer.status_code, None

    def get(self, path, **params):
        status, body = self.request('GET', path, **params)
        assert status == 200, (path, status, body)
        return body

    def one(self, kind, name):
        """The one ``kind`` (job_templates, say) called ``name``."""
        found = self.get(kind, name=name)['results']
        assert len(found) == 1, '%d %s named %r' % (len(found), kind, name)
        return found[0]

    def playbook(self, path, variables, expect_success=True):
        """ansible-playbook ``path`` (of the checkout) with ``variables`` as extra vars: its recap for
        localhost (ok, changed, failed, ...) and its output under 'output'."""
        with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as extra:
            json.dump(variables, extra)
        try:
            result = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', path, '-e', '@' + extra.name],
                                    cwd=ROOT, capture_output=True, text=True, check=False,
                                    env=dict(dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=sys.executable), **self.environment),
                                    timeout=300)
        finally:
            os.unlink(extra.name)
        output = result.stdout + result.stderr
        if expect_success:
            assert result.returncode == 0, output[-6000:]
        recap = re.search(r'^localhost\s+:\s+(.*)$', result.stdout, re.MULTILINE)
        counts = {key: int(value) for key, value in re.findall(r'(\w+)=(\d+)', recap.group(1))} if recap else {}
        return dict(counts, output=output, rc=result.returncode)
