#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmshift contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: move
short_description: Cold or warm move of one VM to another platform or host, by copying it
version_added: 0.1.0
description:
  - Moves one virtual machine from the platform of one profile to the platform of another with the
    C(vmshift) CLI (C(vmshift move <vm> --from <profile> --to <profile> --json)) - its definition is
    read, its networks and storage mapped, its disks copied (and converted), the VM defined and
    started on the target, and the source kept powered off. A failure before the cutover removes
    what was created on the target and leaves the source as it was. See docs/move.md.
  - Today the CLI supports libvirt profiles on both sides; any other platform fails the task with
    code C(NOT_SUPPORTED) and nothing changed.
  - Both profiles come from one config file, I(config). The inline profile options of the other
    modules (C(platform), C(settings), C(secrets)) describe a single profile and are not offered here.
  - Idempotent across runs by inspecting the platforms - before moving, the module lists the target
    (C(vmshift vms --profile <to_profile>)) and the source. A VM named I(target_name) on the target
    while the source VM is gone or not running is taken as the completed move - nothing is started,
    C(changed=false), I(outcome=unchanged). A VM of that name on the target while the source still
    runs is a name collision, which the move's preflight refuses (C(INCOMPATIBLE)), nothing changed.
  - I(request_id) is the move's idempotency key. The CLI's mover keeps it only inside the one
    C(vmshift move) process (a retry within that process returns the same move); a later process does
    not recognise a completed move by its id, which is why idempotence rests on the inspection above.
  - Check mode - the CLI has no preflight-only path for moves (no C(--dry-run), no C(vmshift plan move)
    yet), so in check mode the module validates its arguments and runs the read-only inspection
    above, and reports C(changed=true) with I(outcome=planned) when a move would be started. It does
    not run the move's preflight checks (maps complete, room on the target).
  - How the CLI's exit code becomes the task's status - 0 (completed) is C(changed); 1 and 2 (an
    error of the SDK, the platform or the command line, for example C(NOT_SUPPORTED) or a malformed
    map) fail the task unchanged with the C(VmshiftError) I(code); 3 (failed) and 4 (cancelled)
    fail the task, unchanged when the VM is on its source (the move rolled back); 5
    (C(MIGRATION_PARTIAL)), 6 (I(timeout_ms) expired - the move ran inside the CLI's process and
    ended with it, so the target may hold a partial copy) and 8 (detached) fail the task as changed.
author:
  - vmshift maintainers (@vmshift)
attributes:
  check_mode:
    support: partial
    description: Validates the arguments and inspects source and target (read-only); no preflight of the move, which the CLI does not offer.
options:
  executable:
    description:
      - The C(vmshift) command to run, by name (looked up on C(PATH)) or by path.
      - Install it on the managed node with C(npm i -g @vmshift/cli) (Node.js 22.12 or later).
    type: str
    default: vmshift
  config:
    description:
      - The vmshift config file (YAML) holding both I(from_profile) and I(to_profile), passed to the
        CLI as C(--config).
      - "Secrets in it are C({ env: NAME }) or C({ file: path }) references; the CLI refuses inline
        secrets."
    type: path
    required: true
  vm:
    description:
      - The VM to move, by id or name as C(vmshift vms --profile <from_profile>) lists it (on libvirt,
        the domain's name or UUID).
    type: str
    required: true
  from_profile:
    description: The profile of the platform the VM is on (C(--from)).
    type: str
    required: true
  to_profile:
    description: The profile of the platform to move it to (C(--to)).
    type: str
    required: true
  from_host:
    description: The source host's id, when I(from_profile) has several hosts (C(--from-host)).
    type: str
  to_host:
    description: The target host's id, when I(to_profile) has several hosts (C(--to-host)).
    type: str
  mode:
    description:
      - C(cold) stops the VM, then copies its disks; C(warm) copies while it runs, then delta passes
        of the changed blocks, and stops it only for the last one (C(--mode)).
    type: str
    choices: [cold, warm]
    default: cold
  max_passes:
    description:
      - Warm moves only - at most this many delta passes while the VM runs (C(--max-passes)).
      - The CLI's default is 5.
    type: int
  converged_bytes:
    description:
      - Warm moves only - a delta pass that copied at most this many bytes ends the passes (C(--converged-bytes)).
      - The CLI's default is 16 MiB.
    type: int
  network_map:
    description:
      - "Source network to target network, for example C({default: br-prod}) (C(--network-map src=dst),
        one per entry). Every network the VM uses must be mapped; an unmapped one fails the move's
        preflight with code C(INCOMPATIBLE), nothing written."
    type: dict
  storage_map:
    description:
      - "Source storage (a libvirt pool) to target storage, optionally with the format to write,
        C(dst) or C(dst:format) with format C(raw) or C(qcow2) (the CLI also names C(vmdk), C(vhdx), C(vpc)), for example
        C({images: fast-pool:raw}) (C(--storage-map src=dst[:format]), one per entry)."
      - Every storage the VM's disks use must be mapped.
    type: dict
  target_name:
    description:
      - The VM's name on the target (C(--target-name)). Default is its name on the source.
      - The idempotence check looks for this name on the target.
    type: str
  shutdown_timeout_ms:
    description:
      - How long the source may take to shut down gracefully before it is powered off, milliseconds (C(--shutdown-timeout)).
      - The CLI's default is 30000.
    type: int
  request_id:
    description:
      - The move's idempotency key (C(--request-id)).
      - Default is derived from I(vm), I(from_profile), I(to_profile) and I(target_name)
        (C(ansible-) and 24 hex digits of their SHA-256), so the same task always sends the same key.
    type: str
  timeout_ms:
    description:
      - Stop waiting after this long, milliseconds (C(--timeout)); the task then fails as changed.
        The move runs inside the CLI's process and ends with it.
      - Default is to wait until the move ends.
    type: int
notes:
  - The module runs the C(vmshift) CLI on the managed node with C(--json) and reads its NDJSON
    events; it carries no platform logic of its own. Today the mover reads the source's disk files
    and writes the target's volumes directly, so it must run where both are reachable as files (see docs/move.md).
  - The module is not in the collection's C(group/vmshift.migration.vmshift) action group - that
    group's defaults (C(profile), C(platform), ...) are options this module does not take. Set its
    defaults under C(vmshift.migration.move) in C(module_defaults).
  - Errors of the SDK or the platform fail the task with the C(VmshiftError) I(code) (for example
    C(NOT_SUPPORTED), C(NOT_FOUND), C(INCOMPATIBLE), C(MIGRATION_FAILED)) and its message.
requirements:
  - The vmshift CLI (C(npm i -g @vmshift/cli)) and Node.js 22.12 or later on the managed node.
seealso:
  - module: vmshift.migration.migrate
  - module: vmshift.migration.vm_info
'''

EXAMPLES = r'''
- name: Move web-01 cold from the libvirt host kvm-a to kvm-b, converting its disks to raw
  vmshift.migration.move:
    config: /etc/vmshift/config.yaml
    vm: web-01
    from_profile: kvm-a
    to_profile: kvm-b
    storage_map:
      images: fast-pool:raw
    network_map:
      default: br-prod
  register: moved

- name: Where it runs now
  ansible.builtin.debug:
    msg: "{{ moved.outcome }}: {{ moved.location.host_id }} ({{ moved.location.power_state }}), stopped for {{ moved.downtime_ms | default('?') }} ms"

- name: Warm move under another name, giving up waiting after ten minutes
  vmshift.migration.move:
    config: /etc/vmshift/config.yaml
    vm: db-01
    from_profile: kvm-a
    to_profile: kvm-b
    to_host: b2
    mode: warm
    max_passes: 3
    storage_map:
      images: images
    target_name: db-01-moved
    timeout_ms: 600000

- name: Check mode - the arguments and whether a move would start
  vmshift.migration.move:
    config: /etc/vmshift/config.yaml
    vm: web-01
    from_profile: kvm-a
    to_profile: kvm-b
    storage_map:
      images: fast-pool
  check_mode: true
  register: would
'''

RETURN = r'''
outcome:
  description:
    - C(completed), C(failed) or C(cancelled) as the CLI's result says; C(unchanged) when the VM
      was found already moved and nothing was started; C(planned) in check mode when a move would start.
    - When I(timeout_ms) expired, the phase the move was last seen in (for example C(transferring)).
  returned: always
  type: str
  sample: completed
location:
  description: Where the VM is now (after the move, or as found on the target when nothing was done).
  returned: when the CLI reported a result, or the VM was already moved
  type: dict
  contains:
    host_id:
      description: The host it runs on, when known.
      type: str
      sample: b
    side:
      description: C(target), C(source) or C(unknown) relative to the move.
      type: str
      sample: target
    power_state:
      description: The VM's power state, for example C(running) or C(stopped).
      type: str
      sample: running
target_vm_id:
  description:
    - The VM's id on the target as the mover reports it (on libvirt, the new domain's name).
    - When the VM was found already moved, see I(vm) instead (C(vmshift vms) ids, on libvirt the domain's UUID).
  returned: when a move defined the VM on the target
  type: str
  sample: web-01
target_name:
  description: The name the VM has, or would have, on the target.
  returned: always
  type: str
  sample: web-01
request_id:
  description: The idempotency key sent to the CLI (I(request_id), or the generated one).
  returned: always
  type: str
  sample: ansible-3f6c0e3b2a9d4e1f8c7b6a59
downtime_ms:
  description: How long the VM was stopped, milliseconds, when reported.
  returned: when reported
  type: int
  sample: 2310
duration_ms:
  description: How long the move took, milliseconds.
  returned: when reported
  type: int
  sample: 8042
copied_bytes:
  description: Bytes copied per disk (by the source's disk key).
  returned: when reported
  type: dict
  sample: {"vdb": 33554432}
migration_id:
  description: The move's task id (C(move-<request id>)).
  returned: when a move was started
  type: str
  sample: move-ansible-3f6c0e3b2a9d4e1f8c7b6a59
move:
  description: The CLI's result object as it printed it (camelCase keys, see docs/move.md).
  returned: when the CLI reported a result
  type: dict
  sample: {"migrationId": "move-ansible-3f6c0e3b2a9d4e1f8c7b6a59", "vmId": "web-01", "mode": "cold", "moveMode": "cold",
           "outcome": "completed", "vmLocation": {"hostId": "b", "side": "target", "powerState": "running"},
           "targetVmId": "web-01", "copiedBytes": {"vdb": 33554432}}
vm:
  description: The VM as C(vmshift vms --profile <to_profile>) listed it, when it was found already moved.
  returned: when outcome is C(unchanged)
  type: dict
  sample: {"id": "7d1e0f4c-5b7a-4f7e-9a35-3f0f6f2d9c11", "name": "web-01", "powerState": "running", "hostId": "b"}
code:
  description: The C(VmshiftError) code of a failure (for example C(NOT_SUPPORTED), C(INVALID_ARGUMENT), C(INCOMPATIBLE), C(MIGRATION_FAILED)).
  returned: on failure, when known
  type: str
  sample: NOT_SUPPORTED
error:
  description: The whole error as the CLI reported it (code, message, adapter, operation, retryable).
  returned: on failure, when the CLI reported an error
  type: dict
cmd:
  description: The CLI command line the move would run (no secrets - the profiles refer to them).
  returned: in check mode when a move would start
  type: list
  elements: str
  sample: ["vmshift", "move", "web-01", "--from", "kvm-a", "--to", "kvm-b", "--mode", "cold", "--json", "--config", "/etc/vmshift/config.yaml"]
rc:
  description: The CLI's exit code (of the move, or of the last listing when no move was started).
  returned: when the CLI ran
  type: int
  sample: 0
exit:
  description: The exit code's name from the CLI's table (C(ok), C(error), C(usage), C(migrationFailed), C(cancelled), C(partial), C(timeout), C(detached)).
  returned: when the CLI ran
  type: str
  sample: ok
'''

import hashlib

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.vmshift.migration.plugins.module_utils.vmshift import (
    Vmshift,
    check_at_least_one,
    check_not_negative,
    flag,
    location,
    milliseconds,
)

# The disk formats the CLI's storage map takes after ``dst:`` (packages/move/src/mapping.ts).
STORAGE_FORMATS = ('raw', 'qcow2', 'vmdk', 'vhdx', 'vpc')


def default_request_id(vm, from_profile, to_profile, target_name):
    """The idempotency key the same task always sends: a hash of what names the move."""
    text = '\0'.join([vm, from_profile, to_profile, target_name or ''])
    return 'ansible-' + hashlib.sha256(text.encode('utf-8')).hexdigest()[:24]


def map_entries(module, name, mapping):
    """``src=dst`` strings for a map option, refusing entries the CLI's ``src=dst`` form cannot carry."""
    entries = []
    for source in sorted(mapping or {}):
        target = mapping[source]
        if not isinstance(target, str) or not source or '=' in source or not target.strip():
            module.fail_json(msg='%s entry %r: %r is not <source>: <target> with a source name without "=" and a target name'
                             % (name, source, target), code='INVALID_ARGUMENT', changed=False)
        entries.append('%s=%s' % (source, target))
    return entries


def move_flags(module, params, request_id):
    """The CLI flags of the move (everything after ``move <vm>``)."""
    args = ['--from', params['from_profile'], '--to', params['to_profile']]
    args += flag('from-host', params['from_host'])
    args += flag('to-host', params['to_host'])
    args += ['--mode', params['mode']]
    args += flag('max-passes', params['max_passes'])
    args += flag('converged-bytes', params['converged_bytes'])
    for entry in map_entries(module, 'network_map', params['network_map']):
        args += ['--network-map', entry]
    for entry in map_entries(module, 'storage_map', params['storage_map']):
        args += ['--storage-map', entry]
    args += flag('target-name', params['target_name'])
    args += flag('shutdown-timeout', params['shutdown_timeout_ms'])
    args += ['--request-id', request_id]
    args += flag('timeout', params['timeout_ms'])
    return args


def find_vm(vms, wanted):
    """The VM listed with id ``wanted``, else the only one named ``wanted``, else None."""
    for vm in vms:
        if vm.get('id') == wanted:
            return vm
    named = [vm for vm in vms if vm.get('name') == wanted]
    return named[0] if len(named) == 1 else None


def listing(cli, profile, host):
    """The VMs ``vmshift vms --profile <profile> [--host <host>]`` lists; the module fails when the CLI does."""
    run = cli.run(['vms', '--profile', profile] + flag('host', host))
    if run.rc != 0:
        cli.fail(run, changed=False, outcome='failed')
    return run


def result_fields(result):
    """The module's top-level return values from the CLI's ``result`` event."""
    out = dict(
        outcome=result.get('outcome') or result.get('phase'),
        location=location(result.get('vmLocation')),
        migration_id=result.get('migrationId'),
        move=dict((k, v) for k, v in result.items() if k not in ('event', 'phase')),
    )
    if result.get('targetVmId') is not None:
        out['target_vm_id'] = result['targetVmId']
    if isinstance(result.get('copiedBytes'), dict):
        out['copied_bytes'] = result['copiedBytes']
    for key, name in (('downtimeMs', 'downtime_ms'), ('durationMs', 'duration_ms')):
        if result.get(key) is not None:
            out[name] = milliseconds(result[key])
    return out


def validate(module):
    """Refuses what the CLI would refuse as a usage error, before anything is asked of a platform."""
    params = module.params
    check_at_least_one(module, ['max_passes'])
    check_not_negative(module, ['converged_bytes', 'shutdown_timeout_ms', 'timeout_ms'])
    if params['mode'] == 'cold' and (params['max_passes'] is not None or params['converged_bytes'] is not None):
        module.fail_json(msg='max_passes and converged_bytes tune warm moves: set mode: warm', code='INVALID_ARGUMENT', changed=False)
    map_entries(module, 'network_map', params['network_map'])
    for source, target in sorted((params['storage_map'] or {}).items()):
        if isinstance(target, str) and ':' in target:
            storage, fmt = target.rsplit(':', 1)
            if not storage or fmt not in STORAGE_FORMATS:
                module.fail_json(msg='storage_map entry %s: %r is not <storage> or <storage>:<format> with format one of %s'
                                 % (source, target, ', '.join(STORAGE_FORMATS)), code='INVALID_ARGUMENT', changed=False)
    map_entries(module, 'storage_map', params['storage_map'])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            executable=dict(type='str', default='vmshift'),
            config=dict(type='path', required=True),
            vm=dict(type='str', required=True),
            from_profile=dict(type='str', required=True),
            to_profile=dict(type='str', required=True),
            from_host=dict(type='str'),
            to_host=dict(type='str'),
            mode=dict(type='str', choices=['cold', 'warm'], default='cold'),
            # Delta passes of a warm move, not a password (validate-modules' no-log-needed matches "pass").
            max_passes=dict(type='int', no_log=False),
            converged_bytes=dict(type='int'),
            network_map=dict(type='dict'),
            storage_map=dict(type='dict'),
            target_name=dict(type='str'),
            shutdown_timeout_ms=dict(type='int'),
            request_id=dict(type='str'),
            timeout_ms=dict(type='int'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    validate(module)
    # Vmshift passes --config (and a --profile when set) after every command: the profiles of a move
    # are named per command instead, so only the config file goes there.
    params['profile'] = None

    with Vmshift(module) as cli:
        # Idempotence by inspection: the source VM (for its name) and the target under the target name.
        source_vm = find_vm(listing(cli, params['from_profile'], params['from_host']).lines(), params['vm'])
        target_name = params['target_name'] or (source_vm.get('name') if source_vm else None) or params['vm']
        request_id = params['request_id'] or default_request_id(params['vm'], params['from_profile'], params['to_profile'], target_name)
        target_run = listing(cli, params['to_profile'], params['to_host'])
        target_vm = find_vm(target_run.lines(), target_name)
        source_running = source_vm is not None and source_vm.get('powerState') == 'running'
        if target_vm is not None and not source_running:
            module.exit_json(
                changed=False,
                outcome='unchanged',
                vm=target_vm,
                target_name=target_name,
                request_id=request_id,
                location=dict(host_id=target_vm.get('hostId'), side='target', power_state=target_vm.get('powerState')),
                rc=target_run.rc,
                exit=target_run.exit,
            )

        args = ['move', params['vm']] + move_flags(module, params, request_id)
        if module.check_mode:
            module.exit_json(changed=True, outcome='planned', target_name=target_name, request_id=request_id, cmd=cli.command(args))

        run = cli.run(args)
        result = run.last('result')
        fields = result_fields(result) if result else {}
        fields.update(target_name=target_name, request_id=request_id)
        if run.rc == 0 and result is not None:
            module.exit_json(changed=True, rc=run.rc, exit=run.exit, **fields)

        if result is not None:
            error = result.get('error') or {}
            moved = (result.get('vmLocation') or {}).get('side') != 'source'
            changed = run.rc in (5, 6, 8) or moved
            message = '%s %s: %s' % (params['vm'], fields['outcome'], error.get('message') or 'the move did not complete')
            if error.get('code'):
                message = '%s %s: %s: %s' % (params['vm'], fields['outcome'], error['code'], error.get('message', ''))
            cli.fail(run, msg=message, code=error.get('code'), changed=changed, **fields)
        # An error (exit 1/2: nothing was started, or it was refused), a timeout (6) or a detach (8):
        # the move ran inside the CLI's process and ended with it, so after 6/8 the target's state is unknown.
        first, last = run.first('progress'), run.last('progress')
        started = first is not None
        extra = dict(changed=started or run.rc in (6, 8), outcome=last.get('phase') if run.rc in (6, 8) and last else 'failed',
                     target_name=target_name, request_id=request_id)
        if first and first.get('migrationId'):
            extra['migration_id'] = first['migrationId']
        code = 'INVALID_ARGUMENT' if run.rc == 2 and run.error is None else None
        cli.fail(run, code=code, **extra)


if __name__ == '__main__':
    main()
