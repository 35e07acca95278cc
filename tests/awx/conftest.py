# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller of the AWX tests: the one awx.awx's variables name (CONTROLLER_HOST,
CONTROLLER_USERNAME, CONTROLLER_PASSWORD, as awx.awx's own tests take them), else a throwaway AWX API
started from the kit AWX_KIT names (its start.sh and stop.sh), else none: then every test is skipped,
saying why. The kit's AWX runs no task runner: jobs and project syncs stay pending, so these tests prove
everything up to a launch AWX accepts; running the jobs is proven with ansible-runner (integration
target secrets_not_logged)."""

import os
import shutil
import subprocess
import tempfile

import pytest

from controllerkit import ROOT, Controller

PROJECT_DIR = 'skillops_alexa'  # the manual project's directory under the controller's PROJECTS_ROOT


@pytest.fixture(scope='session')
def controller():
    if os.environ.get('CONTROLLER_HOST'):
        yield Controller(os.environ)
        return
    kit = os.environ.get('AWX_KIT', '')
    if not kit or not os.path.isfile(os.path.join(kit, 'start.sh')):
        pytest.skip('no AWX to test against: name a controller with CONTROLLER_HOST, CONTROLLER_USERNAME and '
                    'CONTROLLER_PASSWORD, or a kit that starts one with AWX_KIT (its start.sh); AWX_KIT=%r' % kit)
    state = tempfile.mkdtemp(prefix='skillops-awx-test.')
    os.rmdir(state)  # start.sh wants a new or empty directory it marks as its own
    started = subprocess.run([os.path.join(kit, 'start.sh'), state], capture_output=True, text=True, check=False)
    assert started.returncode == 0, 'the AWX kit did not start:\n' + started.stderr[-4000:]
    environment = dict(line.split('=', 1) for line in started.stdout.splitlines() if '=' in line)
    try:
        yield Controller(environment)
    finally:
        subprocess.run([os.path.join(kit, 'stop.sh'), state], capture_output=True, check=False)


@pytest.fixture(scope='session')
def project_path(controller):
    """The collection's git files copied into the controller's PROJECTS_ROOT, for a manual project."""
    if not controller.projects_root:
        pytest.skip('AWX_PROJECTS_ROOT does not name the controller\'s PROJECTS_ROOT: no manual project can be made')
    target = os.path.join(controller.projects_root, PROJECT_DIR)
    shutil.rmtree(target, ignore_errors=True)
    files = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split('\0')
    for name in filter(None, files):
        if os.path.isfile(os.path.join(ROOT, name)):
            os.makedirs(os.path.dirname(os.path.join(target, name)), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, name), os.path.join(target, name))
    return PROJECT_DIR


CONFIGURE_VARS = dict(awx_organization_workflow_name='sdns-org',
                      awx_doctor_schedule_rrule='DTSTART:20270101T060000Z RRULE:FREQ=DAILY;INTERVAL=1',
                      awx_doctor_schedule_extra_data={'sdns_doctor_subscriber_name': 'sdns-org'})


@pytest.fixture(scope='session')
def configured(controller, project_path):
    """playbooks/awx_configure.yml run twice with a manual project, the workflow and the schedule: the
    recaps of both runs."""
    variables = dict(CONFIGURE_VARS, awx_project_local_path=project_path)
    first = controller.playbook('playbooks/awx_configure.yml', variables)
    return [first, controller.playbook('playbooks/awx_configure.yml', variables)]
