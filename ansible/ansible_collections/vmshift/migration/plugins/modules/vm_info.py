#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmshift contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: vm_info
short_description: List VMs - where each runs, its power state and size
version_added: 0.1.0
description:
  - Lists the platform's VMs with the C(vmshift) CLI (C(vmshift vms --json)) - id, name, power
    state, host, cluster, vCPUs, memory, whether it can move live, labels.
  - Read-only; never changes anything, also outside check mode.
author:
  - vmshift maintainers (@vmshift)
extends_documentation_fragment:
  - vmshift.migration.connection
  - vmshift.migration.attributes.info_module
options:
  host:
    description: Only the VMs on this host (C(--host)).
    type: str
  scope:
    description: Only the VMs in this scope - a KubeVirt namespace, a vSphere datacenter, ... (C(--scope)).
    type: str
  vms:
    description:
      - Only these VMs, by id or name. VMs that do not exist are listed in I(missing); the task
        does not fail for them.
    type: list
    elements: str
  page_size:
    description: VMs per request to the platform (C(--page-size)). Default is the adapter's page size.
    type: int
seealso:
  - module: vmshift.migration.host_info
  - module: vmshift.migration.migrate
'''

EXAMPLES = r'''
- name: Every VM on host-1
  vmshift.migration.vm_info:
    host: host-1
  register: on_host_1

- name: Their ids
  ansible.builtin.debug:
    msg: "{{ on_host_1.vms | map(attribute='id') | list }}"

- name: Where web-01 runs
  vmshift.migration.vm_info:
    vms: [web-01]
  register: web

- name: Check it
  ansible.builtin.assert:
    that: web.vms[0].hostId == 'host-2'

- name: VMs of one KubeVirt namespace, through a kubeconfig
  vmshift.migration.vm_info:
    scope: prod
    platform: kubevirt
    settings:
      kubeconfig: /etc/vmshift/kubeconfig
'''

RETURN = r'''
vms:
  description: The VMs, as the CLI lists them (camelCase keys of the SDK's C(Vm)).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The adapter-stable id; pass it to the other modules.
      type: str
      sample: web-01
    name:
      description: The VM's name.
      type: str
      sample: web-01
    powerState:
      description: C(running), C(stopped), C(paused), C(suspended) or C(unknown).
      type: str
      sample: running
    hostId:
      description: The host it runs on (or is registered to when stopped); absent when unscheduled.
      type: str
      sample: host-1
    clusterId:
      description: Its cluster, when the platform has clusters.
      type: str
      sample: cluster-a
    memoryBytes:
      description: Configured memory, bytes.
      type: int
      sample: 4294967296
    cpus:
      description: Configured vCPUs.
      type: int
      sample: 2
    liveMigratable:
      description: Whether the platform considers it live-migratable now; absent when unknown.
      type: bool
      sample: true
    labels:
      description: Platform labels or tags.
      type: dict
missing:
  description: The ids or names in I(vms) that were not found.
  returned: when I(vms) is given
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
  sample: UNAUTHENTICATED
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.vmshift.migration.plugins.module_utils.vmshift import exit_listing, flag, module_args


def main():
    module = AnsibleModule(**module_args(
        host=dict(type='str'),
        scope=dict(type='str'),
        vms=dict(type='list', elements='str'),
        page_size=dict(type='int'),
    ))
    params = module.params
    if params['page_size'] is not None and params['page_size'] < 1:
        module.fail_json(msg='page_size must be an integer >= 1', code='INVALID_ARGUMENT')
    args = ['vms'] + flag('host', params['host']) + flag('scope', params['scope']) + flag('page-size', params['page_size'])
    exit_listing(module, args, 'vms', params['vms'])


if __name__ == '__main__':
    main()
