# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""IAM policy evaluation: would these policy documents allow one request?

``allows`` applies the IAM evaluation logic to the documents it is given: an explicit Deny wins, and
without an Allow nothing is allowed. It understands
- ``Effect`` Allow and Deny, a ``Statement`` that is one object or a list, ``Sid``;
- ``Action`` and ``NotAction`` with the wildcards ``*`` and ``?``, compared case-insensitively;
- ``Resource`` and ``NotResource`` with the same wildcards, compared case-sensitively; a statement with
  neither (a trust policy's) applies to the resource the policy is attached to;
- ``Principal`` and ``NotPrincipal``: ``"*"``, ``{"AWS": ...}`` naming an account (its ID or its
  ``arn:aws:iam::ACCOUNT:root``, which admits every principal of that account), another ARN (that
  principal only) or ``"*"``, and ``{"Service": ...}``; a statement with neither (an identity policy's)
  applies to the principal the policy is attached to;
- ``Condition``: the String, Arn, Numeric, Bool and Null operators, their ``ForAnyValue:`` and
  ``ForAllValues:`` forms and ``...IfExists`` suffix; keys compared case-insensitively, values
  case-sensitively but for the ``IgnoreCase`` operators. A key the request context lacks is absent from the
  request, as in AWS: a condition on it is false, but true for a negated operator (``StringNotEquals``...),
  ``ForAllValues:`` and ``...IfExists``.

What it does not understand (another condition operator, a policy variable such as ``${aws:username}``, an
unknown element) it never guesses: such an Allow does not count, such a Deny may deny, and the decision says
which statement and why. It evaluates only the documents given: permission boundaries, SCPs, session
policies and the other side's policies are the caller's to add or to name.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

import json
import operator
import re
from collections import namedtuple
from collections.abc import Mapping
from urllib.parse import unquote

ALLOWED = 'allowed'
DENIED = 'denied'
POSSIBLY_DENIED = 'possibly denied'
NOT_ALLOWED = 'not allowed'

# A statement: `policy` is how reasons call its document (e.g. "policy sdns-publish"), `number` counts from 1.
StatementRef = namedtuple('StatementRef', ['policy', 'number', 'sid'])
# An Allow statement that would apply but for a condition that is not met or something not understood;
# `operator`, `key` and `values` name the condition when it is one.
Unmet = namedtuple('Unmet', ['statement', 'why', 'operator', 'key', 'values'])
# `outcome` is one of the four above; `statement` is the one that allowed or (possibly) denied, else None.
Decision = namedtuple('Decision', ['outcome', 'allowed', 'reason', 'statement', 'unmet'])

_ELEMENTS = frozenset(('Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource',
                       'NotResource', 'Condition'))
# An account, by its ID or its root ARN (in any partition).
_ACCOUNT = re.compile(r'^(?:(\d{12})|arn:aws[a-z-]*:iam::(\d{12}):root)$')


class _Reason(Exception):
    """Why a statement may not apply: raised for what the evaluator does not understand, returned for a
    condition that is not met."""

    def __init__(self, why, operator_name=None, key=None, values=None):
        super(_Reason, self).__init__(why)
        self.why, self.operator, self.key, self.values = why, operator_name, key, values


def describe(statement):
    """How reasons name a statement: by its Sid if it has one, else by its place."""
    name = 'statement "%s"' % statement.sid if statement.sid else 'statement %d' % statement.number
    return '%s of %s' % (name, statement.policy) if statement.policy else name


def explain(unmet):
    """Why an Allow statement that would apply does not count."""
    return '%s does not count: %s' % (describe(unmet.statement), unmet.why)


def allows(policies, action, resource='', principal_account=None, principal_arn=None, principal_service=None,
           context=None):
    """The Decision of the policies on one request.

    ``policies`` is a document or a list of them; a document is a mapping or its JSON text (URL-encoded, as
    the IAM API returns it, or not), or a ``(name, document)`` tuple whose name the reasons use. The request
    is ``action`` on ``resource`` by a principal: an account, the ARN of a principal (its account is taken
    from it unless given), or a service such as ``sns.amazonaws.com``. ``context`` maps condition keys to a
    value or a list of values. A document that is not a JSON object raises ValueError.
    """
    account = principal_account
    if account is None and principal_arn and principal_arn.count(':') >= 4:
        account = principal_arn.split(':')[4]
    request = _Request(action, resource or '', account, principal_arn, principal_service, _context(context))
    allowed_by = denied_by = doubted_deny = None
    unmet = []
    for ref, statement in _statements(policies):
        applies, reason = _judge(statement, request)
        effect = statement.get('Effect') if isinstance(statement, Mapping) else None
        if applies:
            if effect == 'Allow':
                allowed_by = allowed_by or ref
            else:
                denied_by = denied_by or ref
        elif reason is None:
            continue
        elif effect == 'Allow':
            unmet.append(Unmet(ref, reason.why, reason.operator, reason.key, reason.values))
        elif applies is None:
            # A Deny (or an unknown Effect) that might apply is not ignored.
            doubted_deny = doubted_deny or (ref, reason.why)
    unmet = tuple(unmet)
    if denied_by:
        return Decision(DENIED, False, '%s denies it' % describe(denied_by), denied_by, unmet)
    if doubted_deny:
        ref, why = doubted_deny
        return Decision(POSSIBLY_DENIED, False, '%s may deny it: %s' % (describe(ref), why), ref, unmet)
    if allowed_by:
        return Decision(ALLOWED, True, '%s allows it' % describe(allowed_by), allowed_by, unmet)
    return Decision(NOT_ALLOWED, False, '; '.join(['no statement allows it'] + [explain(u) for u in unmet]), None,
                    unmet)


_Request = namedtuple('_Request', ['action', 'resource', 'account', 'arn', 'service', 'context'])


def _context(context):
    """Condition keys lowercased (IAM keys are case-insensitive) to the list of their values; a key without
    values is absent."""
    found = {}
    for key, value in (context or {}).items():
        values = [_text(v) for v in _as_list(value)]
        if values:
            found[str(key).lower()] = values
    return found


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _text(value):
    """A policy or context value as IAM compares it: JSON true/false and numbers as their text."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValueError('%s is not a string, number or boolean' % json.dumps(value, default=str))


def _statements(policies):
    policies = [policies] if isinstance(policies, (Mapping, str, bytes, tuple)) else list(policies)
    for number, item in enumerate(policies, 1):
        # Unnamed documents are told apart by their place when there are several.
        name, document = item if isinstance(item, tuple) else (None if len(policies) == 1 else 'policy %d' % number,
                                                               item)
        if isinstance(document, bytes):
            document = document.decode('utf-8')
        if isinstance(document, str):
            text = document.strip()
            document = json.loads(text if text.startswith('{') else unquote(text))
        if not isinstance(document, Mapping):
            raise ValueError('a policy document must be a JSON object, not %s' % type(document).__name__)
        for place, statement in enumerate(_as_list(document.get('Statement')), 1):
            sid = statement.get('Sid') if isinstance(statement, Mapping) else None
            yield StatementRef(name, place, sid), statement


def _judge(statement, request):
    """Whether the statement applies to the request: (True, None); (False, None) when something it
    understands rules it out; (False, reason) when only a condition does; (None, reason) when it would
    apply but for something it does not understand."""
    if not isinstance(statement, Mapping):
        return None, _Reason('a statement that is not a JSON object')
    doubts = []
    unknown = sorted(set(statement) - _ELEMENTS)
    if unknown:
        doubts.append(_Reason('unknown element %s' % ', '.join(unknown)))
    if statement.get('Effect') not in ('Allow', 'Deny'):
        doubts.append(_Reason('unknown Effect %s' % json.dumps(statement.get('Effect'), default=str)))
    for matches in (_action_matches, _principal_matches, _resource_matches):
        try:
            if not matches(statement, request):
                return False, None
        except _Reason as doubt:
            doubts.append(doubt)
    try:
        conditions = list(_conditions(statement))
    except _Reason as doubt:
        conditions = []
        doubts.append(doubt)
    for operator_name, key, values in conditions:
        try:
            if not _condition_holds(operator_name, key, values, request.context):
                missing = '' if key.lower() in request.context else ': the request has no %s' % key
                return False, _Reason('its condition %s is not met%s' % (
                    json.dumps({operator_name: {key: values}}, default=str), missing),
                    operator_name, key, _as_list(values))
        except _Reason as doubt:
            doubts.append(doubt)
    if doubts:
        return None, doubts[0]
    return True, None


def _element(statement, name):
    """The value of NAME or NotNAME and whether it is the Not form; (None, False) when it has neither."""
    if name in statement and 'Not' + name in statement:
        raise _Reason('both %s and Not%s' % (name, name))
    if 'Not' + name in statement:
        return statement['Not' + name], True
    return statement.get(name), False


def _wildcard_match(pattern, value, ignore_case=False):
    regex = ''.join('.*' if c == '*' else '.' if c == '?' else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL | (re.IGNORECASE if ignore_case else 0)) is not None


def _any_pattern_matches(patterns, value, element, ignore_case=False):
    """Whether a pattern matches the value; when none does, a pattern with a policy variable (or not a string)
    is not understood."""
    doubt = None
    for pattern in _as_list(patterns):
        if not isinstance(pattern, str):
            doubt = _Reason('%s %s' % (element, json.dumps(pattern, default=str)))
        elif '${' in pattern:
            doubt = _Reason('policy variable in %s %s' % (element, pattern))
        elif _wildcard_match(pattern, value, ignore_case):
            return True
    if doubt:
        raise doubt
    return False


def _action_matches(statement, request):
    actions, negated = _element(statement, 'Action')
    if actions is None:
        raise _Reason('neither Action nor NotAction')
    return _any_pattern_matches(actions, request.action, 'NotAction' if negated else 'Action', True) != negated


def _resource_matches(statement, request):
    resources, negated = _element(statement, 'Resource')
    if resources is None:
        return True
    return _any_pattern_matches(resources, request.resource, 'NotResource' if negated else 'Resource') != negated


def _principal_matches(statement, request):
    principals, negated = _element(statement, 'Principal')
    if principals is None:
        return True
    return _names_principal(principals, request) != negated


def _names_principal(principals, request):
    if principals == '*':
        return True
    if not isinstance(principals, Mapping):
        raise _Reason('Principal %s' % json.dumps(principals, default=str))
    for kind, names in principals.items():
        for name in _as_list(names):
            if kind == 'AWS' and _names_aws_principal(name, request):
                return True
            if kind == 'Service' and request.service is not None and name == request.service:
                return True
    # Federated and CanonicalUser principals never make these requests.
    return False


def _names_aws_principal(name, request):
    if name == '*':
        return True
    account = _ACCOUNT.match(name)
    if account:
        return (account.group(1) or account.group(2)) == request.account
    return name == request.arn


def _conditions(statement):
    block = statement.get('Condition') or {}
    if not isinstance(block, Mapping):
        raise _Reason('Condition %s' % json.dumps(block, default=str))
    for operator_name, tests in block.items():
        if not isinstance(tests, Mapping):
            raise _Reason('condition %s %s' % (operator_name, json.dumps(tests, default=str)), operator_name)
        for key, values in tests.items():
            yield operator_name, key, values


def _arn_match(pattern, value):
    """Each of an ARN's six colon-separated parts matched on its own, as ArnLike does; a pattern without six
    parts is matched whole."""
    pattern_parts, value_parts = pattern.split(':', 5), value.split(':', 5)
    if len(pattern_parts) < 6:
        return _wildcard_match(pattern, value)
    return len(value_parts) == 6 and all(_wildcard_match(p, v) for p, v in zip(pattern_parts, value_parts))


def _boolean(text):
    if text.lower() not in ('true', 'false'):
        raise ValueError(text)
    return text.lower()


# Each comparison: how a policy or request value is read (ValueError when it cannot be), the test of
# (policy value, request value), so NumericLessThan is policy > request, and whether the operator negates it.
_COMPARISONS = {
    'StringEquals': (str, operator.eq, False),
    'StringNotEquals': (str, operator.eq, True),
    'StringEqualsIgnoreCase': (str.lower, operator.eq, False),
    'StringNotEqualsIgnoreCase': (str.lower, operator.eq, True),
    'StringLike': (str, _wildcard_match, False),
    'StringNotLike': (str, _wildcard_match, True),
    'ArnEquals': (str, _arn_match, False),
    'ArnLike': (str, _arn_match, False),
    'ArnNotEquals': (str, _arn_match, True),
    'ArnNotLike': (str, _arn_match, True),
    'NumericEquals': (float, operator.eq, False),
    'NumericNotEquals': (float, operator.eq, True),
    'NumericLessThan': (float, operator.gt, False),
    'NumericLessThanEquals': (float, operator.ge, False),
    'NumericGreaterThan': (float, operator.lt, False),
    'NumericGreaterThanEquals': (float, operator.le, False),
    'Bool': (_boolean, operator.eq, False),
}
_SET_QUALIFIERS = ('', 'ForAnyValue', 'ForAllValues')


def _condition_holds(operator_name, key, values, context):
    qualifier, dummy, name = operator_name.rpartition(':')
    if_exists = name.endswith('IfExists')
    base = name[:-len('IfExists')] if if_exists else name
    listed = _as_list(values)
    present = context.get(key.lower())
    if base == 'Null' and not qualifier and not if_exists:
        read, test, negated = _boolean, None, False
    elif qualifier in _SET_QUALIFIERS and base in _COMPARISONS:
        read, test, negated = _COMPARISONS[base]
    else:
        raise _Reason('unknown condition operator %s' % operator_name, operator_name, key, listed)
    try:
        wanted = [read(_text(v)) for v in listed]
    except ValueError:
        raise _Reason('%s cannot compare %s' % (operator_name, json.dumps(values, default=str)),
                      operator_name, key, listed)
    if test is None:
        # Null: "true" wants the key absent, "false" present.
        return any((v == 'true') == (present is None) for v in wanted)
    if present is None:
        if if_exists or qualifier == 'ForAllValues':
            return True
        return negated and qualifier != 'ForAnyValue'

    def satisfied(got):
        try:
            got = read(got)
        except ValueError:
            return negated  # a request value of another type matches no policy value
        return any(test(w, got) for w in wanted) != negated

    if qualifier == 'ForAllValues':
        return all(satisfied(got) for got in present)
    return any(satisfied(got) for got in present)
