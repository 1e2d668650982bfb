#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmshift contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: evacuate
short_description: Move every VM off a host, within per-host and per-cluster limits
version_added: 0.1.0
description:
  - Plans the evacuation of a host with the C(vmshift) CLI (C(vmshift evacuate --json)) - a target
    for every VM, live where it can, cold for stopped VMs and (unless I(allow_cold=false)) for VMs
    that cannot move live - then runs the plan under the concurrency limits per source host,
    target host, cluster and in all.
  - In check mode it returns the plan and changes nothing (C(--dry-run)); C(changed) then says
    whether the plan has migrations to run.
  - Idempotent - a host with no VMs left has an empty plan and reports C(changed=false).
  - How the CLI's exit code becomes the task's status - 0 is success (changed when a VM moved); 3
    (a migration failed, or VMs the plan cannot move) and 4 (cancelled) fail the task with the
    first failure's I(code), changed when a VM moved; 5 (C(MIGRATION_PARTIAL)) fails as changed; 1
    and 2 fail with the C(VmshiftError) I(code).
author:
  - vmshift maintainers (@vmshift)
extends_documentation_fragment:
  - vmshift.migration.connection
  - vmshift.migration.fleet
  - vmshift.migration.attributes.plan
options:
  host:
    description: The host to empty, by id as C(vmshift hosts) lists it.
    type: str
    required: true
  allow_cold:
    description:
      - Move running VMs that cannot move live cold (stopped while they move). With C(false) such a
        VM stays, is listed in I(skipped), and the task fails (C(--no-cold)).
    type: bool
    default: true
  preflight:
    description: Run the platform's preflight for every planned move and try the next target on a refusal (C(--preflight)).
    type: bool
    default: false
seealso:
  - module: vmshift.migration.rebalance
  - module: vmshift.migration.host_info
'''

EXAMPLES = r'''
- name: See the plan first
  vmshift.migration.evacuate:
    host: host-1
    max_per_source: 1
  check_mode: true
  register: plan

- name: Show it
  ansible.builtin.debug:
    msg: "{{ plan.summary }}: {{ plan.migrations | map(attribute='vm') | join(', ') }}"

- name: Empty host-1 for maintenance, one migration out of it at a time
  vmshift.migration.evacuate:
    host: host-1
    max_per_source: 1
    max_per_target: 2
    stop_on_failure: true
    config: /etc/vmshift/config.yaml
    profile: lab
  register: evacuation

- name: Where every VM went
  ansible.builtin.debug:
    msg: "{{ item.vm }} is {{ item.location.power_state }} on {{ item.location.host_id }}"
  loop: "{{ evacuation.outcomes }}"
'''

RETURN = r'''
plan:
  description: The plan as the CLI printed it (camelCase keys, see docs/fleet.md).
  returned: always
  type: dict
summary:
  description: One line describing the plan.
  returned: always
  type: str
limits:
  description:
    - The concurrency limits the plan runs under (C(perSourceHost), C(perTargetHost), C(perCluster),
      C(maxInFlight), C(perHost)) and where they come from (C(source)).
  sample: {"perSourceHost": 1, "perTargetHost": 2, "maxInFlight": 20, "perHost": {"host-1": 2}, "source": "caller overrides; ..."}
  returned: always
  type: dict
migrations:
  description: The planned migrations in order (I(vm), I(source_host), I(target_host), I(mode), I(strategy), I(reason)).
  returned: always
  type: list
  elements: dict
skipped:
  description: The VMs the plan leaves where they are, with the I(code) and I(reason).
  returned: always
  type: list
  elements: dict
freed_hosts:
  description: Hosts that are empty once the plan completes.
  returned: always
  type: list
  elements: str
report:
  description: The CLI's final report (outcomes, counts, freedHostIds, ok).
  returned: when the plan ran (not in check mode)
  type: dict
outcomes:
  description:
    - Where every VM of the plan ended up - I(vm), I(status) (C(completed), C(failed), C(cancelled),
      C(skipped)), I(location), I(duration_ms), I(downtime_ms), I(started_at), I(finished_at),
      I(code) and I(message) of a failure.
  returned: when the plan ran (not in check mode)
  type: list
  elements: dict
counts:
  description: How many migrations completed, failed, were cancelled or skipped.
  returned: when the plan ran (not in check mode)
  type: dict
  sample: {"completed": 5, "failed": 0, "cancelled": 0, "skipped": 0}
code:
  description: The code of the first failure or skipped VM (for example C(INSUFFICIENT_RESOURCES), C(MIGRATION_FAILED)), or of the CLI's error.
  returned: on failure, when known
  type: str
rc:
  description: The CLI's exit code.
  returned: when the CLI ran
  type: int
exit:
  description: The exit code's name from the CLI's table.
  returned: when the CLI ran
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.vmshift.migration.plugins.module_utils.fleet import check_fleet_params, fleet_module_args, run_plan
from ansible_collections.vmshift.migration.plugins.module_utils.vmshift import flag


def main():
    module = AnsibleModule(**fleet_module_args(
        host=dict(type='str', required=True),
        allow_cold=dict(type='bool', default=True),
        preflight=dict(type='bool', default=False),
    ))
    check_fleet_params(module)
    params = module.params
    run_plan(module, ['evacuate', params['host']], flag('no-cold', not params['allow_cold']) + flag('preflight', params['preflight']))


if __name__ == '__main__':
    main()
