# -*- coding: utf-8 -*-
# Copyright: vmshift contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""What vmshift.migration.evacuate and rebalance share: the limit flags, and turning the CLI's fleet
events (``plan``, ``migration-started``, ``migration-finished``, ``result``) into module results."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.vmshift.migration.plugins.module_utils.vmshift import flag, location


def fleet_argument_spec():
    """Options evacuate and rebalance share (limits, stop_on_failure, max_downtime_ms)."""
    return dict(
        max_per_source=dict(type='int'),
        max_per_target=dict(type='int'),
        max_per_cluster=dict(type='int'),
        max_in_flight=dict(type='int'),
        stop_on_failure=dict(type='bool', default=False),
        max_downtime_ms=dict(type='int'),
    )


def check_fleet_params(module):
    """Limits are integers >= 1 and max_downtime_ms is not negative; fails the module otherwise."""
    params = module.params
    for name in ('max_per_source', 'max_per_target', 'max_per_cluster', 'max_in_flight'):
        if params[name] is not None and params[name] < 1:
            module.fail_json(msg='%s must be an integer >= 1, got %d' % (name, params[name]), code='INVALID_ARGUMENT')
    if params['max_downtime_ms'] is not None and params['max_downtime_ms'] < 0:
        module.fail_json(msg='max_downtime_ms must not be negative', code='INVALID_ARGUMENT')


def fleet_flags(params, dry_run):
    """The CLI flags for the shared options, with ``--dry-run`` in check mode."""
    args = []
    args += flag('max-per-source', params['max_per_source'])
    args += flag('max-per-target', params['max_per_target'])
    args += flag('max-per-cluster', params['max_per_cluster'])
    args += flag('max-in-flight', params['max_in_flight'])
    args += flag('stop-on-failure', params['stop_on_failure'])
    args += flag('max-downtime', params['max_downtime_ms'])
    args += flag('dry-run', dry_run)
    return args


def _ms(value):
    return None if value is None else int(round(value))


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
        out.append(dict(
            vm=o.get('vmId'),
            status=o.get('status'),
            mode=o.get('mode'),
            migration_id=o.get('migrationId'),
            source_host=o.get('sourceHostId'),
            target_host=o.get('targetHostId'),
            location=location(o.get('vmLocation')),
            duration_ms=_ms(o.get('durationMs')),
            downtime_ms=_ms(o.get('downtimeMs')),
            started_at=started.get(o.get('vmId')),
            finished_at=finished.get(o.get('vmId')),
            code=error.get('code'),
            message=error.get('message') or o.get('reason'),
        ))
    return out


def planned(plan):
    """The plan's migrations, one line each."""
    return [dict(
        order=m.get('order'),
        vm=m.get('vmId'),
        source_host=m.get('sourceHostId'),
        target_host=m.get('targetHostId'),
        mode=m.get('mode'),
        strategy=m.get('strategy'),
        reason=m.get('reason'),
    ) for m in (plan or {}).get('migrations', [])]


def skipped(plan):
    """The VMs the plan leaves where they are, with the code saying why."""
    return [dict(vm=s.get('vmId'), source_host=s.get('sourceHostId'), code=s.get('code'), reason=s.get('reason')) for s in (plan or {}).get('skipped', [])]


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
