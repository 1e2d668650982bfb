#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmshift contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: rebalance
short_description: Even out memory use across hosts, or consolidate VMs onto fewer hosts
version_added: 0.1.0
description:
  - Plans moves with the C(vmshift) CLI (C(vmshift rebalance --json)) that even out memory use
    across each cluster's hosts (I(goal=balance)) or pack VMs onto fewer hosts and free the rest
    (I(goal=consolidate)), then runs the plan under the concurrency limits per source host,
    target host, cluster and in all.
  - In check mode it returns the plan and changes nothing (C(--dry-run)); C(changed) then says
    whether the plan has migrations to run.
  - Idempotent in practice - once balanced within I(tolerance) (or consolidated), the plan is
    empty and the task reports C(changed=false).
  - How the CLI's exit code becomes the task's status - 0 is success (changed when a VM moved); 3
    (a migration failed) and 4 (cancelled) fail the task with the first failure's I(code), changed
    when a VM moved; 5 (C(MIGRATION_PARTIAL)) fails as changed; 1 and 2 fail with the
    C(VmshiftError) I(code).
author:
  - vmshift maintainers (@vmshift)
extends_documentation_fragment:
  - vmshift.migration.connection
  - vmshift.migration.fleet
  - vmshift.migration.attributes.plan
options:
  goal:
    description:
      - C(balance) evens out memory use; C(consolidate) packs VMs onto fewer hosts and frees the
        rest (C(--consolidate)).
    type: str
    choices: [balance, consolidate]
    default: balance
  cluster:
    description: Only this cluster (C(--cluster)). Default is every cluster, each on its own.
    type: str
  tolerance:
    description: Balance - stop when hosts' memory use differs by at most this fraction, 0 to 1 (C(--tolerance)). The CLI's default is 0.05.
    type: float
  max_migrations:
    description: The most migrations one plan proposes (C(--max-migrations)). The CLI's default is 50.
    type: int
  min_hosts:
    description: Consolidate - keep at least this many hosts per cluster (C(--min-hosts)). The CLI's default is 1.
    type: int
  allow_cold:
    description: Move running VMs that cannot move live cold, stopped while they move (C(--allow-cold)).
    type: bool
    default: false
seealso:
  - module: vmshift.migration.evacuate
  - module: vmshift.migration.host_info
'''

EXAMPLES = r'''
- name: Preview a rebalance of cluster-a
  vmshift.migration.rebalance:
    cluster: cluster-a
    tolerance: 0.1
  check_mode: true
  register: preview

- name: Rebalance, two migrations at once at most
  vmshift.migration.rebalance:
    cluster: cluster-a
    max_in_flight: 2
    max_per_target: 1

- name: Consolidate onto fewer hosts and report the freed ones
  vmshift.migration.rebalance:
    goal: consolidate
    min_hosts: 2
  register: packed

- name: Freed hosts
  ansible.builtin.debug:
    var: packed.freed_hosts
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
from ansible_collections.vmshift.migration.plugins.module_utils.vmshift import check_at_least_one, flag


def main():
    module = AnsibleModule(**fleet_module_args(
        goal=dict(type='str', choices=['balance', 'consolidate'], default='balance'),
        cluster=dict(type='str'),
        tolerance=dict(type='float'),
        max_migrations=dict(type='int'),
        min_hosts=dict(type='int'),
        allow_cold=dict(type='bool', default=False),
    ))
    check_fleet_params(module)
    params = module.params
    if params['tolerance'] is not None and not 0 <= params['tolerance'] <= 1:
        module.fail_json(msg='tolerance must be between 0 and 1, got %s' % params['tolerance'], code='INVALID_ARGUMENT')
    check_at_least_one(module, ['max_migrations', 'min_hosts'])
    args = flag('consolidate', params['goal'] == 'consolidate')
    args += flag('cluster', params['cluster'])
    args += flag('tolerance', params['tolerance'])
    args += flag('max-migrations', params['max_migrations'])
    args += flag('min-hosts', params['min_hosts'])
    args += flag('allow-cold', params['allow_cold'])
    run_plan(module, ['rebalance'], args)


if __name__ == '__main__':
    main()
