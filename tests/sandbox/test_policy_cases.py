# SPDX-License-Identifier: GPL-3.0-or-later
"""The sandbox's IAM evaluation on the table of cases the collection's evaluator passes too
(tests/unit/plugins/module_utils/iam_policy_cases.yml), so that the AWS the sandbox plays and
the doctor that judges it agree; then the SDNS checks built on it. No sandbox server needed."""

import json
import os
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sandbox_policy as policy  # noqa: E402

CASES_FILE = Path(__file__).parents[1] / "unit/plugins/module_utils/iam_policy_cases.yml"
CASES = yaml.safe_load(CASES_FILE.read_text())
ROLE_ARN = "arn:aws:iam::123456789012:role/publisher"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:alexa-skill-events"
VENDOR = "M1VENDOR"


def trust(condition):
    statement = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{policy.SDNS_ACCOUNT}:root"},
                 "Action": "sts:AssumeRole", "Condition": condition}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_case(case):
    verdict = policy.evaluate(case["policies"], policy.Request(**case["request"]))
    assert (verdict.outcome, verdict.allowed) == (case["verdict"], case["verdict"] == "allowed"), \
        verdict.reason
    assert verdict.sid == case["statement"], verdict.reason
    for mention in case["mentions"]:
        assert mention in verdict.reason


@pytest.mark.parametrize("condition, problem", [
    ({"StringEquals": {"sts:ExternalId": VENDOR}}, None),
    ({"StringLike": {"STS:EXTERNALID": "M1*"}}, None),
    ({"StringEquals": {"sts:ExternalId": "M0WRONGVENDOR"}},
     f"trust policy of role {ROLE_ARN} does not allow 258925066295 with ExternalId {VENDOR}: no "
     "statement allows it; statement 1 of the trust policy does not apply: condition StringEquals "
     "{sts:ExternalId: 'M0WRONGVENDOR'} is not met"),
    ({"StringNotEquals": {"sts:ExternalId": "M0EVIL"}},
     f"trust policy of role {ROLE_ARN} does not allow 258925066295 with ExternalId {VENDOR} alone: "
     "it lets 258925066295 in without an ExternalId (statement 1 of the trust policy allows it)"),
    ({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
     f"trust policy of role {ROLE_ARN} does not allow 258925066295 with ExternalId {VENDOR}: no "
     "statement allows it; statement 1 of the trust policy does not apply: unknown condition "
     "operator DateLessThan"),
], ids=["the vendor ID", "a pattern in odd case", "another vendor ID", "no ExternalId needed",
        "an unknown operator"])
def test_trust_problem(condition, problem):
    assert policy.trust_problem(trust(condition), VENDOR, ROLE_ARN) == problem


@pytest.mark.parametrize("statements, problem", [
    ([{"Effect": "Allow", "Action": "sns:*", "Resource": "arn:aws:sns:us-east-1:123456789012:*",
       "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1",
                                      "aws:PrincipalArn": ROLE_ARN}}}], None),
    ([{"Effect": "Allow", "Action": "sns:Publish", "NotResource": TOPIC_ARN}],
     f"no policy of role {ROLE_ARN} allows sns:Publish on {TOPIC_ARN}: no statement allows it"),
    ([{"Effect": "Allow", "Action": "*", "Resource": "*"},
      {"Sid": "NoSns", "Effect": "Deny", "NotAction": "sqs:*", "Resource": "*"}],
     f"a policy of role {ROLE_ARN} denies sns:Publish on {TOPIC_ARN}: statement NoSns of policy "
     "sdns-publish denies it"),
], ids=["conditions on the session", "NotResource", "a Deny with NotAction"])
def test_permission_problem(statements, problem):
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    assert policy.permission_problem([("sdns-publish", document)], "sns:Publish", TOPIC_ARN,
                                     ROLE_ARN, policy.session_context(ROLE_ARN, "us-east-1")) \
        == problem
