#!/usr/bin/python3
"""Prepares ansible-test's sanity virtual environments offline, from Debian's packages.

ansible-test (2.14, as Debian bookworm ships it) runs most sanity tests in virtual environments
it creates under ``$HOME/.ansible/test/venv`` and fills with pinned packages from PyPI (pip is
bootstrapped from the internet first). Neither is reachable here, so this script creates each of
those environments itself, at the path ansible-test computes for it, with
``--system-site-packages`` (Debian's PyYAML, Jinja2, voluptuous, pylint, pycodestyle, yamllint are
then importable) and the marker file that tells ansible-test the environment is complete. The
tools are Debian's versions, not ansible-test's pins (pylint 2.16 instead of 2.15, voluptuous 0.12
instead of 0.13, pycodestyle 2.10 instead of 2.9, yamllint 1.29 instead of 1.28).

Run it with the Python ansible-test runs on (Debian's /usr/bin/python3), with the same HOME as
ansible-test: ``HOME=<dir> /usr/bin/python3 prime-sanity-venvs.py 3.11 <test>...``. It prints the
environments it prepared. It uses ansible-test's own functions to name them, so it fails loudly
(rather than quietly doing nothing) if a later ansible-test changes them.
"""
import json
import os
import pathlib
import subprocess
import sys

from ansible_test._internal.commands.sanity import hash_pip_commands
from ansible_test._internal.python_requirements import collect_requirements
from ansible_test._internal.host_configs import NativePythonConfig


def prime(version, label, requirements_name, minimize=False):
    python = NativePythonConfig(version=version, path=sys.executable)
    commands = collect_requirements(
        python=python,
        controller=True,
        virtualenv=False,
        command=None,
        ansible=False,
        cryptography=False,
        coverage=False,
        minimize=minimize,
        sanity=requirements_name,
    )
    label = 'sanity.%s' % label if commands else 'sanity'
    path = os.path.join(os.path.expanduser('~/.ansible/test/venv'), label, version, hash_pip_commands(commands))
    marker = os.path.join(path, 'marker.txt')
    if not os.path.exists(marker):
        subprocess.run([sys.executable, '-m', 'venv', '--system-site-packages', '--without-pip', '--clear', path], check=True)
        with open(os.path.join(path, 'meta.install.json'), 'w') as handle:
            json.dump([command.serialize() for command in commands], handle, indent=4)
        cloader = subprocess.run([os.path.join(path, 'bin', 'python'), '-c', 'import yaml; print(hasattr(yaml, "CSafeLoader"))'], check=True, capture_output=True, text=True).stdout.strip() == 'True'
        with open(os.path.join(path, 'meta.yaml.json'), 'w') as handle:
            json.dump(cloader, handle)
        pathlib.Path(marker).touch()
    print(path)


def main():
    version, tests = sys.argv[1], sys.argv[2:]
    for test in tests:
        if test == 'import':
            # The import test uses one environment per kind of file, and the controller's for YAML.
            prime(version, 'import.module', 'import.module', minimize=True)
            prime(version, 'import.plugin', 'import.plugin', minimize=True)
            prime(version, 'import', 'import')
        else:
            prime(version, test, test)


if __name__ == '__main__':
    main()
