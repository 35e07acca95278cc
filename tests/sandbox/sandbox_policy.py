# SPDX-License-Identifier: GPL-3.0-or-later
"""The slice of IAM policy evaluation SDNS depends on, because moto enforces none of it.

Covered: Allow/Deny statements, Action and Resource with `*`/`?` wildcards (actions compared
case-insensitively, as IAM does), the AWS principal of a trust policy and its
`StringEquals sts:ExternalId` condition. Not covered: NotAction, NotResource, NotPrincipal,
conditions on permission policies (they are ignored, so such an Allow counts), permission
boundaries, SCPs, topic access policies and KMS key policies. These are sandbox
simplifications, not claims about AWS.
"""

import json
import re
from urllib.parse import unquote

# The AWS account SDNS publishes from (SDNS guide).
SDNS_ACCOUNT = "258925066295"
SDNS_PRINCIPALS = (SDNS_ACCOUNT, f"arn:aws:iam::{SDNS_ACCOUNT}:root")


def parse(document):
    """boto3 decodes IAM policy documents to dicts; raw API answers are URL-encoded JSON."""
    if isinstance(document, dict):
        return document
    text = document if document.lstrip().startswith("{") else unquote(document)
    return json.loads(text)


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements(document):
    return [s for s in _as_list(parse(document).get("Statement")) if isinstance(s, dict)]


def wildcard_match(pattern, value, ignore_case=False):
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _action_allowed(statement, action):
    return any(wildcard_match(p, action, ignore_case=True)
               for p in _as_list(statement.get("Action")))


def _resource_matches(statement, resources):
    return any(wildcard_match(p, r) for p in _as_list(statement.get("Resource"))
               for r in resources)


def permission_problem(policies, action, resources, role_arn):
    """None if some policy allows `action` on one of `resources` (names of one resource, e.g.
    a key ARN and its alias) and none denies it; otherwise what is missing.

    `policies` is a list of (policy name, document)."""
    allowed_by = None
    for name, document in policies:
        for statement in statements(document):
            if not (_action_allowed(statement, action) and _resource_matches(statement,
                                                                             resources)):
                continue
            if statement.get("Effect") == "Deny":
                return f"policy {name} of role {role_arn} denies {action} on {resources[0]}"
            if statement.get("Effect") == "Allow":
                allowed_by = name
    if allowed_by is None:
        return f"no policy of role {role_arn} allows {action} on {resources[0]}"
    return None


def _principals(statement):
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if isinstance(principal, dict):
        return [str(p) for p in _as_list(principal.get("AWS"))]
    return []


def _external_ids(statement):
    """The values a StringEquals condition allows for sts:ExternalId (keys are
    case-insensitive in IAM)."""
    found = []
    for operator, conditions in (statement.get("Condition") or {}).items():
        if operator != "StringEquals" or not isinstance(conditions, dict):
            continue
        for key, value in conditions.items():
            if key.lower() == "sts:externalid":
                found.extend(str(v) for v in _as_list(value))
    return found


def trust_problem(document, vendor_id, role_arn):
    """None if SDNS (account 258925066295) may assume the role with ExternalId = vendor_id.

    Stricter than IAM on one point: an Allow without the ExternalId condition is refused,
    because the guide requires it and without it any vendor's SDNS subscription could use
    the role (the confused-deputy case the ExternalId exists for)."""
    wanted = f"trust policy of role {role_arn} does not allow {SDNS_ACCOUNT} with ExternalId " \
             f"{vendor_id}"
    seen_external_ids = []
    for statement in statements(document):
        if not _action_allowed(statement, "sts:AssumeRole"):
            continue
        if not any(p in SDNS_PRINCIPALS for p in _principals(statement)):
            continue
        if statement.get("Effect") == "Deny":
            return f"{wanted}: a Deny statement names {SDNS_ACCOUNT}"
        if statement.get("Effect") != "Allow":
            continue
        external_ids = _external_ids(statement)
        if vendor_id in external_ids:
            return None
        seen_external_ids.extend(external_ids)
    if seen_external_ids:
        return f"{wanted} (its sts:ExternalId condition allows {', '.join(seen_external_ids)})"
    return f"{wanted} (no Allow of sts:AssumeRole for arn:aws:iam::{SDNS_ACCOUNT}:root " \
           f"with StringEquals sts:ExternalId)"
