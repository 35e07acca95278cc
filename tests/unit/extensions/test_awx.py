# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX / Automation Controller content in extensions/awx/, checked without an AWX.

The credential types are checked against the rules AWX applies when one is created (the schema of
CredentialType.inputs and .injectors, and the injector templates rendered with every field set and
StrictUndefined), and rendered as AWX renders them for a job (awx.main.models.credential). The job
templates' surveys are checked against the rules of AWX's survey_spec endpoint and against the
argument specs of the roles their playbooks run.
"""

import glob
import os
import re

import pytest
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.skillops.alexa.plugins.module_utils._lwa import DEFAULT_AUTHORIZE_URL, DEFAULT_LWA_URL
from ansible_collections.skillops.alexa.plugins.module_utils._config import credentials_problem, options_outside_a_module
from ansible_collections.skillops.alexa.plugins.module_utils._module import smapi_argument_spec
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import EVENTS
from ansible_collections.skillops.alexa.plugins.module_utils._smapi import DEFAULT_SMAPI_URL

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
AWX = os.path.join(ROOT, 'extensions', 'awx')
WORKFLOWS = ['independent_developer', 'organization', 'developer', 'doctor', 'teardown']
SECRET_ENV = {'ASK_LWA_CLIENT_CONFIRMATION', 'ASK_REFRESH_TOKEN', 'ASK_ACCESS_TOKEN'}
HIDDEN = '**********'  # what AWX stores in the job's environment for a secret input


def load(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


CREDENTIAL_TYPES = dict((os.path.basename(path), load(path))
                        for path in sorted(glob.glob(os.path.join(AWX, 'credential_types', '*.yml'))))
JOB_TEMPLATES = load(os.path.join(AWX, 'job_templates.yml'))


def fields(body):
    return dict((field['id'], field) for field in body['inputs']['fields'])


def render_env(body, inputs, safe=False):
    """env as AWX injects it for a job: only non-empty inputs are defined; secret ones are hidden in the
    copy AWX keeps as the job's environment (safe)."""
    secret = [name for name, field in fields(body).items() if field.get('secret')]
    namespace = dict((name, HIDDEN if safe and name in secret else value)
                     for name, value in inputs.items() if value)
    sandbox = ImmutableSandboxedEnvironment()
    return dict((name, sandbox.from_string(template).render(**namespace))
                for name, template in body['injectors']['env'].items())


def example_inputs(body):
    return dict((name, 'value-of-%s' % name) for name in body['inputs']['required'])


# The environment variables the workflows read: the modules' and the lookup's fallbacks, and the
# roles' and playbooks' env lookups.
def env_read_by_workflows():
    names = set()
    for option in smapi_argument_spec().values():
        names.update(option.get('fallback', (None, []))[1])
    sources = [os.path.join(ROOT, 'playbooks', name + '.yml') for name in WORKFLOWS]
    sources += glob.glob(os.path.join(ROOT, 'roles', '*', 'defaults', 'main.yml'))
    sources += glob.glob(os.path.join(ROOT, 'roles', '*', 'tasks', '*.yml'))
    sources.append(os.path.join(ROOT, 'plugins', 'lookup', 'lwa_access_token.py'))
    for path in sources:
        with open(path) as handle:
            text = handle.read()
        names.update(re.findall(r"lookup\('ansible\.builtin\.env', '(ASK_[A-Z_]+)'\)", text))
        names.update(re.findall(r'- name: (ASK_[A-Z_]+)', text))
    return names


def test_both_types_are_there():
    assert sorted(CREDENTIAL_TYPES) == ['smapi_access_token.yml', 'smapi_refresh_token.yml']
    assert sorted(body['name'] for body in CREDENTIAL_TYPES.values()) == [
        'Alexa SMAPI (LWA refresh token)', 'Alexa SMAPI (access token)']


@pytest.mark.parametrize('name', sorted(CREDENTIAL_TYPES))
def test_credential_type_is_what_awx_takes(name):
    body = CREDENTIAL_TYPES[name]
    # The options of awx.awx.credential_type, state aside; kind among the module's choices that AWX lets
    # a custom type have.
    assert sorted(body) == ['description', 'injectors', 'inputs', 'kind', 'name']
    assert body['kind'] == 'cloud'
    assert isinstance(body['name'], str) and isinstance(body['description'], str)

    # CredentialTypeInputField
    assert set(body['inputs']) <= {'fields', 'required'}
    ids = [field['id'] for field in body['inputs']['fields']]
    assert len(ids) == len(set(ids))
    for field in body['inputs']['fields']:
        assert set(field) <= {'type', 'format', 'choices', 'id', 'label', 'help_text', 'multiline', 'secret',
                              'ask_at_runtime', 'default'}, field
        assert re.match(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$', field['id']) and field['id'] != 'tower'
        assert isinstance(field['label'], str)
        assert field.get('type', 'string') == 'string'
        assert field.get('format', 'url') == 'url'
        assert isinstance(field.get('secret', False), bool)
    assert set(body['inputs']['required']) <= set(ids)

    # CredentialTypeInjectorField: env only, allowed names, ASCII templates that render with every
    # field set to EXAMPLE and StrictUndefined.
    assert list(body['injectors']) == ['env']
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for variable, template in body['injectors']['env'].items():
        assert re.match(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$', variable) and not variable.startswith('ANSIBLE_')
        assert isinstance(template, str) and template.isascii()
        strict.from_string(template).render(**dict.fromkeys(ids, 'EXAMPLE'))


@pytest.mark.parametrize('name', sorted(CREDENTIAL_TYPES))
def test_secrets_are_secret_inputs_and_hidden_in_the_job_environment(name):
    body = CREDENTIAL_TYPES[name]
    inputs = example_inputs(body)
    env = render_env(body, inputs)
    safe = render_env(body, inputs, safe=True)
    injected_secrets = SECRET_ENV & set(env)
    assert injected_secrets
    for variable in injected_secrets:
        assert safe[variable] == HIDDEN
    for variable in set(env) - SECRET_ENV:
        assert safe[variable] == env[variable]
    for field in fields(body).values():
        if field.get('secret'):
            assert inputs[field['id']] not in safe.values()


def test_refresh_token_type_injects_the_refresh_credentials():
    body = CREDENTIAL_TYPES['smapi_refresh_token.yml']
    env = render_env(body, {'lwa_client_id': 'amzn1.application-oa2-client.x', 'lwa_client_secret': 's',
                            'refresh_token': 'Atzr|r', 'vendor_id': 'M1X'})
    assert env == {
        'ASK_LWA_CLIENT_ID': 'amzn1.application-oa2-client.x',
        'ASK_LWA_CLIENT_CONFIRMATION': 's',
        'ASK_REFRESH_TOKEN': 'Atzr|r',
        'ASK_VENDOR_ID': 'M1X',
        # AWX sets every variable of env: unset URLs are the modules' defaults, not empty.
        'ASK_SMAPI_SERVER_BASE_URL': DEFAULT_SMAPI_URL,
        'ASK_LWA_TOKEN_HOST': DEFAULT_LWA_URL,
        'ASK_LWA_AUTHORIZE_HOST': DEFAULT_AUTHORIZE_URL,
    }
    assert set(body['inputs']['required']) == {'lwa_client_id', 'lwa_client_secret', 'refresh_token', 'vendor_id'}


def test_access_token_type_injects_the_token():
    body = CREDENTIAL_TYPES['smapi_access_token.yml']
    env = render_env(body, {'access_token': 'Atza|a', 'vendor_id': 'M1X', 'smapi_url': ''})
    assert env == {'ASK_ACCESS_TOKEN': 'Atza|a', 'ASK_VENDOR_ID': 'M1X', 'ASK_SMAPI_SERVER_BASE_URL': DEFAULT_SMAPI_URL}
    assert set(body['inputs']['required']) == {'access_token', 'vendor_id'}


@pytest.mark.parametrize('name, inputs', [
    ('smapi_refresh_token.yml', {'lwa_client_id': 'amzn1.application-oa2-client.x', 'lwa_client_secret': 's',
                                 'refresh_token': 'Atzr|r', 'vendor_id': 'M1X'}),
    ('smapi_access_token.yml', {'access_token': 'Atza|a', 'vendor_id': 'M1X'}),
])
def test_a_job_with_the_credential_authenticates(name, inputs, monkeypatch):
    # The environment AWX injects, read back through the shared options' environment fallbacks: each
    # input arrives in its option, and the credentials are complete.
    for variable in [variable for variable in os.environ if variable.startswith('ASK_')]:
        monkeypatch.delenv(variable)
    for variable, value in render_env(CREDENTIAL_TYPES[name], inputs).items():
        monkeypatch.setenv(variable, value)
    params = options_outside_a_module({})
    assert dict((option, params[option]) for option in inputs) == inputs
    assert credentials_problem(params) is None


@pytest.mark.parametrize('name', sorted(CREDENTIAL_TYPES))
def test_base_urls_are_injected_when_set(name):
    body = CREDENTIAL_TYPES[name]
    urls = dict((field, 'http://127.0.0.1:%d' % port) for port, field in enumerate(sorted(fields(body)), 8700)
                if field.endswith('_url'))
    assert urls
    env = render_env(body, dict(example_inputs(body), **urls))
    assert sorted(value for value in env.values() if value.startswith('http')) == sorted(urls.values())


def test_the_types_carry_every_variable_the_workflows_read():
    read = env_read_by_workflows()
    assert {'ASK_VENDOR_ID', 'ASK_LWA_CLIENT_ID', 'ASK_ACCESS_TOKEN', 'ASK_LWA_AUTHORIZE_HOST'} <= read
    injected = set()
    for body in CREDENTIAL_TYPES.values():
        env = set(body['injectors']['env'])
        # Each type alone authenticates and names the vendor (no survey asks for it), and injects
        # nothing the workflows do not read.
        assert 'ASK_VENDOR_ID' in env
        assert 'ASK_ACCESS_TOKEN' in env or {'ASK_LWA_CLIENT_ID', 'ASK_LWA_CLIENT_CONFIRMATION', 'ASK_REFRESH_TOKEN'} <= env
        assert env <= read
        injected |= env
    assert injected == read


def test_one_job_template_per_workflow_playbook():
    assert [template['playbook'] for template in JOB_TEMPLATES] == ['playbooks/%s.yml' % name for name in WORKFLOWS]
    for template in JOB_TEMPLATES:
        assert os.path.isfile(os.path.join(ROOT, template['playbook']))
        # Options of awx.awx.job_template; the installation's own (project, inventory, ...) are the playbook's.
        assert set(template) <= {'name', 'description', 'playbook', 'ask_credential_on_launch',
                                 'ask_variables_on_launch', 'survey_enabled', 'survey_spec'}
        assert template['ask_credential_on_launch'] is True
        assert template['survey_enabled'] is True
    assert len(set(template['name'] for template in JOB_TEMPLATES)) == len(JOB_TEMPLATES)


@pytest.mark.parametrize('template', JOB_TEMPLATES, ids=[template['playbook'] for template in JOB_TEMPLATES])
def test_survey_is_what_awx_takes(template):
    # The rules of AWX's job_templates/N/survey_spec endpoint (JobTemplateSurveySpec._validate_spec_data).
    spec = template['survey_spec']
    assert isinstance(spec['name'], str) and isinstance(spec['description'], str)
    assert isinstance(spec['spec'], list) and spec['spec']
    default_types = {'text': str, 'textarea': str, 'password': str, 'multiplechoice': str, 'multiselect': str,
                     'integer': int, 'float': (float, int)}
    variables = set()
    for question in spec['spec']:
        for key in ('type', 'question_name', 'variable'):
            assert isinstance(question[key], str)
        assert isinstance(question['required'], bool)
        assert question['variable'] not in variables
        variables.add(question['variable'])
        assert question['type'] in default_types
        if question.get('default', '') != '':
            assert isinstance(question['default'], default_types[question['type']])
        for key in ('min', 'max'):
            assert isinstance(question.get(key, 0), int)
        if question['type'] in ('multiplechoice', 'multiselect'):
            assert question['choices'] and all(isinstance(choice, str) for choice in question['choices'])
            defaults = question.get('default', '').splitlines()
            assert set(defaults) <= set(question['choices'])
            if question['type'] == 'multiplechoice':
                assert len(defaults) <= 1


def role_of(playbook):
    """The role a workflow playbook runs, and the variables the playbook fixes for it."""
    [play] = load(os.path.join(ROOT, playbook))
    [entry] = play['roles']
    return entry['role'].split('.')[-1], entry.get('vars', {})


@pytest.mark.parametrize('template', JOB_TEMPLATES, ids=[template['playbook'] for template in JOB_TEMPLATES])
def test_survey_asks_for_the_role_inputs(template):
    role, fixed = role_of(template['playbook'])
    options = load(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml'))['argument_specs']['main']['options']
    defaults = load(os.path.join(ROOT, 'roles', role, 'defaults', 'main.yml'))
    # Inputs that default to an environment variable come from the credential (the vendor ID, the client ID).
    from_credential = set(name for name, value in defaults.items() if "lookup('ansible.builtin.env'" in str(value))
    questions = dict((question['variable'], question) for question in template['survey_spec']['spec'])

    for name, option in options.items():
        if option.get('required') and name not in fixed:
            assert questions[name]['required'] is True, name
    for name, question in questions.items():
        option = options[name]
        assert name not in fixed and name not in from_credential, name
        assert question['type'] != 'password' and not re.search('secret|token|password', name), name
        if option.get('type', 'str') == 'bool':
            assert question['type'] == 'multiplechoice' and sorted(question['choices']) == ['false', 'true']
            assert question['default'] == str(option['default']).lower()
        elif 'choices' in option:
            assert question['type'] == 'multiplechoice' and question['choices'] == option['choices']
            assert question['default'] == option['default']
        elif option.get('type') == 'list':
            # Only lists of events fit a survey: several choices among the events the modules know.
            assert option['elements'] == 'str' and name.endswith('_events')
            assert question['type'] == 'multiselect' and sorted(question['choices']) == sorted(EVENTS)
            assert question['default'].splitlines() == option['default']
        else:
            assert option.get('type', 'str') == 'str' and question['type'] == 'text'
            assert question.get('default', option.get('default')) == option.get('default')
    # What no survey can hold (lists of mappings or of free values) goes in the template's extra vars; the
    # organization's authorization codes, which work once, in the variables given at launch.
    assert template['ask_variables_on_launch'] is ('sdns_organization_authorization_codes' in options)
