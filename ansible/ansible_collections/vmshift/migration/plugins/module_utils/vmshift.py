# -*- coding: utf-8 -*-
# Copyright: vmshift contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Runs the installed ``vmshift`` CLI with ``--json`` for the vmshift.migration modules.

Every module is a thin layer over one or two CLI commands: this file builds the command line,
hands the connection profile to the CLI (a config file, or a profile generated from module
options whose secrets go into mode 0600 files that the config references with ``{ file: ... }``),
reads the NDJSON events the CLI prints, and turns the CLI's exit codes and ``VmshiftError``
objects into module results. No platform logic lives here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shutil
import tempfile

# The CLI's exit codes (docs/cli.md, "Exit codes"), by number.
EXIT_NAMES = {
    0: 'ok',
    1: 'error',
    2: 'usage',
    3: 'migrationFailed',
    4: 'cancelled',
    5: 'partial',
    6: 'timeout',
    7: 'conformanceFailed',
    8: 'detached',
}

# Setting names the CLI treats as secrets (packages/cli/src/profiles.ts SECRET_KEYS): they must be
# given through the no_log ``secrets`` option, never in ``settings``.
SECRET_KEY_RE = re.compile(r'^(password|token|apiKey|api_key|secret|clientKey|privateKey|credential)$', re.IGNORECASE)

# The name of the profile generated from ``platform``/``settings``/``secrets``.
GENERATED_PROFILE = 'ansible'


def connection_argument_spec():
    """The options every vmshift.migration module takes (doc fragment vmshift.migration.connection)."""
    return dict(
        executable=dict(type='str', default='vmshift'),
        config=dict(type='path'),
        profile=dict(type='str'),
        platform=dict(type='str'),
        settings=dict(type='dict'),
        secrets=dict(type='dict', no_log=True),
    )


CONNECTION_MUTUALLY_EXCLUSIVE = [
    ('config', 'platform'),
    ('profile', 'platform'),
]

CONNECTION_REQUIRED_BY = {
    'settings': 'platform',
    'secrets': 'platform',
}


def module_args(**options):
    """AnsibleModule's keyword arguments for a vmshift.migration module: its ``options`` after the
    connection options, with their exclusions and requirements, and check mode supported.

    ``module = AnsibleModule(**module_args(vm=dict(type='str', required=True)))``
    """
    argument_spec = connection_argument_spec()
    argument_spec.update(options)
    return dict(
        argument_spec=argument_spec,
        mutually_exclusive=list(CONNECTION_MUTUALLY_EXCLUSIVE),
        required_by=dict(CONNECTION_REQUIRED_BY),
        supports_check_mode=True,
    )


def check_at_least_one(module, names):
    """Fails the module when one of the integer options ``names`` is set below 1."""
    for name in names:
        value = module.params[name]
        if value is not None and value < 1:
            module.fail_json(msg='%s must be an integer >= 1, got %d' % (name, value), code='INVALID_ARGUMENT')


def check_not_negative(module, names):
    """Fails the module when one of the number options ``names`` is set below 0."""
    for name in names:
        value = module.params[name]
        if value is not None and value < 0:
            module.fail_json(msg='%s must not be negative' % name, code='INVALID_ARGUMENT')


def flag(name, value):
    """``['--name', 'value']`` when value is set, ``[]`` otherwise (numbers are written as integers when whole)."""
    if value is None:
        return []
    if isinstance(value, bool):
        return ['--' + name] if value else []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return ['--' + name, str(value)]


def parse_events(stdout):
    """The JSON objects of the CLI's NDJSON output, in order; lines that are not JSON objects are skipped."""
    events = []
    for line in (stdout or '').splitlines():
        line = line.strip()
        if not line.startswith('{'):
            continue
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            events.append(value)
    return events


def scrub(text, secrets):
    """``text`` with every secret value replaced by ``********`` (a second line of defence: Ansible masks no_log values too)."""
    if not text:
        return text
    for value in sorted(secrets, key=len, reverse=True):
        if value:
            text = text.replace(value, '********')
    return text


def _write_private(path, text):
    """Creates ``path`` with mode 0600 (never following a link, never reusing a file) and writes ``text``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0), 0o600)
    with os.fdopen(fd, 'w') as handle:
        handle.write(text)


class CliRun:
    """One finished CLI invocation."""

    def __init__(self, argv, rc, stdout, stderr, secrets):
        self.argv = argv
        self.rc = rc
        self.exit = EXIT_NAMES.get(rc, 'unknown')
        self.stdout = scrub(stdout, secrets)
        self.stderr = scrub(stderr, secrets)
        self.events = parse_events(self.stdout)

    def first(self, event):
        """The first event named ``event``, or None."""
        for item in self.events:
            if item.get('event') == event:
                return item
        return None

    def last(self, event):
        """The last event named ``event``, or None."""
        found = None
        for item in self.events:
            if item.get('event') == event:
                found = item
        return found

    def all(self, event):
        """Every event named ``event``."""
        return [item for item in self.events if item.get('event') == event]

    @property
    def error(self):
        """The ``VmshiftError`` the CLI reported (``{"event": "error", "error": {...}}``), or None."""
        item = self.last('error')
        if item and isinstance(item.get('error'), dict):
            return item['error']
        return None

    def lines(self):
        """Every stdout line that is a JSON object of the CLI's own (non-event) output, e.g. ``vms --json``."""
        return [item for item in self.events if 'event' not in item]


class Vmshift:
    """The CLI as the modules use it: ``with Vmshift(module) as cli: run = cli.run(['vms'])``.

    Generated profile files live in a private temporary directory (mode 0700) that is removed when
    the ``with`` block ends, whatever happens inside it.
    """

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.secrets = []
        self._tmpdir = None
        self._connection = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()
        return False

    def cleanup(self):
        """Removes the generated profile files (secret files first, then the directory)."""
        if self._tmpdir and os.path.isdir(self._tmpdir):
            shutil.rmtree(self._tmpdir, ignore_errors=True)
        self._tmpdir = None
        self._connection = None

    # -- the command line ---------------------------------------------------------------------

    def executable(self):
        """The CLI's path: ``executable`` as given when it contains a slash, else looked up on PATH (the module fails when it is not there)."""
        exe = self.params.get('executable') or 'vmshift'
        if os.sep in exe:
            if not os.path.exists(exe):
                self.module.fail_json(msg='vmshift executable %s does not exist (npm i -g @vmshift/cli installs it; or set executable)' % exe)
            return exe
        return self.module.get_bin_path(exe, required=True)

    def connection_args(self):
        """``--config``/``--profile`` for the selected profile, writing a generated one when ``platform`` is set."""
        if self._connection is not None:
            return self._connection
        params = self.params
        args = []
        if params.get('platform'):
            args = ['--config', self._generated_config(), '--profile', GENERATED_PROFILE]
        else:
            if params.get('config'):
                args += ['--config', params['config']]
            if params.get('profile'):
                args += ['--profile', params['profile']]
        self._connection = args
        return args

    def _generated_config(self):
        params = self.params
        settings = params.get('settings') or {}
        secrets = params.get('secrets') or {}
        for key in settings:
            if SECRET_KEY_RE.match(key):
                self.module.fail_json(msg='settings.%s is a secret: pass it in secrets (no_log), which reach the CLI through mode 0600 files' % key,
                                      code='INVALID_ARGUMENT')
        clash = sorted(set(settings) & set(secrets))
        if clash:
            self.module.fail_json(msg='%s given in both settings and secrets' % ', '.join(clash), code='INVALID_ARGUMENT')
        if 'platform' in settings:
            self.module.fail_json(msg='settings must not contain platform: use the platform option', code='INVALID_ARGUMENT')

        self._tmpdir = tempfile.mkdtemp(prefix='vmshift-ansible-')
        os.chmod(self._tmpdir, 0o700)
        profile = dict(platform=params['platform'])
        profile.update(settings)
        for index, key in enumerate(sorted(secrets)):
            value = secrets[key]
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                self.module.fail_json(msg='secrets.%s must be a string' % key, code='INVALID_ARGUMENT')
            value = str(value)
            if value.strip() != value:
                self.module.fail_json(msg='secrets.%s has leading or trailing whitespace, which the CLI trims from secret files' % key, code='INVALID_ARGUMENT')
            self.secrets.append(value)
            path = os.path.join(self._tmpdir, 'secret-%d' % index)
            _write_private(path, value)
            profile[key] = {'file': path}
        config = {'defaultProfile': GENERATED_PROFILE, 'profiles': {GENERATED_PROFILE: profile}}
        path = os.path.join(self._tmpdir, 'config.yaml')
        # JSON is YAML: no YAML library is needed on the managed node.
        _write_private(path, json.dumps(config, indent=2, sort_keys=True) + '\n')
        return path

    def command(self, args):
        """The full argv for a CLI command (``args`` without the connection flags)."""
        return [self.executable()] + list(args) + ['--json'] + self.connection_args()

    def run(self, args):
        """Runs ``vmshift <args> --json <connection>`` and returns a :class:`CliRun` (never raises on a non-zero exit)."""
        argv = self.command(args)
        # No shell, no secrets on the command line or in the environment: they are in the files.
        rc, stdout, stderr = self.module.run_command(argv, check_rc=False, environ_update={'NO_COLOR': '1'})
        return CliRun(argv, rc, stdout, stderr, self.secrets)

    # -- results -------------------------------------------------------------------------------

    def fail(self, run, msg=None, **extra):
        """Fails the module for a CLI run: the VmshiftError's code and message when the CLI reported one."""
        error = run.error
        code = extra.pop('code', None)
        result = dict(rc=run.rc, exit=run.exit, cmd=run.argv, stderr=run.stderr)
        if error:
            result['code'] = error.get('code') or code
            result['error'] = error
            message = error.get('message') or msg
        else:
            result['code'] = code
            message = msg or _first_line(run.stderr) or 'vmshift exited %d (%s)' % (run.rc, run.exit)
        result.update(extra)
        result.setdefault('changed', False)
        self.module.fail_json(msg=message, **result)


def _first_line(text):
    for line in (text or '').splitlines():
        if line.strip():
            return line.strip()
    return None


def milliseconds(value):
    """A duration the CLI reports (a float, milliseconds) as a whole number of milliseconds; None stays None."""
    return None if value is None else int(round(value))


def location(vm_location):
    """The CLI's ``vmLocation`` as the modules return it: ``{host_id, side, power_state}``."""
    if not isinstance(vm_location, dict):
        return None
    return dict(host_id=vm_location.get('hostId'), side=vm_location.get('side'), power_state=vm_location.get('powerState'))


def exit_listing(module, args, key, wanted):
    """Runs a listing command (``['vms', ...]``, ``['hosts', ...]``) and exits the module with what it
    listed under ``key``; with ``wanted`` (ids or names) only those, and the ones not found in
    ``missing``. Never a change; a failing CLI fails the module."""
    with Vmshift(module) as cli:
        run = cli.run(args)
        if run.rc != 0:
            cli.fail(run)
        items = run.lines()
        result = dict(changed=False, rc=run.rc, exit=run.exit)
        if wanted is not None:
            items = [item for item in items if item.get('id') in wanted or item.get('name') in wanted]
            found = set(item.get('id') for item in items) | set(item.get('name') for item in items)
            result['missing'] = [w for w in wanted if w not in found]
        result[key] = items
        module.exit_json(**result)
