# SPDX-License-Identifier: GPL-3.0-or-later
"""Delivery of notifications to the subscribers' SNS topics in moto, the way SDNS does it:
check that the topic exists, that SDNS may assume the role, that the role may publish (and use
the topic's KMS key), then assume the role with ExternalId = the subscriber's vendor ID and
publish with the temporary credentials. Any failure marks the subscriber INACTIVE.

Delivery is synchronous, where SDNS's is not: the SMAPI or admin call returns after the
publish, so a test can look at the queue or the subscriber's status straight away.
"""

import threading
import time
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

import sandbox_events as events
import sandbox_policy as policy
from sandbox_state import STATUS_ACTIVE, STATUS_INACTIVE

DUMMY_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
# The AWS-managed SNS key needs no grant in the role's policies.
AWS_MANAGED_SNS_KEY = "alias/aws/sns"


class Refused(Exception):
    """SDNS could not deliver; the message says what the subscriber's owner must fix."""


class Deliverer:
    def __init__(self, state, aws_url, region="us-east-1"):
        self.state = state
        self.aws_url = aws_url
        self.region = region
        self._session = boto3.session.Session(**DUMMY_KEYS)
        self._clients = {}
        self._client_lock = threading.Lock()  # boto3 sessions are not thread-safe
        # Fail fast: a sandbox call should not hang on retries against a local moto.
        self._config = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30)

    def _client(self, service, region=None, credentials=None):
        region = region or self.region
        with self._client_lock:
            if credentials:
                return self._session.client(
                    service, region_name=region, endpoint_url=self.aws_url, config=self._config,
                    aws_access_key_id=credentials["AccessKeyId"],
                    aws_secret_access_key=credentials["SecretAccessKey"],
                    aws_session_token=credentials["SessionToken"])
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = self._session.client(
                    service, region_name=region, endpoint_url=self.aws_url, config=self._config)
            return self._clients[key]

    # -- entry points ------------------------------------------------------------------------
    def welcome(self, subscriber):
        """SDNS publishes `{}` when a subscriber is created so the owner sees the set-up work.
        unverified: a failing first delivery leaves the subscriber INACTIVE (the create call
        still succeeds), as any other failed delivery would."""
        return self._deliver(subscriber, None, None, "{}")

    def raise_event(self, spec):
        """Notify every subscription the event matches. `spec` is the validated admin body.

        Only subscribers whose own client made the change hear of it: SDNS ties events to the
        LWA security profile that created the subscriber, and console changes notify nobody."""
        with self.state.lock:
            targets = []
            for subscription in self.state.subscriptions.values():
                subscriber = self.state.subscribers.get(subscription.subscriber_id)
                if (subscriber and subscription.vendor_id == spec["vendor_id"]
                        and events.matches(subscription.events, spec["event"])
                        and subscriber.client_id == spec["changed_by"]
                        and subscriber.status == STATUS_ACTIVE):
                    targets.append((subscription, subscriber))
        results = []
        for subscription, subscriber in targets:
            message = events.notification(
                spec["event"], vendor_id=spec["vendor_id"], skill_id=spec["skill_id"],
                subscription_id=subscription.subscription_id, status=spec["status"],
                customer_id=spec["customer_id"], request_id=spec.get("request_id"),
                locale=spec["locale"], star_rating=spec["star_rating"])
            results.append(self._deliver(subscriber, subscription.subscription_id,
                                         spec["event"], message))
        return results

    # -- one delivery --------------------------------------------------------------------------
    def _deliver(self, subscriber, subscription_id, event, message):
        record = {"subscriber_id": subscriber.subscriber_id, "subscription_id": subscription_id,
                  "topic_arn": subscriber.topic_arn, "role_arn": subscriber.role_arn,
                  "event": event, "message": message, "delivered": False, "reason": None,
                  "message_id": None, "time": time.time()}
        try:
            record["message_id"] = self._publish(subscriber, message)
            record["delivered"] = True
        except Refused as exc:
            record["reason"] = str(exc)
        except (ClientError, BotoCoreError) as exc:
            record["reason"] = f"AWS call failed: {exc}"
        if not record["delivered"]:
            self.state.set_status(subscriber.subscriber_id, STATUS_INACTIVE)
        self.state.record_delivery(record)
        return {k: record[k] for k in ("subscriber_id", "subscription_id", "topic_arn",
                                       "delivered", "reason")}

    def _publish(self, subscriber, message):
        topic_arn, role_arn = subscriber.topic_arn, subscriber.role_arn
        region = topic_arn.split(":")[3]
        attributes = self._topic_attributes(topic_arn, region)
        self._check_role(role_arn, subscriber.vendor_id, topic_arn, region,
                         attributes.get("KmsMasterKeyId"))
        sts = self._client("sts", region)
        credentials = sts.assume_role(
            RoleArn=role_arn, ExternalId=subscriber.vendor_id,
            RoleSessionName=f"sdns-{uuid.uuid4().hex[:16]}")["Credentials"]
        sns = self._client("sns", region, credentials)
        return sns.publish(TopicArn=topic_arn, Message=message)["MessageId"]

    def _topic_attributes(self, topic_arn, region):
        try:
            return self._client("sns", region).get_topic_attributes(
                TopicArn=topic_arn)["Attributes"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NotFound", "NotFoundException"):
                raise Refused(f"topic {topic_arn} does not exist") from None
            raise

    def _role_policies(self, iam, role_name):
        """Inline and attached managed policies as (name, document) pairs."""
        found = []
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
            for name in page["PolicyNames"]:
                document = iam.get_role_policy(RoleName=role_name,
                                               PolicyName=name)["PolicyDocument"]
                found.append((name, document))
        for page in iam.get_paginator("list_attached_role_policies").paginate(
                RoleName=role_name):
            for attached in page["AttachedPolicies"]:
                arn = attached["PolicyArn"]
                version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                document = iam.get_policy_version(
                    PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
                found.append((arn, document))
        return found

    def _check_role(self, role_arn, vendor_id, topic_arn, region, kms_key_id):
        iam = self._client("iam")
        role_name = role_arn.rsplit("/", 1)[-1]
        try:
            role = iam.get_role(RoleName=role_name)["Role"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "NoSuchEntity":
                raise Refused(f"role {role_arn} does not exist") from None
            raise
        if role["Arn"] != role_arn:
            raise Refused(f"role {role_arn} does not exist (the role named {role_name} is "
                          f"{role['Arn']})")
        problem = policy.trust_problem(role["AssumeRolePolicyDocument"], vendor_id, role_arn)
        if problem:
            raise Refused(problem)
        policies = self._role_policies(iam, role_name)
        session = policy.session_context(role_arn, region)
        problem = policy.permission_problem(policies, "sns:Publish", topic_arn, role_arn, session)
        if problem:
            raise Refused(problem)
        if kms_key_id and kms_key_id not in (AWS_MANAGED_SNS_KEY,) \
                and not kms_key_id.endswith(":" + AWS_MANAGED_SNS_KEY):
            self._check_kms(policies, kms_key_id, region, role_arn, topic_arn, session)

    def _check_kms(self, policies, kms_key_id, region, role_arn, topic_arn, session):
        """Publishing to a topic encrypted with a customer-managed key needs
        kms:GenerateDataKey* and kms:Decrypt on that key (AWS rule for encrypted topics). SNS
        asks KMS on the publisher's behalf; IAM names the key by its ARN (an alias ARN in
        Resource does not cover it), a policy may go by alias with kms:ResourceAliases."""
        kms = self._client("kms", region)
        try:
            key_arn = kms.describe_key(KeyId=kms_key_id)["KeyMetadata"]["Arn"]
        except ClientError:
            raise Refused(f"KMS key {kms_key_id} of topic {topic_arn} does not exist") from None
        aliases = [a["AliasName"] for page in kms.get_paginator("list_aliases").paginate(
            KeyId=key_arn) for a in page["Aliases"]]
        context = {**session, "kms:CallerAccount": role_arn.split(":")[4],
                   "kms:ViaService": f"sns.{region}.amazonaws.com", "kms:ResourceAliases": aliases}
        for action in ("kms:GenerateDataKey", "kms:Decrypt"):
            problem = policy.permission_problem(policies, action, key_arn, role_arn, context)
            if problem:
                raise Refused(f"topic {topic_arn} is encrypted with KMS key {key_arn}: "
                              f"{problem}")
