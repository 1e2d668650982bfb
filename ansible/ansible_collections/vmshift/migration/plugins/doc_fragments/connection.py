# -*- coding: utf-8 -*-
# Copyright: vmshift contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # How every vmshift.migration module reaches the CLI and a platform.
    DOCUMENTATION = r'''
options:
  executable:
    description:
      - The C(vmshift) command to run, by name (looked up on C(PATH)) or by path.
      - Install it on the managed node with C(npm i -g @vmshift/cli) (Node.js 22.12 or later).
    type: str
    default: vmshift
  config:
    description:
      - A vmshift config file (YAML) with the profiles, passed to the CLI as C(--config).
      - Without it (and without I(platform)) the CLI reads C($VMSHIFT_CONFIG), else
        C(vmshift/config.yaml) in C($XDG_CONFIG_HOME) or C(~/.config).
      - "Secrets in that file are C({ env: NAME }) or C({ file: path }) references; the CLI refuses
        inline secrets."
      - Mutually exclusive with I(platform).
    type: path
  profile:
    description:
      - The profile to use, from the config file, or one of the CLI's built-in profiles
        (C(simulator), C(simulator-fast), C(target:<conformance target>)); passed as C(--profile).
      - Default is the config file's C(defaultProfile), else C(simulator).
      - Mutually exclusive with I(platform).
    type: str
  platform:
    description:
      - Describe the profile here instead of in a config file, for example C(kubevirt), C(vsphere),
        C(nutanix), C(hyperv), C(libvirt) or C(simulator).
      - The module writes a config file with this one profile (mode 0600, in a private temporary
        directory removed when the module ends) and passes it to the CLI with C(--config).
      - Mutually exclusive with I(config) and I(profile).
    type: str
  settings:
    description:
      - "The profile's settings for I(platform), as the CLI's config file takes them, for example
        C({url: https://vcenter.example/sdk, username: automation, insecureSkipTlsVerify: false})
        for vSphere or C({kubeconfig: /etc/vmshift/kubeconfig, namespace: prod}) for KubeVirt."
      - Secret settings (C(password), C(token), C(apiKey), C(secret), C(clientKey), C(privateKey),
        C(credential)) are refused here; give them in I(secrets).
      - Requires I(platform).
    type: dict
  secrets:
    description:
      - "The profile's secret settings for I(platform), for example C({password: ...}) or
        C({token: ...}); protected by C(no_log)."
      - "Each value is written to its own file with mode 0600 in a private temporary directory, and
        the generated profile refers to it as C({ file: path }). Secrets never appear on a command
        line, in the environment of the CLI or of any other process, or in the module's output."
      - The files are removed when the module ends. The CLI trims whitespace from secret files, so
        values with leading or trailing whitespace are refused.
      - Requires I(platform).
    type: dict
notes:
  - The modules run the C(vmshift) CLI on the managed node (usually C(localhost) or a management
    host with network access to the platform) with C(--json) and read its NDJSON events; they carry
    no platform logic of their own.
  - Errors of the SDK or the platform fail the task with the C(VmshiftError) I(code) (for example
    C(NOT_FOUND), C(INVALID_STATE), C(INCOMPATIBLE), C(MIGRATION_FAILED)) and its message.
requirements:
  - The vmshift CLI (C(npm i -g @vmshift/cli)) and Node.js 22.12 or later on the managed node.
'''
