# SPDX-License-Identifier: GPL-3.0-or-later
"""The workflow playbooks as AWX job templates run them (runme.sh): each job launched with the
template's survey (extensions/awx/job_templates.yml), its credentials injected by the credential types
of extensions/awx/credential_types/ and AWX's built-in AWS type, in a private data directory of its own
run by ansible-runner, against the sandbox and moto, at the most an AWX user can ask for: Verbosity 4
(-vvvv) and Show Changes (--diff).

The organization sets up, subscribing the vendors its user belongs to, and invites Developer Three,
exchanging the code Developer Three brought back; Developer Three subscribes with the organization's
client and a token issued for Developer Three's user; an independent developer sets up with an access
token; the doctor examines the organization's subscriber; then everything is torn down. Each set-up runs
twice, and the second run must change nothing. The independent developer's jobs run beside the
organization's, as AWX runs jobs of different templates at once.

The secrets the jobs were handed besides the sentinels, for runme.sh to search for too, go to
MADE_SECRETS_DIR/jobs: the AWS secret key, and every token the sandbox minted meanwhile (the token each
job's lookup got, the tokens the organization's code exchange got, which the job rightly never shows,
and those issued for Developer Three's credential).

usage: python awx_jobs.py INTEGRATION_CONFIG WORKDIR MADE_SECRETS_DIR
"""

import json
import multiprocessing
import os
import secrets
import sys
import time
import urllib.request

import boto3
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'setup_awx', 'files'))
from awx_job import AwsCredential, Credential, Job, credential_type, job_template, launch_extra_vars  # noqa: E402

# The test seed's sentinel security profile (tests/sandbox/seeds/test.yml): its secrets are the sentinels
# runme.sh searches for.
CLIENT_ID = 'amzn1.application-oa2-client.sentinel'
CLIENT_SECRET = 'SENTINEL-CLIENT-SECRET-3e8a91'
REFRESH_TOKEN = 'Atzr|SENTINEL-REFRESH-7c41d2'
ACCESS_TOKEN = 'Atza|SENTINEL-ACCESS-5b90fe'
REDIRECT_URI = 'https://localhost/callback'
DEV3 = 'amzn1.account.DEV3'
NAMES = ('awx-organization', 'awx-developer', 'awx-independent')


def main():
    config_path, workdir, made = sys.argv[1:]
    with open(config_path) as handle:
        config = yaml.safe_load(handle)
    admin = config['smapi_url'] + '/_sandbox'

    def call(url, body=None, method=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method or ('POST' if data else 'GET'),
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    # Start from the seed and an empty AWS.
    call(admin + '/reset', method='POST')
    call(config['aws_url'] + '/moto-api/reset', method='POST')

    # Developer Three consents to the organization's security profile, and the organization gets the code
    # (the sandbox's stand-in for the browser and the redirect).
    code = call(admin + '/authorize', {'client_id': CLIENT_ID, 'user_id': DEV3,
                                       'scopes': ['alexa::ask:subscriptions'], 'redirect_uri': REDIRECT_URI})['code']
    # The token the organization keeps in Developer Three's credential: issued to its security profile for
    # Developer Three's user, as the code exchange issues it (whose result the job rightly never shows).
    issued = call(admin + '/tokens', {'client_id': CLIENT_ID, 'user_id': DEV3, 'scopes': ['alexa::ask:subscriptions']})
    aws_secret = 'awx-jobs-aws-secret-' + secrets.token_hex(8)

    urls = {'smapi_url': config['smapi_url'], 'lwa_url': config['lwa_url']}
    refresh_type = credential_type('smapi_refresh_token.yml')
    organization = Credential(refresh_type, dict(urls, lwa_client_id=CLIENT_ID, lwa_client_secret=CLIENT_SECRET,
                                                 refresh_token=REFRESH_TOKEN, vendor_id='M1ORGVENDOR'))
    developer = Credential(refresh_type, dict(urls, lwa_client_id=CLIENT_ID, lwa_client_secret=CLIENT_SECRET,
                                              refresh_token=issued['refresh_token'], vendor_id='M2DEVVENDOR3'))
    independent = Credential(credential_type('smapi_access_token.yml'),
                             {'access_token': ACCESS_TOKEN, 'vendor_id': 'M2DEVVENDOR1', 'smapi_url': config['smapi_url']})
    aws = AwsCredential('testing', aws_secret)
    # What AWX's "Extra Environment Variables" job setting would hold: where AWS is (moto), and the region.
    task_env = {'AWS_URL': config['aws_url'], 'AWS_REGION': config['aws_region']}

    def launch(ident, playbook, credentials, answers, launch_vars=None, changed=None):
        template = job_template(playbook)
        started = time.time()
        job = Job(workdir, ident, template, credentials, launch_extra_vars(template, answers, launch_vars),
                  task_env=task_env, verbosity=4, diff_mode=True).run()
        figures = job.check(changed)
        if changed is None and job.count('changed') == 0:
            raise AssertionError('%s: the job changed nothing' % ident)
        print('%-24s %-30s %s in %.1f s' % (ident, template['name'], figures, time.time() - started), flush=True)
        return job

    def beside(*jobs):
        """Launch these jobs one after the other in a process of their own (a job's run changes the
        process environment) while this one launches others; wait for them with done()."""
        sys.stdout.flush()
        process = multiprocessing.get_context('fork').Process(target=lambda: [launch(*job) for job in jobs])
        process.start()
        return process

    def done(process):
        process.join()
        if process.exitcode != 0:
            raise AssertionError('the jobs launched beside failed (exit %s): see above' % process.exitcode)

    independent_answers = {'sdns_independent_developer_name': 'awx-independent',
                           'sdns_independent_developer_events': ['AlexaDevelopmentEvent.SkillCertification',
                                                                 'AlexaDevelopmentEvent.SkillPublish']}
    independent_jobs = beside(
        ('independent', 'playbooks/independent_developer.yml', [independent, aws], independent_answers),
        ('independent-again', 'playbooks/independent_developer.yml', [independent, aws], independent_answers, None, 0))

    # The organization's user belongs to M1ORGVENDOR, M2DEVVENDOR1 and M2DEVVENDOR2, which it discovers.
    organization_answers = {'sdns_organization_name': 'awx-organization', 'sdns_organization_redirect_uri': REDIRECT_URI,
                            'sdns_organization_purge_subscriptions': 'true',
                            'sdns_organization_discover_developers': 'true'}
    invitations = {'sdns_organization_developer_vendor_ids': ['M2DEVVENDOR2'],
                   'sdns_organization_developer_invitations': [{'name': 'dev3'}]}
    job = launch('organization', 'playbooks/organization.yml', [organization, aws], organization_answers,
                 dict(invitations, sdns_organization_authorization_codes=[{'name': 'dev3', 'code': code}]))
    shown = job.result_of('Show what to send the developers')['msg']
    subscriber_id = shown['subscriber_id']
    assert subscriber_id.startswith('amzn1.ask-subscriber.'), shown
    # The consent page's URL is not an input of the credential: the injected default, Amazon's.
    assert shown['authorization_urls']['dev3'].startswith('https://www.amazon.com/ap/oa?client_id=' + CLIENT_ID), shown
    # Each code works once: the next runs go without it.
    launch('organization-again', 'playbooks/organization.yml', [organization, aws], organization_answers, invitations,
           changed=0)

    developer_answers = {'sdns_developer_name': 'awx-developer', 'sdns_developer_subscriber_id': subscriber_id}
    launch('developer', 'playbooks/developer.yml', [developer], developer_answers)
    launch('developer-again', 'playbooks/developer.yml', [developer], developer_answers, changed=0)
    done(independent_jobs)

    state = call(admin + '/state')
    subscriptions = sorted((s['vendorId'], s['name']) for s in state['subscriptions'])
    assert subscriptions == [('M1ORGVENDOR', 'awx-organization'), ('M2DEVVENDOR1', 'awx-independent'),
                             ('M2DEVVENDOR1', 'awx-organization'), ('M2DEVVENDOR2', 'awx-organization'),
                             ('M2DEVVENDOR3', 'awx-developer')], subscriptions
    owners = set(s['clientId'] for s in state['subscribers'])
    assert owners == {CLIENT_ID}, owners

    teardown = beside(('teardown', 'playbooks/teardown.yml', [independent, aws],
                       {'sdns_independent_developer_name': 'awx-independent'}))
    job = launch('doctor', 'playbooks/doctor.yml', [organization, aws],
                 {'sdns_doctor_subscriber_name': 'awx-organization'}, changed=0)
    assert job.stats()['artifact_data']['sdns_doctor_healthy'] is True, job.stats()['artifact_data']

    launch('developer-absent', 'playbooks/developer.yml', [developer],
           dict(developer_answers, sdns_developer_state='absent'))
    launch('organization-absent', 'playbooks/organization.yml', [organization, aws],
           {'sdns_organization_name': 'awx-organization', 'sdns_organization_state': 'absent'})
    done(teardown)

    state = call(admin + '/state')
    assert state['subscribers'] == [] and state['subscriptions'] == [], state
    session = boto3.Session(aws_access_key_id='testing', aws_secret_access_key=aws_secret, region_name=config['aws_region'])
    topics = [topic['TopicArn'] for topic in session.client('sns', endpoint_url=config['aws_url']).list_topics()['Topics']]
    roles = [role['RoleName'] for role in session.client('iam', endpoint_url=config['aws_url']).list_roles()['Roles']]
    left = [name for name in topics + roles if any(prefix in name for prefix in NAMES)]
    assert not left, left
    print('torn down: nothing left in the sandbox or moto')

    # The tokens minted during the jobs: those issued for Developer Three's credential, and two more for
    # Developer Three's user by the organization's code exchange, in the organization's first job.
    minted = call(admin + '/tokens')['tokens']
    tokens = set(token['token'] for token in minted)
    assert {issued['access_token'], issued['refresh_token']} <= tokens, 'the sandbox lists not every token it minted'
    exchanged = [token for token in minted if token['kind'] == 'refresh' and token['user_id'] == DEV3
                 and token['token'] != issued['refresh_token']]
    assert len(exchanged) == 1, len(exchanged)
    # The sentinel security profile was at work.
    requests = [entry for entry in call(admin + '/requests')['requests'] if entry.get('client_id') == CLIENT_ID]
    assert len(requests) > 20, len(requests)
    with open(os.path.join(made, 'jobs'), 'w') as handle:
        handle.write(''.join('%s\n' % secret for secret in sorted(tokens) + [aws_secret]))
    print('%d tokens minted during the jobs, the code exchange\'s among them' % len(tokens))


if __name__ == '__main__':
    main()
