# -*- coding: utf-8 -*-
# Copyright: vmshift contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The options vmshift.migration.evacuate and rebalance share. Their return values are the same
    # too, but ansible-core 2.14 reads RETURN only as the module's own literal string (no fragments),
    # so both modules list them.
    DOCUMENTATION = r'''
options:
  max_per_source:
    description: At most this many migrations at once out of one host (C(--max-per-source)). Default is the platform's documented limit.
    type: int
  max_per_target:
    description: At most this many migrations at once into one host (C(--max-per-target)). Default is the platform's documented limit.
    type: int
  max_per_cluster:
    description: At most this many migrations at once per cluster (C(--max-per-cluster)). Default is the platform's documented limit.
    type: int
  max_in_flight:
    description: At most this many migrations at once in all (C(--max-in-flight)). The CLI's default is 20.
    type: int
  stop_on_failure:
    description: Start no more migrations after the first failure; in-flight ones finish (C(--stop-on-failure)).
    type: bool
    default: false
  max_downtime_ms:
    description: Longest pause each live switch-over may take, milliseconds (C(--max-downtime)). Default is the platform's.
    type: int
'''
