# -*- coding: utf-8 -*-
# Copyright: vmshift contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Unit tests of module_utils/vmshift.py and fleet.py with a fake AnsibleModule (unittest; pytest runs them too)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import unittest

from ansible_collections.vmshift.migration.plugins.module_utils import fleet
from ansible_collections.vmshift.migration.plugins.module_utils.vmshift import (
    CliRun,
    Vmshift,
    check_at_least_one,
    check_not_negative,
    exit_listing,
    flag,
    location,
    milliseconds,
    module_args,
    parse_events,
    scrub,
)


class Exited(Exception):
    def __init__(self, failed, result):
        super(Exited, self).__init__(result.get('msg'))
        self.failed = failed
        self.result = result


class FakeModule:
    """What Vmshift uses of AnsibleModule: params, check_mode, run_command, get_bin_path, exit_json, fail_json."""

    def __init__(self, params, answers=None, check_mode=False):
        self.params = dict(executable='/bin/true', config=None, profile=None, platform=None, settings=None, secrets=None)
        self.params.update(params)
        self.check_mode = check_mode
        self.answers = list(answers or [])
        self.calls = []

    def get_bin_path(self, name, required=False):
        return '/usr/bin/' + name

    def run_command(self, argv, check_rc=False, environ_update=None):
        call = dict(argv=argv, env=dict(environ_update or {}), files={})
        # What the CLI would see: the generated config and the files it references, with their modes.
        if '--config' in argv:
            path = argv[argv.index('--config') + 1]
            if os.path.exists(path):
                call['config_mode'] = stat.S_IMODE(os.stat(path).st_mode)
                call['dir_mode'] = stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode)
                with open(path) as handle:
                    call['config'] = json.load(handle)
                for name in sorted(os.listdir(os.path.dirname(path))):
                    full = os.path.join(os.path.dirname(path), name)
                    with open(full) as handle:
                        call['files'][name] = (stat.S_IMODE(os.stat(full).st_mode), handle.read())
        self.calls.append(call)
        return self.answers.pop(0) if self.answers else (0, '', '')

    def exit_json(self, **result):
        raise Exited(False, result)

    def fail_json(self, **result):
        raise Exited(True, result)


def ndjson(*events):
    return ''.join(json.dumps(e) + '\n' for e in events)


class TestHelpers(unittest.TestCase):
    def test_module_args_put_the_connection_options_first(self):
        args = module_args(vm=dict(type='str', required=True))
        self.assertEqual(list(args['argument_spec']), ['executable', 'config', 'profile', 'platform', 'settings', 'secrets', 'vm'])
        self.assertTrue(args['argument_spec']['secrets']['no_log'])
        self.assertEqual(args['mutually_exclusive'], [('config', 'platform'), ('profile', 'platform')])
        self.assertEqual(args['required_by'], {'settings': 'platform', 'secrets': 'platform'})
        self.assertTrue(args['supports_check_mode'])

    def test_fleet_module_args_put_the_shared_options_before_the_module_own(self):
        spec = fleet.fleet_module_args(host=dict(type='str', required=True))['argument_spec']
        self.assertEqual(list(spec)[6:], ['max_per_source', 'max_per_target', 'max_per_cluster', 'max_in_flight', 'stop_on_failure', 'max_downtime_ms', 'host'])

    def test_checks_name_the_option(self):
        module = FakeModule(dict(a=None, b=0, c=-1, d=3))
        check_at_least_one(module, ['a', 'd'])
        check_not_negative(module, ['a', 'b', 'd'])
        with self.assertRaises(Exited) as caught:
            check_at_least_one(module, ['a', 'b'])
        self.assertEqual(caught.exception.result, dict(msg='b must be an integer >= 1, got 0', code='INVALID_ARGUMENT'))
        with self.assertRaises(Exited) as caught:
            check_not_negative(module, ['b', 'c'])
        self.assertEqual(caught.exception.result, dict(msg='c must not be negative', code='INVALID_ARGUMENT'))

    def test_milliseconds(self):
        self.assertEqual(milliseconds(10.6), 11)
        self.assertEqual(milliseconds(5), 5)
        self.assertIsNone(milliseconds(None))

    def test_flag(self):
        self.assertEqual(flag('to', 'host-2'), ['--to', 'host-2'])
        self.assertEqual(flag('to', None), [])
        self.assertEqual(flag('cold', True), ['--cold'])
        self.assertEqual(flag('cold', False), [])
        self.assertEqual(flag('max-downtime', 300), ['--max-downtime', '300'])
        self.assertEqual(flag('tolerance', 0.1), ['--tolerance', '0.1'])
        self.assertEqual(flag('tolerance', 1.0), ['--tolerance', '1'])

    def test_parse_events_skips_what_is_not_a_json_object(self):
        text = '{"event":"progress","phase":"transferring"}\nnot json\n[1,2]\n{"broken"\n\n{"id":"web-01"}\n'
        self.assertEqual(parse_events(text), [{'event': 'progress', 'phase': 'transferring'}, {'id': 'web-01'}])
        self.assertEqual(parse_events(None), [])

    def test_scrub(self):
        self.assertEqual(scrub('token s3cr3t and s3cr3t-longer', ['s3cr3t', 's3cr3t-longer']), 'token ******** and ********')
        self.assertEqual(scrub('', ['x']), '')
        self.assertEqual(scrub('nothing', ['']), 'nothing')

    def test_cli_run_reads_events_error_and_lines(self):
        out = ndjson({'id': 'web-01'}, {'event': 'progress', 'n': 1}, {'event': 'progress', 'n': 2},
                     {'event': 'error', 'error': {'code': 'NOT_FOUND', 'message': 'no VM x'}})
        run = CliRun(['vmshift'], 1, out, 'secret on stderr', ['secret'])
        self.assertEqual(run.exit, 'error')
        self.assertEqual(run.first('progress'), {'event': 'progress', 'n': 1})
        self.assertEqual(run.last('progress'), {'event': 'progress', 'n': 2})
        self.assertEqual(len(run.all('progress')), 2)
        self.assertEqual(run.error, {'code': 'NOT_FOUND', 'message': 'no VM x'})
        self.assertEqual(run.lines(), [{'id': 'web-01'}])
        self.assertEqual(run.stderr, '******** on stderr')
        self.assertEqual(CliRun([], 42, '', '', []).exit, 'unknown')

    def test_location(self):
        self.assertEqual(location({'hostId': 'host-2', 'side': 'target', 'powerState': 'running'}),
                         {'host_id': 'host-2', 'side': 'target', 'power_state': 'running'})
        self.assertIsNone(location(None))


class TestConnection(unittest.TestCase):
    def test_config_and_profile_pass_through(self):
        module = FakeModule(dict(config='/etc/vmshift/config.yaml', profile='lab'))
        with Vmshift(module) as cli:
            cli.run(['vms'])
        self.assertEqual(module.calls[0]['argv'], ['/bin/true', 'vms', '--json', '--config', '/etc/vmshift/config.yaml', '--profile', 'lab'])

    def test_executable_by_name_is_looked_up(self):
        module = FakeModule(dict(executable='vmshift'))
        with Vmshift(module) as cli:
            cli.run(['hosts'])
        self.assertEqual(module.calls[0]['argv'], ['/usr/bin/vmshift', 'hosts', '--json'])

    def test_missing_executable_path_fails(self):
        module = FakeModule(dict(executable='/nonexistent/vmshift'))
        with self.assertRaises(Exited) as caught:
            with Vmshift(module) as cli:
                cli.run(['hosts'])
        self.assertTrue(caught.exception.failed)
        self.assertIn('/nonexistent/vmshift does not exist', caught.exception.result['msg'])

    def test_generated_profile_keeps_secrets_in_private_files_and_removes_them(self):
        secret = 'pa55-w0rd value'
        module = FakeModule(dict(platform='vsphere', settings=dict(url='https://vc.example/sdk', username='automation'), secrets=dict(password=secret)))
        with Vmshift(module) as cli:
            cli.run(['vms'])
            cli.run(['hosts'])
            tmpdir = cli._tmpdir
        call = module.calls[0]
        argv = call['argv']
        self.assertNotIn(secret, ' '.join(argv))
        self.assertNotIn(secret, json.dumps(call['env']))
        self.assertEqual(argv[-2:], ['--profile', 'ansible'])
        self.assertEqual(call['config_mode'], 0o600)
        self.assertEqual(call['dir_mode'], 0o700)
        profile = call['config']['profiles']['ansible']
        self.assertEqual(call['config']['defaultProfile'], 'ansible')
        self.assertEqual(profile['platform'], 'vsphere')
        self.assertEqual(profile['url'], 'https://vc.example/sdk')
        self.assertEqual(profile['username'], 'automation')
        self.assertEqual(sorted(profile['password']), ['file'])
        self.assertNotIn(secret, json.dumps(call['config']))
        name = os.path.basename(profile['password']['file'])
        self.assertEqual(call['files'][name], (0o600, secret))
        # one config for both runs, and nothing left afterwards
        self.assertEqual(module.calls[1]['argv'][-4:], argv[-4:])
        self.assertFalse(os.path.exists(tmpdir))

    def test_files_are_removed_when_the_module_fails(self):
        module = FakeModule(dict(platform='simulator', settings=dict(url='http://127.0.0.1:1'), secrets=dict(token='t0ken')),
                            answers=[(1, ndjson({'event': 'error', 'error': {'code': 'UNAUTHENTICATED', 'message': 'bad token'}}), '')])
        with self.assertRaises(Exited) as caught:
            with Vmshift(module) as cli:
                run = cli.run(['vms'])
                tmpdir = cli._tmpdir
                cli.fail(run)
        self.assertFalse(os.path.exists(tmpdir))
        result = caught.exception.result
        self.assertEqual(result['code'], 'UNAUTHENTICATED')
        self.assertEqual(result['msg'], 'bad token')
        self.assertEqual(result['rc'], 1)
        self.assertEqual(result['exit'], 'error')
        self.assertFalse(result['changed'])

    def test_secret_in_settings_is_refused(self):
        for key in ('password', 'token', 'apiKey', 'API_KEY', 'privateKey'):
            module = FakeModule(dict(platform='vsphere', settings={key: 'x'}))
            with self.assertRaises(Exited) as caught:
                with Vmshift(module) as cli:
                    cli.run(['vms'])
            self.assertIn('settings.%s is a secret' % key, caught.exception.result['msg'])
            self.assertEqual(module.calls, [])

    def test_secret_with_surrounding_whitespace_is_refused(self):
        module = FakeModule(dict(platform='vsphere', secrets=dict(password=' x ')))
        with self.assertRaises(Exited) as caught:
            with Vmshift(module) as cli:
                cli.run(['vms'])
        self.assertIn('whitespace', caught.exception.result['msg'])
        self.assertNotIn(' x ', caught.exception.result['msg'])

    def test_secret_given_twice_is_refused(self):
        module = FakeModule(dict(platform='vsphere', settings=dict(username='u'), secrets=dict(username='u')))
        with self.assertRaises(Exited) as caught:
            with Vmshift(module) as cli:
                cli.run(['vms'])
        self.assertIn('both settings and secrets', caught.exception.result['msg'])

    def test_usage_error_without_json_uses_stderr(self):
        module = FakeModule({}, answers=[(2, '', 'vmshift migrate: --to needs a value\n')])
        with self.assertRaises(Exited) as caught:
            with Vmshift(module) as cli:
                cli.fail(cli.run(['migrate', 'x']))
        self.assertEqual(caught.exception.result['msg'], 'vmshift migrate: --to needs a value')
        self.assertEqual(caught.exception.result['exit'], 'usage')
        self.assertIsNone(caught.exception.result['code'])


class TestListing(unittest.TestCase):
    LISTED = [{'id': 'host-1', 'name': 'esx-a'}, {'id': 'host-2', 'name': 'esx-b'}]

    def listing(self, wanted, rc=0, stdout=None):
        module = FakeModule({}, answers=[(rc, ndjson(*self.LISTED) if stdout is None else stdout, 'boom\n' if rc else '')])
        with self.assertRaises(Exited) as caught:
            exit_listing(module, ['hosts', '--cluster', 'c'], 'hosts', wanted)
        self.assertEqual(module.calls[0]['argv'][:4], ['/bin/true', 'hosts', '--cluster', 'c'])
        return caught.exception

    def test_everything_listed(self):
        done = self.listing(None)
        self.assertFalse(done.failed)
        self.assertEqual(done.result, dict(changed=False, rc=0, exit='ok', hosts=self.LISTED))

    def test_wanted_by_id_or_name_and_the_missing_ones(self):
        done = self.listing(['host-1', 'esx-b', 'host-9'])
        self.assertEqual(done.result['hosts'], self.LISTED)
        self.assertEqual(done.result['missing'], ['host-9'])
        self.assertEqual(self.listing(['esx-a']).result['hosts'], self.LISTED[:1])

    def test_a_failing_cli_fails(self):
        done = self.listing(None, rc=1, stdout='')
        self.assertTrue(done.failed)
        self.assertEqual(done.result['msg'], 'boom')
        self.assertNotIn('hosts', done.result)


PLAN = {
    'kind': 'evacuate',
    'summary': 'evacuate host-1: 2 VM(s) to move',
    'limits': {'perSourceHost': 1},
    'migrations': [
        {'order': 0, 'vmId': 'a', 'sourceHostId': 'host-1', 'targetHostId': 'host-2', 'mode': 'live', 'strategy': 'live', 'reason': 'r'},
        {'order': 1, 'vmId': 'b', 'sourceHostId': 'host-1', 'targetHostId': 'host-2', 'mode': 'cold', 'strategy': 'cold', 'reason': 'r'},
    ],
    'skipped': [],
    'freedHostIds': ['host-1'],
}


class TestFleet(unittest.TestCase):
    def finish(self, rc, events, dry_run=False):
        module = FakeModule({}, answers=[(rc, ndjson(*events), '')])
        with self.assertRaises(Exited) as caught:
            with Vmshift(module) as cli:
                fleet.finish(module, cli, cli.run(['evacuate', 'host-1']), dry_run)
        return caught.exception

    def test_dry_run_returns_the_plan(self):
        done = self.finish(0, [{'event': 'plan', 'dryRun': True, 'plan': PLAN}], dry_run=True)
        self.assertFalse(done.failed)
        self.assertTrue(done.result['changed'])
        self.assertEqual([m['vm'] for m in done.result['migrations']], ['a', 'b'])
        self.assertEqual(done.result['limits'], {'perSourceHost': 1})
        self.assertNotIn('report', done.result)

    def test_dry_run_with_skipped_vms_fails_with_their_code(self):
        plan = dict(PLAN, skipped=[{'vmId': 'c', 'sourceHostId': 'host-1', 'code': 'INSUFFICIENT_RESOURCES', 'reason': 'no room'}])
        done = self.finish(3, [{'event': 'plan', 'dryRun': True, 'plan': plan}], dry_run=True)
        self.assertTrue(done.failed)
        self.assertFalse(done.result['changed'])
        self.assertEqual(done.result['code'], 'INSUFFICIENT_RESOURCES')
        self.assertIn('c: INSUFFICIENT_RESOURCES: no room', done.result['msg'])

    def test_run_reports_outcomes_with_their_times(self):
        loc = {'hostId': 'host-2', 'side': 'target', 'powerState': 'running'}
        outcomes = [
            {'vmId': 'a', 'status': 'completed', 'vmLocation': loc, 'durationMs': 10.4},
            {'vmId': 'b', 'status': 'completed', 'vmLocation': loc, 'durationMs': 5},
        ]
        done = self.finish(0, [
            {'event': 'plan', 'dryRun': False, 'plan': PLAN},
            {'event': 'migration-started', 'vmId': 'a', 'at': 't0'},
            {'event': 'migration-finished', 'vmId': 'a', 'at': 't1'},
            {'event': 'migration-started', 'vmId': 'b', 'at': 't1'},
            {'event': 'migration-finished', 'vmId': 'b', 'at': 't2'},
            {'event': 'result', 'report': {'outcomes': outcomes, 'counts': {'completed': 2, 'failed': 0, 'cancelled': 0, 'skipped': 0}}},
        ])
        self.assertFalse(done.failed)
        self.assertTrue(done.result['changed'])
        self.assertEqual(done.result['outcomes'][0]['started_at'], 't0')
        self.assertEqual(done.result['outcomes'][1]['finished_at'], 't2')
        self.assertEqual(done.result['outcomes'][0]['duration_ms'], 10)
        self.assertEqual(done.result['outcomes'][0]['location'], {'host_id': 'host-2', 'side': 'target', 'power_state': 'running'})

    def test_a_failed_migration_fails_with_its_code_and_says_what_moved(self):
        outcomes = [
            {'vmId': 'a', 'status': 'completed', 'vmLocation': {'hostId': 'host-2', 'side': 'target', 'powerState': 'running'}},
            {'vmId': 'b', 'status': 'failed', 'vmLocation': {'hostId': 'host-1', 'side': 'source', 'powerState': 'running'},
             'error': {'code': 'MIGRATION_FAILED', 'message': 'did not converge'}},
        ]
        done = self.finish(3, [{'event': 'plan', 'plan': PLAN}, {'event': 'result', 'report': {'outcomes': outcomes, 'counts': {}}}])
        self.assertTrue(done.failed)
        self.assertTrue(done.result['changed'])
        self.assertEqual(done.result['code'], 'MIGRATION_FAILED')
        self.assertIn('b failed: MIGRATION_FAILED: did not converge', done.result['msg'])

    def test_nothing_to_do_is_not_a_change(self):
        done = self.finish(0, [{'event': 'plan', 'plan': dict(PLAN, migrations=[])}, {'event': 'result', 'report': {'counts': {'completed': 0}}}])
        self.assertFalse(done.failed)
        self.assertFalse(done.result['changed'])
        self.assertEqual(done.result['outcomes'], [])

    def test_run_plan_puts_the_shared_flags_after_the_command_and_before_the_module_own(self):
        params = dict(max_per_source=1, max_per_target=None, max_per_cluster=3, max_in_flight=None, stop_on_failure=True, max_downtime_ms=0)
        module = FakeModule(params, answers=[(0, ndjson({'event': 'plan', 'plan': PLAN}), '')], check_mode=True)
        with self.assertRaises(Exited) as caught:
            fleet.run_plan(module, ['evacuate', 'host-1'], ['--preflight'])
        self.assertFalse(caught.exception.failed)
        self.assertEqual(module.calls[0]['argv'][1:], [
            'evacuate', 'host-1', '--max-per-source', '1', '--max-per-cluster', '3', '--stop-on-failure', '--max-downtime', '0',
            '--dry-run', '--preflight', '--json'])

    def test_fleet_checks(self):
        params = dict(max_per_source=None, max_per_target=None, max_per_cluster=None, max_in_flight=0, stop_on_failure=False, max_downtime_ms=-1)
        with self.assertRaises(Exited) as caught:
            fleet.check_fleet_params(FakeModule(params))
        self.assertEqual(caught.exception.result['msg'], 'max_in_flight must be an integer >= 1, got 0')
        with self.assertRaises(Exited) as caught:
            fleet.check_fleet_params(FakeModule(dict(params, max_in_flight=None)))
        self.assertEqual(caught.exception.result['msg'], 'max_downtime_ms must not be negative')

    def test_an_error_before_the_plan_fails_with_the_cli_error(self):
        done = self.finish(1, [{'event': 'error', 'error': {'code': 'NOT_FOUND', 'message': '[simulator] fleet.plan: NOT_FOUND: no host host-9'}}])
        self.assertTrue(done.failed)
        self.assertEqual(done.result['code'], 'NOT_FOUND')


if __name__ == '__main__':
    unittest.main()
