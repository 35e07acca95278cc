# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The IAM policy evaluator: the shared table of cases (iam_policy_cases.yml, which the sandbox's own
evaluator must pass too), then what only this evaluator promises: its reasons word for word, named and
encoded documents, and what it does not understand."""

import json
import os
from urllib.parse import quote

import pytest
import yaml

from ansible_collections.skillops.alexa.plugins.module_utils._iam_policy import (
    ALLOWED, DENIED, NOT_ALLOWED, POSSIBLY_DENIED, StatementRef, allows)

with open(os.path.join(os.path.dirname(__file__), 'iam_policy_cases.yml')) as cases_file:
    CASES = yaml.safe_load(cases_file)

SDNS = '258925066295'
ROLE_ARN = 'arn:aws:iam::123456789012:role/publisher'
TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:alexa-skill-events'
ASSUME = dict(action='sts:AssumeRole', resource=ROLE_ARN, principal_account=SDNS,
              context={'sts:ExternalId': 'M1VENDOR'})
PUBLISH = dict(action='sns:Publish', resource=TOPIC_ARN, principal_arn=ROLE_ARN)
GUARD = {'Effect': 'Deny', 'Action': 'sns:*', 'Resource': '*'}


def trust(external_id='M1VENDOR', **extra):
    statement = dict(Effect='Allow', Principal={'AWS': 'arn:aws:iam::%s:root' % SDNS}, Action='sts:AssumeRole',
                     Condition={'StringEquals': {'sts:ExternalId': external_id}})
    statement.update(extra)
    return {'Version': '2012-10-17', 'Statement': [statement]}


def publish(*extra_statements):
    return {'Version': '2012-10-17',
            'Statement': [{'Effect': 'Allow', 'Action': 'sns:Publish', 'Resource': TOPIC_ARN}] + list(extra_statements)}


def test_the_table_covers_every_verdict():
    assert {case['verdict'] for case in CASES} == {ALLOWED, DENIED, POSSIBLY_DENIED, NOT_ALLOWED}
    assert len({case['id'] for case in CASES}) == len(CASES)


@pytest.mark.parametrize('case', CASES, ids=[case['id'] for case in CASES])
def test_case(case):
    decision = allows(case['policies'], **case['request'])
    assert (decision.outcome, decision.allowed) == (case['verdict'], case['verdict'] == ALLOWED), decision.reason
    assert (decision.statement.sid if decision.statement else None) == case['statement'], decision.reason
    for mention in case['mentions']:
        assert mention in decision.reason


@pytest.mark.parametrize('policies, request_, outcome, reason', [
    ([('the trust policy', trust())], ASSUME, ALLOWED, 'statement 1 of the trust policy allows it'),
    ([('the trust policy', trust('M0OTHER', Sid='AllowSdns'))], ASSUME, NOT_ALLOWED,
     'no statement allows it; statement "AllowSdns" of the trust policy does not count: its condition '
     '{"StringEquals": {"sts:ExternalId": "M0OTHER"}} is not met'),
    (trust(), dict(ASSUME, context={}), NOT_ALLOWED,
     'no statement allows it; statement 1 does not count: its condition {"StringEquals": {"sts:ExternalId": '
     '"M1VENDOR"}} is not met: the request has no sts:ExternalId'),
    ([('policy sdns-publish', publish()), ('policy guard', {'Statement': GUARD})],
     PUBLISH, DENIED, 'statement 1 of policy guard denies it'),
    ([publish(), publish({'Effect': 'Deny', 'Action': '*', 'Resource': '*',
                          'Condition': {'IpAddress': {'aws:SourceIp': '192.0.2.0/24'}}})],
     PUBLISH, POSSIBLY_DENIED, 'statement 2 of policy 2 may deny it: unknown condition operator IpAddress'),
    ([], PUBLISH, NOT_ALLOWED, 'no statement allows it'),
], ids=['allowed', 'condition not met', 'key missing', 'named documents', 'unnamed documents', 'no documents'])
def test_reason_word_for_word(policies, request_, outcome, reason):
    decision = allows(policies, **request_)
    assert (decision.outcome, decision.reason) == (outcome, reason)


def test_an_unmet_condition_is_named_for_the_caller():
    decision = allows([('the trust policy', trust(['M0OTHER', 'M0THIRD'], Sid='AllowSdns'))], **ASSUME)
    [unmet] = decision.unmet
    assert unmet.statement == StatementRef('the trust policy', 1, 'AllowSdns')
    assert (unmet.operator, unmet.key, unmet.values) == ('StringEquals', 'sts:ExternalId', ['M0OTHER', 'M0THIRD'])


def test_an_allow_that_does_not_count_is_named_next_to_the_one_that_does():
    decision = allows(publish({'Sid': 'Later', 'Effect': 'Allow', 'Action': 'sns:Publish', 'Resource': '*',
                               'Condition': {'DateLessThan': {'aws:CurrentTime': '2030-01-01T00:00:00Z'}}}), **PUBLISH)
    assert (decision.outcome, decision.statement) == (ALLOWED, StatementRef(None, 1, None))
    assert [(u.statement.sid, u.why) for u in decision.unmet] == [('Later', 'unknown condition operator DateLessThan')]


@pytest.mark.parametrize('document', [
    json.dumps(trust()),
    quote(json.dumps(trust())),
    json.dumps(trust()).encode('utf-8'),
], ids=['JSON text', 'URL-encoded JSON, as the IAM API answers', 'bytes'])
def test_documents_as_text(document):
    assert allows(document, **ASSUME).allowed


@pytest.mark.parametrize('document', [[trust()], '["not", "an object"]'])
def test_a_document_that_is_not_an_object_is_refused(document):
    with pytest.raises(ValueError, match='a policy document must be a JSON object, not list'):
        allows([document], **ASSUME)


def test_a_role_arn_names_its_account_and_itself():
    trusts = {'Statement': [{'Sid': 'Account', 'Effect': 'Allow', 'Principal': {'AWS': '123456789012'},
                             'Action': 'sts:AssumeRole', 'Resource': '*'}]}
    assert allows(trusts, 'sts:AssumeRole', principal_arn=ROLE_ARN).allowed
    assert not allows(trusts, 'sts:AssumeRole', principal_arn='arn:aws:iam::111122223333:role/publisher').allowed
    trusts['Statement'][0]['Principal'] = {'AWS': ROLE_ARN}
    assert allows(trusts, 'sts:AssumeRole', principal_arn=ROLE_ARN).allowed
    assert not allows(trusts, 'sts:AssumeRole', principal_account='123456789012').allowed


@pytest.mark.parametrize('statement, why', [
    ({'Effect': 'Allow', 'Action': 'sns:Publish', 'NotAction': 'sns:Get*', 'Resource': '*'},
     'both Action and NotAction'),
    ({'Effect': 'Allow', 'Resource': '*'}, 'neither Action nor NotAction'),
    ({'Effect': 'Allow', 'Action': 'sns:Publish', 'Resource': TOPIC_ARN, 'NotResource': 'x'},
     'both Resource and NotResource'),
    ({'Effect': 'Allow', 'Action': 'sns:Publish', 'Principal': 'arn:aws:iam::123456789012:root'},
     'Principal "arn:aws:iam::123456789012:root"'),
    ({'Effect': 'Allow', 'Action': 'sns:Publish', 'Condition': ['StringEquals']}, 'Condition ["StringEquals"]'),
    ({'Effect': 'Allow', 'Action': 'sns:Publish', 'Condition': {'NumericLessThan': {'aws:MultiFactorAuthAge': 'soon'}}},
     'NumericLessThan cannot compare "soon"'),
    ({'Effect': 'Allow', 'Action': 'sns:Publish', 'Condition': {'Null': {'aws:MultiFactorAuthAge': 'maybe'}}},
     'Null cannot compare "maybe"'),
    ({'Effect': 'Allow', 'Action': 'sns:Publish', 'Condition': {'StringEquals': {'aws:PrincipalArn': {'a': 1}}}},
     'StringEquals cannot compare {"a": 1}'),
    ({'Effect': 'Allow', 'Action': 'sns:Publish', 'Condition': {'NullIfExists': {'aws:PrincipalArn': 'false'}}},
     'unknown condition operator NullIfExists'),
    ({'Effect': 'Allow', 'Action': ['sns:Get*', 7]}, 'Action 7'),
], ids=['Action and NotAction', 'no Action', 'Resource and NotResource', 'Principal as a string', 'Condition as a list',
        'Numeric on a word', 'Null on a word', 'a mapping as value', 'Null with IfExists', 'a number as action'])
def test_an_allow_not_understood_does_not_count(statement, why):
    decision = allows({'Statement': [statement]}, **PUBLISH)
    assert (decision.outcome, decision.reason) == (NOT_ALLOWED, 'no statement allows it; statement 1 does not count: '
                                                                + why)


@pytest.mark.parametrize('statement, why', [
    ('Deny', 'a statement that is not a JSON object'),
    ({'Effect': 'deny', 'Action': '*'}, 'unknown Effect "deny"'),
    ({'Effect': 'Deny', 'Action': '*', 'Resource': 'arn:aws:sns:*:*:${aws:PrincipalTag/team}'},
     'policy variable in Resource arn:aws:sns:*:*:${aws:PrincipalTag/team}'),
], ids=['not an object', 'Effect in lower case', 'policy variable'])
def test_a_statement_not_understood_that_may_deny_is_not_ignored(statement, why):
    decision = allows(publish(statement), **PUBLISH)
    assert (decision.outcome, decision.statement.number) == (POSSIBLY_DENIED, 2)
    assert decision.reason == 'statement 2 may deny it: ' + why


def test_something_understood_that_rules_a_statement_out_wins_over_what_is_not():
    unknown = {'Effect': 'Deny', 'Action': 'sns:Subscribe', 'Resource': '*',
               'Condition': {'IpAddress': {'aws:SourceIp': 'x'}}}
    failing = {'Effect': 'Deny', 'Action': '*', 'Resource': '*', 'Condition': {
        'IpAddress': {'aws:SourceIp': 'x'}, 'StringEquals': {'aws:PrincipalArn': 'arn:aws:iam::1:role/other'}}}
    context = {'aws:PrincipalArn': ROLE_ARN}
    assert allows(publish(unknown, failing), context=context, **PUBLISH).outcome == ALLOWED


def test_a_request_value_of_another_type_matches_nothing():
    statement = {'Effect': 'Allow', 'Action': '*', 'Resource': '*'}
    numeric = dict(statement, Condition={'NumericLessThan': {'aws:MultiFactorAuthAge': 3600}})
    boolean = dict(statement, Condition={'Bool': {'aws:SecureTransport': 'true'}})
    for document, value in ((numeric, 'recently'), (boolean, 'yes')):
        context = {'aws:MultiFactorAuthAge': value, 'aws:SecureTransport': value}
        assert allows({'Statement': document}, context=context, **PUBLISH).outcome == NOT_ALLOWED
    assert allows({'Statement': numeric}, context={'aws:MultiFactorAuthAge': '60'}, **PUBLISH).allowed
