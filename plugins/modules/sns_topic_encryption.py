#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: sns_topic_encryption
short_description: Encrypt an SNS topic with a KMS key, or stop encrypting it
version_added: 0.1.0
description:
  - Sets the C(KmsMasterKeyId) attribute of an existing SNS topic, which
    M(community.aws.sns_topic) cannot set.
  - An SDNS topic encrypted with a customer-managed key also needs C(kms:GenerateDataKey*) and
    C(kms:Decrypt) on that key for the role SDNS assumes; the role P(skillops.alexa.sdns_endpoint#role) grants them.
author:
  - skillops.alexa maintainers (@skillops)
extends_documentation_fragment:
  - skillops.alexa.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
options:
  topic_arn:
    description:
      - ARN of the SNS topic.
    type: str
    required: true
  kms_master_key_id:
    description:
      - ID, ARN or alias (C(alias/...)) of the KMS key that encrypts the topic.
      - An empty string turns encryption off.
    type: str
    required: true
notes:
  - The module compares the value as given with the one SNS holds; give the key the same way each time.
'''

EXAMPLES = r'''
- name: Encrypt the SDNS topic with a customer-managed key
  skillops.alexa.sns_topic_encryption:
    topic_arn: arn:aws:sns:us-east-1:123456789012:alexa-sdns
    kms_master_key_id: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
'''

RETURN = r'''
topic_arn:
  description: The topic.
  returned: always
  type: str
kms_master_key_id:
  description: The key that encrypts the topic after the task; empty when it is not encrypted.
  returned: always
  type: str
'''

try:
    import botocore
except ImportError:
    pass  # reported by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(topic_arn=dict(type='str', required=True), kms_master_key_id=dict(type='str', required=True)),
        supports_check_mode=True,
    )
    topic_arn, wanted = module.params['topic_arn'], module.params['kms_master_key_id']
    sns = module.client('sns')
    try:
        current = sns.get_topic_attributes(TopicArn=topic_arn)['Attributes'].get('KmsMasterKeyId', '')
        changed = current != wanted
        if changed and not module.check_mode:
            sns.set_topic_attributes(TopicArn=topic_arn, AttributeName='KmsMasterKeyId', AttributeValue=wanted)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg='Could not read or set the encryption of SNS topic %s' % topic_arn)
    module.exit_json(changed=changed, topic_arn=topic_arn, kms_master_key_id=wanted,
                     diff=dict(before=dict(kms_master_key_id=current), after=dict(kms_master_key_id=wanted)))


if __name__ == '__main__':
    main()
