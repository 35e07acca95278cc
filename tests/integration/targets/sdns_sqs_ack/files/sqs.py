# SPDX-License-Identifier: GPL-3.0-or-later
"""What no module of amazon.aws or community.aws does, for the test: put a notification into the
queue as SNS would, receive it as the event source skillops.alexa.sdns_sqs does, count the messages.

    sqs.py ENDPOINT QUEUE_URL send|receive|count
"""

import json
import sys
import uuid

import boto3

endpoint, queue_url, command = sys.argv[1:4]
sqs = boto3.client('sqs', endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id='testing',
                   aws_secret_access_key='testing')
if command == 'send':
    notification = {'eventName': 'AlexaDevelopmentEvent.SkillPublish', 'timestamp': '2026-12-07T08:00:00.000Z',
                    'payload': {'status': 'SUCCEEDED', 'skill': {'skillId': 'amzn1.ask.skill.ack'}}}
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({
        'Type': 'Notification', 'MessageId': str(uuid.uuid4()), 'TopicArn': 'arn:aws:sns:us-east-1:1:t',
        'Message': json.dumps(notification)}))
elif command == 'receive':
    [message] = sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=300, WaitTimeSeconds=1)['Messages']
    print(json.dumps({'meta': {'queue_url': queue_url, 'sqs_message_id': message['MessageId'],
                               'sqs_receipt_handle': message['ReceiptHandle']}}))
else:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=[
        'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])['Attributes']
    print(sum(int(value) for value in attributes.values()))
