# SPDX-License-Identifier: GPL-3.0-or-later
"""IAM policy evaluation for deliveries, because moto enforces none of it.

`evaluate` decides one request against a list of policy documents as IAM does: an explicit Deny
wins, nothing is allowed without an Allow. Covered: Effect, Action/NotAction and
Resource/NotResource with `*`/`?` wildcards (actions case-insensitive, resources
case-sensitive), Principal/NotPrincipal (`*`, AWS account IDs and root ARNs, other ARNs,
services), and Condition with the String, Arn, Numeric, Bool and Null operators, their
`ForAnyValue:`/`ForAllValues:` forms and `IfExists` suffix; condition keys case-insensitive. A
key missing from the request makes a condition false, but true for negated operators,
`ForAllValues:` and `IfExists` (AWS's rule). Anything else (another operator, a policy variable,
an unknown element) is not guessed: such an Allow does not count and such a Deny may deny.
Not covered: permission boundaries, SCPs, topic access policies and KMS key policies.

The collection's doctor has its own evaluator (plugins/module_utils/_iam_policy.py). This one is
written apart on purpose, as the stand-in for AWS; tests/sandbox/test_policy_cases.py runs the
shared table of cases (tests/unit/plugins/module_utils/iam_policy_cases.yml) against it, so the
two agree on every case there.
"""

import json
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

# The AWS account SDNS publishes from (SDNS guide).
SDNS_ACCOUNT = "258925066295"

ALLOWED, DENIED, POSSIBLY_DENIED, NOT_ALLOWED = "allowed", "denied", "possibly denied", "not allowed"
KNOWN_ELEMENTS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal",
                  "NotPrincipal", "Condition"}
ACCOUNT_PRINCIPAL = re.compile(r"(\d{12})|arn:aws[\w-]*:iam::(\d{12}):root")


@dataclass(frozen=True)
class Request:
    action: str
    resource: str = ""
    principal_account: str | None = None
    principal_arn: str | None = None
    principal_service: str | None = None
    context: dict = field(default_factory=dict)

    @property
    def account(self):
        if self.principal_account:
            return self.principal_account
        parts = (self.principal_arn or "").split(":")
        return parts[4] if len(parts) > 4 else None


@dataclass(frozen=True)
class Verdict:
    outcome: str
    sid: str | None  # of the statement that allowed or denied
    reason: str

    @property
    def allowed(self):
        return self.outcome == ALLOWED


class Unsure(Exception):
    """Part of a statement this evaluator does not model."""


def parse(document):
    """boto3 decodes IAM policy documents to dicts; raw API answers are URL-encoded JSON."""
    if isinstance(document, dict):
        return document
    text = document if document.lstrip().startswith("{") else unquote(document)
    return json.loads(text)


def _many(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _glob(pattern, text, fold=False):
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, text, re.S | (re.I if fold else 0)) is not None


def _scalar(value):
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (str, int, float)):
        return str(value)
    raise Unsure(f"value {value!r}")


# -- the parts of a statement ------------------------------------------------------------------
def _pair(statement, name):
    """(values, negated) of NAME / NotNAME; (None, False) if the statement has neither."""
    has, has_not = name in statement, f"Not{name}" in statement
    if has and has_not:
        raise Unsure(f"{name} together with Not{name}")
    return (statement[f"Not{name}"], True) if has_not else (statement.get(name), False)


def _globs_hit(patterns, text, element, fold=False):
    unsure = None
    for pattern in _many(patterns):
        if not isinstance(pattern, str):
            unsure = unsure or Unsure(f"{element} entry {pattern!r}")
        elif "${" in pattern:
            unsure = unsure or Unsure(f"policy variable in {element} {pattern}")
        elif _glob(pattern, text, fold):
            return True
    if unsure:
        raise unsure
    return False


def _action_applies(statement, request):
    actions, negated = _pair(statement, "Action")
    if actions is None:
        raise Unsure("no Action")
    return negated != _globs_hit(actions, request.action, "Action", fold=True)


def _resource_applies(statement, request):
    resources, negated = _pair(statement, "Resource")
    return resources is None or negated != _globs_hit(resources, request.resource, "Resource")


def _principal_named(principal, request):
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        raise Unsure(f"Principal {principal!r}")
    for name in _many(principal.get("AWS")):
        account = ACCOUNT_PRINCIPAL.fullmatch(str(name))
        if name == "*" or (account and request.account and request.account in account.groups()) \
                or (request.principal_arn and name == request.principal_arn):
            return True
    return request.principal_service is not None \
        and request.principal_service in _many(principal.get("Service"))


def _principal_applies(statement, request):
    principal, negated = _pair(statement, "Principal")
    return principal is None or negated != _principal_named(principal, request)


# -- conditions --------------------------------------------------------------------------------
def _arn_like(pattern, arn):
    """ArnLike compares the six colon-separated fields one by one (a shorter pattern whole)."""
    fields, target = pattern.split(":", 5), arn.split(":", 5)
    if len(fields) != 6:
        return _glob(pattern, arn)
    return len(target) == 6 and all(map(_glob, fields, target))


def _truth(text):
    if text.lower() in ("true", "false"):
        return text.lower()
    raise ValueError(text)


# name -> (convert a value, test(policy value, request value), negated)
OPERATORS = {
    **{f"String{neg}Equals": (str, str.__eq__, bool(neg)) for neg in ("", "Not")},
    **{f"String{neg}EqualsIgnoreCase": (str.casefold, str.__eq__, bool(neg)) for neg in ("", "Not")},
    **{f"String{neg}Like": (str, _glob, bool(neg)) for neg in ("", "Not")},
    **{f"Arn{neg}{kind}": (str, _arn_like, bool(neg)) for neg in ("", "Not")
       for kind in ("Equals", "Like")},
    "NumericEquals": (float, lambda want, got: got == want, False),
    "NumericNotEquals": (float, lambda want, got: got == want, True),
    "NumericLessThan": (float, lambda want, got: got < want, False),
    "NumericLessThanEquals": (float, lambda want, got: got <= want, False),
    "NumericGreaterThan": (float, lambda want, got: got > want, False),
    "NumericGreaterThanEquals": (float, lambda want, got: got >= want, False),
    "Bool": (_truth, str.__eq__, False),
}


def _condition(operator, key, policy_values, context):
    """True or False; raises Unsure for an operator or value it does not model."""
    set_op, name = operator.rpartition(":")[::2]
    name, if_exists = (name[:-8], True) if name.endswith("IfExists") else (name, False)
    request_values = context.get(key.lower(), [])
    try:
        wanted = [_scalar(v) for v in _many(policy_values)]
        if name == "Null" and not set_op and not if_exists:
            return any((_truth(v) == "true") == (not request_values) for v in wanted)
        if set_op not in ("", "ForAnyValue", "ForAllValues") or name not in OPERATORS:
            raise Unsure(f"unknown condition operator {operator}")
        convert, test, negated = OPERATORS[name]
        wanted = [convert(v) for v in wanted]
    except ValueError:
        raise Unsure(f"{operator} cannot compare {policy_values!r}") from None
    if not request_values:
        return if_exists or set_op == "ForAllValues" or (negated and set_op != "ForAnyValue")

    def one(value):
        try:
            value = convert(value)
        except ValueError:
            return negated
        return negated != any(test(w, value) for w in wanted)

    return all(map(one, request_values)) if set_op == "ForAllValues" \
        else any(map(one, request_values))


# -- one statement, then all ---------------------------------------------------------------------
def _judge(statement, request):
    """("applies" | "skip" | "unmet" | "unsure", note)."""
    if not isinstance(statement, dict):
        return "unsure", "statement is not an object"
    notes = []
    if extra := sorted(set(statement) - KNOWN_ELEMENTS):
        notes.append(f"unknown element {', '.join(extra)}")
    if statement.get("Effect") not in ("Allow", "Deny"):
        notes.append(f"unknown Effect {statement.get('Effect')!r}")
    for part in (_action_applies, _principal_applies, _resource_applies):
        try:
            if not part(statement, request):
                return "skip", None
        except Unsure as exc:
            notes.append(str(exc))
    block = statement.get("Condition") or {}
    if not isinstance(block, dict) or not all(isinstance(t, dict) for t in block.values()):
        notes.append(f"Condition {block!r}")
        block = {}
    for operator, tests in block.items():
        for key, values in tests.items():
            try:
                if not _condition(operator, key, values, request.context):
                    lacking = "" if key.lower() in request.context else f" (no {key} in the request)"
                    return "unmet", f"condition {operator} {{{key}: {values!r}}} is not met{lacking}"
            except Unsure as exc:
                notes.append(str(exc))
    return ("unsure", notes[0]) if notes else ("applies", None)


def _statements(policies):
    if isinstance(policies, (dict, str)):
        policies = [policies]
    for index, entry in enumerate(policies, 1):
        name, document = entry if isinstance(entry, tuple) else (f"policy {index}", entry)
        found = parse(document).get("Statement")
        for number, statement in enumerate(_many(found), 1):
            sid = statement.get("Sid") if isinstance(statement, dict) else None
            yield f"statement {sid or number} of {name}", sid, statement


def evaluate(policies, request):
    """The Verdict of `policies` (documents, or (name, document) tuples) on `request`."""
    context = {str(k).lower(): [_scalar(v) for v in _many(v)] for k, v in request.context.items()}
    request = Request(request.action, request.resource or "", request.principal_account,
                      request.principal_arn, request.principal_service,
                      {k: v for k, v in context.items() if v})
    allow = deny = maybe_deny = None
    misses = []
    for label, sid, statement in _statements(policies):
        state, note = _judge(statement, request)
        effect = statement.get("Effect") if isinstance(statement, dict) else None
        if state == "applies":
            if effect == "Allow":
                allow = allow or (sid, f"{label} allows it")
            else:
                deny = deny or (sid, f"{label} denies it")
        elif state != "skip" and effect == "Allow":
            misses.append(f"{label} does not apply: {note}")
        elif state == "unsure":
            maybe_deny = maybe_deny or (sid, f"{label} may deny it: {note}")
    for outcome, found in ((DENIED, deny), (POSSIBLY_DENIED, maybe_deny), (ALLOWED, allow)):
        if found:
            return Verdict(outcome, *found)
    return Verdict(NOT_ALLOWED, None, "; ".join(["no statement allows it", *misses]))


# -- what SDNS needs -----------------------------------------------------------------------------
def session_context(role_arn, region):
    """The condition keys of a request made with the role's temporary credentials."""
    return {"aws:PrincipalArn": role_arn, "aws:PrincipalAccount": role_arn.split(":")[4],
            "aws:PrincipalType": "AssumedRole", "aws:RequestedRegion": region}


def permission_problem(policies, action, resource, role_arn, context):
    """None if `policies` (a list of (policy name, document)) let the role do `action` on
    `resource`; otherwise what is wrong."""
    verdict = evaluate([(f"policy {name}", document) for name, document in policies],
                       Request(action, resource, principal_arn=role_arn, context=context))
    if verdict.allowed:
        return None
    if verdict.outcome in (DENIED, POSSIBLY_DENIED):
        return f"a policy of role {role_arn} denies {action} on {resource}: {verdict.reason}"
    return f"no policy of role {role_arn} allows {action} on {resource}: {verdict.reason}"


def trust_problem(document, vendor_id, role_arn):
    """None if SDNS (account 258925066295) may assume the role with ExternalId = vendor_id.

    Stricter than IAM on one point: a trust policy that also lets SDNS in without an
    ExternalId is refused, because the guide requires it and without it any vendor's SDNS
    subscription could use the role (the confused-deputy case the ExternalId exists for)."""
    wanted = f"trust policy of role {role_arn} does not allow {SDNS_ACCOUNT} with ExternalId " \
             f"{vendor_id}"
    trust = [("the trust policy", document)]

    def by_sdns(**keys):
        return evaluate(trust, Request("sts:AssumeRole", role_arn, principal_account=SDNS_ACCOUNT,
                                       context={"aws:PrincipalAccount": SDNS_ACCOUNT, **keys}))

    with_id = by_sdns(**{"sts:ExternalId": vendor_id})
    if not with_id.allowed:
        return f"{wanted}: {with_id.reason}"
    without_id = by_sdns()
    if without_id.allowed:
        return f"{wanted} alone: it lets {SDNS_ACCOUNT} in without an ExternalId " \
               f"({without_id.reason})"
    return None
