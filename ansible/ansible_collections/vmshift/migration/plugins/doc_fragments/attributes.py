# -*- coding: utf-8 -*-
# Copyright: vmshift contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # What check mode does, for the modules that do the same in it.

    # vmshift.migration.evacuate and rebalance: vmshift.migration.attributes.plan
    PLAN = r'''
attributes:
  check_mode:
    support: full
    description: Returns the plan (C(--dry-run)).
'''

    # vmshift.migration.vm_info and host_info: vmshift.migration.attributes.info_module
    INFO_MODULE = r'''
attributes:
  check_mode:
    support: full
    description: Runs as usual; it only reads.
'''
