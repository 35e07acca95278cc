# SPDX-License-Identifier: GPL-3.0-or-later
"""Print what the lane of the running interpreter runs on: ansible-core, Python, amazon.aws, community.aws."""

import json
import os
import platform

from ansible.release import __version__

root = os.path.join(os.environ['ANSIBLE_COLLECTIONS_PATH'], 'ansible_collections')
collections = []
for name in ('amazon/aws', 'community/aws'):
    with open(os.path.join(root, name, 'MANIFEST.json')) as manifest:
        collections.append('%s %s' % (name.replace('/', '.'), json.load(manifest)['collection_info']['version']))
print('ansible-core %s, Python %s, %s' % (__version__, platform.python_version(), ', '.join(collections)))
