# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/awx_configure.yml and the content of extensions/awx/ against a real AWX API: everything it
makes reads back as written, a second run changes nothing, every job template launches answering only
the questions without a default, a survey refuses what SMAPI would, a credential takes an empty URL as
the default, and a git project whose sync never runs fails the play in time."""

import glob
import os
import uuid

import pytest
import yaml

from conftest import CONFIGURE_VARS
from controllerkit import ROOT

EXTENSIONS = os.path.join(ROOT, 'extensions', 'awx')
with open(os.path.join(EXTENSIONS, 'job_templates.yml')) as stream:
    TEMPLATES = yaml.safe_load(stream)
CREDENTIAL_TYPES = []
for path in sorted(glob.glob(os.path.join(EXTENSIONS, 'credential_types', '*.yml'))):
    with open(path) as stream:
        CREDENTIAL_TYPES.append(yaml.safe_load(stream))


def by_name(items):
    return pytest.mark.parametrize('item', items, ids=[item['name'] for item in items])


def answers_without_defaults(template):
    """An answer to each required question with no default, as short as the question allows."""
    return {question['variable']: 'a' * max(int(question.get('min') or 1), 1)
            if question['type'] in ('text', 'textarea') else question['choices'][0]
            for question in template['survey_spec']['spec']
            if question.get('required') and 'default' not in question}


def test_the_configuration_runs_to_the_end_and_a_second_run_changes_nothing(configured):
    first, second = configured
    assert first['failed'] == 0 and first['ok'] > 0
    assert second['failed'] == 0
    assert second['changed'] == 0, second['output'][-6000:]


@by_name(CREDENTIAL_TYPES)
def test_a_credential_type_reads_back_as_written(controller, configured, item):
    stored = controller.one('credential_types', item['name'])

    assert (stored['kind'], stored['description']) == (item['kind'], item['description'].strip())
    assert stored['inputs'] == item['inputs']
    assert stored['injectors'] == item['injectors']


@by_name(TEMPLATES)
def test_a_job_template_and_its_survey_read_back_as_written(controller, configured, item):
    stored = controller.one('job_templates', item['name'])
    survey = controller.get('job_templates/%d/survey_spec/' % stored['id'])

    assert stored['playbook'] == item['playbook']
    assert stored['project'] == controller.one('projects', 'skillops.alexa')['id']
    assert (stored['ask_credential_on_launch'], stored['ask_variables_on_launch'], stored['survey_enabled']) == (
        item['ask_credential_on_launch'], item['ask_variables_on_launch'], item['survey_enabled'])
    # AWX keeps a multiselect's default as the lines of a string.
    written = [dict(question, default='\n'.join(question['default']) if isinstance(question.get('default'), list)
                    else question['default']) if 'default' in question else question
               for question in item['survey_spec']['spec']]
    assert [{key: question.get(key) for key in written_question} for question, written_question
            in zip(survey['spec'], written)] == written


@by_name(TEMPLATES)
def test_a_template_launches_answering_only_the_questions_without_a_default(controller, configured, item):
    template = controller.one('job_templates', item['name'])
    answers = answers_without_defaults(item)

    status, job = controller.request('POST', 'job_templates/%d/launch/' % template['id'], {'extra_vars': answers})

    assert status == 201, job
    launched = yaml.safe_load(controller.get('jobs/%d/' % job['id'])['extra_vars'])
    # The answers given, and every default AWX applies (a multiselect's it leaves to the role's own, the same).
    defaults = {question['variable']: question['default'] for question in item['survey_spec']['spec']
                if 'default' in question and question['type'] != 'multiselect'}
    assert launched == dict(defaults, **answers)


def test_a_survey_refuses_a_name_smapi_would_refuse(controller, configured):
    template = controller.one('job_templates', 'SDNS independent developer')

    status, body = controller.request('POST', 'job_templates/%d/launch/' % template['id'],
                                      {'extra_vars': {'sdns_independent_developer_name': 'n' * 50}})

    assert status == 400
    assert "'sdns_independent_developer_name' value %s is too large (must be no more than 49)" % ('n' * 50) in str(body)


def test_the_workflow_runs_the_organization_then_the_doctor_on_its_subscriber(controller, configured):
    workflow = controller.one('workflow_job_templates', 'SDNS organization, then doctor')
    nodes = {node['identifier']: node for node in
             controller.get('workflow_job_templates/%d/workflow_nodes/' % workflow['id'])['results']}
    organization = controller.one('job_templates', 'SDNS organization')['id']
    doctor = controller.one('job_templates', 'SDNS doctor')['id']

    assert sorted(nodes) == ['doctor', 'organization']
    assert (nodes['organization']['unified_job_template'], nodes['doctor']['unified_job_template']) == (organization, doctor)
    assert nodes['organization']['success_nodes'] == [nodes['doctor']['id']]
    assert nodes['organization']['extra_data'] == {'sdns_organization_name': 'sdns-org'}
    assert nodes['doctor']['extra_data'] == {'sdns_doctor_subscriber_name': 'sdns-org'}
    status, job = controller.request('POST', 'workflow_job_templates/%d/launch/' % workflow['id'], {})
    assert status == 201, job


def test_the_doctor_is_scheduled(controller, configured):
    schedule = controller.one('schedules', 'SDNS doctor')

    assert schedule['unified_job_template'] == controller.one('job_templates', 'SDNS doctor')['id']
    assert schedule['rrule'] == CONFIGURE_VARS['awx_doctor_schedule_rrule']
    assert schedule['extra_data'] == CONFIGURE_VARS['awx_doctor_schedule_extra_data']
    assert schedule['enabled'] is True and schedule['next_run']


def test_a_credential_takes_an_empty_url_as_the_default(controller, configured):
    kind = controller.one('credential_types', 'Alexa SMAPI (LWA refresh token)')
    organization = controller.one('organizations', 'Default')
    inputs = dict(lwa_client_id='amzn1.application-oa2-client.test', lwa_client_secret='s3cret',
                  refresh_token='Atzr|test', vendor_id='M1TEST', smapi_url='', lwa_url='', authorize_url='')

    status, credential = controller.request('POST', 'credentials/', dict(
        name='empty-urls-%s' % uuid.uuid4().hex[:8], credential_type=kind['id'], organization=organization['id'], inputs=inputs))

    assert status == 201, credential
    stored = controller.get('credentials/%d/' % credential['id'])['inputs']
    assert stored == dict(inputs, lwa_client_secret='$encrypted$', refresh_token='$encrypted$')


def test_a_git_project_whose_sync_never_runs_fails_the_play_in_time(controller, configured):
    result = controller.playbook('playbooks/awx_configure.yml', dict(
        awx_project_name='never-synced', awx_project_scm_url='https://git.example.invalid/skillops-alexa.git',
        awx_project_sync_timeout=5), expect_success=False)

    assert result['rc'] != 0
    assert 'The sync of project never-synced (https://git.example.invalid/skillops-alexa.git) did not succeed ' \
        'within awx_project_sync_timeout (5 s): it is pending.' in ' '.join(result['output'].split())
