# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter skillops.alexa.sdns_policy_checks: the IAM checks of the role skillops.alexa.sdns_doctor.

The role reads an SDNS endpoint's IAM role, its inline policies and the topic's KMS key with AWS info modules;
this judges them with the IAM policy evaluator of module_utils, so that the verdicts and the reasons in the
report come from Python the unit tests check rather than from Jinja.
"""

import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.skillops.alexa.plugins.module_utils._iam_policy import (
    DENIED, POSSIBLY_DENIED, allows, describe, explain)

REPAIR_OR = 'run again with sdns_doctor_repair=true, or '
# A publisher to a topic encrypted with a customer-managed key needs both (AWS rule for encrypted topics).
KMS_ACTIONS = ('kms:GenerateDataKey', 'kms:Decrypt')
# The conditions with which a trust policy lists the external IDs it accepts.
_EXTERNAL_ID_LIST = re.compile(r'^String(Equals|Like|EqualsIgnoreCase)(IfExists)?$')


def sdns_policy_checks(role, vendor_id, sdns_account_id, topic_arn, policies=None, kms_key_id=None, kms_key=None):
    if not isinstance(role, Mapping) or not role.get('arn') or 'assume_role_policy_document' not in role:
        raise AnsibleFilterError('sdns_policy_checks takes an IAM role as amazon.aws.iam_role_info returns it '
                                 '(with arn and assume_role_policy_document)')
    if any(not isinstance(p, Mapping) or 'policy_name' not in p or 'policy_document' not in p for p in policies or []):
        raise AnsibleFilterError('sdns_policy_checks: policies must be what amazon.aws.iam_policy_info returns as '
                                 'policies (each with policy_name and policy_document)')
    role_arn = role['arn']
    inline = [('policy %s' % p['policy_name'], p['policy_document']) for p in policies or []]
    managed = [str(p.get('policy_name')) for p in role.get('managed_policies') or []]
    not_evaluated = ' (attached managed policies, not evaluated here: %s)' % ', '.join(managed) if managed else ''
    session = _session_context(role_arn, topic_arn)
    try:
        checks = [_trust_check(role_arn, role['assume_role_policy_document'], vendor_id, sdns_account_id),
                  _permission_check(role_arn, topic_arn, inline, session, not_evaluated)]
        if kms_key_id:
            checks.append(_kms_check(role_arn, topic_arn, kms_key_id, kms_key, inline, session, not_evaluated))
    except ValueError as error:
        raise AnsibleFilterError('sdns_policy_checks: a policy of %s cannot be read: %s' % (role_arn, error))
    return checks


def _check(name, ok, detail, fix):
    return {'name': name, 'ok': ok, 'detail': detail, 'fix': '' if ok else fix}


def _arn_part(arn, index):
    parts = arn.split(':')
    return parts[index] if len(parts) > index else ''


def _session_context(role_arn, topic_arn):
    """The condition keys IAM sees when SDNS acts with the role's temporary credentials."""
    return {'aws:PrincipalArn': role_arn, 'aws:PrincipalAccount': _arn_part(role_arn, 4),
            'aws:PrincipalType': 'AssumedRole', 'aws:RequestedRegion': _arn_part(topic_arn, 3)}


def _trust_check(role_arn, document, vendor_id, sdns_account_id):
    sdns_root = 'arn:aws:iam::%s:root' % sdns_account_id
    trust_policy = [('the trust policy', document)]
    by_sdns = dict(action='sts:AssumeRole', resource=role_arn, principal_account=sdns_account_id)
    with_id = allows(trust_policy, context={'sts:ExternalId': vendor_id, 'aws:PrincipalAccount': sdns_account_id},
                     **by_sdns)
    # The guide requires the external ID: without it any vendor's SDNS subscriber could use the role.
    without_id = allows(trust_policy, context={'aws:PrincipalAccount': sdns_account_id}, **by_sdns)
    fix = (REPAIR_OR + 'allow sts:AssumeRole to %s with the condition StringEquals sts:ExternalId = %s '
           '(role skillops.alexa.sdns_endpoint, sdns_endpoint_vendor_id: %s)' % (sdns_root, vendor_id, vendor_id))
    if with_id.allowed and not without_id.allowed:
        return _check('trust_policy', True, '%s may assume the role with external ID %s' % (sdns_root, vendor_id), fix)
    if with_id.allowed:
        detail = ('the trust policy of %s lets %s assume it without an external ID (%s), so the SDNS subscribers of '
                  'any vendor could use the role' % (role_arn, sdns_root, without_id.reason))
    else:
        detail = ('the trust policy of %s does not let %s assume it with external ID %s (%s)'
                  % (role_arn, sdns_root, vendor_id, _why_not_trusted(with_id)))
    return _check('trust_policy', False, detail, fix)


def _why_not_trusted(decision):
    if decision.statement:
        return decision.reason  # denied, or possibly
    listed = [u for u in decision.unmet
              if u.key and u.key.lower() == 'sts:externalid' and _EXTERNAL_ID_LIST.match(u.operator)]
    if decision.unmet and len(listed) == len(decision.unmet):
        return 'its sts:ExternalId condition allows %s' % ', '.join(str(v) for u in listed for v in u.values)
    if decision.unmet:
        return '; '.join(explain(u) for u in decision.unmet)
    return 'no statement allows it sts:AssumeRole with a StringEquals sts:ExternalId condition'


def _refusal(decision):
    """What an inline policy does to refuse, in words: the Deny or what kept an Allow from counting."""
    if decision.outcome == DENIED:
        return describe(decision.statement)
    if decision.outcome == POSSIBLY_DENIED:
        return decision.reason
    return '; '.join(explain(u) for u in decision.unmet)


def _permission_check(role_arn, topic_arn, inline, session, not_evaluated):
    decision = allows(inline, 'sns:Publish', resource=topic_arn, principal_arn=role_arn, context=session)
    fix = (REPAIR_OR + 'allow sns:Publish on %s in an inline policy of the role (role skillops.alexa.sdns_endpoint)'
           % topic_arn)
    if decision.allowed:
        return _check('permission_policy', True, 'an inline policy of the role allows sns:Publish on %s' % topic_arn,
                      fix)
    why = _refusal(decision)
    if decision.outcome in (DENIED, POSSIBLY_DENIED):
        verb = 'denies' if decision.outcome == DENIED else 'may deny'
        return _check('permission_policy', False, 'an inline policy of %s %s sns:Publish on %s (%s)'
                      % (role_arn, verb, topic_arn, why), fix + '; and remove the Deny')
    return _check('permission_policy', False, 'no inline policy of %s allows sns:Publish on %s%s%s'
                  % (role_arn, topic_arn, ' (%s)' % why if why else '', not_evaluated), fix)


def _kms_check(role_arn, topic_arn, kms_key_id, kms_key, inline, session, not_evaluated):
    if not kms_key:
        return _check('kms_key', False, 'topic %s is encrypted with KMS key %s, which does not exist'
                      % (topic_arn, kms_key_id), 'set the topic attribute KmsMasterKeyId to an existing key, or '
                      'remove it (aws sns set-topic-attributes)')
    key_arn = kms_key['key_arn']
    context = dict(session)
    # SNS asks KMS on the publisher's behalf. An IAM policy names a key by its ARN (an alias ARN in Resource
    # does not cover the key); a policy that goes by alias uses kms:ResourceAliases.
    context.update({'kms:CallerAccount': _arn_part(role_arn, 4),
                    'kms:ViaService': 'sns.%s.amazonaws.com' % _arn_part(topic_arn, 3),
                    'kms:ResourceAliases': ['alias/%s' % alias for alias in kms_key.get('aliases') or []]})
    decisions = [(action, allows(inline, action, resource=key_arn, principal_arn=role_arn, context=context))
                 for action in KMS_ACTIONS]
    refused = [(action, decision) for action, decision in decisions if not decision.allowed]
    fix = (REPAIR_OR + 'allow kms:GenerateDataKey* and kms:Decrypt on %s (role skillops.alexa.sdns_endpoint, '
           'sdns_endpoint_kms_key_id: %s)' % (key_arn, key_arn))
    if not refused:
        return _check('kms_key', True, 'the role may use KMS key %s of the topic' % key_arn, fix)
    refusals = [(action, _refusal(decision)) for action, decision in refused]
    whys = ['%s: %s' % (action, why) for action, why in refusals if why]
    if any(decision.statement for dummy, decision in refused):
        fix += '; and remove the Deny'
    return _check('kms_key', False, 'topic %s is encrypted with KMS key %s, and the inline policies of the role do not '
                  'allow %s on it%s%s' % (topic_arn, key_arn, ' and '.join(action for action, dummy in refused),
                                          ' (%s)' % '; '.join(whys) if whys else '', not_evaluated), fix)


class FilterModule:

    def filters(self):
        return {'sdns_policy_checks': sdns_policy_checks}
