# SPDX-License-Identifier: GPL-3.0-or-later
"""What the sandbox and contract test suites share: the test seed's names, an HTTP client
bound to a token, and AWS set-up in the sandbox's moto (topic, IAM role, SQS queue with raw
delivery) so that notifications can be read back."""

import json
import os
import uuid

import boto3
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_SEED = os.path.join(HERE, "seeds", "test.yml")

ORG_CLIENT = "amzn1.application-oa2-client.org"
ORG_SECRET = "org-secret"
OTHER_CLIENT = "amzn1.application-oa2-client.other"
OTHER_SECRET = "other-secret"
ORG_VENDOR = "M1ORGVENDOR"
DEV1_VENDOR, DEV2_VENDOR, DEV3_VENDOR = "M2DEVVENDOR1", "M2DEVVENDOR2", "M2DEVVENDOR3"
FOREIGN_VENDOR = "M9FOREIGN"
ORG_ADMIN, DEV3_USER, FOREIGN_USER = ("amzn1.account.ORGADMIN", "amzn1.account.DEV3",
                                      "amzn1.account.FOREIGN")
SCOPE = "alexa::ask:subscriptions"
SDNS_ACCOUNT = "258925066295"
REGION = "us-east-1"


class Client:
    """SMAPI, LWA and admin calls against one running sandbox."""

    def __init__(self, sandbox):
        self.smapi_url = sandbox.smapi_url
        self.lwa_url = sandbox.lwa_url
        self.http = requests.Session()

    def smapi(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, self.smapi_url + path, headers=headers, timeout=30,
                                 **kwargs)

    def lwa(self, path="/auth/o2/token", as_json=False, **form):
        """A token request, as a form unless ``as_json`` (the official ASK CLI's way)."""
        body = dict(json=form) if as_json else dict(data=form)
        return self.http.post(self.lwa_url + path, timeout=30, **body)

    def refresh(self, refresh_token, client_id=ORG_CLIENT, client_secret=ORG_SECRET):
        """An access token for a seeded refresh token (fails the test if LWA refuses)."""
        answer = self.lwa(grant_type="refresh_token", refresh_token=refresh_token,
                          client_id=client_id, client_secret=client_secret)
        assert answer.status_code == 200, answer.text
        return answer.json()["access_token"]

    def admin(self, method, name, body=None):
        answer = self.http.request(method, f"{self.smapi_url}/_sandbox/{name}", json=body,
                                   timeout=60)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    def create_subscriber(self, token, vendor_id, endpoint, name="subscriber"):
        answer = self.smapi("POST", "/v0/developmentEvents/subscribers", token,
                            json={"name": name, "vendorId": vendor_id,
                                  "endpoint": endpoint_body(endpoint)})
        assert answer.status_code == 201, answer.text
        return answer.headers["Location"].rsplit("/", 1)[-1]

    def create_subscription(self, token, vendor_id, subscriber_id, events, name="subscription"):
        answer = self.smapi("POST", "/v0/developmentEvents/subscriptions", token,
                            json={"name": name, "vendorId": vendor_id,
                                  "subscriberId": subscriber_id, "events": events})
        assert answer.status_code == 201, answer.text
        return answer.headers["Location"].rsplit("/", 1)[-1]

    def subscriber_status(self, token, vendor_id, subscriber_id):
        answer = self.smapi("GET", "/v0/developmentEvents/subscribers", token,
                            params={"vendorId": vendor_id})
        assert answer.status_code == 200, answer.text
        for item in answer.json()["subscribers"]:
            if item["subscriberId"] == subscriber_id:
                return item["status"]
        raise AssertionError(f"{subscriber_id} not listed for {vendor_id}")


def endpoint_body(endpoint):
    return {"uri": endpoint["topic_arn"],
            "authorization": {"type": "AWS_IAM", "arn": endpoint["role_arn"]}}


def trust_policy(external_id):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{SDNS_ACCOUNT}:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]}


class Aws:
    """boto3 clients against the sandbox's moto. Names are unique per call because moto keeps
    its state for the whole test session."""

    def __init__(self, url):
        session = boto3.session.Session(aws_access_key_id="testing",
                                        aws_secret_access_key="testing", region_name=REGION)
        self.sns, self.iam, self.sqs, self.kms = (
            session.client(name, endpoint_url=url) for name in ("sns", "iam", "sqs", "kms"))

    def endpoint(self, vendor_id, external_id=None, publish=True, kms_key=None,
                 kms_grant=True):
        """Topic + role SDNS may assume (ExternalId = vendor ID unless told otherwise) + an SQS
        queue subscribed with raw delivery, so the queue receives the notification JSON."""
        name = f"sdns-{uuid.uuid4().hex[:12]}"
        attributes = {"KmsMasterKeyId": kms_key} if kms_key else {}
        topic_arn = self.sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
        role_arn = self.iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(trust_policy(external_id or vendor_id)),
        )["Role"]["Arn"]
        statements = []
        if publish:
            statements.append({"Effect": "Allow", "Action": "sns:Publish",
                               "Resource": topic_arn})
        if kms_key and kms_grant:
            statements.append({"Effect": "Allow",
                               "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                               "Resource": "*"})
        if statements:
            self.iam.put_role_policy(RoleName=name, PolicyName="sdns-publish",
                                     PolicyDocument=json.dumps({"Version": "2012-10-17",
                                                                "Statement": statements}))
        queue_url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                           Attributes={"RawMessageDelivery": "true"})
        return {"name": name, "topic_arn": topic_arn, "role_arn": role_arn,
                "queue_url": queue_url}

    def messages(self, endpoint):
        """Every message waiting in the endpoint's queue (moto delivers synchronously)."""
        found = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=endpoint["queue_url"],
                                             MaxNumberOfMessages=10,
                                             WaitTimeSeconds=0).get("Messages", [])
            if not batch:
                return found
            for message in batch:
                found.append(message["Body"])
                self.sqs.delete_message(QueueUrl=endpoint["queue_url"],
                                        ReceiptHandle=message["ReceiptHandle"])
