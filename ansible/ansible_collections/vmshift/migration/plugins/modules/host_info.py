#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmshift contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: host_info
short_description: List hosts - cluster, state, maintenance, memory
version_added: 0.1.0
description:
  - Lists the platform's hosts with the C(vmshift) CLI (C(vmshift hosts --json)) - id, name,
    cluster, connection state, maintenance, whether it accepts VMs, cores, memory and free memory,
    and its concurrent migration limit when the platform reports one.
  - Read-only; never changes anything, also outside check mode.
author:
  - vmshift maintainers (@vmshift)
extends_documentation_fragment:
  - vmshift.migration.connection
  - vmshift.migration.attributes.info_module
options:
  cluster:
    description: Only the hosts of this cluster (C(--cluster)).
    type: str
  hosts:
    description: Only these hosts, by id or name. Hosts that do not exist are listed in I(missing); the task does not fail for them.
    type: list
    elements: str
seealso:
  - module: vmshift.migration.vm_info
  - module: vmshift.migration.evacuate
'''

EXAMPLES = r'''
- name: Hosts of cluster-a
  vmshift.migration.host_info:
    cluster: cluster-a
  register: cluster_a

- name: Schedulable hosts with at least 64 GiB free
  ansible.builtin.debug:
    msg: "{{ cluster_a.hosts | selectattr('schedulable') | selectattr('freeMemoryBytes', 'ge', 64 * 1024 ** 3) | map(attribute='id') | list }}"
'''

RETURN = r'''
hosts:
  description: The hosts, as the CLI lists them (camelCase keys of the SDK's C(Host)).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The host's id; pass it to the other modules.
      type: str
      sample: host-1
    name:
      description: The host's name.
      type: str
      sample: host-1
    clusterId:
      description: Its cluster, when the platform has clusters.
      type: str
      sample: cluster-a
    connectionState:
      description: C(connected), C(disconnected) or C(unknown).
      type: str
      sample: connected
    maintenance:
      description: Whether it is in maintenance mode.
      type: bool
      sample: false
    schedulable:
      description: Whether it accepts new VMs (not cordoned, not in maintenance, migration enabled).
      type: bool
      sample: true
    cpuCores:
      description: CPU cores.
      type: int
      sample: 32
    memoryBytes:
      description: Memory, bytes.
      type: int
      sample: 274877906944
    freeMemoryBytes:
      description: Memory free for new VMs, bytes, when the platform reports it.
      type: int
      sample: 242665652224
    maxConcurrentMigrations:
      description: Concurrent incoming and outgoing live migrations it allows, when known.
      type: int
      sample: 2
missing:
  description: The ids or names in I(hosts) that were not found.
  returned: when I(hosts) is given
  type: list
  elements: str
  sample: []
rc:
  description: The CLI's exit code.
  returned: when the CLI ran
  type: int
  sample: 0
exit:
  description: The exit code's name from the CLI's table.
  returned: when the CLI ran
  type: str
  sample: ok
code:
  description: The C(VmshiftError) code of a failure.
  returned: on failure, when known
  type: str
  sample: TRANSPORT
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.vmshift.migration.plugins.module_utils.vmshift import exit_listing, flag, module_args


def main():
    module = AnsibleModule(**module_args(
        cluster=dict(type='str'),
        hosts=dict(type='list', elements='str'),
    ))
    exit_listing(module, ['hosts'] + flag('cluster', module.params['cluster']), 'hosts', module.params['hosts'])


if __name__ == '__main__':
    main()
