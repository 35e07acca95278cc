# SPDX-License-Identifier: GPL-3.0-or-later
"""The sandbox's tests use the shared fixtures of sandbox_fixtures.py."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sandbox_fixtures import api, aws, sandbox  # noqa: E402,F401 pylint: disable=unused-import
