# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The IAM checks of the sdns_doctor role, word for word: the integration target role_sdns_doctor asserts some of
these texts too, from the report."""

import json

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.skillops.alexa.plugins.filter.sdns_policy_checks import FilterModule

sdns_policy_checks = FilterModule().filters()['sdns_policy_checks']

SDNS = '258925066295'
SDNS_ROOT = 'arn:aws:iam::258925066295:root'
VENDOR = 'M1VENDOR'
ROLE_ARN = 'arn:aws:iam::123456789012:role/team-sdns-publisher'
TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:team'
KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'
PUBLISH = {'Effect': 'Allow', 'Action': 'sns:Publish', 'Resource': TOPIC_ARN}
USE_KEY = {'Effect': 'Allow', 'Action': ['kms:GenerateDataKey*', 'kms:Decrypt'], 'Resource': KEY_ARN}
TRUST_FIX = ('run again with sdns_doctor_repair=true, or allow sts:AssumeRole to %s with the condition StringEquals '
             'sts:ExternalId = %s (role skillops.alexa.sdns_endpoint, sdns_endpoint_vendor_id: %s)'
             % (SDNS_ROOT, VENDOR, VENDOR))
PUBLISH_FIX = ('run again with sdns_doctor_repair=true, or allow sns:Publish on %s in an inline policy of the role '
               '(role skillops.alexa.sdns_endpoint)' % TOPIC_ARN)
NOT_TRUSTED = 'the trust policy of %s does not let %s assume it with external ID %s' % (ROLE_ARN, SDNS_ROOT, VENDOR)


def trust_statement(**changes):
    """The statement the sdns_endpoint role writes, changed."""
    statement = {'Effect': 'Allow', 'Principal': {'AWS': SDNS_ROOT}, 'Action': 'sts:AssumeRole',
                 'Condition': {'StringEquals': {'sts:ExternalId': VENDOR}}}
    statement.update(changes)
    return dict((k, v) for k, v in statement.items() if v is not None)


def role(*trust_statements, **extra):
    found = {'arn': ROLE_ARN, 'role_name': 'team-sdns-publisher', 'managed_policies': [],
             'assume_role_policy_document': {'Version': '2012-10-17',
                                             'Statement': list(trust_statements or [trust_statement()])}}
    found.update(extra)
    return found


def inline(*statements, **named):
    """Inline policies as amazon.aws.iam_policy_info returns them: sdns-publish with the statements, and others."""
    named.setdefault('sdns-publish', list(statements or [PUBLISH]))
    return [{'policy_name': name, 'policy_document': {'Version': '2012-10-17', 'Statement': found}}
            for name, found in named.items()]


def checks(found_role=None, policies=None, **kms):
    return dict((check['name'], check) for check in sdns_policy_checks(
        found_role or role(), VENDOR, SDNS, TOPIC_ARN, inline() if policies is None else policies, **kms))


def test_a_healthy_endpoint():
    assert sdns_policy_checks(role(), VENDOR, SDNS, TOPIC_ARN, inline()) == [
        {'name': 'trust_policy', 'ok': True, 'fix': '',
         'detail': '%s may assume the role with external ID %s' % (SDNS_ROOT, VENDOR)},
        {'name': 'permission_policy', 'ok': True, 'fix': '',
         'detail': 'an inline policy of the role allows sns:Publish on ' + TOPIC_ARN},
    ]


@pytest.mark.parametrize('statement', [
    trust_statement(Principal={'AWS': SDNS}, Action='sts:Assume*'),
    trust_statement(Principal='*', Condition={'StringLike': {'STS:externalid': 'M1*'}}),
    trust_statement(Principal={'AWS': ['111122223333', SDNS_ROOT]}, Action=None, NotAction='sts:TagSession'),
    trust_statement(Condition={'StringEqualsIgnoreCase': {'sts:ExternalId': 'm1vendor'},
                               'ForAnyValue:StringEquals': {'aws:PrincipalAccount': [SDNS]}}),
], ids=['account ID and action wildcard', 'StringLike in odd case', 'NotAction', 'IgnoreCase and ForAnyValue'])
def test_trust_policies_sdns_can_use(statement):
    assert checks(role(statement))['trust_policy']['ok'] is True


@pytest.mark.parametrize('statements, why', [
    ([trust_statement(Condition={'StringEquals': {'sts:ExternalId': ['M0WRONGVENDOR', 'M0THIRD']}})],
     'its sts:ExternalId condition allows M0WRONGVENDOR, M0THIRD'),
    ([trust_statement(Condition={'StringLike': {'sts:externalid': 'M2*'}})], 'its sts:ExternalId condition allows M2*'),
    ([trust_statement(Principal={'AWS': '111122223333'})],
     'no statement allows it sts:AssumeRole with a StringEquals sts:ExternalId condition'),
    ([trust_statement(), trust_statement(Sid='DenySdns', Effect='Deny', Condition=None)],
     'statement "DenySdns" of the trust policy denies it'),
    ([trust_statement(), trust_statement(Effect='Deny', Principal='*', Action='*',
                                         Condition={'NotIpAddress': {'aws:SourceIp': '192.0.2.0/24'}})],
     'statement 2 of the trust policy may deny it: unknown condition operator NotIpAddress'),
    ([trust_statement(Condition={'StringEquals': {'sts:ExternalId': VENDOR},
                                 'DateLessThan': {'aws:CurrentTime': '2030-01-01T00:00:00Z'}})],
     'statement 1 of the trust policy does not count: unknown condition operator DateLessThan'),
], ids=['wrong external IDs', 'StringLike that does not match', 'another account', 'a Deny', 'a Deny not understood',
        'an Allow not understood'])
def test_trust_policies_sdns_cannot_use(statements, why):
    assert checks(role(*statements))['trust_policy'] == {
        'name': 'trust_policy', 'ok': False, 'detail': '%s (%s)' % (NOT_TRUSTED, why), 'fix': TRUST_FIX}


@pytest.mark.parametrize('condition', [
    None,
    {'StringNotEquals': {'sts:ExternalId': 'M0OTHER'}},
    {'StringEqualsIfExists': {'sts:ExternalId': VENDOR}},
], ids=['no condition', 'only another ID refused', 'IfExists'])
def test_a_trust_policy_that_does_not_require_an_external_id_is_a_problem(condition):
    check = checks(role(trust_statement(Condition=condition)))['trust_policy']
    assert (check['ok'], check['fix']) == (False, TRUST_FIX)
    assert check['detail'] == (
        'the trust policy of %s lets %s assume it without an external ID (statement 1 of the trust policy allows it), '
        'so the SDNS subscribers of any vendor could use the role' % (ROLE_ARN, SDNS_ROOT))


def test_a_trust_policy_as_json_text():
    assert checks(role(**{'assume_role_policy_document': json.dumps({'Statement': trust_statement()})}))[
        'trust_policy']['ok'] is True


@pytest.mark.parametrize('statements', [
    [dict(PUBLISH, Resource='arn:aws:sns:*:123456789012:*', Action='SNS:*')],
    [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}],
    [{'Effect': 'Allow', 'Action': 'sns:Subscribe', 'Resource': '*'},
     dict(PUBLISH, Resource='arn:aws:sns:us-east-1:*:te?m')],
    [dict(PUBLISH, Condition={'ArnEquals': {'aws:PrincipalArn': ROLE_ARN}, 'StringEquals': {
        'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalType': 'AssumedRole',
        'aws:PrincipalAccount': '123456789012'}})],
    [{'Effect': 'Allow', 'NotAction': 'iam:*', 'NotResource': 'arn:aws:sns:*:*:audit'}],
], ids=['sns wildcard', 'star on star', 'several statements', 'conditions on the session', 'NotAction and NotResource'])
def test_permission_policies_that_let_the_role_publish(statements):
    assert checks(policies=inline(*statements))['permission_policy']['ok'] is True


@pytest.mark.parametrize('policies, managed, detail', [
    ([], [], 'no inline policy of %s allows sns:Publish on %s' % (ROLE_ARN, TOPIC_ARN)),
    (inline(dict(PUBLISH, Resource=TOPIC_ARN + '-other')), [{'policy_name': 'ReadOnly'}, {'policy_name': 'Billing'}],
     'no inline policy of %s allows sns:Publish on %s (attached managed policies, not evaluated here: '
     'ReadOnly, Billing)' % (ROLE_ARN, TOPIC_ARN)),
    (inline(dict(PUBLISH, Condition={'StringEquals': {'aws:RequestedRegion': 'eu-west-1'}})), [],
     'no inline policy of %s allows sns:Publish on %s (statement 1 of policy sdns-publish does not count: its '
     'condition {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}} is not met)' % (ROLE_ARN, TOPIC_ARN)),
    (inline(dict(PUBLISH, Condition={'Bool': {'aws:MultiFactorAuthPresent': 'true'}})), [],
     'no inline policy of %s allows sns:Publish on %s (statement 1 of policy sdns-publish does not count: its '
     'condition {"Bool": {"aws:MultiFactorAuthPresent": "true"}} is not met: the request has no '
     'aws:MultiFactorAuthPresent)' % (ROLE_ARN, TOPIC_ARN)),
], ids=['no policy', 'another topic, managed policies', 'another region', 'a key SDNS does not send'])
def test_permission_policies_that_do_not_let_the_role_publish(policies, managed, detail):
    assert checks(role(managed_policies=managed), policies)['permission_policy'] == {
        'name': 'permission_policy', 'ok': False, 'detail': detail, 'fix': PUBLISH_FIX}


@pytest.mark.parametrize('guard, detail', [
    ({'Sid': 'NoSns', 'Effect': 'Deny', 'Action': 'sns:*', 'Resource': '*'},
     'an inline policy of %s denies sns:Publish on %s (statement "NoSns" of policy guard)'),
    ({'Effect': 'Deny', 'Action': '*', 'Resource': '*', 'Condition': {'IpAddress': {'aws:SourceIp': '192.0.2.0/24'}}},
     'an inline policy of %s may deny sns:Publish on %s (statement 1 of policy guard may deny it: unknown condition '
     'operator IpAddress)'),
], ids=['a Deny', 'a Deny not understood'])
def test_a_deny_of_publishing_is_reported_with_its_statement(guard, detail):
    assert checks(policies=inline(guard=[guard]))['permission_policy'] == {
        'name': 'permission_policy', 'ok': False, 'detail': detail % (ROLE_ARN, TOPIC_ARN),
        'fix': PUBLISH_FIX + '; and remove the Deny'}


def test_no_kms_check_without_a_customer_managed_key():
    assert list(checks(kms_key_id='', kms_key={})) == ['trust_policy', 'permission_policy']


def test_a_key_that_does_not_exist():
    assert checks(kms_key_id='alias/gone', kms_key={})['kms_key'] == {
        'name': 'kms_key', 'ok': False, 'detail': 'topic %s is encrypted with KMS key alias/gone, which does not exist'
                                                  % TOPIC_ARN,
        'fix': 'set the topic attribute KmsMasterKeyId to an existing key, or remove it (aws sns set-topic-attributes)'}


@pytest.mark.parametrize('statement', [
    USE_KEY,
    dict(USE_KEY, Resource='arn:aws:kms:us-east-1:123456789012:key/*'),
    dict(USE_KEY, Resource='*', Condition={'ForAnyValue:StringEquals': {'kms:ResourceAliases': 'alias/team-events'}}),
    dict(USE_KEY, Condition={'StringEquals': {'kms:ViaService': 'sns.us-east-1.amazonaws.com',
                                              'kms:CallerAccount': '123456789012'}}),
], ids=['key ARN', 'every key of the account', 'by alias', 'through SNS'])
def test_keys_the_role_may_use(statement):
    check = checks(policies=inline(PUBLISH, statement), kms_key_id='alias/team-events',
                   kms_key={'key_arn': KEY_ARN, 'aliases': ['team-events']})['kms_key']
    assert check == {'name': 'kms_key', 'ok': True, 'detail': 'the role may use KMS key %s of the topic' % KEY_ARN,
                     'fix': ''}


@pytest.mark.parametrize('statements, missing', [
    ([], 'kms:GenerateDataKey and kms:Decrypt on it'),
    ([dict(USE_KEY, Action='kms:GenerateDataKey*')], 'kms:Decrypt on it'),
    # An alias ARN in Resource does not cover the key.
    ([dict(USE_KEY, Resource='arn:aws:kms:us-east-1:123456789012:alias/team-events')],
     'kms:GenerateDataKey and kms:Decrypt on it'),
    ([USE_KEY, {'Sid': 'NoDecrypt', 'Effect': 'Deny', 'Action': 'kms:Decrypt', 'Resource': '*'}],
     'kms:Decrypt on it (kms:Decrypt: statement "NoDecrypt" of policy sdns-publish)'),
    ([dict(USE_KEY, Condition={'StringEquals': {'kms:ViaService': 'sqs.us-east-1.amazonaws.com'}})],
     'kms:GenerateDataKey and kms:Decrypt on it (kms:GenerateDataKey: statement 2 of policy sdns-publish does not '
     'count: its condition {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}} is not met; '
     'kms:Decrypt: statement 2 of policy sdns-publish does not count: its condition {"StringEquals": '
     '{"kms:ViaService": "sqs.us-east-1.amazonaws.com"}} is not met)'),
], ids=['no KMS statement', 'no Decrypt', 'alias ARN', 'a Deny', 'through SQS'])
def test_keys_the_role_may_not_use(statements, missing):
    check = checks(policies=inline(PUBLISH, *statements), kms_key_id=KEY_ARN,
                   kms_key={'key_arn': KEY_ARN, 'aliases': []})['kms_key']
    assert check['ok'] is False
    assert check['detail'] == ('topic %s is encrypted with KMS key %s, and the inline policies of the role do not '
                               'allow %s' % (TOPIC_ARN, KEY_ARN, missing))
    assert check['fix'].startswith('run again with sdns_doctor_repair=true, or allow kms:GenerateDataKey* and '
                                   'kms:Decrypt on ' + KEY_ARN)
    assert check['fix'].endswith('; and remove the Deny') == ('NoDecrypt' in missing)


@pytest.mark.parametrize('found_role, policies, message', [
    ({'role_name': 'x'}, [], 'sdns_policy_checks takes an IAM role as amazon.aws.iam_role_info returns it'),
    ('arn:aws:iam::123456789012:role/x', [], 'sdns_policy_checks takes an IAM role'),
    (role(), [{'policy_name': 'x'}], 'sdns_policy_checks: policies must be what amazon.aws.iam_policy_info returns'),
    (role(), [{'policy_name': 'x', 'policy_document': '{"Statement": '}],
     'sdns_policy_checks: a policy of %s cannot be read: ' % ROLE_ARN),
    (role(), [{'policy_name': 'x', 'policy_document': ['Statement']}],
     'sdns_policy_checks: a policy of %s cannot be read: a policy document must be a JSON object, not list' % ROLE_ARN),
], ids=['no ARN', 'an ARN', 'a policy without document', 'broken JSON', 'a list'])
def test_refuses_what_is_not_a_role_and_its_policies(found_role, policies, message):
    with pytest.raises(AnsibleFilterError) as caught:
        sdns_policy_checks(found_role, VENDOR, SDNS, TOPIC_ARN, policies)
    assert str(caught.value).startswith(message)
