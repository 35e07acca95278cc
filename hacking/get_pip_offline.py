# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for the get-pip script that ansible-test downloads.

ansible-test bootstraps pip in every virtual environment it makes by fetching a get-pip script
from a host that build machines often cannot reach. This file is copied to the cache path it
looks in first; it installs pip from the wheel bundled with the standard library's ensurepip and
takes the rest from the configured package index.
"""

import glob
import os
import sys
import sysconfig

import ensurepip


def main():
    # CPython keeps the wheel in ensurepip/_bundled; Debian's python3 moves it to WHEEL_PKG_DIR.
    places = [os.path.join(os.path.dirname(ensurepip.__file__), '_bundled'),
              sysconfig.get_config_var('WHEEL_PKG_DIR') or '', '/usr/share/python-wheels']
    wheels = [wheel for place in places if place for wheel in glob.glob(os.path.join(place, 'pip-*.whl'))]
    if not wheels:
        sys.exit('no pip wheel found in %s' % ', '.join(p for p in places if p))
    sys.path[:0] = wheels[:1]
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
    extra = ['pip']
    if '--no-setuptools' not in sys.argv:
        extra.append('setuptools')
    if '--no-wheel' not in sys.argv:
        extra.append('wheel')
    # The script is asked for a pinned pip ("pip==24.2"); keep that pin, add the rest unpinned.
    wanted = [name for name in extra if not any(arg.split('=')[0] == name for arg in args)]
    return pip_main(['install', '--upgrade', '--force-reinstall'] + args + wanted)


if __name__ == '__main__':
    sys.exit(main())
