#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmshift contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: migrate
short_description: Live or cold migration of one VM to a host
version_added: 0.1.0
description:
  - Moves one virtual machine to a host with the C(vmshift) CLI (C(vmshift migrate --json)), live
    by default or cold, on any platform vmshift supports (KubeVirt, vSphere, Hyper-V, Nutanix AHV,
    libvirt, the simulator), and follows it to its end.
  - Idempotent with I(host) - a VM that already runs on (or is registered to) I(host) is left alone
    and the task reports C(changed=false).
  - In check mode it runs the platform's preflight (C(vmshift plan)) and reports what would happen;
    nothing is changed on the platform. A preflight with blocking problems fails the task.
  - How the CLI's exit code becomes the task's status - 0 (completed) is C(changed); 1 and 2
    (an error of the SDK, the platform or the configuration) fail the task with the
    C(VmshiftError) I(code), unchanged unless a migration had started; 3 (failed) and 4 (cancelled)
    fail the task, unchanged when the VM is on its source (the contract - a failed or cancelled
    migration leaves it there); 5 (C(MIGRATION_PARTIAL), the VM left stopped), 6 (I(timeout_ms)
    expired, the migration goes on) and 8 (detached) fail the task as changed.
author:
  - vmshift maintainers (@vmshift)
extends_documentation_fragment:
  - vmshift.migration.connection
attributes:
  check_mode:
    support: full
    description: Runs the preflight (C(vmshift plan)) instead of the migration.
options:
  vm:
    description:
      - The VM to move, by id as C(vmshift vms) lists it (for example C(web-01), or
        C(prod/api-01) on KubeVirt).
    type: str
    required: true
  host:
    description:
      - The host to move the VM to, by id as C(vmshift hosts) lists it (C(--to)).
      - One of I(host) and I(any_host=true) is required.
    type: str
  any_host:
    description:
      - Let the platform's scheduler choose the target host (C(--any-host)), where the platform
        supports it (KubeVirt, vSphere, Nutanix, the simulator).
      - Not idempotent - the VM moves off its current host every time the task runs.
      - Mutually exclusive with I(host).
    type: bool
    default: false
  mode:
    description:
      - C(live) keeps the VM running; C(cold) stops it, moves it and starts it on the target
        (C(--cold)).
    type: str
    choices: [live, cold]
    default: live
  max_downtime_ms:
    description: Longest pause the live switch-over may take, milliseconds (C(--max-downtime)). Default is the platform's.
    type: int
  bandwidth_bytes_per_second:
    description: Cap on the transfer rate, bytes per second (C(--bandwidth)). Default is the platform's.
    type: int
  allow_post_copy:
    description: Allow post-copy when pre-copy does not converge (C(--post-copy)).
    type: bool
    default: false
  allow_auto_converge:
    description: Allow auto-converge, slowing the guest's vCPUs until pre-copy converges (C(--auto-converge)).
    type: bool
    default: false
  timeout_ms:
    description:
      - Stop waiting after this long, milliseconds (C(--timeout)); the task then fails as changed
        and the migration goes on (follow it with C(vmshift attach)) unless I(cancel_on_timeout).
      - Default is to wait until the migration ends.
    type: int
  cancel_on_timeout:
    description: When I(timeout_ms) expires, cancel the migration and wait until it settles (C(--cancel-on-timeout)).
    type: bool
    default: false
seealso:
  - module: vmshift.migration.vm_info
  - module: vmshift.migration.evacuate
'''

EXAMPLES = r'''
- name: Live-migrate web-01 to host-2 (nothing happens when it is already there)
  vmshift.migration.migrate:
    vm: web-01
    host: host-2
    config: /etc/vmshift/config.yaml
    profile: lab
  register: moved

- name: Show where it is and how long it paused
  ansible.builtin.debug:
    msg: "{{ moved.location.host_id }} after {{ moved.downtime_ms | default('?') }} ms downtime"

- name: Cold-migrate a VM on vSphere, with the password from a vault-encrypted variable
  vmshift.migration.migrate:
    vm: vm-1042
    host: host-33
    mode: cold
    platform: vsphere
    settings:
      url: https://vcenter.example/sdk
      username: automation@vsphere.local
    secrets:
      password: "{{ vault_vsphere_password }}"

- name: Let KubeVirt's scheduler choose the node
  vmshift.migration.migrate:
    vm: prod/api-01
    any_host: true
    platform: kubevirt
    settings:
      kubeconfig: /etc/vmshift/kubeconfig

- name: Preflight only (check mode)
  vmshift.migration.migrate:
    vm: db-01
    host: host-2
    max_downtime_ms: 200
  check_mode: true
  register: preflight

- name: A migration that may fail, handled by its code
  vmshift.migration.migrate:
    vm: cache-01
    host: host-1
    max_downtime_ms: 10
  register: attempt
  failed_when: attempt.failed and attempt.code not in ['MIGRATION_FAILED']
'''

RETURN = r'''
outcome:
  description:
    - C(completed), C(failed) or C(cancelled) as the CLI's result says; C(unchanged) when the VM
      was already on I(host) and nothing was started; C(planned) in check mode when the preflight
      passed.
    - When I(timeout_ms) expired, the phase the migration was last seen in (for example
      C(transferring)) while it goes on, or C(cancelled) when I(cancel_on_timeout) settled it.
  returned: always
  type: str
  sample: completed
location:
  description: Where the VM is now (after the migration, or as found when nothing was done).
  returned: when the CLI reported a result, or the VM was already on I(host)
  type: dict
  contains:
    host_id:
      description: The host it runs on, when known.
      type: str
      sample: host-2
    side:
      description: C(target), C(source) or C(unknown) relative to the migration (C(source) when nothing was done).
      type: str
      sample: target
    power_state:
      description: The VM's power state, for example C(running) or C(stopped).
      type: str
      sample: running
downtime_ms:
  description: Measured pause (live) or stopped time (cold), milliseconds, when the platform reports it.
  returned: when reported
  type: int
  sample: 35
duration_ms:
  description: How long the migration took, milliseconds.
  returned: when reported
  type: int
  sample: 4267
migration_id:
  description: The migration's id (C(vmshift status|attach|cancel <id>)).
  returned: when a migration was started
  type: str
  sample: mig-1-0001
migration:
  description: The CLI's result object as it printed it (camelCase keys, see docs/migration-model.md).
  returned: when the CLI reported a result
  type: dict
  sample: {"migrationId": "mig-1-0001", "vmId": "web-01", "mode": "live", "outcome": "completed",
           "vmLocation": {"hostId": "host-2", "side": "target", "powerState": "running"},
           "sourceHostId": "host-1", "targetHostId": "host-2", "durationMs": 4267, "downtimeMs": 35}
preflight:
  description: The preflight report (check mode), with its C(ok) and C(checks).
  returned: in check mode when a migration would run
  type: dict
  sample: {"ok": true, "vmId": "web-01", "mode": "live", "targetHostId": "host-2", "checks": []}
vm:
  description: The VM as C(vmshift vms) listed it, when it was already on I(host).
  returned: when outcome is C(unchanged)
  type: dict
  sample: {"id": "web-01", "name": "web-01", "powerState": "running", "hostId": "host-2"}
code:
  description: The C(VmshiftError) code of a failure (for example C(NOT_FOUND), C(INVALID_STATE), C(INCOMPATIBLE), C(MIGRATION_FAILED)).
  returned: on failure, when known
  type: str
  sample: INCOMPATIBLE
error:
  description: The whole error as the CLI reported it (code, message, adapter, operation, retryable).
  returned: on failure, when the CLI reported an error
  type: dict
rc:
  description: The CLI's exit code.
  returned: when the CLI ran
  type: int
  sample: 0
exit:
  description: The exit code's name from the CLI's table (C(ok), C(error), C(usage), C(migrationFailed), C(cancelled), C(partial), C(timeout), C(detached)).
  returned: when the CLI ran
  type: str
  sample: ok
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.vmshift.migration.plugins.module_utils.vmshift import (
    Vmshift,
    check_not_negative,
    flag,
    location,
    milliseconds,
    module_args,
)


def request_flags(params, include_timeout):
    """The CLI flags that describe the migration request (shared by plan and migrate)."""
    args = []
    if params['host']:
        args += ['--to', params['host']]
    else:
        args += ['--any-host']
    args += flag('cold', params['mode'] == 'cold')
    args += flag('max-downtime', params['max_downtime_ms'])
    args += flag('bandwidth', params['bandwidth_bytes_per_second'])
    args += flag('post-copy', params['allow_post_copy'])
    args += flag('auto-converge', params['allow_auto_converge'])
    if include_timeout:
        args += flag('timeout', params['timeout_ms'])
        args += flag('cancel-on-timeout', params['cancel_on_timeout'])
    return args


def find_vm(vms, wanted):
    """The VM listed with id ``wanted``, else the only one named ``wanted``, else None."""
    for vm in vms:
        if vm.get('id') == wanted:
            return vm
    named = [vm for vm in vms if vm.get('name') == wanted]
    return named[0] if len(named) == 1 else None


def result_fields(result):
    """The module's top-level return values from the CLI's ``result`` event."""
    out = dict(
        outcome=result.get('outcome') or result.get('phase'),
        location=location(result.get('vmLocation')),
        migration_id=result.get('migrationId'),
        migration=dict((k, v) for k, v in result.items() if k not in ('event', 'phase')),
    )
    for key, name in (('downtimeMs', 'downtime_ms'), ('durationMs', 'duration_ms')):
        if result.get(key) is not None:
            out[name] = milliseconds(result[key])
    return out


def main():
    module = AnsibleModule(**module_args(
        vm=dict(type='str', required=True),
        host=dict(type='str'),
        any_host=dict(type='bool', default=False),
        mode=dict(type='str', choices=['live', 'cold'], default='live'),
        max_downtime_ms=dict(type='int'),
        bandwidth_bytes_per_second=dict(type='int'),
        allow_post_copy=dict(type='bool', default=False),
        allow_auto_converge=dict(type='bool', default=False),
        timeout_ms=dict(type='int'),
        cancel_on_timeout=dict(type='bool', default=False),
    ))
    params = module.params
    if params['host'] and params['any_host']:
        module.fail_json(msg='host and any_host exclude each other: name the host, or let the platform choose', code='INVALID_ARGUMENT')
    if not params['host'] and not params['any_host']:
        module.fail_json(msg='say where %s goes: host, or any_host=true to let the platform choose' % params['vm'], code='INVALID_ARGUMENT')
    check_not_negative(module, ['max_downtime_ms', 'bandwidth_bytes_per_second', 'timeout_ms'])

    with Vmshift(module) as cli:
        # Idempotence: a VM already on the requested host is left alone.
        if params['host']:
            listing = cli.run(['vms', '--host', params['host']])
            if listing.rc != 0:
                cli.fail(listing)
            vm = find_vm(listing.lines(), params['vm'])
            if vm is not None:
                module.exit_json(
                    changed=False,
                    outcome='unchanged',
                    vm=vm,
                    location=dict(host_id=vm.get('hostId'), side='source', power_state=vm.get('powerState')),
                    rc=listing.rc,
                    exit=listing.exit,
                )

        if module.check_mode:
            plan = cli.run(['plan', params['vm']] + request_flags(params, include_timeout=False))
            report = (plan.lines() or [{}])[-1].get('preflight')
            if plan.rc == 0 and report is not None:
                module.exit_json(changed=True, outcome='planned', preflight=report, rc=plan.rc, exit=plan.exit)
            if plan.rc == 3 and report is not None:
                blocking = [c for c in report.get('checks', []) if c.get('severity') == 'error']
                codes = [c.get('native', {}).get('code') for c in blocking if isinstance(c.get('native'), dict)]
                problems = '; '.join('%s: %s' % (c.get('id'), c.get('message')) for c in blocking)
                cli.fail(
                    plan,
                    msg='preflight found blocking problems for %s: %s' % (params['vm'], problems),
                    code=next((c for c in codes if c), None),
                    preflight=report,
                    outcome='failed',
                )
            cli.fail(plan, outcome='failed')

        run = cli.run(['migrate', params['vm']] + request_flags(params, include_timeout=True))
        result = run.last('result')
        started = run.first('progress') is not None or result is not None
        fields = result_fields(result) if result else {}
        if run.rc == 0 and result is not None:
            module.exit_json(changed=True, rc=run.rc, exit=run.exit, **fields)

        if result is not None:
            error = result.get('error') or {}
            moved = (result.get('vmLocation') or {}).get('side') != 'source'
            changed = run.rc in (5, 6, 8) or moved
            message = '%s %s: %s' % (params['vm'], fields['outcome'], error.get('message') or 'the migration did not complete')
            if error.get('code'):
                message = '%s %s: %s: %s' % (params['vm'], fields['outcome'], error['code'], error.get('message', ''))
            cli.fail(run, msg=message, code=error.get('code'), changed=changed, **fields)
        # An error (exit 1/2), a timeout (6) or a detach (8): changed when a migration had started,
        # unless it was cancelled on timeout and settled where it was.
        first, last = run.first('progress'), run.last('progress')
        settled = last is not None and last.get('phase') in ('cancelled', 'failed')
        going_on = run.rc in (6, 8) and last is not None and not settled
        outcome = last.get('phase') if settled or going_on else 'failed'
        extra = dict(changed=(started or run.rc in (6, 8)) and not settled, outcome=outcome)
        if first and first.get('migrationId'):
            extra['migration_id'] = first['migrationId']
        cli.fail(run, **extra)


if __name__ == '__main__':
    main()
