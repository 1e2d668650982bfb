#!/usr/bin/env bash
# Ansible lane: Debian's ansible-core (2.14 on bookworm: ansible-playbook, ansible-test,
# ansible-galaxy) for the vmshift.migration collection's build, sanity run and integration
# playbooks (ansible/collection.test.ts), plus the Debian builds of the tools ansible-test's sanity
# tests run (pylint, pycodestyle, yamllint, voluptuous), which ansible/prime-sanity-venvs.py hands
# to ansible-test instead of the PyPI downloads it cannot make here, and pytest with the plugins
# `ansible-test units` uses. Offline after apt: no PyPI, no
# Galaxy. Idempotent; quick when everything is present. Without root it only says what is missing
# (the tests then skip what needs it, saying why).
set -euo pipefail
need=()
for tool in ansible-playbook ansible-test ansible-galaxy; do
  command -v "$tool" >/dev/null 2>&1 || { need+=(ansible-core); break; }
done
command -v pylint >/dev/null 2>&1 || need+=(pylint)
command -v yamllint >/dev/null 2>&1 || need+=(yamllint)
/usr/bin/python3 -c 'import pycodestyle' >/dev/null 2>&1 || need+=(python3-pycodestyle)
/usr/bin/python3 -c 'import voluptuous' >/dev/null 2>&1 || need+=(python3-voluptuous)
# ansible-test units: pytest with the plugins it runs (--forked, -n), from Debian
for pkg in pytest:python3-pytest xdist:python3-pytest-xdist pytest_forked:python3-pytest-forked pytest_mock:python3-pytest-mock mock:python3-mock; do
  /usr/bin/python3 -c "import ${pkg%%:*}" >/dev/null 2>&1 || need+=("${pkg#*:}")
done
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ansible: missing ${need[*]} and this is not root: apt-get install ${need[*]}" >&2
    exit 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
echo "ansible: $(ansible --version 2>/dev/null | sed -n 1p)"
