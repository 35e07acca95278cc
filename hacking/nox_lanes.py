# SPDX-License-Identifier: GPL-3.0-or-later
"""noxfile.py's LANES, read without nox (which the bootstrap installs): a line per lane, `name
ansible-core Python`, for the shell scripts; lanes() for hacking/test.py."""

import ast
import os

NOXFILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'noxfile.py')


def lanes():
    with open(NOXFILE) as noxfile:
        tree = ast.parse(noxfile.read())
    return next(ast.literal_eval(node.value) for node in tree.body
                if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', '') == 'LANES')


if __name__ == '__main__':
    for name, (core, python) in lanes().items():
        print(name, core, python)
