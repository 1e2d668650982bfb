# -*- coding: utf-8 -*-
# Copyright: vmshift contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""What vmshift.migration.evacuate and rebalance share: their common options (doc fragment
vmshift.migration.fleet) and checks, the limit flags, running the command, and turning the CLI's
fleet events (``plan``, ``migration-started``, ``migration-finished``, ``result``) into module results."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.vmshift.migration.plugins.module_utils.vmshift import (
    Vmshift,
    check_at_least_one,
    check_not_negative,
    flag,
    location,
    milliseconds,
    module_args,
)

# The concurrency limits, as option and CLI flag.
LIMITS = (
    ('max_per_source', 'max-per-source'),
    ('max_per_target', 'max-per-target'),
    ('max_per_cluster', 'max-per-cluster'),
    ('max_in_flight', 'max-in-flight'),
)

# Return values of the plan and its outcomes, from the CLI's camelCase keys.
PLANNED_FIELDS = dict(order='order', vm='vmId', source_host='sourceHostId', target_host='targetHostId', mode='mode', strategy='strategy', reason='reason')
SKIPPED_FIELDS = dict(vm='vmId', source_host='sourceHostId', code='code', reason='reason')
OUTCOME_FIELDS = dict(vm='vmId', status='status', mode='mode', migration_id='migrationId', source_host='sourceHostId', target_host='targetHostId')


def fleet_argument_spec():
    """Options evacuate and rebalance share (doc fragment vmshift.migration.fleet): limits, stop_on_failure, max_downtime_ms."""
    spec = dict((name, dict(type='int')) for name, _flag in LIMITS)
    spec.update(
        stop_on_failure=dict(type='bool', default=False),
        max_downtime_ms=dict(type='int'),
    )
    return spec


def fleet_module_args(**options):
    """AnsibleModule's keyword arguments for evacuate and rebalance: the connection options, the
    shared fleet options, then the module's own ``options``."""
    spec = fleet_argument_spec()
    spec.update(options)
    return module_args(**spec)


def check_fleet_params(module):
    """Limits are integers >= 1 and max_downtime_ms is not negative; fails the module otherwise."""
    check_at_least_one(module, [name for name, _flag in LIMITS])
    check_not_negative(module, ['max_downtime_ms'])


def fleet_flags(params, dry_run):
    """The CLI flags for the shared options, with ``--dry-run`` in check mode."""
    args = []
    for name, cli_flag in LIMITS:
        args += flag(cli_flag, params[name])
    args += flag('stop-on-failure', params['stop_on_failure'])
    args += flag('max-downtime', params['max_downtime_ms'])
    args += flag('dry-run', dry_run)
    return args


def _pick(item, fields):
    """``{name: item[key]}`` for the ``{name: key}`` pairs of ``fields``."""
    return dict((name, item.get(key)) for name, key in fields.items())


def outcomes(run, report):
    """Where every VM of the plan ended up, with when its migration started and finished (from the events)."""
    started = dict((e.get('vmId'), e.get('at')) for e in run.all('migration-started'))
    finished = dict((e.get('vmId'), e.get('at')) for e in run.all('migration-finished'))
    items = (report or {}).get('outcomes')
    if items is None:
        items = run.all('migration-finished')
    out = []
    for o in items:
        error = o.get('error') or {}
        entry = _pick(o, OUTCOME_FIELDS)
        entry.update(
            location=location(o.get('vmLocation')),
            duration_ms=milliseconds(o.get('durationMs')),
            downtime_ms=milliseconds(o.get('downtimeMs')),
            started_at=started.get(o.get('vmId')),
            finished_at=finished.get(o.get('vmId')),
            code=error.get('code'),
            message=error.get('message') or o.get('reason'),
        )
        out.append(entry)
    return out


def planned(plan):
    """The plan's migrations, one line each."""
    return [_pick(m, PLANNED_FIELDS) for m in (plan or {}).get('migrations', [])]


def skipped(plan):
    """The VMs the plan leaves where they are, with the code saying why."""
    return [_pick(s, SKIPPED_FIELDS) for s in (plan or {}).get('skipped', [])]


def run_plan(module, command, extra):
    """Runs a fleet command (``command``: ``['evacuate', host]`` or ``['rebalance']``) with the shared
    options' flags (``--dry-run`` in check mode) and the module's own flags ``extra``, and exits or
    fails the module with the plan and, when it ran, the outcomes (:func:`finish`)."""
    args = list(command) + fleet_flags(module.params, module.check_mode) + list(extra)
    with Vmshift(module) as cli:
        finish(module, cli, cli.run(args), module.check_mode)


def finish(module, cli, run, dry_run):
    """Exits or fails the module for a fleet command's run (evacuate or rebalance)."""
    plan_event = run.first('plan')
    plan = plan_event.get('plan') if plan_event else None
    if plan is None:
        cli.fail(run)
    result = dict(
        rc=run.rc,
        exit=run.exit,
        plan=plan,
        summary=plan.get('summary'),
        limits=plan.get('limits'),
        migrations=planned(plan),
        skipped=skipped(plan),
        freed_hosts=plan.get('freedHostIds', []),
    )
    if dry_run:
        # Check mode: changed says whether running the plan would change anything.
        result['changed'] = run.rc == 0 and len(plan.get('migrations', [])) > 0
        if run.rc == 0:
            module.exit_json(**result)
        first = (result['skipped'] or [{}])[0]
        reasons = '; '.join('%s: %s: %s' % (s['vm'], s['code'], s['reason']) for s in result['skipped'])
        cli.fail(run, msg='%s; %d VM(s) cannot move: %s' % (plan.get('summary'), len(result['skipped']), reasons), code=first.get('code'), **result)

    final = run.last('result')
    report = final.get('report') if final else None
    result['report'] = report
    result['outcomes'] = outcomes(run, report)
    result['counts'] = (report or {}).get('counts')
    moved = [o for o in result['outcomes'] if o['status'] == 'completed' or (o['location'] or {}).get('side') not in (None, 'source')]
    result['changed'] = len(moved) > 0 or run.rc == 5
    if run.rc == 0 and report is not None:
        module.exit_json(**result)
    failures = [o for o in result['outcomes'] if o['status'] != 'completed']
    problems = ['%s %s: %s: %s' % (o['vm'], o['status'], o['code'], o['message']) for o in failures]
    problems += ['%s stays: %s: %s' % (s['vm'], s['code'], s['reason']) for s in result['skipped']]
    codes = [o['code'] for o in failures if o['code']] + [s['code'] for s in result['skipped'] if s['code']]
    if report is None:
        cli.fail(run, **result)
    cli.fail(run, msg='%s; %s' % (plan.get('summary'), '; '.join(problems) or 'the plan did not complete'), code=codes[0] if codes else None, **result)
