# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a playbook as an AWX job template runs it, without an AWX: the part of AWX between "launch" and
ansible-runner, done as AWX does it (awx.main.models.credential, awx.main.models.mixins, the private data
directory AWX hands to ansible-runner).

- Credentials: the inputs of a credential type of extensions/awx/credential_types/ (or of AWX's built-in
  "Amazon Web Services" type) are checked as AWX checks a credential (required inputs) and injected as AWX
  injects them: every `env` template rendered by Jinja's immutable sandbox with the non-empty inputs, into
  the job's environment; and a second time with the secret inputs replaced by AWX's mask, into the copy of
  the environment AWX keeps and shows with the job (job_env.json here).
- Launch: the survey answers and the variables given at launch are checked against the template's survey
  and ask_variables_on_launch, and the extra vars are those of the template, then the survey's defaults,
  then what was given, as AWX merges them.
- The private data directory: project/ (the collection, whose playbooks/ the templates name), inventory/,
  env/envvars, env/extravars, then ansible-runner in it.

Nothing here talks to an AWX.
"""

import json
import os
import re

import ansible_runner
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

MASK = '**********'  # what AWX shows for a secret
# AWX's build_safe_env: how it hides the values of the built-in credential types' variables.
HIDDEN_NAMES = re.compile(r'API|TOKEN|KEY|SECRET|PASS', re.I)
SCRUBBED_JOB_ENV = ('PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'LC_CTYPE', 'USER', 'LOGNAME', 'PYTHONPATH',
                    'ANSIBLE_COLLECTIONS_PATH')


def collection_root():
    """The collection under test, which ansible-test puts on ANSIBLE_COLLECTIONS_PATH."""
    return os.path.join(os.environ['ANSIBLE_COLLECTIONS_PATH'], 'ansible_collections', 'skillops', 'alexa')


def load_yaml(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def credential_type(file_name):
    return load_yaml(os.path.join(collection_root(), 'extensions', 'awx', 'credential_types', file_name))


def job_template(playbook):
    for template in load_yaml(os.path.join(collection_root(), 'extensions', 'awx', 'job_templates.yml')):
        if template['playbook'] == playbook:
            return template
    raise KeyError('no job template runs %s' % playbook)


class Credential(object):
    """A credential of a custom type: the environment it injects, and the one AWX shows."""

    def __init__(self, body, inputs):
        missing = [name for name in body['inputs'].get('required', []) if not inputs.get(name)]
        if missing:
            raise ValueError('%s: AWX refuses the credential without %s' % (body['name'], ', '.join(missing)))
        unknown = set(inputs) - set(field['id'] for field in body['inputs']['fields'])
        if unknown:
            raise ValueError('%s has no input %s' % (body['name'], ', '.join(sorted(unknown))))
        secret = set(field['id'] for field in body['inputs']['fields'] if field.get('secret'))
        namespace = dict((name, value) for name, value in inputs.items() if value)
        safe_namespace = dict((name, MASK if name in secret else value) for name, value in namespace.items())
        sandbox = ImmutableSandboxedEnvironment()
        self.env, self.safe_env = {}, {}
        for variable, template in body['injectors'].get('env', {}).items():
            self.env[variable] = sandbox.from_string(template).render(**namespace)
            self.safe_env[variable] = sandbox.from_string(template).render(**safe_namespace)


class AwsCredential(object):
    """AWX's built-in "Amazon Web Services" credential (injectors.aws, and build_safe_env for its copy)."""

    def __init__(self, access_key, secret_key):
        self.env = {'AWS_ACCESS_KEY_ID': access_key, 'AWS_SECRET_ACCESS_KEY': secret_key}
        self.safe_env = dict((name, value if name == 'AWS_ACCESS_KEY_ID' or not HIDDEN_NAMES.search(name) else MASK)
                             for name, value in self.env.items())


def _answer_errors(question, answers):
    """AWX's check of one survey answer (SurveyJobTemplateMixin._survey_element_validation)."""
    name, kind = question['variable'], question['type']
    if name not in answers:
        return ["'%s' value missing" % name] if question['required'] else []
    value = answers[name]
    choices = question.get('choices', [])
    if isinstance(choices, str):
        choices = [choice for choice in choices.splitlines() if choice.strip()]
    if kind in ('text', 'textarea', 'password'):
        if not isinstance(value, str):
            return ['%s: %r is not a string' % (name, value)]
        if question.get('min') not in ('', None) and len(value) < int(question['min']):
            return ['%s: %r is shorter than %s' % (name, value, question['min'])]
        if question.get('max') not in ('', None) and len(value) > int(question['max']):
            return ['%s: %r is longer than %s' % (name, value, question['max'])]
    elif kind == 'multiselect':
        if not isinstance(value, list):
            return ['%s: %r is not a list' % (name, value)]
        return ['%s: %r is not one of %s' % (name, item, choices) for item in value if item not in choices]
    elif kind == 'multiplechoice' and value not in choices:
        return ['%s: %r is not one of %s' % (name, value, choices)]
    return []


def survey_form(template, answers):
    """What the launch form sends: each question filled in with its default (one of several choices as a
    list), then the answers given."""
    form = {}
    for question in template['survey_spec']['spec'] if template.get('survey_enabled') else []:
        default = question.get('default')
        if question['type'] == 'multiselect' and isinstance(default, str):
            default = [choice for choice in default.splitlines() if choice.strip()]
        if default is not None:
            form[question['variable']] = default
    form.update(answers)
    return form


def launch_extra_vars(template, answers=None, launch_vars=None, template_extra_vars=None):
    """The job's extra vars when the template is launched from the form with these survey answers, and
    these other variables."""
    given = dict(launch_vars or {}, **survey_form(template, answers or {}))
    spec = template['survey_spec']['spec'] if template.get('survey_enabled') else []
    errors = []
    for question in spec:
        errors += _answer_errors(question, given)
    surveyed = set(question['variable'] for question in spec)
    refused = sorted(set(given) - surveyed) if not template.get('ask_variables_on_launch') else []
    if refused:
        errors.append('variables %s are not allowed on launch (ask_variables_on_launch is off)' % ', '.join(refused))
    if errors:
        raise ValueError('%s: AWX refuses the launch: %s' % (template['name'], '; '.join(errors)))
    extra_vars = dict(template_extra_vars or {})
    for question in spec:
        if question.get('default') is not None and not _answer_errors(question, {question['variable']: question['default']}):
            extra_vars[question['variable']] = question['default']
    extra_vars.update(given)
    return extra_vars


class Job(object):
    """One job: its private data directory, ansible-runner's run in it, and what the run left."""

    def __init__(self, workdir, ident, template, credentials, extra_vars, task_env=None, verbosity=3, diff_mode=False):
        self.ident, self.template = ident, template
        self.private_data_dir = os.path.join(workdir, ident)
        env, safe_env = dict(task_env or {}), dict(task_env or {})
        for credential in credentials:
            env.update(credential.env)
            safe_env.update(credential.safe_env)
        os.makedirs(os.path.join(self.private_data_dir, 'env'))
        os.makedirs(os.path.join(self.private_data_dir, 'inventory'))
        os.symlink(collection_root(), os.path.join(self.private_data_dir, 'project'))
        self._write('inventory/hosts', 'localhost ansible_connection=local\n')
        self._write('env/envvars', yaml.safe_dump(env))
        self._write('env/extravars', yaml.safe_dump(dict(extra_vars, awx_job_id=ident,
                                                         awx_job_template_name=template['name'])))
        # The job's environment as AWX keeps and shows it.
        self._write('job_env.json', json.dumps(safe_env, indent=2))
        # The template's Verbosity (0 to 5: -v ... -vvvvv) and Show Changes (--diff), as AWX passes them.
        self.verbosity, self.diff_mode = verbosity, diff_mode
        self.runner = None

    def _write(self, name, text):
        path = os.path.join(self.private_data_dir, name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), 'w') as handle:
            handle.write(text)

    def run(self, timeout=600):
        """Run the template's playbook in a job environment that holds nothing of this process's but the
        basics (AWX's execution environment holds no more): the rest is env/envvars."""
        saved = dict(os.environ)
        try:
            for name in list(os.environ):
                if name not in SCRUBBED_JOB_ENV:
                    del os.environ[name]
            os.environ['ANSIBLE_NOCOLOR'] = '1'
            self.runner = ansible_runner.run(private_data_dir=self.private_data_dir, playbook=self.template['playbook'],
                                             ident=self.ident, verbosity=self.verbosity, quiet=True, timeout=timeout,
                                             cmdline='--diff' if self.diff_mode else None)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return self

    @property
    def artifacts(self):
        return os.path.join(self.private_data_dir, 'artifacts', self.ident)

    def stdout_tail(self, lines=40):
        with open(os.path.join(self.artifacts, 'stdout'), errors='replace') as handle:
            return ''.join(handle.readlines()[-lines:])

    def events(self):
        return list(self.runner.events)

    def stats(self):
        """The playbook_on_stats event: ok, changed, failures, ... by host, and artifact_data (set_stats)."""
        [stats] = [event['event_data'] for event in self.events() if event['event'] == 'playbook_on_stats']
        return stats

    def count(self, name):
        return sum(self.stats().get(name, {}).values())

    def result_of(self, task):
        """The result of the task of this name (the last one, for a loop or a task run twice)."""
        results = [event['event_data']['res'] for event in self.events()
                   if event['event'] == 'runner_on_ok' and event['event_data'].get('task') == task]
        if not results:
            raise KeyError('%s: no task %r succeeded' % (self.ident, task))
        return results[-1]

    def check(self, changed=None):
        """Fail unless the job succeeded (and changed as many things as said); return its figures."""
        status = self.runner.status
        if status != 'successful' or self.runner.rc != 0:
            raise AssertionError('%s: the job ended %s (rc %s):\n%s' % (self.ident, status, self.runner.rc,
                                                                        self.stdout_tail()))
        if changed is not None and self.count('changed') != changed:
            raise AssertionError('%s: changed=%d, not %d:\n%s' % (self.ident, self.count('changed'), changed,
                                                                  self.stdout_tail()))
        return 'ok=%d changed=%d' % (self.count('ok'), self.count('changed'))
