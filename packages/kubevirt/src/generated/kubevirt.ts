/**
 * GENERATED FILE — DO NOT EDIT BY HAND.
 * Source: packages/kubevirt/spec/openapi3.json (KubeVirt v1.9.0, see spec/README.md),
 * 297 schemas reachable from: v1.VirtualMachine, v1.VirtualMachineList, v1.VirtualMachineInstance, v1.VirtualMachineInstanceList, v1.VirtualMachineInstanceMigration, v1.VirtualMachineInstanceMigrationList, v1.KubeVirt, v1.KubeVirtList, v1alpha1.MigrationPolicy, v1alpha1.MigrationPolicyList, v1.StartOptions, v1.StopOptions, k8s.io.apimachinery.pkg.apis.meta.v1.Status.
 * Generator: openapi-typescript 7 via packages/kubevirt/scripts/generate-types.ts.
 */
/* eslint-disable */
export type paths = Record<string, never>;
export type webhooks = Record<string, never>;
export type components = {
    schemas: {
        /** @description Affinity is a group of affinity scheduling rules. */
        "k8s.io.api.core.v1.Affinity": {
            nodeAffinity?: components["schemas"]["k8s.io.api.core.v1.NodeAffinity"];
            podAffinity?: components["schemas"]["k8s.io.api.core.v1.PodAffinity"];
            podAntiAffinity?: components["schemas"]["k8s.io.api.core.v1.PodAntiAffinity"];
        };
        /** @description DownwardAPIVolumeFile represents information to create the file containing the pod field */
        "k8s.io.api.core.v1.DownwardAPIVolumeFile": {
            fieldRef?: components["schemas"]["k8s.io.api.core.v1.ObjectFieldSelector"];
            /**
             * Format: int32
             * @description Optional: mode bits used to set permissions on this file, must be an octal value between 0000 and 0777 or a decimal value between 0 and 511. YAML accepts both octal and decimal values, JSON requires decimal values for mode bits. If not specified, the volume defaultMode will be used. This might be in conflict with other options that affect the file mode, like fsGroup, and the result can be other mode bits set.
             */
            mode?: number;
            /**
             * @description Required: Path is  the relative path name of the file to be created. Must not be absolute or contain the '..' path. Must be utf-8 encoded. The first item of the relative path must not start with '..'
             * @default
             */
            path: string;
            resourceFieldRef?: components["schemas"]["k8s.io.api.core.v1.ResourceFieldSelector"];
        };
        /** @description ExecAction describes a "run in container" action. */
        "k8s.io.api.core.v1.ExecAction": {
            /** @description Command is the command line to execute inside the container, the working directory for the command  is root ('/') in the container's filesystem. The command is simply exec'd, it is not run inside a shell, so traditional shell instructions ('|', etc) won't work. To use a shell, you need to explicitly call out to that shell. Exit status of 0 is treated as live/healthy and non-zero is unhealthy. */
            command?: string[];
        };
        /** @description HTTPGetAction describes an action based on HTTP Get requests. */
        "k8s.io.api.core.v1.HTTPGetAction": {
            /** @description Host name to connect to, defaults to the pod IP. You probably want to set "Host" in httpHeaders instead. */
            host?: string;
            /** @description Custom headers to set in the request. HTTP allows repeated headers. */
            httpHeaders?: components["schemas"]["k8s.io.api.core.v1.HTTPHeader"][];
            /** @description Path to access on the HTTP server. */
            path?: string;
            /** @description Name or number of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME. */
            port: string | number;
            /**
             * @description Scheme to use for connecting to the host. Defaults to HTTP.
             *
             *     Possible enum values:
             *      - `"HTTP"` means that the scheme used will be http://
             *      - `"HTTPS"` means that the scheme used will be https://
             * @enum {string}
             */
            scheme?: "HTTP" | "HTTPS";
        };
        /** @description HTTPHeader describes a custom header to be used in HTTP probes */
        "k8s.io.api.core.v1.HTTPHeader": {
            /**
             * @description The header field name. This will be canonicalized upon output, so case-variant names will be understood as the same header.
             * @default
             */
            name: string;
            /**
             * @description The header field value
             * @default
             */
            value: string;
        };
        /** @description LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace. */
        "k8s.io.api.core.v1.LocalObjectReference": {
            /**
             * @description Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. Instances of this type with an empty value here are almost certainly wrong. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names
             * @default
             */
            name: string;
        };
        /** @description Node affinity is a group of node affinity scheduling rules. */
        "k8s.io.api.core.v1.NodeAffinity": {
            /** @description The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions. The node that is most preferred is the one with the greatest sum of weights, i.e. for each node that meets all of the scheduling requirements (resource request, requiredDuringScheduling affinity expressions, etc.), compute a sum by iterating through the elements of this field and adding "weight" to the sum if the node matches the corresponding matchExpressions; the node(s) with the highest sum are the most preferred. */
            preferredDuringSchedulingIgnoredDuringExecution?: components["schemas"]["k8s.io.api.core.v1.PreferredSchedulingTerm"][];
            requiredDuringSchedulingIgnoredDuringExecution?: components["schemas"]["k8s.io.api.core.v1.NodeSelector"];
        };
        /** @description A node selector represents the union of the results of one or more label queries over a set of nodes; that is, it represents the OR of the selectors represented by the node selector terms. */
        "k8s.io.api.core.v1.NodeSelector": {
            /** @description Required. A list of node selector terms. The terms are ORed. */
            nodeSelectorTerms: components["schemas"]["k8s.io.api.core.v1.NodeSelectorTerm"][];
        };
        /** @description A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values. */
        "k8s.io.api.core.v1.NodeSelectorRequirement": {
            /**
             * @description The label key that the selector applies to.
             * @default
             */
            key: string;
            /**
             * @description Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. Gt, and Lt.
             *
             *     Possible enum values:
             *      - `"DoesNotExist"`
             *      - `"Exists"`
             *      - `"Gt"`
             *      - `"In"`
             *      - `"Lt"`
             *      - `"NotIn"`
             * @default
             * @enum {string}
             */
            operator: "DoesNotExist" | "Exists" | "Gt" | "In" | "Lt" | "NotIn";
            /** @description An array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. If the operator is Gt or Lt, the values array must have a single element, which will be interpreted as an integer. This array is replaced during a strategic merge patch. */
            values?: string[];
        };
        /** @description A null or empty node selector term matches no objects. The requirements of them are ANDed. The TopologySelectorTerm type implements a subset of the NodeSelectorTerm. */
        "k8s.io.api.core.v1.NodeSelectorTerm": {
            /** @description A list of node selector requirements by node's labels. */
            matchExpressions?: components["schemas"]["k8s.io.api.core.v1.NodeSelectorRequirement"][];
            /** @description A list of node selector requirements by node's fields. */
            matchFields?: components["schemas"]["k8s.io.api.core.v1.NodeSelectorRequirement"][];
        };
        /** @description ObjectFieldSelector selects an APIVersioned field of an object. */
        "k8s.io.api.core.v1.ObjectFieldSelector": {
            /** @description Version of the schema the FieldPath is written in terms of, defaults to "v1". */
            apiVersion?: string;
            /**
             * @description Path of the field to select in the specified API version.
             * @default
             */
            fieldPath: string;
        };
        /** @description PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes */
        "k8s.io.api.core.v1.PersistentVolumeClaimSpec": {
            /** @description accessModes contains the desired access modes the volume should have. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1 */
            accessModes?: ("ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOnce" | "ReadWriteOncePod")[];
            dataSource?: components["schemas"]["k8s.io.api.core.v1.TypedLocalObjectReference"];
            dataSourceRef?: components["schemas"]["k8s.io.api.core.v1.TypedObjectReference"];
            resources?: components["schemas"]["k8s.io.api.core.v1.VolumeResourceRequirements"];
            selector?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector"];
            /** @description storageClassName is the name of the StorageClass required by the claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#class-1 */
            storageClassName?: string;
            /** @description volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim. If specified, the CSI driver will create or update the volume with the attributes defined in the corresponding VolumeAttributesClass. This has a different purpose than storageClassName, it can be changed after the claim is created. An empty string or nil value indicates that no VolumeAttributesClass will be applied to the claim. If the claim enters an Infeasible error state, this field can be reset to its previous value (including nil) to cancel the modification. If the resource referred to by volumeAttributesClass does not exist, this PersistentVolumeClaim will be set to a Pending state, as reflected by the modifyVolumeStatus field, until such as a resource exists. More info: https://kubernetes.io/docs/concepts/storage/volume-attributes-classes/ */
            volumeAttributesClassName?: string;
            /**
             * @description volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.
             *
             *     Possible enum values:
             *      - `"Block"` means the volume will not be formatted with a filesystem and will remain a raw block device.
             *      - `"Filesystem"` means the volume will be or is formatted with a filesystem.
             *      - `"FromStorageProfile"` means the volume mode will be auto selected by CDI according to a matching StorageProfile
             * @enum {string}
             */
            volumeMode?: "Block" | "Filesystem" | "FromStorageProfile";
            /** @description volumeName is the binding reference to the PersistentVolume backing this claim. */
            volumeName?: string;
        };
        /** @description PersistentVolumeClaimVolumeSource references the user's PVC in the same namespace. This volume finds the bound PV and mounts that volume for the pod. A PersistentVolumeClaimVolumeSource is, essentially, a wrapper around another type of volume that is owned by someone else (the system). */
        "k8s.io.api.core.v1.PersistentVolumeClaimVolumeSource": {
            /**
             * @description claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims
             * @default
             */
            claimName: string;
            /** @description readOnly Will force the ReadOnly setting in VolumeMounts. Default false. */
            readOnly?: boolean;
        };
        /** @description Pod affinity is a group of inter pod affinity scheduling rules. */
        "k8s.io.api.core.v1.PodAffinity": {
            /** @description The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions. The node that is most preferred is the one with the greatest sum of weights, i.e. for each node that meets all of the scheduling requirements (resource request, requiredDuringScheduling affinity expressions, etc.), compute a sum by iterating through the elements of this field and adding "weight" to the sum if the node has pods which matches the corresponding podAffinityTerm; the node(s) with the highest sum are the most preferred. */
            preferredDuringSchedulingIgnoredDuringExecution?: components["schemas"]["k8s.io.api.core.v1.WeightedPodAffinityTerm"][];
            /** @description If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node. If the affinity requirements specified by this field cease to be met at some point during pod execution (e.g. due to a pod label update), the system may or may not try to eventually evict the pod from its node. When there are multiple elements, the lists of nodes corresponding to each podAffinityTerm are intersected, i.e. all terms must be satisfied. */
            requiredDuringSchedulingIgnoredDuringExecution?: components["schemas"]["k8s.io.api.core.v1.PodAffinityTerm"][];
        };
        /** @description Defines a set of pods (namely those matching the labelSelector relative to the given namespace(s)) that this pod should be co-located (affinity) or not co-located (anti-affinity) with, where co-located is defined as running on a node whose value of the label with key <topologyKey> matches that of any node on which a pod of the set of pods is running */
        "k8s.io.api.core.v1.PodAffinityTerm": {
            labelSelector?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector"];
            /** @description MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration. The keys are used to lookup values from the incoming pod labels, those key-value labels are merged with `labelSelector` as `key in (value)` to select the group of existing pods which pods will be taken into consideration for the incoming pod's pod (anti) affinity. Keys that don't exist in the incoming pod labels will be ignored. The default value is empty. The same key is forbidden to exist in both matchLabelKeys and labelSelector. Also, matchLabelKeys cannot be set when labelSelector isn't set. */
            matchLabelKeys?: string[];
            /** @description MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration. The keys are used to lookup values from the incoming pod labels, those key-value labels are merged with `labelSelector` as `key notin (value)` to select the group of existing pods which pods will be taken into consideration for the incoming pod's pod (anti) affinity. Keys that don't exist in the incoming pod labels will be ignored. The default value is empty. The same key is forbidden to exist in both mismatchLabelKeys and labelSelector. Also, mismatchLabelKeys cannot be set when labelSelector isn't set. */
            mismatchLabelKeys?: string[];
            /** @description namespaces specifies a static list of namespace names that the term applies to. The term is applied to the union of the namespaces listed in this field and the ones selected by namespaceSelector. null or empty namespaces list and null namespaceSelector means "this pod's namespace". */
            namespaces?: string[];
            namespaceSelector?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector"];
            /**
             * @description This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector in the specified namespaces, where co-located is defined as running on a node whose value of the label with key topologyKey matches that of any node on which any of the selected pods is running. Empty topologyKey is not allowed.
             * @default
             */
            topologyKey: string;
        };
        /** @description Pod anti affinity is a group of inter pod anti affinity scheduling rules. */
        "k8s.io.api.core.v1.PodAntiAffinity": {
            /** @description The scheduler will prefer to schedule pods to nodes that satisfy the anti-affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions. The node that is most preferred is the one with the greatest sum of weights, i.e. for each node that meets all of the scheduling requirements (resource request, requiredDuringScheduling anti-affinity expressions, etc.), compute a sum by iterating through the elements of this field and subtracting "weight" from the sum if the node has pods which matches the corresponding podAffinityTerm; the node(s) with the highest sum are the most preferred. */
            preferredDuringSchedulingIgnoredDuringExecution?: components["schemas"]["k8s.io.api.core.v1.WeightedPodAffinityTerm"][];
            /** @description If the anti-affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node. If the anti-affinity requirements specified by this field cease to be met at some point during pod execution (e.g. due to a pod label update), the system may or may not try to eventually evict the pod from its node. When there are multiple elements, the lists of nodes corresponding to each podAffinityTerm are intersected, i.e. all terms must be satisfied. */
            requiredDuringSchedulingIgnoredDuringExecution?: components["schemas"]["k8s.io.api.core.v1.PodAffinityTerm"][];
        };
        /** @description PodDNSConfig defines the DNS parameters of a pod in addition to those generated from DNSPolicy. */
        "k8s.io.api.core.v1.PodDNSConfig": {
            /** @description A list of DNS name server IP addresses. This will be appended to the base nameservers generated from DNSPolicy. Duplicated nameservers will be removed. */
            nameservers?: string[];
            /** @description A list of DNS resolver options. This will be merged with the base options generated from DNSPolicy. Duplicated entries will be removed. Resolution options given in Options will override those that appear in the base DNSPolicy. */
            options?: components["schemas"]["k8s.io.api.core.v1.PodDNSConfigOption"][];
            /** @description A list of DNS search domains for host-name lookup. This will be appended to the base search paths generated from DNSPolicy. Duplicated search paths will be removed. */
            searches?: string[];
        };
        /** @description PodDNSConfigOption defines DNS resolver options of a pod. */
        "k8s.io.api.core.v1.PodDNSConfigOption": {
            /** @description Name is this DNS resolver option's name. Required. */
            name?: string;
            /** @description Value is this DNS resolver option's value. */
            value?: string;
        };
        /** @description An empty preferred scheduling term matches all objects with implicit weight 0 (i.e. it's a no-op). A null preferred scheduling term matches no objects (i.e. is also a no-op). */
        "k8s.io.api.core.v1.PreferredSchedulingTerm": {
            preference: components["schemas"]["k8s.io.api.core.v1.NodeSelectorTerm"];
            /**
             * Format: int32
             * @description Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.
             * @default 0
             */
            weight: number;
        };
        /** @description ResourceFieldSelector represents container resources (cpu, memory) and their output format */
        "k8s.io.api.core.v1.ResourceFieldSelector": {
            /** @description Container name: required for volumes, optional for env vars */
            containerName?: string;
            divisor?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            /**
             * @description Required: resource to select
             * @default
             */
            resource: string;
        };
        /** @description TCPSocketAction describes an action based on opening a socket */
        "k8s.io.api.core.v1.TCPSocketAction": {
            /** @description Optional: Host name to connect to, defaults to the pod IP. */
            host?: string;
            /** @description Number or name of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME. */
            port: string | number;
        };
        /** @description The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>. */
        "k8s.io.api.core.v1.Toleration": {
            /**
             * @description Effect indicates the taint effect to match. Empty means match all taint effects. When specified, allowed values are NoSchedule, PreferNoSchedule and NoExecute.
             *
             *     Possible enum values:
             *      - `"NoExecute"` Evict any already-running pods that do not tolerate the taint. Currently enforced by NodeController.
             *      - `"NoSchedule"` Do not allow new pods to schedule onto the node unless they tolerate the taint, but allow all pods submitted to Kubelet without going through the scheduler to start, and allow all already-running pods to continue running. Enforced by the scheduler.
             *      - `"PreferNoSchedule"` Like TaintEffectNoSchedule, but the scheduler tries not to schedule new pods onto the node, rather than prohibiting new pods from scheduling onto the node entirely. Enforced by the scheduler.
             * @enum {string}
             */
            effect?: "NoExecute" | "NoSchedule" | "PreferNoSchedule";
            /** @description Key is the taint key that the toleration applies to. Empty means match all taint keys. If the key is empty, operator must be Exists; this combination means to match all values and all keys. */
            key?: string;
            /**
             * @description Operator represents a key's relationship to the value. Valid operators are Exists and Equal. Defaults to Equal. Exists is equivalent to wildcard for value, so that a pod can tolerate all taints of a particular category.
             *
             *     Possible enum values:
             *      - `"Equal"`
             *      - `"Exists"`
             * @enum {string}
             */
            operator?: "Equal" | "Exists";
            /**
             * Format: int64
             * @description TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute, otherwise this field is ignored) tolerates the taint. By default, it is not set, which means tolerate the taint forever (do not evict). Zero and negative values will be treated as 0 (evict immediately) by the system.
             */
            tolerationSeconds?: number;
            /** @description Value is the taint value the toleration matches to. If the operator is Exists, the value should be empty, otherwise just a regular string. */
            value?: string;
        };
        /** @description TopologySpreadConstraint specifies how to spread matching pods among the given topology. */
        "k8s.io.api.core.v1.TopologySpreadConstraint": {
            labelSelector?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector"];
            /**
             * @description MatchLabelKeys is a set of pod label keys to select the pods over which spreading will be calculated. The keys are used to lookup values from the incoming pod labels, those key-value labels are ANDed with labelSelector to select the group of existing pods over which spreading will be calculated for the incoming pod. The same key is forbidden to exist in both MatchLabelKeys and LabelSelector. MatchLabelKeys cannot be set when LabelSelector isn't set. Keys that don't exist in the incoming pod labels will be ignored. A null or empty list means only match against labelSelector.
             *
             *     This is a beta field and requires the MatchLabelKeysInPodTopologySpread feature gate to be enabled (enabled by default).
             */
            matchLabelKeys?: string[];
            /**
             * Format: int32
             * @description MaxSkew describes the degree to which pods may be unevenly distributed. When `whenUnsatisfiable=DoNotSchedule`, it is the maximum permitted difference between the number of matching pods in the target topology and the global minimum. The global minimum is the minimum number of matching pods in an eligible domain or zero if the number of eligible domains is less than MinDomains. For example, in a 3-zone cluster, MaxSkew is set to 1, and pods with the same labelSelector spread as 2/2/1: In this case, the global minimum is 1. | zone1 | zone2 | zone3 | |  P P  |  P P  |   P   | - if MaxSkew is 1, incoming pod can only be scheduled to zone3 to become 2/2/2; scheduling it onto zone1(zone2) would make the ActualSkew(3-1) on zone1(zone2) violate MaxSkew(1). - if MaxSkew is 2, incoming pod can be scheduled onto any zone. When `whenUnsatisfiable=ScheduleAnyway`, it is used to give higher precedence to topologies that satisfy it. It's a required field. Default value is 1 and 0 is not allowed.
             * @default 0
             */
            maxSkew: number;
            /**
             * Format: int32
             * @description MinDomains indicates a minimum number of eligible domains. When the number of eligible domains with matching topology keys is less than minDomains, Pod Topology Spread treats "global minimum" as 0, and then the calculation of Skew is performed. And when the number of eligible domains with matching topology keys equals or greater than minDomains, this value has no effect on scheduling. As a result, when the number of eligible domains is less than minDomains, scheduler won't schedule more than maxSkew Pods to those domains. If value is nil, the constraint behaves as if MinDomains is equal to 1. Valid values are integers greater than 0. When value is not nil, WhenUnsatisfiable must be DoNotSchedule.
             *
             *     For example, in a 3-zone cluster, MaxSkew is set to 2, MinDomains is set to 5 and pods with the same labelSelector spread as 2/2/2: | zone1 | zone2 | zone3 | |  P P  |  P P  |  P P  | The number of domains is less than 5(MinDomains), so "global minimum" is treated as 0. In this situation, new pod with the same labelSelector cannot be scheduled, because computed skew will be 3(3 - 0) if new Pod is scheduled to any of the three zones, it will violate MaxSkew.
             */
            minDomains?: number;
            /**
             * @description NodeAffinityPolicy indicates how we will treat Pod's nodeAffinity/nodeSelector when calculating pod topology spread skew. Options are: - Honor: only nodes matching nodeAffinity/nodeSelector are included in the calculations. - Ignore: nodeAffinity/nodeSelector are ignored. All nodes are included in the calculations.
             *
             *     If this value is nil, the behavior is equivalent to the Honor policy.
             *
             *     Possible enum values:
             *      - `"Honor"` means use this scheduling directive when calculating pod topology spread skew.
             *      - `"Ignore"` means ignore this scheduling directive when calculating pod topology spread skew.
             * @enum {string}
             */
            nodeAffinityPolicy?: "Honor" | "Ignore";
            /**
             * @description NodeTaintsPolicy indicates how we will treat node taints when calculating pod topology spread skew. Options are: - Honor: nodes without taints, along with tainted nodes for which the incoming pod has a toleration, are included. - Ignore: node taints are ignored. All nodes are included.
             *
             *     If this value is nil, the behavior is equivalent to the Ignore policy.
             *
             *     Possible enum values:
             *      - `"Honor"` means use this scheduling directive when calculating pod topology spread skew.
             *      - `"Ignore"` means ignore this scheduling directive when calculating pod topology spread skew.
             * @enum {string}
             */
            nodeTaintsPolicy?: "Honor" | "Ignore";
            /**
             * @description TopologyKey is the key of node labels. Nodes that have a label with this key and identical values are considered to be in the same topology. We consider each <key, value> as a "bucket", and try to put balanced number of pods into each bucket. We define a domain as a particular instance of a topology. Also, we define an eligible domain as a domain whose nodes meet the requirements of nodeAffinityPolicy and nodeTaintsPolicy. e.g. If TopologyKey is "kubernetes.io/hostname", each Node is a domain of that topology. And, if TopologyKey is "topology.kubernetes.io/zone", each zone is a domain of that topology. It's a required field.
             * @default
             */
            topologyKey: string;
            /**
             * @description WhenUnsatisfiable indicates how to deal with a pod if it doesn't satisfy the spread constraint. - DoNotSchedule (default) tells the scheduler not to schedule it. - ScheduleAnyway tells the scheduler to schedule the pod in any location,
             *       but giving higher precedence to topologies that would help reduce the
             *       skew.
             *     A constraint is considered "Unsatisfiable" for an incoming pod if and only if every possible node assignment for that pod would violate "MaxSkew" on some topology. For example, in a 3-zone cluster, MaxSkew is set to 1, and pods with the same labelSelector spread as 3/1/1: | zone1 | zone2 | zone3 | | P P P |   P   |   P   | If WhenUnsatisfiable is set to DoNotSchedule, incoming pod can only be scheduled to zone2(zone3) to become 3/2/1(3/1/2) as ActualSkew(2-1) on zone2(zone3) satisfies MaxSkew(1). In other words, the cluster can still be imbalanced, but scheduler won't make it *more* imbalanced. It's a required field.
             *
             *     Possible enum values:
             *      - `"DoNotSchedule"` instructs the scheduler not to schedule the pod when constraints are not satisfied.
             *      - `"ScheduleAnyway"` instructs the scheduler to schedule the pod even if constraints are not satisfied.
             * @default
             * @enum {string}
             */
            whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
        };
        /** @description TypedLocalObjectReference contains enough information to let you locate the typed referenced object inside the same namespace. */
        "k8s.io.api.core.v1.TypedLocalObjectReference": {
            /** @description APIGroup is the group for the resource being referenced. If APIGroup is not specified, the specified Kind must be in the core API group. For any other third-party types, APIGroup is required. */
            apiGroup?: string;
            /**
             * @description Kind is the type of resource being referenced
             * @default
             */
            kind: string;
            /**
             * @description Name is the name of resource being referenced
             * @default
             */
            name: string;
        };
        /** @description TypedObjectReference contains enough information to let you locate the typed referenced object */
        "k8s.io.api.core.v1.TypedObjectReference": {
            /** @description APIGroup is the group for the resource being referenced. If APIGroup is not specified, the specified Kind must be in the core API group. For any other third-party types, APIGroup is required. */
            apiGroup?: string;
            /**
             * @description Kind is the type of resource being referenced
             * @default
             */
            kind: string;
            /**
             * @description Name is the name of resource being referenced
             * @default
             */
            name: string;
            /** @description Namespace is the namespace of resource being referenced Note that when a namespace is specified, a gateway.networking.k8s.io/ReferenceGrant object is required in the referent namespace to allow that namespace's owner to accept the reference. See the ReferenceGrant documentation for details. (Alpha) This field requires the CrossNamespaceVolumeDataSource feature gate to be enabled. */
            namespace?: string;
        };
        /** @description VolumeResourceRequirements describes the storage resource requirements for a volume. */
        "k8s.io.api.core.v1.VolumeResourceRequirements": {
            /** @description Limits describes the maximum amount of compute resources allowed. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/ */
            limits?: {
                [key: string]: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            };
            /** @description Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified, otherwise to an implementation-defined value. Requests cannot exceed Limits. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/ */
            requests?: {
                [key: string]: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            };
        };
        /** @description The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most preferred node(s) */
        "k8s.io.api.core.v1.WeightedPodAffinityTerm": {
            podAffinityTerm: components["schemas"]["k8s.io.api.core.v1.PodAffinityTerm"];
            /**
             * Format: int32
             * @description weight associated with matching the corresponding podAffinityTerm, in the range 1-100.
             * @default 0
             */
            weight: number;
        };
        /**
         * @description Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.
         *
         *     The serialization format is:
         *
         *     ``` <quantity>        ::= <signedNumber><suffix>
         *
         *     	(Note that <suffix> may be empty, from the "" case in <decimalSI>.)
         *
         *     <digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= "+" | "-" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
         *
         *     	(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)
         *
         *     <decimalSI>       ::= m | "" | k | M | G | T | P | E
         *
         *     	(Note that 1024 = 1Ki but 1000 = 1k; I didn't choose the capitalization.)
         *
         *     <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber> ```
         *
         *     No matter which of the three exponent forms is used, no quantity may represent a number greater than 2^63-1 in magnitude, nor may it have more than 3 decimal places. Numbers larger or more precise will be capped or rounded up. (E.g.: 0.1m will rounded up to 1m.) This may be extended in the future if we require larger or smaller quantities.
         *
         *     When a Quantity is parsed from a string, it will remember the type of suffix it had, and will use the same type again when it is serialized.
         *
         *     Before serializing, Quantity will be put in "canonical form". This means that Exponent/suffix will be adjusted up or down (with a corresponding increase or decrease in Mantissa) such that:
         *
         *     - No precision is lost - No fractional digits will be emitted - The exponent (or suffix) is as large as possible.
         *
         *     The sign will be omitted unless the number is negative.
         *
         *     Examples:
         *
         *     - 1.5 will be serialized as "1500m" - 1.5Gi will be serialized as "1536Mi"
         *
         *     Note that the quantity will NEVER be internally represented by a floating point number. That is the whole point of this exercise.
         *
         *     Non-canonical values will still parse as long as they are well formed, but will be re-emitted in their canonical form. (So always use canonical form, or don't diff.)
         *
         *     This format is intended to make it difficult to use these numbers without writing some sort of special handling code in the hopes that that will cause implementors to also use a fixed point implementation.
         */
        "k8s.io.apimachinery.pkg.api.resource.Quantity": string | number;
        /** @description Duration is a wrapper around time.Duration which supports correct marshaling to YAML and JSON. In particular, it marshals into strings, which can be used as map keys in json. */
        "k8s.io.apimachinery.pkg.apis.meta.v1.Duration": string;
        /**
         * @description FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.
         *
         *     Each key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.
         *
         *     The exact format is defined in sigs.k8s.io/structured-merge-diff
         */
        "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1": Record<string, never>;
        /** @description A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects. */
        "k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector": {
            /** @description matchExpressions is a list of label selector requirements. The requirements are ANDed. */
            matchExpressions?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement"][];
            /** @description matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed. */
            matchLabels?: {
                [key: string]: string;
            };
        };
        /** @description A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values. */
        "k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement": {
            /**
             * @description key is the label key that the selector applies to.
             * @default
             */
            key: string;
            /**
             * @description operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist.
             * @default
             */
            operator: string;
            /** @description values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch. */
            values?: string[];
        };
        /** @description ListMeta describes metadata that synthetic resources must have, including lists and various status objects. A resource may have only one of {ObjectMeta, ListMeta}. */
        "k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta": {
            /** @description continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available. The value is opaque and may be used to issue another request to the endpoint that served this list to retrieve the next set of available objects. Continuing a consistent list may not be possible if the server configuration has changed or more than a few minutes have passed. The resourceVersion field returned when using this continue value will be identical to the value in the first response, unless you have received this token from an error message. */
            continue?: string;
            /**
             * Format: int64
             * @description remainingItemCount is the number of subsequent items in the list which are not included in this list response. If the list request contained label or field selectors, then the number of remaining items is unknown and the field will be left unset and omitted during serialization. If the list is complete (either because it is not chunking or because this is the last chunk), then there are no more remaining items and this field will be left unset and omitted during serialization. Servers older than v1.15 do not set this field. The intended use of the remainingItemCount is *estimating* the size of a collection. Clients should not rely on the remainingItemCount to be set or to be exact.
             */
            remainingItemCount?: number;
            /** @description String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed. Value must be treated as opaque by clients and passed unmodified back to the server. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency */
            resourceVersion?: string;
            /** @description Deprecated: selfLink is a legacy read-only field that is no longer populated by the system. */
            selfLink?: string;
        };
        /** @description ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to. */
        "k8s.io.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry": {
            /** @description APIVersion defines the version of this resource that this field set applies to. The format is "group/version" just like the top-level APIVersion field. It is necessary to track the version of a field set because it cannot be automatically converted. */
            apiVersion?: string;
            /** @description FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: "FieldsV1" */
            fieldsType?: string;
            fieldsV1?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1"];
            /** @description Manager is an identifier of the workflow managing these fields. */
            manager?: string;
            /** @description Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'. */
            operation?: string;
            /** @description Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource. The value of this field is used to distinguish between managers, even if they share the same name. For example, a status update will be distinct from a regular update using the same manager name. Note that the APIVersion field is not related to the Subresource field and it always corresponds to the version of the main resource. */
            subresource?: string;
            time?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
        };
        /** @description ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create. */
        "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
            /** @description Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations */
            annotations?: {
                [key: string]: string;
            };
            /**
             * @description CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.
             *
             *     Populated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
             */
            creationTimestamp?: string | null;
            /**
             * Format: int64
             * @description Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. May only be shortened. Read-only.
             */
            deletionGracePeriodSeconds?: number;
            deletionTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
            /** @description Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list. If the deletionTimestamp of the object is non-nil, entries in this list can only be removed. Finalizers may be processed and removed in any order.  Order is NOT enforced because it introduces significant risk of stuck finalizers. finalizers is a shared field, any actor with permission can reorder it. If the finalizer list is processed in order, then this can lead to a situation in which the component responsible for the first finalizer in the list is waiting for a signal (field value, external system, or other) produced by a component responsible for a finalizer later in the list, resulting in a deadlock. Without enforced ordering finalizers are free to order amongst themselves and are not vulnerable to ordering changes in the list. */
            finalizers?: string[];
            /**
             * @description GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided. If this field is used, the name returned to the client will be different than the name passed. This value will also be combined with a unique suffix. The provided value has the same validation rules as the Name field, and may be truncated by the length of the suffix required to make the value unique on the server.
             *
             *     If this field is specified and the generated name exists, the server will return a 409.
             *
             *     Applied only if Name is not specified. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#idempotency
             */
            generateName?: string;
            /**
             * Format: int64
             * @description A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.
             */
            generation?: number;
            /** @description Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels */
            labels?: {
                [key: string]: string;
            };
            /** @description ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically shouldn't need to set or understand this field. A workflow can be the user's name, a controller's name, or the name of a specific apply path like "ci-cd". The set of fields is always in the version that the workflow used when modifying the object. */
            managedFields?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry"][];
            /** @description Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names */
            name?: string;
            /**
             * @description Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the "default" namespace, but "default" is the canonical representation. Not all objects are required to be scoped to a namespace - the value of this field for those objects will be empty.
             *
             *     Must be a DNS_LABEL. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces
             */
            namespace?: string;
            /** @description List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected. If this object is managed by a controller, then an entry in this list will point to this controller, with the controller field set to true. There cannot be more than one managing controller. */
            ownerReferences?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference"][];
            /**
             * @description An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. May be used for optimistic concurrency, change detection, and the watch operation on a resource or set of resources. Clients must treat these values as opaque and passed unmodified back to the server. They may only be valid for a particular resource or set of resources.
             *
             *     Populated by the system. Read-only. Value must be treated as opaque by clients and . More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency
             */
            resourceVersion?: string;
            /** @description Deprecated: selfLink is a legacy read-only field that is no longer populated by the system. */
            selfLink?: string;
            /**
             * @description UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations.
             *
             *     Populated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids
             */
            uid?: string;
        };
        /** @description OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field. */
        "k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference": {
            /**
             * @description API version of the referent.
             * @default
             */
            apiVersion: string;
            /** @description If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed. See https://kubernetes.io/docs/concepts/architecture/garbage-collection/#foreground-deletion for how the garbage collector interacts with this field and enforces the foreground deletion. Defaults to false. To set this field, a user needs "delete" permission of the owner, otherwise 422 (Unprocessable Entity) will be returned. */
            blockOwnerDeletion?: boolean;
            /** @description If true, this reference points to the managing controller. */
            controller?: boolean;
            /**
             * @description Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
             * @default
             */
            kind: string;
            /**
             * @description Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names
             * @default
             */
            name: string;
            /**
             * @description UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids
             * @default
             */
            uid: string;
        };
        /** @description Status is a return value for calls that don't return other objects. */
        "k8s.io.apimachinery.pkg.apis.meta.v1.Status": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            /**
             * Format: int32
             * @description Suggested HTTP return code for this status, 0 if not set.
             */
            code?: number;
            details?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.StatusDetails"];
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            /** @description A human-readable description of the status of this operation. */
            message?: string;
            metadata?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta"];
            /** @description A machine-readable description of why this operation is in the "Failure" status. If this value is empty there is no information available. A Reason clarifies an HTTP status code but does not override it. */
            reason?: string;
            /** @description Status of the operation. One of: "Success" or "Failure". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status */
            status?: string;
        };
        /** @description StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered. */
        "k8s.io.apimachinery.pkg.apis.meta.v1.StatusCause": {
            /**
             * @description The field of the resource that has caused this error, as named by its JSON serialization. May include dot and postfix notation for nested attributes. Arrays are zero-indexed.  Fields may appear more than once in an array of causes due to fields having multiple errors. Optional.
             *
             *     Examples:
             *       "name" - the field "name" on the current resource
             *       "items[0].name" - the field "name" on the first array entry in "items"
             */
            field?: string;
            /** @description A human-readable description of the cause of the error.  This field may be presented as-is to a reader. */
            message?: string;
            /** @description A machine-readable description of the cause of the error. If this value is empty there is no information available. */
            reason?: string;
        };
        /** @description StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response. The Reason field of a Status object defines what attributes will be set. Clients must ignore fields that do not match the defined type of each attribute, and should assume that any attribute may be empty, invalid, or under defined. */
        "k8s.io.apimachinery.pkg.apis.meta.v1.StatusDetails": {
            /** @description The Causes array includes more details associated with the StatusReason failure. Not all StatusReasons may provide detailed causes. */
            causes?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.StatusCause"][];
            /** @description The group attribute of the resource associated with the status StatusReason. */
            group?: string;
            /** @description The kind attribute of the resource associated with the status StatusReason. On some operations may differ from the requested resource Kind. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            /** @description The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described). */
            name?: string;
            /**
             * Format: int32
             * @description If specified, the time in seconds before the operation should be retried. Some errors may indicate the client must take an alternate action - for those errors this field may indicate how long to wait before taking the alternate action.
             */
            retryAfterSeconds?: number;
            /** @description UID of the resource. (when there is a single resource which can be described). More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids */
            uid?: string;
        };
        /**
         * Format: date-time
         * @description Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.
         */
        "k8s.io.apimachinery.pkg.apis.meta.v1.Time": string;
        /** @description AccessCredential represents a credential source that can be used to authorize remote access to the vm guest Only one of its members may be specified. */
        "v1.AccessCredential": {
            sshPublicKey?: components["schemas"]["v1.SSHPublicKeyAccessCredential"];
            userPassword?: components["schemas"]["v1.UserPasswordAccessCredential"];
        };
        "v1.AccessCredentialSecretSource": {
            /**
             * @description SecretName represents the name of the secret in the VMI's namespace
             * @default
             */
            secretName: string;
        };
        "v1.ACPI": {
            /** @description Similar to SlicNameRef, another ACPI entry that is used in more recent Windows versions. The above points to the spec of MSDM too. */
            msdmNameRef?: string;
            /** @description SlicNameRef should match the volume name of a secret object. The data in the secret should be a binary blob that follows the ACPI SLIC standard, see: https://learn.microsoft.com/en-us/previous-versions/windows/hardware/design/dn653305(v=vs.85) */
            slicNameRef?: string;
        };
        /** @description AddVolumeOptions is provided when dynamically hot plugging a volume and disk */
        "v1.AddVolumeOptions": {
            disk: components["schemas"]["v1.Disk"];
            /** @description When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed */
            dryRun?: string[];
            /**
             * @description Name represents the name that will be used to map the disk to the corresponding volume. This overrides any name set inside the Disk struct itself.
             * @default
             */
            name: string;
            volumeSource: components["schemas"]["v1.HotplugVolumeSource"];
        };
        "v1.ArchConfiguration": {
            amd64?: components["schemas"]["v1.ArchSpecificConfiguration"];
            arm64?: components["schemas"]["v1.ArchSpecificConfiguration"];
            defaultArchitecture?: string;
            ppc64le?: components["schemas"]["v1.ArchSpecificConfiguration"];
            s390x?: components["schemas"]["v1.ArchSpecificConfiguration"];
        };
        "v1.ArchSpecificConfiguration": {
            emulatedMachines?: string[];
            machineType?: string;
            ovmfPath?: string;
        };
        /** @description If set (default), BIOS will be used. */
        "v1.BIOS": {
            /** @description If set, the BIOS output will be transmitted over serial */
            useSerial?: boolean;
        };
        /** @description BlockSize provides the option to change the block size presented to the VM for a disk. Only one of its members may be specified. */
        "v1.BlockSize": {
            custom?: components["schemas"]["v1.CustomBlockSize"];
            matchVolume?: components["schemas"]["v1.FeatureState"];
        };
        /** @description Represents the firmware blob used to assist in the domain creation process. Used for setting the QEMU BIOS file path for the libvirt domain. */
        "v1.Bootloader": {
            bios?: components["schemas"]["v1.BIOS"];
            efi?: components["schemas"]["v1.EFI"];
        };
        "v1.CDRomTarget": {
            /** @description Bus indicates the type of disk device to emulate. supported values: virtio, sata, scsi. */
            bus?: string;
            /** @description ReadOnly. Defaults to true. */
            readonly?: boolean;
            /** @description Tray indicates if the tray of the device is open or closed. Allowed values are "open" and "closed". Defaults to closed. */
            tray?: string;
        };
        /** @description CertConfig contains the tunables for TLS certificates */
        "v1.CertConfig": {
            duration?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Duration"];
            renewBefore?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Duration"];
        };
        "v1.ChangedBlockTrackingSelectors": {
            namespaceLabelSelector?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector"];
            virtualMachineLabelSelector?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector"];
        };
        /** @description ChangedBlockTrackingStatus represents the status of ChangedBlockTracking for a VM */
        "v1.ChangedBlockTrackingStatus": {
            backupStatus?: components["schemas"]["v1.VirtualMachineInstanceBackupStatus"];
            /**
             * @description State represents the current CBT state
             * @default
             */
            state: string;
        };
        /** @description Chassis specifies the chassis info passed to the domain. */
        "v1.Chassis": {
            asset?: string;
            manufacturer?: string;
            serial?: string;
            sku?: string;
            version?: string;
        };
        "v1.ClaimRequest": {
            /** @description ClaimName references the name of an entry in the VMI's spec.resourceClaims[] array. The referenced entry may use either resourceClaimName or resourceClaimTemplateName. */
            claimName?: string;
            /** @description RequestName specifies which request from the ResourceClaim/ResourceClaimTemplate spec.devices.requests array this claim request corresponds to. */
            requestName?: string;
        };
        /**
         * @description Represent a subset of client devices that can be accessed by VMI. At the moment only, USB devices using Usbredir's library and tooling. Another fit would be a smartcard with libcacard.
         *
         *     The struct is currently empty as there is no immediate request for user-facing APIs. This structure simply turns on USB redirection of UsbClientPassthroughMaxNumberOf devices.
         */
        "v1.ClientPassthroughDevices": Record<string, never>;
        /** @description Represents the clock and timers of a vmi. */
        "v1.Clock": {
            timer?: components["schemas"]["v1.Timer"];
            /** @description Timezone sets the guest clock to the specified timezone. Zone name follows the TZ environment variable format (e.g. 'America/New_York'). */
            timezone?: string;
            utc?: components["schemas"]["v1.ClockOffsetUTC"];
        };
        /** @description UTC sets the guest clock to UTC on each boot. */
        "v1.ClockOffsetUTC": {
            /**
             * Format: int32
             * @description OffsetSeconds specifies an offset in seconds, relative to UTC. If set, guest changes to the clock will be kept during reboots and not reset.
             */
            offsetSeconds?: number;
        };
        /** @description Represents a cloud-init config drive user data source. More info: https://cloudinit.readthedocs.io/en/latest/topics/datasources/configdrive.html */
        "v1.CloudInitConfigDriveSource": {
            /** @description NetworkData contains config drive inline cloud-init networkdata. */
            networkData?: string;
            /** @description NetworkDataBase64 contains config drive cloud-init networkdata as a base64 encoded string. */
            networkDataBase64?: string;
            networkDataSecretRef?: components["schemas"]["k8s.io.api.core.v1.LocalObjectReference"];
            secretRef?: components["schemas"]["k8s.io.api.core.v1.LocalObjectReference"];
            /** @description UserData contains config drive inline cloud-init userdata. */
            userData?: string;
            /** @description UserDataBase64 contains config drive cloud-init userdata as a base64 encoded string. */
            userDataBase64?: string;
        };
        /** @description Represents a cloud-init nocloud user data source. More info: http://cloudinit.readthedocs.io/en/latest/topics/datasources/nocloud.html */
        "v1.CloudInitNoCloudSource": {
            /** @description NetworkData contains NoCloud inline cloud-init networkdata. */
            networkData?: string;
            /** @description NetworkDataBase64 contains NoCloud cloud-init networkdata as a base64 encoded string. */
            networkDataBase64?: string;
            networkDataSecretRef?: components["schemas"]["k8s.io.api.core.v1.LocalObjectReference"];
            secretRef?: components["schemas"]["k8s.io.api.core.v1.LocalObjectReference"];
            /** @description UserData contains NoCloud inline cloud-init userdata. */
            userData?: string;
            /** @description UserDataBase64 contains NoCloud cloud-init userdata as a base64 encoded string. */
            userDataBase64?: string;
        };
        "v1.CommonInstancetypesDeployment": {
            /** @description Enabled controls the deployment of common-instancetypes resources, defaults to True. */
            enabled?: boolean;
        };
        "v1.ComponentConfig": {
            nodePlacement?: components["schemas"]["v1.NodePlacement"];
            /**
             * Format: byte
             * @description replicas indicates how many replicas should be created for each KubeVirt infrastructure component (like virt-api or virt-controller). Defaults to 2. WARNING: this is an advanced feature that prevents auto-scaling for core kubevirt components. Please use with caution!
             */
            replicas?: number;
        };
        "v1.ConfidentialComputeConfiguration": {
            tdx?: components["schemas"]["v1.TDXConfiguration"];
        };
        "v1.ConfigDriveSSHPublicKeyAccessCredentialPropagation": Record<string, never>;
        /** @description ConfigMapVolumeSource adapts a ConfigMap into a volume. More info: https://kubernetes.io/docs/concepts/storage/volumes/#configmap */
        "v1.ConfigMapVolumeSource": {
            /**
             * @description Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. Instances of this type with an empty value here are almost certainly wrong. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names
             * @default
             */
            name: string;
            /** @description Specify whether the ConfigMap or it's keys must be defined */
            optional?: boolean;
            /** @description The volume label of the resulting disk inside the VMI. Different bootstrapping mechanisms require different values. Typical values are "cidata" (cloud-init), "config-2" (cloud-init) or "OEMDRV" (kickstart). */
            volumeLabel?: string;
        };
        /** @description ContainerDiskInfo shows info about the containerdisk */
        "v1.ContainerDiskInfo": {
            /**
             * Format: int64
             * @description Checksum is the checksum of the rootdisk or kernel artifacts inside the containerdisk
             */
            checksum?: number;
        };
        /** @description Represents a docker image with an embedded disk. */
        "v1.ContainerDiskSource": {
            /**
             * @description Image is the name of the image with the embedded disk.
             * @default
             */
            image: string;
            /**
             * @description Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise. Cannot be updated. More info: https://kubernetes.io/docs/concepts/containers/images#updating-images
             *
             *     Possible enum values:
             *      - `"Always"` means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.
             *      - `"IfNotPresent"` means that kubelet pulls if the image isn't present on disk. Container will fail if the image isn't present and the pull fails.
             *      - `"Never"` means that kubelet never pulls an image, but only uses a local image. Container will fail if the image isn't present
             * @enum {string}
             */
            imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
            /** @description ImagePullSecret is the name of the Docker registry secret required to pull the image. The secret must already exist. */
            imagePullSecret?: string;
            /** @description Path defines the path to disk file in the container */
            path?: string;
        };
        /** @description ContainerPathVolumeSource represents a path from the virt-launcher container to be exposed to the VM via virtiofs. The path must correspond to an existing volumeMount in the virt-launcher pod's compute container. */
        "v1.ContainerPathVolumeSource": {
            /**
             * @description Path is the absolute path within the virt-launcher container to expose to the VM. The path must correspond to an existing volumeMount in the compute container.
             * @default
             */
            path: string;
            /** @description ReadOnly controls whether the volume is exposed as read-only to the VM. Defaults to true. Write access is not currently supported. */
            readOnly?: boolean;
        };
        "v1.ControllerRevisionRef": {
            /** @description Name of the ControllerRevision */
            name?: string;
        };
        /** @description CPU allows specifying the CPU topology. */
        "v1.CPU": {
            /**
             * Format: int64
             * @description Cores specifies the number of cores inside the vmi. Must be a value greater or equal 1.
             */
            cores?: number;
            /** @description DedicatedCPUPlacement requests the scheduler to place the VirtualMachineInstance on a node with enough dedicated pCPUs and pin the vCPUs to it. */
            dedicatedCpuPlacement?: boolean;
            /** @description Features specifies the CPU features list inside the VMI. */
            features?: components["schemas"]["v1.CPUFeature"][];
            /** @description IsolateEmulatorThread requests one more dedicated pCPU to be allocated for the VMI to place the emulator thread on it. */
            isolateEmulatorThread?: boolean;
            /**
             * Format: int64
             * @description MaxSockets specifies the maximum amount of sockets that can be hotplugged
             */
            maxSockets?: number;
            /** @description Model specifies the CPU model inside the VMI. List of available models https://github.com/libvirt/libvirt/tree/master/src/cpu_map. It is possible to specify special cases like "host-passthrough" to get the same CPU as the node and "host-model" to get CPU closest to the node one. Defaults to host-model. */
            model?: string;
            numa?: components["schemas"]["v1.NUMA"];
            realtime?: components["schemas"]["v1.Realtime"];
            /**
             * Format: int64
             * @description Sockets specifies the number of sockets inside the vmi. Must be a value greater or equal 1.
             */
            sockets?: number;
            /**
             * Format: int64
             * @description Threads specifies the number of threads inside the vmi. Must be a value greater or equal 1.
             */
            threads?: number;
        };
        /** @description CPUFeature allows specifying a CPU feature. */
        "v1.CPUFeature": {
            /**
             * @description Name of the CPU feature
             * @default
             */
            name: string;
            /** @description Policy is the CPU feature attribute which can have the following attributes: force    - The virtual CPU will claim the feature is supported regardless of it being supported by host CPU. require  - Guest creation will fail unless the feature is supported by the host CPU or the hypervisor is able to emulate it. optional - The feature will be supported by virtual CPU if and only if it is supported by host CPU. disable  - The feature will not be supported by virtual CPU. forbid   - Guest creation will fail if the feature is supported by host CPU. Defaults to require */
            policy?: string;
        };
        /** @description CPUTopology allows specifying the amount of cores, sockets and threads. */
        "v1.CPUTopology": {
            /**
             * Format: int64
             * @description Cores specifies the number of cores inside the vmi. Must be a value greater or equal 1.
             */
            cores?: number;
            /**
             * Format: int64
             * @description Sockets specifies the number of sockets inside the vmi. Must be a value greater or equal 1.
             */
            sockets?: number;
            /**
             * Format: int64
             * @description Threads specifies the number of threads inside the vmi. Must be a value greater or equal 1.
             */
            threads?: number;
        };
        /** @description CustomBlockSize represents the desired logical and physical block size for a VM disk. */
        "v1.CustomBlockSize": {
            /** Format: int32 */
            discardGranularity?: number;
            /** Format: int32 */
            logical?: number;
            /** Format: int32 */
            physical?: number;
        };
        "v1.CustomizeComponents": {
            flags?: components["schemas"]["v1.Flags"];
            patches?: components["schemas"]["v1.CustomizeComponentsPatch"][];
        };
        "v1.CustomizeComponentsPatch": {
            /** @default  */
            patch: string;
            /** @default  */
            resourceName: string;
            /** @default  */
            resourceType: string;
            /** @default  */
            type: string;
        };
        "v1.CustomProfile": {
            localhostProfile?: string;
            runtimeDefaultProfile?: boolean;
        };
        "v1.DataVolumeSource": {
            /** @description Hotpluggable indicates whether the volume can be hotplugged and hotunplugged. */
            hotpluggable?: boolean;
            /**
             * @description Name of both the DataVolume and the PVC in the same namespace.
             * @default
             */
            name: string;
        };
        "v1.DataVolumeTemplateDummyStatus": Record<string, never> | null;
        "v1.DataVolumeTemplateSpec": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            metadata?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"];
            spec: components["schemas"]["v1beta1.DataVolumeSpec"];
            status?: components["schemas"]["v1.DataVolumeTemplateDummyStatus"];
        };
        /** @description DeprecatedInterfaceMacvtap is an alias to the deprecated InterfaceMacvtap that connects to a given network by extending the Kubernetes node's L2 networks via a macvtap interface. Deprecated: Removed in v1.3 */
        "v1.DeprecatedInterfaceMacvtap": Record<string, never>;
        /** @description DeprecatedInterfacePasst is an alias to the deprecated InterfacePasst Deprecated: Removed in v1.3 */
        "v1.DeprecatedInterfacePasst": Record<string, never>;
        /** @description DeprecatedInterfaceSlirp is an alias to the deprecated InterfaceSlirp that connects to a given network using QEMU user networking mode. Deprecated: Removed in v1.3 */
        "v1.DeprecatedInterfaceSlirp": Record<string, never>;
        /** @description DeveloperConfiguration holds developer options */
        "v1.DeveloperConfiguration": {
            /** @description Enable the ability to pprof profile KubeVirt control plane */
            clusterProfiler?: boolean;
            /**
             * Format: int32
             * @description For each requested virtual CPU, CPUAllocationRatio defines how much physical CPU to request per VMI from the hosting node. The value is in fraction of a CPU thread (or core on non-hyperthreaded nodes). For example, a value of 1 means 1 physical CPU thread per VMI CPU thread. A value of 100 would be 1% of a physical thread allocated for each requested VMI thread. This option has no effect on VMIs that request dedicated CPUs. More information at: https://kubevirt.io/user-guide/operations/node_overcommit/#node-cpu-allocation-ratio Defaults to 10
             */
            cpuAllocationRatio?: number;
            /** @description DisabledFeatureGates specifies a list of experimental feature gates to disable. A feature gate must not appear in both FeatureGates and DisabledFeatureGates. */
            disabledFeatureGates?: string[];
            diskVerification?: components["schemas"]["v1.DiskVerification"];
            /** @description FeatureGates specifies a list of experimental feature gates to enable. Defaults to none. A feature gate must not appear in both FeatureGates and DisabledFeatureGates. */
            featureGates?: string[];
            logVerbosity?: components["schemas"]["v1.LogVerbosity"];
            /**
             * Format: int32
             * @description MemoryOvercommit is the percentage of memory we want to give VMIs compared to the amount given to its parent pod (virt-launcher). For example, a value of 102 means the VMI will "see" 2% more memory than its parent pod. Values under 100 are effectively "undercommits". Overcommits can lead to memory exhaustion, which in turn can lead to crashes. Use carefully. Defaults to 100
             */
            memoryOvercommit?: number;
            /**
             * Format: int64
             * @description Allow overriding the automatically determined minimum TSC frequency of the cluster and fixate the minimum to this frequency.
             */
            minimumClusterTSCFrequency?: number;
            /**
             * Format: int64
             * @description MinimumReservePVCBytes is the amount of space, in bytes, to leave unused on disks. Defaults to 131072 (128KiB)
             */
            minimumReservePVCBytes?: number;
            /** @description NodeSelectors allows restricting VMI creation to nodes that match a set of labels. Defaults to none */
            nodeSelectors?: {
                [key: string]: string;
            };
            /**
             * Format: int32
             * @description LessPVCSpaceToleration determines how much smaller, in percentage, disk PVCs are allowed to be compared to the requested size (to account for various overheads). Defaults to 10
             */
            pvcTolerateLessSpaceUpToPercent?: number;
            /** @description UseEmulation can be set to true to allow fallback to software emulation in case hardware-assisted emulation is not available. Defaults to false */
            useEmulation?: boolean;
        };
        "v1.Devices": {
            /** @description Whether to attach the default graphics device or not. VNC will not be available if set to false. Defaults to true. */
            autoattachGraphicsDevice?: boolean;
            /** @description Whether to attach an Input Device. Defaults to false. */
            autoattachInputDevice?: boolean;
            /** @description Whether to attach the Memory balloon device with default period. Period can be adjusted in virt-config. Defaults to true. */
            autoattachMemBalloon?: boolean;
            /** @description Whether to attach a pod network interface. Defaults to true. */
            autoattachPodInterface?: boolean;
            /** @description Whether to attach the default virtio-serial console or not. Serial console access will not be available if set to false. Defaults to true. */
            autoattachSerialConsole?: boolean;
            /** @description Whether to attach the VSOCK CID to the VM or not. VSOCK access will be available if set to true. Defaults to false. */
            autoattachVSOCK?: boolean;
            /** @description Whether or not to enable virtio multi-queue for block devices. Defaults to false. */
            blockMultiQueue?: boolean;
            clientPassthrough?: components["schemas"]["v1.ClientPassthroughDevices"];
            /** @description DisableHotplug disabled the ability to hotplug disks. */
            disableHotplug?: boolean;
            /** @description Disks describes disks, cdroms and luns which are connected to the vmi. */
            disks?: components["schemas"]["v1.Disk"][];
            downwardMetrics?: components["schemas"]["v1.DownwardMetrics"];
            /** @description Filesystems describes filesystem which is connected to the vmi. */
            filesystems?: components["schemas"]["v1.Filesystem"][];
            /** @description Whether to attach a GPU device to the vmi. */
            gpus?: components["schemas"]["v1.GPU"][];
            /** @description Whether to attach a host device to the vmi. */
            hostDevices?: components["schemas"]["v1.HostDevice"][];
            /** @description Inputs describe input devices */
            inputs?: components["schemas"]["v1.Input"][];
            /** @description Interfaces describe network interfaces which are added to the vmi. */
            interfaces?: components["schemas"]["v1.Interface"][];
            /** @description Whether to log the auto-attached default serial console or not. Serial console logs will be collect to a file and then streamed from a named `guest-console-log`. Not relevant if autoattachSerialConsole is disabled. Defaults to cluster wide setting on VirtualMachineOptions. */
            logSerialConsole?: boolean;
            /** @description If specified, virtual network interfaces configured with a virtio bus will also enable the vhost multiqueue feature for network devices. The number of queues created depends on additional factors of the VirtualMachineInstance, like the number of guest CPUs. */
            networkInterfaceMultiqueue?: boolean;
            /** @description PanicDevices provides additional crash information when a guest crashes. */
            panicDevices?: components["schemas"]["v1.PanicDevice"][];
            rng?: components["schemas"]["v1.Rng"];
            sound?: components["schemas"]["v1.SoundDevice"];
            tpm?: components["schemas"]["v1.TPMDevice"];
            /** @description Fall back to legacy virtio 0.9 support if virtio bus is selected on devices. This is helpful for old machines like CentOS6 or RHEL6 which do not understand virtio_non_transitional (virtio 1.0). */
            useVirtioTransitional?: boolean;
            video?: components["schemas"]["v1.VideoDevice"];
            watchdog?: components["schemas"]["v1.Watchdog"];
        };
        /** @description Extra DHCP options to use in the interface. */
        "v1.DHCPOptions": {
            /** @description If specified will pass option 67 to interface's DHCP server */
            bootFileName?: string;
            /** @description If specified will pass the configured NTP server to the VM via DHCP option 042. */
            ntpServers?: string[];
            /** @description If specified will pass extra DHCP options for private use, range: 224-254 */
            privateOptions?: components["schemas"]["v1.DHCPPrivateOptions"][];
            /** @description If specified will pass option 66 to interface's DHCP server */
            tftpServerName?: string;
        };
        /** @description DHCPExtraOptions defines Extra DHCP options for a VM. */
        "v1.DHCPPrivateOptions": {
            /**
             * Format: int32
             * @description Option is an Integer value from 224-254 Required.
             * @default 0
             */
            option: number;
            /**
             * @description Value is a String value for the Option provided Required.
             * @default
             */
            value: string;
        };
        /** @description diag288 watchdog device. */
        "v1.Diag288Watchdog": {
            /** @description The action to take. Valid values are poweroff, reset, shutdown. Defaults to reset. */
            action?: string;
        };
        "v1.DisableFreePageReporting": Record<string, never>;
        "v1.DisableSerialConsoleLog": Record<string, never>;
        "v1.Disk": {
            blockSize?: components["schemas"]["v1.BlockSize"];
            /**
             * Format: int32
             * @description BootOrder is an integer value > 0, used to determine ordering of boot devices. Lower values take precedence. Each disk or interface that has a boot order must have a unique value. Disks without a boot order are not tried if a disk with a boot order exists.
             */
            bootOrder?: number;
            /** @description Cache specifies which kvm disk cache mode should be used. Supported values are: none: Guest I/O not cached on the host, but may be kept in a disk cache. writethrough: Guest I/O cached on the host but written through to the physical medium. Slowest but with most guarantees. writeback: Guest I/O cached on the host. Defaults to none if the storage supports O_DIRECT, otherwise writethrough. */
            cache?: string;
            cdrom?: components["schemas"]["v1.CDRomTarget"];
            /** @description ChangedBlockTracking indicates this disk should have CBT option Defaults to false. */
            changedBlockTracking?: boolean;
            /** @description dedicatedIOThread indicates this disk should have an exclusive IO Thread. Enabling this implies useIOThreads = true. Defaults to false. */
            dedicatedIOThread?: boolean;
            disk?: components["schemas"]["v1.DiskTarget"];
            /** @description If specified, it can change the default error policy (stop) for the disk */
            errorPolicy?: string;
            /** @description IO specifies which QEMU disk IO mode should be used. Supported values are: native, default, threads. */
            io?: string;
            lun?: components["schemas"]["v1.LunTarget"];
            /**
             * @description Name is the device name
             * @default
             */
            name: string;
            /** @description Serial provides the ability to specify a serial number for the disk device. */
            serial?: string;
            /** @description If specified the disk is made sharable and multiple write from different VMs are permitted */
            shareable?: boolean;
            /** @description If specified, disk address and its tag will be provided to the guest via config drive metadata */
            tag?: string;
        };
        "v1.DiskIOThreads": {
            /**
             * Format: int64
             * @description SupplementalPoolThreadCount specifies how many iothreads are allocated for the supplementalPool policy.
             */
            supplementalPoolThreadCount?: number;
        };
        "v1.DiskTarget": {
            /** @description Bus indicates the type of disk device to emulate. supported values: virtio, sata, scsi, usb. */
            bus?: string;
            /** @description If specified, the virtual disk will be placed on the guests pci address with the specified PCI address. For example: 0000:81:01.10 */
            pciAddress?: string;
            /** @description ReadOnly. Defaults to false. */
            readonly?: boolean;
        };
        /** @description DiskVerification holds container disks verification limits */
        "v1.DiskVerification": {
            memoryLimit: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
        };
        /** @description DomainMemoryDumpInfo represents the memory dump information */
        "v1.DomainMemoryDumpInfo": {
            /** @description ClaimName is the name of the pvc the memory was dumped to */
            claimName?: string;
            endTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
            startTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
            /** @description TargetFileName is the name of the memory dump output */
            targetFileName?: string;
        };
        "v1.DomainSpec": {
            chassis?: components["schemas"]["v1.Chassis"];
            clock?: components["schemas"]["v1.Clock"];
            cpu?: components["schemas"]["v1.CPU"];
            devices: components["schemas"]["v1.Devices"];
            features?: components["schemas"]["v1.Features"];
            firmware?: components["schemas"]["v1.Firmware"];
            ioThreads?: components["schemas"]["v1.DiskIOThreads"];
            /** @description Controls whether or not disks will share IOThreads. Omitting IOThreadsPolicy disables use of IOThreads. One of: shared, auto, supplementalPool */
            ioThreadsPolicy?: string;
            launchSecurity?: components["schemas"]["v1.LaunchSecurity"];
            machine?: components["schemas"]["v1.Machine"];
            memory?: components["schemas"]["v1.Memory"];
            /** @description RebootPolicy specifies how the guest should behave on reboot. Reboot (default): The guest is allowed to reboot silently. Terminate: The VMI will be terminated on guest reboot, allowing higher level controllers (such as the VM controller) to recreate the VMI with any updated configuration such as boot order changes. */
            rebootPolicy?: string;
            resources?: components["schemas"]["v1.ResourceRequirements"];
        };
        /** @description DownwardAPIVolumeSource represents a volume containing downward API info. */
        "v1.DownwardAPIVolumeSource": {
            /** @description Fields is a list of downward API volume file */
            fields?: components["schemas"]["k8s.io.api.core.v1.DownwardAPIVolumeFile"][];
            /** @description The volume label of the resulting disk inside the VMI. Different bootstrapping mechanisms require different values. Typical values are "cidata" (cloud-init), "config-2" (cloud-init) or "OEMDRV" (kickstart). */
            volumeLabel?: string;
        };
        "v1.DownwardMetrics": Record<string, never>;
        /** @description DownwardMetricsVolumeSource adds a very small disk to VMIs which contains a limited view of host and guest metrics. The disk content is compatible with vhostmd (https://github.com/vhostmd/vhostmd) and vm-dump-metrics. */
        "v1.DownwardMetricsVolumeSource": Record<string, never>;
        /** @description If set, EFI will be used instead of BIOS. */
        "v1.EFI": {
            /** @description If set to true, Persistent will persist the EFI NVRAM across reboots. Defaults to false */
            persistent?: boolean;
            /** @description If set, SecureBoot will be enabled and the OVMF roms will be swapped for SecureBoot-enabled ones. Requires SMM to be enabled. Defaults to true */
            secureBoot?: boolean;
        };
        /** @description EmptyDisk represents a temporary disk which shares the vmis lifecycle. */
        "v1.EmptyDiskSource": {
            capacity: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
        };
        "v1.EphemeralVolumeSource": {
            persistentVolumeClaim?: components["schemas"]["k8s.io.api.core.v1.PersistentVolumeClaimVolumeSource"];
        };
        /** @description ExperimentalMigrationOptions is an alpha API for experimental migration tunables. It is intended for experimental purposes only and will be removed in the future. */
        "v1.ExperimentalMigrationOptions": {
            /** @description Compression selects the algorithm for compressing the live migration data stream. When omitted (nil) or set to "none", compression is disabled. */
            compression?: string;
            stallDetector?: components["schemas"]["v1.StallDetectorOptions"];
        };
        "v1.FeatureAPIC": {
            /** @description Enabled determines if the feature should be enabled or disabled on the guest. Defaults to true. */
            enabled?: boolean;
            /** @description EndOfInterrupt enables the end of interrupt notification in the guest. Defaults to false. */
            endOfInterrupt?: boolean;
        };
        /** @description Hyperv specific features. */
        "v1.FeatureHyperv": {
            evmcs?: components["schemas"]["v1.FeatureState"];
            frequencies?: components["schemas"]["v1.FeatureState"];
            ipi?: components["schemas"]["v1.FeatureState"];
            reenlightenment?: components["schemas"]["v1.FeatureState"];
            relaxed?: components["schemas"]["v1.FeatureState"];
            reset?: components["schemas"]["v1.FeatureState"];
            runtime?: components["schemas"]["v1.FeatureState"];
            spinlocks?: components["schemas"]["v1.FeatureSpinlocks"];
            synic?: components["schemas"]["v1.FeatureState"];
            synictimer?: components["schemas"]["v1.SyNICTimer"];
            tlbflush?: components["schemas"]["v1.TLBFlush"];
            vapic?: components["schemas"]["v1.FeatureState"];
            vendorid?: components["schemas"]["v1.FeatureVendorID"];
            vpindex?: components["schemas"]["v1.FeatureState"];
        };
        "v1.FeatureKVM": {
            /** @description Hide the KVM hypervisor from standard MSR based discovery. Defaults to false */
            hidden?: boolean;
        };
        "v1.Features": {
            acpi?: components["schemas"]["v1.FeatureState"];
            apic?: components["schemas"]["v1.FeatureAPIC"];
            hyperv?: components["schemas"]["v1.FeatureHyperv"];
            hypervPassthrough?: components["schemas"]["v1.HyperVPassthrough"];
            kvm?: components["schemas"]["v1.FeatureKVM"];
            pvspinlock?: components["schemas"]["v1.FeatureState"];
            smm?: components["schemas"]["v1.FeatureState"];
        };
        "v1.FeatureSpinlocks": {
            /** @description Enabled determines if the feature should be enabled or disabled on the guest. Defaults to true. */
            enabled?: boolean;
            /**
             * Format: int64
             * @description Retries indicates the number of retries. Must be a value greater or equal 4096. Defaults to 4096.
             */
            spinlocks?: number;
        };
        /** @description Represents if a feature is enabled or disabled. */
        "v1.FeatureState": {
            /** @description Enabled determines if the feature should be enabled or disabled on the guest. Defaults to true. */
            enabled?: boolean;
        };
        "v1.FeatureVendorID": {
            /** @description Enabled determines if the feature should be enabled or disabled on the guest. Defaults to true. */
            enabled?: boolean;
            /** @description VendorID sets the hypervisor vendor id, visible to the vmi. String up to twelve characters. */
            vendorid?: string;
        };
        "v1.Filesystem": {
            /**
             * @description Name is the device name
             * @default
             */
            name: string;
            virtiofs: components["schemas"]["v1.FilesystemVirtiofs"];
        };
        "v1.FilesystemVirtiofs": Record<string, never>;
        "v1.Firmware": {
            acpi?: components["schemas"]["v1.ACPI"];
            bootloader?: components["schemas"]["v1.Bootloader"];
            kernelBoot?: components["schemas"]["v1.KernelBoot"];
            /** @description The system-serial-number in SMBIOS */
            serial?: string;
            /** @description UUID reported by the vmi bios. Defaults to a random generated uid. */
            uuid?: string;
        };
        /** @description Flags will create a patch that will replace all flags for the container's command field. The only flags that will be used are those define. There are no guarantees around forward/backward compatibility.  If set incorrectly this will cause the resource when rolled out to error until flags are updated. */
        "v1.Flags": {
            api?: {
                [key: string]: string;
            };
            controller?: {
                [key: string]: string;
            };
            handler?: {
                [key: string]: string;
            };
        };
        /** @description GenerationStatus keeps track of the generation for a given resource so that decisions about forced updates can be made. */
        "v1.GenerationStatus": {
            /**
             * @description group is the group of the thing you're tracking
             * @default
             */
            group: string;
            /** @description hash is an optional field set for resources without generation that are content sensitive like secrets and configmaps */
            hash?: string;
            /**
             * Format: int64
             * @description lastGeneration is the last generation of the workload controller involved
             * @default 0
             */
            lastGeneration: number;
            /**
             * @description name is the name of the thing you're tracking
             * @default
             */
            name: string;
            /** @description namespace is where the thing you're tracking is */
            namespace?: string;
            /**
             * @description resource is the resource type of the thing you're tracking
             * @default
             */
            resource: string;
        };
        "v1.GPU": {
            /** @description ClaimName references the name of an entry in the VMI's spec.resourceClaims[] array. The referenced entry may use either resourceClaimName or resourceClaimTemplateName. */
            claimName?: string;
            /** @description DeviceName is the name of the device provisioned by device-plugins */
            deviceName?: string;
            /**
             * @description Name of the GPU device as exposed by a device plugin
             * @default
             */
            name: string;
            /** @description RequestName specifies which request from the ResourceClaim/ResourceClaimTemplate spec.devices.requests array this claim request corresponds to. */
            requestName?: string;
            /** @description If specified, the virtual network interface address and its tag will be provided to the guest via config drive */
            tag?: string;
            virtualGPUOptions?: components["schemas"]["v1.VGPUOptions"];
        };
        /** @description GuestAgentPing configures the guest-agent based ping probe */
        "v1.GuestAgentPing": Record<string, never>;
        "v1.HostDevice": {
            /** @description ClaimName references the name of an entry in the VMI's spec.resourceClaims[] array. The referenced entry may use either resourceClaimName or resourceClaimTemplateName. */
            claimName?: string;
            /** @description DeviceName is the name of the device provisioned by device-plugins */
            deviceName?: string;
            /** @default  */
            name: string;
            /** @description RequestName specifies which request from the ResourceClaim/ResourceClaimTemplate spec.devices.requests array this claim request corresponds to. */
            requestName?: string;
            /** @description If specified, the virtual network interface address and its tag will be provided to the guest via config drive */
            tag?: string;
        };
        /** @description Represents a disk created on the cluster level */
        "v1.HostDisk": {
            capacity?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            /**
             * @description The path to HostDisk image located on the cluster
             * @default
             */
            path: string;
            /** @description Shared indicate whether the path is shared between nodes */
            shared?: boolean;
            /**
             * @description Contains information if disk.img exists or should be created allowed options are 'Disk' and 'DiskOrCreate'
             * @default
             */
            type: string;
        };
        /** @description HotplugVolumeSource Represents the source of a volume to mount which are capable of being hotplugged on a live running VMI. Only one of its members may be specified. */
        "v1.HotplugVolumeSource": {
            dataVolume?: components["schemas"]["v1.DataVolumeSource"];
            persistentVolumeClaim?: components["schemas"]["v1.PersistentVolumeClaimVolumeSource"];
        };
        /** @description HotplugVolumeStatus represents the hotplug status of the volume */
        "v1.HotplugVolumeStatus": {
            /** @description AttachPodName is the name of the pod used to attach the volume to the node. */
            attachPodName?: string;
            /** @description AttachPodUID is the UID of the pod used to attach the volume to the node. */
            attachPodUID?: string;
        };
        "v1.HPETTimer": {
            /** @description Enabled set to false makes sure that the machine type or a preset can't add the timer. Defaults to true. */
            present?: boolean;
            /** @description TickPolicy determines what happens when QEMU misses a deadline for injecting a tick to the guest. One of "delay", "catchup", "merge", "discard". */
            tickPolicy?: string;
        };
        /** @description Hugepages allow to use hugepages for the VirtualMachineInstance instead of regular memory. */
        "v1.Hugepages": {
            /** @description PageSize specifies the hugepage size, for x86_64 architecture valid values are 1Gi and 2Mi. */
            pageSize?: string;
        };
        /** @description HypervisorConfiguration holds information regarding the hypervisor present on cluster nodes. */
        "v1.HypervisorConfiguration": {
            /** @description Name is the name of the hypervisor. Supported values are: "kvm", "hyperv-direct". */
            name?: string;
        };
        "v1.HyperVPassthrough": {
            enabled?: boolean;
        };
        "v1.HypervTimer": {
            /** @description Enabled set to false makes sure that the machine type or a preset can't add the timer. Defaults to true. */
            present?: boolean;
        };
        /** @description i6300esb watchdog device. */
        "v1.I6300ESBWatchdog": {
            /** @description The action to take. Valid values are poweroff, reset, shutdown. Defaults to reset. */
            action?: string;
        };
        /** @description InitrdInfo show info about the initrd file */
        "v1.InitrdInfo": {
            /**
             * Format: int64
             * @description Checksum is the checksum of the initrd file
             */
            checksum?: number;
        };
        "v1.Input": {
            /** @description Bus indicates the bus of input device to emulate. Supported values: virtio, usb. */
            bus?: string;
            /**
             * @description Name is the device name
             * @default
             */
            name: string;
            /**
             * @description Type indicated the type of input device. Supported values: tablet.
             * @default
             */
            type: string;
        };
        "v1.InstancetypeConfiguration": {
            /** @description ReferencePolicy defines how an instance type or preference should be referenced by the VM after submission, supported values are: reference (default) - Where a copy of the original object is stashed in a ControllerRevision and referenced by the VM. expand - Where the instance type or preference are expanded into the VM if no revisionNames have been populated. expandAll - Where the instance type or preference are expanded into the VM regardless of revisionNames previously being populated. */
            referencePolicy?: string;
        };
        /** @description InstancetypeMatcher references a instancetype that is used to fill fields in the VMI template. */
        "v1.InstancetypeMatcher": {
            /** @description InferFromVolume lists the name of a volume that should be used to infer or discover the instancetype to be used through known annotations on the underlying resource. Once applied to the InstancetypeMatcher this field is removed. */
            inferFromVolume?: string;
            /** @description InferFromVolumeFailurePolicy controls what should happen on failure when inferring the instancetype. Allowed values are: "RejectInferFromVolumeFailure" and "IgnoreInferFromVolumeFailure". If not specified, "RejectInferFromVolumeFailure" is used by default. */
            inferFromVolumeFailurePolicy?: string;
            /** @description Kind specifies which instancetype resource is referenced. Allowed values are: "VirtualMachineInstancetype" and "VirtualMachineClusterInstancetype". If not specified, "VirtualMachineClusterInstancetype" is used by default. */
            kind?: string;
            /** @description Name is the name of the VirtualMachineInstancetype or VirtualMachineClusterInstancetype */
            name?: string;
            /** @description RevisionName specifies a ControllerRevision containing a specific copy of the VirtualMachineInstancetype or VirtualMachineClusterInstancetype to be used. This is initially captured the first time the instancetype is applied to the VirtualMachineInstance. */
            revisionName?: string;
        };
        "v1.InstancetypeStatusRef": {
            controllerRevisionRef?: components["schemas"]["v1.ControllerRevisionRef"];
            /** @description InferFromVolume lists the name of a volume that should be used to infer or discover the resource */
            inferFromVolume?: string;
            /** @description InferFromVolumeFailurePolicy controls what should happen on failure when inferring the resource */
            inferFromVolumeFailurePolicy?: string;
            /** @description Kind specifies the kind of resource */
            kind?: string;
            /** @description Name is the name of resource */
            name?: string;
        };
        "v1.Interface": {
            /**
             * Format: int32
             * @description If specified, the ACPI index is used to provide network interface device naming, that is stable across changes in PCI addresses assigned to the device. This value is required to be unique across all devices and be between 1 and (16*1024-1).
             */
            acpiIndex?: number;
            binding?: components["schemas"]["v1.PluginBinding"];
            /**
             * Format: int32
             * @description BootOrder is an integer value > 0, used to determine ordering of boot devices. Lower values take precedence. Each interface or disk that has a boot order must have a unique value. Interfaces without a boot order are not tried.
             */
            bootOrder?: number;
            bridge?: components["schemas"]["v1.InterfaceBridge"];
            dhcpOptions?: components["schemas"]["v1.DHCPOptions"];
            /** @description Interface MAC address. For example: de:ad:00:00:be:af or DE-AD-00-00-BE-AF. */
            macAddress?: string;
            macvtap?: components["schemas"]["v1.DeprecatedInterfaceMacvtap"];
            masquerade?: components["schemas"]["v1.InterfaceMasquerade"];
            /** @description Interface model. One of: e1000, e1000e, igb, ne2k_pci, pcnet, rtl8139, virtio. Defaults to virtio. */
            model?: string;
            /**
             * @description Logical name of the interface as well as a reference to the associated networks. Must match the Name of a Network.
             * @default
             */
            name: string;
            passt?: components["schemas"]["v1.DeprecatedInterfacePasst"];
            passtBinding?: components["schemas"]["v1.InterfacePasstBinding"];
            /** @description If specified, the virtual network interface will be placed on the guests pci address with the specified PCI address. For example: 0000:81:01.10 */
            pciAddress?: string;
            /** @description List of port ranges to be forwarded to the virtual machine. Mutually exclusive with ports. Only supported on masquerade interfaces. This feature is in Alpha. */
            portRanges?: components["schemas"]["v1.PortRange"][];
            /** @description List of ports to be forwarded to the virtual machine. Mutually exclusive with portRanges. */
            ports?: components["schemas"]["v1.Port"][];
            slirp?: components["schemas"]["v1.DeprecatedInterfaceSlirp"];
            sriov?: components["schemas"]["v1.InterfaceSRIOV"];
            /** @description State represents the requested operational state of the interface. The supported values are: `absent`, expressing a request to remove the interface. `down`, expressing a request to set the link down. `up`, expressing a request to set the link up. Empty value functions as `up`. */
            state?: string;
            /** @description If specified, the virtual network interface address and its tag will be provided to the guest via config drive */
            tag?: string;
        };
        "v1.InterfaceBindingMigration": {
            /** @description Method defines a pre-defined migration methodology version: 1alphav1 */
            method?: string;
        };
        "v1.InterfaceBindingPlugin": {
            computeResourceOverhead?: components["schemas"]["v1.ResourceRequirementsWithoutClaims"];
            /** @description DomainAttachmentType is a standard domain network attachment method kubevirt supports. Supported values: "tap", "managedTap" (since v1.4). The standard domain attachment can be used instead or in addition to the sidecarImage. version: 1alphav1 */
            domainAttachmentType?: string;
            /** @description DownwardAPI specifies what kind of data should be exposed to the binding plugin sidecar. Supported values: "device-info" version: v1alphav1 */
            downwardAPI?: string;
            migration?: components["schemas"]["v1.InterfaceBindingMigration"];
            /** @description NetworkAttachmentDefinition references to a NetworkAttachmentDefinition CR object. Format: <name>, <namespace>/<name>. If namespace is not specified, VMI namespace is assumed. version: 1alphav1 */
            networkAttachmentDefinition?: string;
            /** @description SidecarImage references a container image that runs in the virt-launcher pod. The sidecar handles (libvirt) domain configuration and optional services. version: 1alphav1 */
            sidecarImage?: string;
        };
        /** @description InterfaceBridge connects to a given network via a linux bridge. */
        "v1.InterfaceBridge": Record<string, never>;
        /** @description InterfaceMasquerade connects to a given network using netfilter rules to nat the traffic. */
        "v1.InterfaceMasquerade": Record<string, never>;
        /** @description InterfacePasstBinding connects to a given network using passt usermode networking. */
        "v1.InterfacePasstBinding": Record<string, never>;
        /** @description InterfaceSRIOV connects to a given network by passing-through an SR-IOV PCI device via vfio. */
        "v1.InterfaceSRIOV": Record<string, never>;
        /** @description Represents the firmware blob used to assist in the kernel boot process. Used for setting the kernel, initrd and command line arguments */
        "v1.KernelBoot": {
            container?: components["schemas"]["v1.KernelBootContainer"];
            /** @description Arguments to be passed to the kernel at boot time */
            kernelArgs?: string;
        };
        /** @description If set, the VM will be booted from the defined kernel / initrd. */
        "v1.KernelBootContainer": {
            /**
             * @description Image that contains initrd / kernel files.
             * @default
             */
            image: string;
            /**
             * @description Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise. Cannot be updated. More info: https://kubernetes.io/docs/concepts/containers/images#updating-images
             *
             *     Possible enum values:
             *      - `"Always"` means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.
             *      - `"IfNotPresent"` means that kubelet pulls if the image isn't present on disk. Container will fail if the image isn't present and the pull fails.
             *      - `"Never"` means that kubelet never pulls an image, but only uses a local image. Container will fail if the image isn't present
             * @enum {string}
             */
            imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
            /** @description ImagePullSecret is the name of the Docker registry secret required to pull the image. The secret must already exist. */
            imagePullSecret?: string;
            /** @description the fully-qualified path to the ramdisk image in the host OS */
            initrdPath?: string;
            /** @description The fully-qualified path to the kernel image in the host OS */
            kernelPath?: string;
        };
        /** @description KernelBootStatus contains info about the kernelBootContainer */
        "v1.KernelBootStatus": {
            initrdInfo?: components["schemas"]["v1.InitrdInfo"];
            kernelInfo?: components["schemas"]["v1.KernelInfo"];
        };
        /** @description KernelInfo show info about the kernel image */
        "v1.KernelInfo": {
            /**
             * Format: int64
             * @description Checksum is the checksum of the kernel image
             */
            checksum?: number;
        };
        /** @description KSMConfiguration holds information about KSM. */
        "v1.KSMConfiguration": {
            nodeLabelSelector?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector"];
        };
        /** @description KubeVirt represents the object deploying all KubeVirt resources */
        "v1.KubeVirt": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            metadata?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"];
            spec: components["schemas"]["v1.KubeVirtSpec"];
            status?: components["schemas"]["v1.KubeVirtStatus"];
        };
        "v1.KubeVirtCertificateRotateStrategy": {
            selfSigned?: components["schemas"]["v1.KubeVirtSelfSignConfiguration"];
        };
        /** @description KubeVirtCondition represents a condition of a KubeVirt deployment */
        "v1.KubeVirtCondition": {
            lastProbeTime?: string | null;
            lastTransitionTime?: string | null;
            message?: string;
            reason?: string;
            /** @default  */
            status: string;
            /** @default  */
            type: string;
        };
        /** @description KubeVirtConfiguration holds all kubevirt configurations */
        "v1.KubeVirtConfiguration": {
            /** @description AdditionalGuestMemoryOverheadRatio can be used to increase the virtualization infrastructure overhead. This is useful, since the calculation of this overhead is not accurate and cannot be entirely known in advance. The ratio that is being set determines by which factor to increase the overhead calculated by Kubevirt. A higher ratio means that the VMs would be less compromised by node pressures, but would mean that fewer VMs could be scheduled to a node. If not set, the default is 1. */
            additionalGuestMemoryOverheadRatio?: string;
            apiConfiguration?: components["schemas"]["v1.ReloadableComponentConfiguration"];
            architectureConfiguration?: components["schemas"]["v1.ArchConfiguration"];
            autoCPULimitNamespaceLabelSelector?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector"];
            changedBlockTrackingLabelSelectors?: components["schemas"]["v1.ChangedBlockTrackingSelectors"];
            commonInstancetypesDeployment?: components["schemas"]["v1.CommonInstancetypesDeployment"];
            confidentialCompute?: components["schemas"]["v1.ConfidentialComputeConfiguration"];
            controllerConfiguration?: components["schemas"]["v1.ReloadableComponentConfiguration"];
            cpuModel?: string;
            cpuRequest?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            defaultRuntimeClass?: string;
            developerConfiguration?: components["schemas"]["v1.DeveloperConfiguration"];
            /** @description Deprecated. Use architectureConfiguration instead. */
            emulatedMachines?: string[];
            /** @description EvictionStrategy defines at the cluster level if the VirtualMachineInstance should be migrated instead of shut-off in case of a node drain. If the VirtualMachineInstance specific field is set it overrides the cluster level one. */
            evictionStrategy?: string;
            handlerConfiguration?: components["schemas"]["v1.ReloadableComponentConfiguration"];
            /** @description Hypervisors holds information regarding the hypervisor configurations supported on this cluster. */
            hypervisors?: components["schemas"]["v1.HypervisorConfiguration"][];
            /**
             * @description The ImagePullPolicy to use for user workload pods and their containers (launcher pods, exporter pods, etc.). For KubeVirt infrastructure images, use spec.imagePullPolicy instead.
             *
             *     Possible enum values:
             *      - `"Always"` means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.
             *      - `"IfNotPresent"` means that kubelet pulls if the image isn't present on disk. Container will fail if the image isn't present and the pull fails.
             *      - `"Never"` means that kubelet never pulls an image, but only uses a local image. Container will fail if the image isn't present
             * @enum {string}
             */
            imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
            instancetype?: components["schemas"]["v1.InstancetypeConfiguration"];
            ksmConfiguration?: components["schemas"]["v1.KSMConfiguration"];
            liveUpdateConfiguration?: components["schemas"]["v1.LiveUpdateConfiguration"];
            /** @description Deprecated. Use architectureConfiguration instead. */
            machineType?: string;
            mediatedDevicesConfiguration?: components["schemas"]["v1.MediatedDevicesConfiguration"];
            /** Format: int64 */
            memBalloonStatsPeriod?: number;
            migrations?: components["schemas"]["v1.MigrationConfiguration"];
            /** @description deprecated */
            minCPUModel?: string;
            network?: components["schemas"]["v1.NetworkConfiguration"];
            obsoleteCPUModels?: {
                [key: string]: boolean;
            };
            /** @description Deprecated. Use architectureConfiguration instead. */
            ovmfPath?: string;
            permittedHostDevices?: components["schemas"]["v1.PermittedHostDevices"];
            persistentReservationConfiguration?: components["schemas"]["v1.PersistentReservationConfiguration"];
            /** @description RoleAggregationStrategy controls whether RBAC cluster roles should be aggregated to the default Kubernetes roles (admin, edit, view). When set to "AggregateToDefault" (default) or not specified, the aggregate-to-* labels are added to the cluster roles. When set to "Manual", the labels are not added, and roles will not be aggregated to the default roles. Setting RoleAggregationStrategy to "Manual" requires the OptOutRoleAggregation feature gate to be enabled (Beta, enabled by default since v1.9.0). */
            roleAggregationStrategy?: string;
            seccompConfiguration?: components["schemas"]["v1.SeccompConfiguration"];
            selinuxLauncherType?: string;
            smbios?: components["schemas"]["v1.SMBiosConfiguration"];
            /** @description SupportContainerResources specifies the resource requirements for various types of supporting containers such as container disks/virtiofs/sidecars and hotplug attachment pods. If omitted a sensible default will be supplied. */
            supportContainerResources?: components["schemas"]["v1.SupportContainerResources"][];
            /** @description deprecated */
            supportedGuestAgentVersions?: string[];
            tlsConfiguration?: components["schemas"]["v1.TLSConfiguration"];
            virtTemplateDeployment?: components["schemas"]["v1.VirtTemplateDeployment"];
            /** Format: int32 */
            virtualMachineInstancesPerNode?: number;
            virtualMachineOptions?: components["schemas"]["v1.VirtualMachineOptions"];
            /** @description VMRolloutStrategy defines how live-updatable fields, like CPU sockets, memory, tolerations, and affinity, are propagated from a VM to its VMI. */
            vmRolloutStrategy?: string;
            /** @description VMStateStorageClass is the name of the storage class to use for the PVCs created to preserve VM state, like TPM. */
            vmStateStorageClass?: string;
            webhookConfiguration?: components["schemas"]["v1.ReloadableComponentConfiguration"];
        };
        /** @description KubeVirtList is a list of KubeVirts */
        "v1.KubeVirtList": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            items: components["schemas"]["v1.KubeVirt"][];
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            metadata?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta"];
        };
        "v1.KubeVirtSelfSignConfiguration": {
            ca?: components["schemas"]["v1.CertConfig"];
            caOverlapInterval?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Duration"];
            caRotateInterval?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Duration"];
            certRotateInterval?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Duration"];
            server?: components["schemas"]["v1.CertConfig"];
        };
        "v1.KubeVirtSpec": {
            certificateRotateStrategy?: components["schemas"]["v1.KubeVirtCertificateRotateStrategy"];
            configuration?: components["schemas"]["v1.KubeVirtConfiguration"];
            customizeComponents?: components["schemas"]["v1.CustomizeComponents"];
            /**
             * @description The ImagePullPolicy to use for KubeVirt operator-managed infrastructure images (virt-api, virt-controller, virt-handler, virt-exportproxy, etc.). For pull policy of user workload pods, see spec.configuration.imagePullPolicy.
             *
             *     Possible enum values:
             *      - `"Always"` means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.
             *      - `"IfNotPresent"` means that kubelet pulls if the image isn't present on disk. Container will fail if the image isn't present and the pull fails.
             *      - `"Never"` means that kubelet never pulls an image, but only uses a local image. Container will fail if the image isn't present
             * @enum {string}
             */
            imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
            /** @description The imagePullSecrets to pull the container images from Defaults to none */
            imagePullSecrets?: components["schemas"]["k8s.io.api.core.v1.LocalObjectReference"][];
            /** @description The image registry to pull the container images from Defaults to the same registry the operator's container image is pulled from. */
            imageRegistry?: string;
            /** @description The image tag to use for the continer images installed. Defaults to the same tag as the operator's container image. */
            imageTag?: string;
            infra?: components["schemas"]["v1.ComponentConfig"];
            /** @description The name of the Prometheus service account that needs read-access to KubeVirt endpoints Defaults to prometheus-k8s */
            monitorAccount?: string;
            /** @description The namespace Prometheus is deployed in Defaults to openshift-monitor */
            monitorNamespace?: string;
            /** @description Designate the apps.kubevirt.io/component label for KubeVirt components. Useful if KubeVirt is included as part of a product. If ProductComponent is not specified, the component label default value is kubevirt. */
            productComponent?: string;
            /** @description Designate the apps.kubevirt.io/part-of label for KubeVirt components. Useful if KubeVirt is included as part of a product. If ProductName is not specified, the part-of label will be omitted. */
            productName?: string;
            /** @description Designate the apps.kubevirt.io/version label for KubeVirt components. Useful if KubeVirt is included as part of a product. If ProductVersion is not specified, KubeVirt's version will be used. */
            productVersion?: string;
            /**
             * @description The namespace the service monitor will be deployed
             *      When ServiceMonitorNamespace is set, then we'll install the service monitor object in that namespace
             *     otherwise we will use the monitoring namespace.
             */
            serviceMonitorNamespace?: string;
            /** @description Specify the port to listen on for VMI status synchronization traffic. Default is 9185 */
            synchronizationPort?: string;
            /** @description Specifies if kubevirt can be deleted if workloads are still present. This is mainly a precaution to avoid accidental data loss */
            uninstallStrategy?: string;
            workloads?: components["schemas"]["v1.ComponentConfig"];
            workloadUpdateStrategy?: components["schemas"]["v1.KubeVirtWorkloadUpdateStrategy"];
        };
        /** @description KubeVirtStatus represents information pertaining to a KubeVirt deployment. */
        "v1.KubeVirtStatus": {
            conditions?: components["schemas"]["v1.KubeVirtCondition"][];
            defaultArchitecture?: string;
            generations?: components["schemas"]["v1.GenerationStatus"][];
            observedDeploymentConfig?: string;
            observedDeploymentID?: string;
            /** Format: int64 */
            observedGeneration?: number;
            observedKubeVirtRegistry?: string;
            observedKubeVirtVersion?: string;
            operatorVersion?: string;
            /** Format: int32 */
            outdatedVirtualMachineInstanceWorkloads?: number;
            phase?: string;
            synchronizationAddresses?: string[];
            targetDeploymentConfig?: string;
            targetDeploymentID?: string;
            targetKubeVirtRegistry?: string;
            targetKubeVirtVersion?: string;
        } | null;
        /** @description KubeVirtWorkloadUpdateStrategy defines options related to updating a KubeVirt install */
        "v1.KubeVirtWorkloadUpdateStrategy": {
            batchEvictionInterval?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Duration"];
            /**
             * Format: int32
             * @description BatchEvictionSize Represents the number of VMIs that can be forced updated per the BatchShutdownInteral interval
             *
             *     Defaults to 10
             */
            batchEvictionSize?: number;
            /**
             * @description WorkloadUpdateMethods defines the methods that can be used to disrupt workloads during automated workload updates. When multiple methods are present, the least disruptive method takes precedence over more disruptive methods. For example if both LiveMigrate and Shutdown methods are listed, only VMs which are not live migratable will be restarted/shutdown
             *
             *     An empty list defaults to no automated workload updating
             */
            workloadUpdateMethods?: string[];
        };
        "v1.KVMTimer": {
            /** @description Enabled set to false makes sure that the machine type or a preset can't add the timer. Defaults to true. */
            present?: boolean;
        };
        "v1.LaunchSecurity": {
            sev?: components["schemas"]["v1.SEV"];
            snp?: components["schemas"]["v1.SEVSNP"];
            tdx?: components["schemas"]["v1.TDX"];
        };
        "v1.LiveUpdateConfiguration": {
            /**
             * Format: int64
             * @description MaxCpuSockets provides a MaxSockets value for VMs that do not provide their own. For VMs with more sockets than maximum the MaxSockets will be set to equal number of sockets.
             */
            maxCpuSockets?: number;
            maxGuest?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            /**
             * Format: int64
             * @description MaxHotplugRatio is the ratio used to define the max amount of a hotplug resource that can be made available to a VM when the specific Max* setting is not defined (MaxCpuSockets, MaxGuest) Example: VM is configured with 512Mi of guest memory, if MaxGuest is not defined and MaxHotplugRatio is 2 then MaxGuest = 1Gi defaults to 4
             */
            maxHotplugRatio?: number;
        };
        /** @description LogVerbosity sets log verbosity level of  various components */
        "v1.LogVerbosity": {
            /** @description NodeVerbosity represents a map of nodes with a specific verbosity level */
            nodeVerbosity?: {
                [key: string]: number;
            };
            /** Format: int32 */
            virtAPI?: number;
            /** Format: int32 */
            virtController?: number;
            /** Format: int32 */
            virtHandler?: number;
            /** Format: int32 */
            virtLauncher?: number;
            /** Format: int32 */
            virtOperator?: number;
            /** Format: int32 */
            virtSynchronizationController?: number;
        };
        "v1.LunTarget": {
            /** @description Bus indicates the type of disk device to emulate. supported values: virtio, sata, scsi. */
            bus?: string;
            /** @description ReadOnly. Defaults to false. */
            readonly?: boolean;
            /** @description Reservation indicates if the disk needs to support the persistent reservation for the SCSI disk */
            reservation?: boolean;
        };
        "v1.Machine": {
            /**
             * @description QEMU machine type is the actual chipset of the VirtualMachineInstance.
             * @default
             */
            type: string;
        };
        /** @description MediatedDevicesConfiguration holds information about MDEV types to be defined, if available */
        "v1.MediatedDevicesConfiguration": {
            /** @description Enable the creation and removal of mediated devices by virt-handler Replaces the deprecated DisableMDEVConfiguration feature gate Defaults to true */
            enabled?: boolean;
            /** @description Deprecated. Use mediatedDeviceTypes instead. */
            mediatedDevicesTypes?: string[];
            mediatedDeviceTypes?: string[];
            nodeMediatedDeviceTypes?: components["schemas"]["v1.NodeMediatedDeviceTypesConfig"][];
        };
        /** @description MediatedHostDevice represents a host mediated device allowed for passthrough */
        "v1.MediatedHostDevice": {
            externalResourceProvider?: boolean;
            /** @default  */
            mdevNameSelector: string;
            /** @default  */
            resourceName: string;
        };
        /** @description Memory allows specifying the VirtualMachineInstance memory features. */
        "v1.Memory": {
            guest?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            hugepages?: components["schemas"]["v1.Hugepages"];
            maxGuest?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            reservedOverhead?: components["schemas"]["v1.ReservedOverhead"];
        };
        "v1.MemoryDumpVolumeSource": {
            /**
             * @description claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims
             * @default
             */
            claimName: string;
            /** @description Hotpluggable indicates whether the volume can be hotplugged and hotunplugged. */
            hotpluggable?: boolean;
            /** @description readOnly Will force the ReadOnly setting in VolumeMounts. Default false. */
            readOnly?: boolean;
        };
        "v1.MemoryStatus": {
            guestAtBoot?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            guestCurrent?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            guestRequested?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            memoryOverhead?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
        };
        /** @description MigrationConfiguration holds migration options. Can be overridden for specific groups of VMs though migration policies. Visit https://kubevirt.io/user-guide/operations/migration_policies/ for more information. */
        "v1.MigrationConfiguration": {
            /** @description AllowAutoConverge allows the platform to compromise performance/availability of VMIs to guarantee successful VMI live migrations. Defaults to false */
            allowAutoConverge?: boolean;
            /** @description AllowPostCopy enables post-copy live migrations. Such migrations allow even the busiest VMIs to successfully live-migrate. However, events like a network failure can cause a VMI crash. If set to true, migrations will still start in pre-copy, but switch to post-copy when CompletionTimeoutPerGiB triggers. Defaults to false */
            allowPostCopy?: boolean;
            /** @description AllowWorkloadDisruption indicates that the migration shouldn't be canceled after acceptableCompletionTime is exceeded. Instead, if permitted, migration will be switched to post-copy or the VMI will be paused to allow the migration to complete */
            allowWorkloadDisruption?: boolean;
            bandwidthPerMigration?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            /**
             * Format: int64
             * @description CompletionTimeoutPerGiB is the maximum number of seconds per GiB a migration is allowed to take. If the timeout is reached, the migration will be either paused, switched to post-copy or cancelled depending on other settings. Defaults to 150
             */
            completionTimeoutPerGiB?: number;
            /** @description When set to true, DisableTLS will disable the additional layer of live migration encryption provided by KubeVirt. This is usually a bad idea. Defaults to false */
            disableTLS?: boolean;
            /** @description By default, the SELinux level of target virt-launcher pods is forced to the level of the source virt-launcher. When set to true, MatchSELinuxLevelOnMigration lets the CRI auto-assign a random level to the target. That will ensure the target virt-launcher doesn't share categories with another pod on the node. However, migrations will fail when using RWX volumes that don't automatically deal with SELinux levels. */
            matchSELinuxLevelOnMigration?: boolean;
            /**
             * Format: int64
             * @description MaxDowntimeMs specifies the maximum tolerable downtime (in milliseconds) during switchover. Defaults to 900
             */
            maxDowntimeMs?: number;
            /** @description Network is the name of the CNI network to use for live migrations. By default, migrations go through the pod network. */
            network?: string;
            /** @description NodeDrainTaintKey defines the taint key that indicates a node should be drained. Note: this option relies on the deprecated node taint feature. Default: kubevirt.io/drain */
            nodeDrainTaintKey?: string;
            /**
             * Format: int64
             * @description ParallelMigrationsPerCluster is the total number of concurrent live migrations allowed cluster-wide. Defaults to 5
             */
            parallelMigrationsPerCluster?: number;
            /**
             * Format: int64
             * @description ParallelOutboundMigrationsPerNode is the maximum number of concurrent outgoing live migrations allowed per node. Defaults to 2
             */
            parallelOutboundMigrationsPerNode?: number;
            /**
             * Format: int64
             * @description ProgressTimeout is the maximum number of seconds a live migration is allowed to make no progress. Hitting this timeout means a migration transferred 0 data for that many seconds. The migration is then considered stuck and therefore cancelled. Defaults to 150
             */
            progressTimeout?: number;
            /** @description UnsafeMigrationOverride allows live migrations to occur even if the compatibility check indicates the migration will be unsafe to the guest. Defaults to false */
            unsafeMigrationOverride?: boolean;
            /**
             * Format: int64
             * @description UtilityVolumesTimeout is the maximum number of seconds a migration can wait in Pending state for utility volumes to be detached. If utility volumes are still present after this timeout, the migration will be marked as Failed. Defaults to 150
             */
            utilityVolumesTimeout?: number;
        };
        /** @description Represents the multus cni network. */
        "v1.MultusNetwork": {
            /** @description Select the default network and add it to the multus-cni.io/default-network annotation. */
            default?: boolean;
            /**
             * @description References to a NetworkAttachmentDefinition CRD object. Format: <networkName>, <namespace>/<networkName>. If namespace is not specified, VMI namespace is assumed.
             * @default
             */
            networkName: string;
        };
        /** @description Network represents a network type and a resource that should be connected to the vm. */
        "v1.Network": {
            multus?: components["schemas"]["v1.MultusNetwork"];
            /**
             * @description Network name. Must be a DNS_LABEL and unique within the vm. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names
             * @default
             */
            name: string;
            pod?: components["schemas"]["v1.PodNetwork"];
            resourceClaim?: components["schemas"]["v1.ClaimRequest"];
        };
        /** @description NetworkConfiguration holds network options */
        "v1.NetworkConfiguration": {
            binding?: {
                [key: string]: components["schemas"]["v1.InterfaceBindingPlugin"];
            };
            defaultNetworkInterface?: string;
            permitBridgeInterfaceOnPodNetwork?: boolean;
            /** @description DeprecatedPermitSlirpInterface is an alias for the deprecated PermitSlirpInterface. Deprecated: Removed in v1.3. */
            permitSlirpInterface?: boolean;
        };
        "v1.NoCloudSSHPublicKeyAccessCredentialPropagation": Record<string, never>;
        /** @description NodeMediatedDeviceTypesConfig holds information about MDEV types to be defined in a specific node that matches the NodeSelector field. */
        "v1.NodeMediatedDeviceTypesConfig": {
            /** @description Deprecated. Use mediatedDeviceTypes instead. */
            mediatedDevicesTypes?: string[];
            mediatedDeviceTypes?: string[];
            /** @description NodeSelector is a selector which must be true for the vmi to fit on a node. Selector which must match a node's labels for the vmi to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/ */
            nodeSelector: {
                [key: string]: string;
            };
        };
        /** @description NodePlacement describes node scheduling configuration. */
        "v1.NodePlacement": {
            affinity?: components["schemas"]["k8s.io.api.core.v1.Affinity"];
            /** @description nodeSelector is the node selector applied to the relevant kind of pods It specifies a map of key-value pairs: for the pod to be eligible to run on a node, the node must have each of the indicated key-value pairs as labels (it can have additional labels as well). See https://kubernetes.io/docs/concepts/configuration/assign-pod-node/#nodeselector */
            nodeSelector?: {
                [key: string]: string;
            };
            /** @description tolerations is a list of tolerations applied to the relevant kind of pods See https://kubernetes.io/docs/concepts/configuration/taint-and-toleration/ for more info. These are additional tolerations other than default ones. */
            tolerations?: components["schemas"]["k8s.io.api.core.v1.Toleration"][];
        };
        "v1.NUMA": {
            guestMappingPassthrough?: components["schemas"]["v1.NUMAGuestMappingPassthrough"];
        };
        /** @description NUMAGuestMappingPassthrough instructs kubevirt to model numa topology which is compatible with the CPU pinning on the guest. This will result in a subset of the node numa topology being passed through, ensuring that virtual numa nodes and their memory never cross boundaries coming from the node numa mapping. */
        "v1.NUMAGuestMappingPassthrough": Record<string, never>;
        "v1.PanicDevice": {
            /** @description Model specifies what type of panic device is provided. The panic model used when this attribute is missing depends on the hypervisor and guest arch. One of: isa, hyperv, pvpanic. */
            model?: string;
        };
        /** @description PciHostDevice represents a host PCI device allowed for passthrough */
        "v1.PciHostDevice": {
            /** @description If true, KubeVirt will leave the allocation and monitoring to an external device plugin */
            externalResourceProvider?: boolean;
            /**
             * @description The vendor_id:product_id tuple of the PCI device
             * @default
             */
            pciVendorSelector: string;
            /**
             * @description The name of the resource that is representing the device. Exposed by a device plugin and requested by VMs. Typically of the form vendor.com/product_name
             * @default
             */
            resourceName: string;
        };
        /** @description PermittedHostDevices holds information about devices allowed for passthrough */
        "v1.PermittedHostDevices": {
            mediatedDevices?: components["schemas"]["v1.MediatedHostDevice"][];
            pciHostDevices?: components["schemas"]["v1.PciHostDevice"][];
            usb?: components["schemas"]["v1.USBHostDevice"][];
        };
        "v1.PersistentReservationConfiguration": {
            /** @description Enabled controls the deployment of additional resources like the pr-helper container for enabling the use of the SCSI persistent reservation VMs, defaults to False. */
            enabled?: boolean;
        };
        /** @description PersistentVolumeClaimInfo contains the relavant information virt-handler needs cached about a PVC */
        "v1.PersistentVolumeClaimInfo": {
            /** @description AccessModes contains the desired access modes the volume should have. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1 */
            accessModes?: ("ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOnce" | "ReadWriteOncePod")[];
            /** @description Capacity represents the capacity set on the corresponding PVC status */
            capacity?: {
                [key: string]: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            };
            /** @description ClaimName is the name of the PVC */
            claimName?: string;
            /** @description Percentage of filesystem's size to be reserved when resizing the PVC */
            filesystemOverhead?: string;
            /** @description Preallocated indicates if the PVC's storage is preallocated or not */
            preallocated?: boolean;
            /** @description Requests represents the resources requested by the corresponding PVC spec */
            requests?: {
                [key: string]: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            };
            /**
             * @description VolumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.
             *
             *     Possible enum values:
             *      - `"Block"` means the volume will not be formatted with a filesystem and will remain a raw block device.
             *      - `"Filesystem"` means the volume will be or is formatted with a filesystem.
             *      - `"FromStorageProfile"` means the volume mode will be auto selected by CDI according to a matching StorageProfile
             * @enum {string}
             */
            volumeMode?: "Block" | "Filesystem" | "FromStorageProfile";
        };
        /** @description PersistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim in the same namespace. Directly attached to the vmi via qemu. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims */
        "v1.PersistentVolumeClaimVolumeSource": {
            /**
             * @description claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims
             * @default
             */
            claimName: string;
            /** @description Hotpluggable indicates whether the volume can be hotplugged and hotunplugged. */
            hotpluggable?: boolean;
            /** @description readOnly Will force the ReadOnly setting in VolumeMounts. Default false. */
            readOnly?: boolean;
        };
        "v1.PITTimer": {
            /** @description Enabled set to false makes sure that the machine type or a preset can't add the timer. Defaults to true. */
            present?: boolean;
            /** @description TickPolicy determines what happens when QEMU misses a deadline for injecting a tick to the guest. One of "delay", "catchup", "discard". */
            tickPolicy?: string;
        };
        /** @description PluginBinding represents a binding implemented in a plugin. */
        "v1.PluginBinding": {
            /**
             * @description Name references to the binding name as denined in the kubevirt CR. version: 1alphav1
             * @default
             */
            name: string;
        };
        /** @description Represents the stock pod network interface. */
        "v1.PodNetwork": {
            /** @description IPv6 CIDR for the vm network. Defaults to fd10:0:2::/120 if not specified. */
            vmIPv6NetworkCIDR?: string;
            /** @description CIDR for vm network. Default 10.0.2.0/24 if not specified. */
            vmNetworkCIDR?: string;
        };
        /** @description Port represents a port to expose from the virtual machine. Default protocol TCP. The port field is mandatory */
        "v1.Port": {
            /** @description If specified, this must be an IANA_SVC_NAME and unique within the pod. Each named port in a pod must have a unique name. Name for the port that can be referred to by services. */
            name?: string;
            /**
             * Format: int32
             * @description Number of port to expose for the virtual machine. This must be a valid port number, 0 < x < 65536.
             * @default 0
             */
            port: number;
            /** @description Protocol for port. Must be UDP or TCP. Defaults to "TCP". */
            protocol?: string;
        };
        /** @description PortRange represents a range of ports to be forwarded to the virtual machine. All fields are mandatory. */
        "v1.PortRange": {
            /**
             * Format: int32
             * @description Last port of the range to expose for the virtual machine. This must be a valid port number, 0 < x < 65536. Must be greater than or equal to start.
             * @default 0
             */
            end: number;
            /**
             * @description Required. Must be UDP or TCP.
             * @default
             */
            protocol: string;
            /**
             * Format: int32
             * @description First port of the range to expose for the virtual machine. This must be a valid port number, 0 < x < 65536.
             * @default 0
             */
            start: number;
        };
        /** @description PreferenceMatcher references a set of preference that is used to fill fields in the VMI template. */
        "v1.PreferenceMatcher": {
            /** @description InferFromVolume lists the name of a volume that should be used to infer or discover the preference to be used through known annotations on the underlying resource. Once applied to the PreferenceMatcher this field is removed. */
            inferFromVolume?: string;
            /** @description InferFromVolumeFailurePolicy controls what should happen on failure when preference the instancetype. Allowed values are: "RejectInferFromVolumeFailure" and "IgnoreInferFromVolumeFailure". If not specified, "RejectInferFromVolumeFailure" is used by default. */
            inferFromVolumeFailurePolicy?: string;
            /** @description Kind specifies which preference resource is referenced. Allowed values are: "VirtualMachinePreference" and "VirtualMachineClusterPreference". If not specified, "VirtualMachineClusterPreference" is used by default. */
            kind?: string;
            /** @description Name is the name of the VirtualMachinePreference or VirtualMachineClusterPreference */
            name?: string;
            /** @description RevisionName specifies a ControllerRevision containing a specific copy of the VirtualMachinePreference or VirtualMachineClusterPreference to be used. This is initially captured the first time the instancetype is applied to the VirtualMachineInstance. */
            revisionName?: string;
        };
        /** @description Probe describes a health check to be performed against a VirtualMachineInstance to determine whether it is alive or ready to receive traffic. */
        "v1.Probe": {
            exec?: components["schemas"]["k8s.io.api.core.v1.ExecAction"];
            /**
             * Format: int32
             * @description Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3. Minimum value is 1.
             */
            failureThreshold?: number;
            guestAgentPing?: components["schemas"]["v1.GuestAgentPing"];
            httpGet?: components["schemas"]["k8s.io.api.core.v1.HTTPGetAction"];
            /**
             * Format: int32
             * @description Number of seconds after the VirtualMachineInstance has started before liveness probes are initiated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes
             */
            initialDelaySeconds?: number;
            /**
             * Format: int32
             * @description How often (in seconds) to perform the probe. Default to 10 seconds. Minimum value is 1.
             */
            periodSeconds?: number;
            /**
             * Format: int32
             * @description Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1. Must be 1 for liveness. Minimum value is 1.
             */
            successThreshold?: number;
            tcpSocket?: components["schemas"]["k8s.io.api.core.v1.TCPSocketAction"];
            /**
             * Format: int32
             * @description Number of seconds after which the probe times out. For exec probes the timeout fails the probe but does not terminate the command running on the guest. This means a blocking command can result in an increasing load on the guest. A small buffer will be added to the resulting workload exec probe to compensate for delays caused by the qemu guest exec mechanism. Defaults to 1 second. Minimum value is 1. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes
             */
            timeoutSeconds?: number;
        };
        "v1.QemuGuestAgentSSHPublicKeyAccessCredentialPropagation": {
            /** @description Users represents a list of guest users that should have the ssh public keys added to their authorized_keys file. */
            users: string[];
        };
        "v1.QemuGuestAgentUserPasswordAccessCredentialPropagation": Record<string, never>;
        "v1.RateLimiter": {
            tokenBucketRateLimiter?: components["schemas"]["v1.TokenBucketRateLimiter"];
        };
        /** @description Realtime holds the tuning knobs specific for realtime workloads. */
        "v1.Realtime": {
            /** @description Mask defines the vcpu mask expression that defines which vcpus are used for realtime. Format matches libvirt's expressions. Example: "0-3,^1","0,2,3","2-3" */
            mask?: string;
        };
        /** @description ReloadableComponentConfiguration holds all generic k8s configuration options which can be reloaded by components without requiring a restart. */
        "v1.ReloadableComponentConfiguration": {
            restClient?: components["schemas"]["v1.RESTClientConfiguration"];
        };
        /** @description RemoveVolumeOptions is provided when dynamically hot unplugging volume and disk */
        "v1.RemoveVolumeOptions": {
            /** @description When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed */
            dryRun?: string[];
            /**
             * @description Name represents the name that maps to both the disk and volume that should be removed
             * @default
             */
            name: string;
        };
        "v1.ReservedOverhead": {
            addedOverhead?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            /**
             * @description RequiresLock determines whether the VM's and its overhead memory need to be locked or not. It is a common practice to enable this if vDPA, VFIO or any other specialized hardware that depends on DMA is being used by the VM. False - (Default) memory lock RLimits are not modified. True - Memory lock RLimits will be updated to consider VM memory
             *            size and memory overhead
             */
            memLock?: string;
        };
        "v1.ResourceRequirements": {
            /** @description Limits describes the maximum amount of compute resources allowed. Valid resource keys are "memory" and "cpu". */
            limits?: {
                [key: string]: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            };
            /** @description Don't ask the scheduler to take the guest-management overhead into account. Instead put the overhead only into the container's memory limit. This can lead to crashes if all memory is in use on a node. Defaults to false. */
            overcommitGuestOverhead?: boolean;
            /** @description Requests is a description of the initial vmi resources. Valid resource keys are "memory" and "cpu". */
            requests?: {
                [key: string]: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            };
        };
        /** @description ResourceRequirementsWithoutClaims describes the compute resource requirements. This struct was taken from the k8s.ResourceRequirements and cleaned up the `Claims` field. */
        "v1.ResourceRequirementsWithoutClaims": {
            /** @description Limits describes the maximum amount of compute resources allowed. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/ */
            limits?: {
                [key: string]: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            };
            /** @description Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified, otherwise to an implementation-defined value. Requests cannot exceed Limits. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/ */
            requests?: {
                [key: string]: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            };
        };
        /** @description RESTClientConfiguration allows configuring certain aspects of the k8s rest client. */
        "v1.RESTClientConfiguration": {
            rateLimiter?: components["schemas"]["v1.RateLimiter"];
        };
        /** @description Rng represents the random device passed from host */
        "v1.Rng": Record<string, never>;
        "v1.RTCTimer": {
            /** @description Enabled set to false makes sure that the machine type or a preset can't add the timer. Defaults to true. */
            present?: boolean;
            /** @description TickPolicy determines what happens when QEMU misses a deadline for injecting a tick to the guest. One of "delay", "catchup". */
            tickPolicy?: string;
            /** @description Track the guest or the wall clock. */
            track?: string;
        };
        /** @description SeccompConfiguration holds Seccomp configuration for Kubevirt components */
        "v1.SeccompConfiguration": {
            virtualMachineInstanceProfile?: components["schemas"]["v1.VirtualMachineInstanceProfile"];
        };
        /** @description SecretVolumeSource adapts a Secret into a volume. */
        "v1.SecretVolumeSource": {
            /** @description Specify whether the Secret or it's keys must be defined */
            optional?: boolean;
            /** @description Name of the secret in the pod's namespace to use. More info: https://kubernetes.io/docs/concepts/storage/volumes#secret */
            secretName?: string;
            /** @description The volume label of the resulting disk inside the VMI. Different bootstrapping mechanisms require different values. Typical values are "cidata" (cloud-init), "config-2" (cloud-init) or "OEMDRV" (kickstart). */
            volumeLabel?: string;
        };
        /** @description ServiceAccountVolumeSource adapts a ServiceAccount into a volume. */
        "v1.ServiceAccountVolumeSource": {
            /** @description Name of the service account in the pod's namespace to use. More info: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/ */
            serviceAccountName?: string;
        };
        "v1.SEV": {
            attestation?: components["schemas"]["v1.SEVAttestation"];
            /** @description Base64 encoded guest owner's Diffie-Hellman key. */
            dhCert?: string;
            policy?: components["schemas"]["v1.SEVPolicy"];
            /** @description Base64 encoded session blob. */
            session?: string;
        };
        "v1.SEVAttestation": Record<string, never>;
        "v1.SEVPolicy": {
            /** @description SEV-ES is required. Defaults to false. */
            encryptedState?: boolean;
        };
        "v1.SEVSNP": Record<string, never>;
        "v1.SMBiosConfiguration": {
            family?: string;
            manufacturer?: string;
            product?: string;
            sku?: string;
            version?: string;
        };
        /** @description Represents the user's configuration to emulate sound cards in the VMI. */
        "v1.SoundDevice": {
            /** @description We only support ich9 or ac97. If SoundDevice is not set: No sound card is emulated. If SoundDevice is set but Model is not: ich9 */
            model?: string;
            /**
             * @description User's defined name for this sound device
             * @default
             */
            name: string;
        };
        /** @description SSHPublicKeyAccessCredential represents a source and propagation method for injecting ssh public keys into a vm guest */
        "v1.SSHPublicKeyAccessCredential": {
            propagationMethod: components["schemas"]["v1.SSHPublicKeyAccessCredentialPropagationMethod"];
            source: components["schemas"]["v1.SSHPublicKeyAccessCredentialSource"];
        };
        /** @description SSHPublicKeyAccessCredentialPropagationMethod represents the method used to inject a ssh public key into the vm guest. Only one of its members may be specified. */
        "v1.SSHPublicKeyAccessCredentialPropagationMethod": {
            configDrive?: components["schemas"]["v1.ConfigDriveSSHPublicKeyAccessCredentialPropagation"];
            noCloud?: components["schemas"]["v1.NoCloudSSHPublicKeyAccessCredentialPropagation"];
            qemuGuestAgent?: components["schemas"]["v1.QemuGuestAgentSSHPublicKeyAccessCredentialPropagation"];
        };
        /** @description SSHPublicKeyAccessCredentialSource represents where to retrieve the ssh key credentials Only one of its members may be specified. */
        "v1.SSHPublicKeyAccessCredentialSource": {
            secret?: components["schemas"]["v1.AccessCredentialSecretSource"];
        };
        "v1.StallDetectorOptions": {
            /** @description CompletionTimeoutFactor multiplies the computed migration completion timeout to determine the total time budget for deciding whether a forced switchover can still finish in time, and to extend the abort deadline after initiating a completion-timeout-driven switchover. Defaults to "2". */
            completionTimeoutFactor?: string;
            /** @description EwmaAlpha is the smoothing factor for the exponentially weighted moving average of observed migration bandwidth. Must be in the range (0, 1]; zero is invalid because the estimate would never incorporate new samples. Higher values weight recent samples more heavily. Defaults to "0.4". */
            ewmaAlpha?: string;
            /** @description PatienceWindowDecayFactor is the factor by which the relaxation patience window is multiplied after each best-remaining-bytes relaxation step. Defaults to "0.5". */
            patienceWindowDecayFactor?: string;
            /** @description PrecopyPossibleFactor is the maximum factor by which estimated downtime may exceed MaxDowntime while still attempting a soft stop-and-copy instead of aborting the migration. Defaults to "1.5". */
            precopyPossibleFactor?: string;
            /** @description SearchLocalMinima controls whether convergence actions are delayed until remaining bytes reach a local minimum near the best observed value. When false, actions may trigger as soon as a stall is detected. Defaults to true. */
            searchLocalMinima?: boolean;
            /**
             * Format: int64
             * @description StallMargin is the fractional tolerance, expressed as a percentage, used when comparing remaining migration bytes against the best observed value to detect stalls and local minima. A stall is reported when remaining bytes stay above (1 - StallMargin/100) of the outside-window minimum. Defaults to 4.
             */
            stallMargin?: number;
            /**
             * Format: int64
             * @description StallProgressTimeout is the duration in seconds of the sliding window used to track minimum remaining-bytes and detect when migration progress has stalled. Defaults to 40.
             */
            stallProgressTimeout?: number;
            /**
             * Format: int64
             * @description SwitchoverTimeout is the duration in seconds allowed for a stop-and-copy or post-copy switchover to complete after being triggered before the migration is aborted. Defaults to 60.
             */
            switchoverTimeout?: number;
        };
        /** @description StartOptions may be provided on start request. */
        "v1.StartOptions": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            /** @description When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed */
            dryRun?: string[];
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            /** @description Indicates that VM will be started in paused state. */
            paused?: boolean;
        };
        /** @description StopOptions may be provided when deleting an API object. */
        "v1.StopOptions": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            /** @description When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed */
            dryRun?: string[];
            /**
             * Format: int64
             * @description this updates the VMIs terminationGracePeriodSeconds during shutdown
             */
            gracePeriod?: number;
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
        };
        /** @description StorageMigratedVolumeInfo tracks the information about the source and destination volumes during the volume migration */
        "v1.StorageMigratedVolumeInfo": {
            destinationPVCInfo?: components["schemas"]["v1.PersistentVolumeClaimInfo"];
            sourcePVCInfo?: components["schemas"]["v1.PersistentVolumeClaimInfo"];
            /**
             * @description VolumeName is the name of the volume that is being migrated
             * @default
             */
            volumeName: string;
        };
        /** @description SupportContainerResources are used to specify the cpu/memory request and limits for the containers that support various features of Virtual Machines. These containers are usually idle and don't require a lot of memory or cpu. */
        "v1.SupportContainerResources": {
            resources: components["schemas"]["v1.ResourceRequirementsWithoutClaims"];
            /** @default  */
            type: string;
        };
        "v1.SyNICTimer": {
            direct?: components["schemas"]["v1.FeatureState"];
            /** @description Enabled determines if the feature should be enabled or disabled on the guest. Defaults to true. */
            enabled?: boolean;
        };
        /** @description Represents a Sysprep volume source. */
        "v1.SysprepSource": {
            configMap?: components["schemas"]["k8s.io.api.core.v1.LocalObjectReference"];
            secret?: components["schemas"]["k8s.io.api.core.v1.LocalObjectReference"];
        };
        "v1.TDX": Record<string, never>;
        /** @description QGSConfiguration holds QGS configuration */
        "v1.TDXAttestationConfiguration": {
            /** @description Indicates whether TDX VM should enforce the existence of QGS (required for attestation) to be scheduled */
            enforced?: boolean;
            /** @description Socket path pointing to the Quote Generation Service */
            qgsSocketPath?: string;
        };
        "v1.TDXConfiguration": {
            attestation?: components["schemas"]["v1.TDXAttestationConfiguration"];
        };
        /** @description Represents all available timers in a vmi. */
        "v1.Timer": {
            hpet?: components["schemas"]["v1.HPETTimer"];
            hyperv?: components["schemas"]["v1.HypervTimer"];
            kvm?: components["schemas"]["v1.KVMTimer"];
            pit?: components["schemas"]["v1.PITTimer"];
            rtc?: components["schemas"]["v1.RTCTimer"];
        };
        "v1.TLBFlush": {
            direct?: components["schemas"]["v1.FeatureState"];
            /** @description Enabled determines if the feature should be enabled or disabled on the guest. Defaults to true. */
            enabled?: boolean;
            extended?: components["schemas"]["v1.FeatureState"];
        };
        /** @description TLSConfiguration holds TLS options */
        "v1.TLSConfiguration": {
            ciphers?: string[];
            /**
             * @description MinTLSVersion is a way to specify the minimum protocol version that is acceptable for TLS connections. Protocol versions are based on the following most common TLS configurations:
             *
             *       https://ssl-config.mozilla.org/
             *
             *     Note that SSLv3.0 is not a supported protocol version due to well known vulnerabilities such as POODLE: https://en.wikipedia.org/wiki/POODLE
             */
            minTLSVersion?: string;
        };
        "v1.TokenBucketRateLimiter": {
            /**
             * Format: int32
             * @description Maximum burst for throttle. If it's zero, the component default will be used
             * @default 0
             */
            burst: number;
            /**
             * Format: float
             * @description QPS indicates the maximum QPS to the apiserver from this client. If it's zero, the component default will be used
             * @default 0
             */
            qps: number;
        };
        "v1.TopologyHints": {
            /** Format: int64 */
            tscFrequency?: number;
        };
        "v1.TPMDevice": {
            /** @description Enabled allows a user to explicitly disable the vTPM even when one is enabled by a preference referenced by the VirtualMachine Defaults to True */
            enabled?: boolean;
            /** @description Persistent indicates the state of the TPM device should be kept accross reboots Defaults to false */
            persistent?: boolean;
        };
        "v1.USBHostDevice": {
            /** @description If true, KubeVirt will leave the allocation and monitoring to an external device plugin */
            externalResourceProvider?: boolean;
            /**
             * @description Identifies the list of USB host devices. e.g: kubevirt.io/storage, kubevirt.io/bootable-usb, etc
             * @default
             */
            resourceName: string;
            selectors?: components["schemas"]["v1.USBSelector"][];
        };
        "v1.USBSelector": {
            /** @default  */
            product: string;
            /** @default  */
            vendor: string;
        };
        /** @description UserPasswordAccessCredential represents a source and propagation method for injecting user passwords into a vm guest Only one of its members may be specified. */
        "v1.UserPasswordAccessCredential": {
            propagationMethod: components["schemas"]["v1.UserPasswordAccessCredentialPropagationMethod"];
            source: components["schemas"]["v1.UserPasswordAccessCredentialSource"];
        };
        /** @description UserPasswordAccessCredentialPropagationMethod represents the method used to inject a user passwords into the vm guest. Only one of its members may be specified. */
        "v1.UserPasswordAccessCredentialPropagationMethod": {
            qemuGuestAgent?: components["schemas"]["v1.QemuGuestAgentUserPasswordAccessCredentialPropagation"];
        };
        /** @description UserPasswordAccessCredentialSource represents where to retrieve the user password credentials Only one of its members may be specified. */
        "v1.UserPasswordAccessCredentialSource": {
            secret?: components["schemas"]["v1.AccessCredentialSecretSource"];
        };
        "v1.UtilityVolume": {
            /**
             * @description claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims
             * @default
             */
            claimName: string;
            /**
             * @description UtilityVolume's name. Must be unique within the vmi, including regular Volumes.
             * @default
             */
            name: string;
            /** @description readOnly Will force the ReadOnly setting in VolumeMounts. Default false. */
            readOnly?: boolean;
            /** @description Type represents the type of the utility volume. */
            type?: string;
        };
        "v1.VGPUDisplayOptions": {
            /** @description Enabled determines if a display addapter backed by a vGPU should be enabled or disabled on the guest. Defaults to true. */
            enabled?: boolean;
            ramFB?: components["schemas"]["v1.FeatureState"];
        };
        "v1.VGPUOptions": {
            display?: components["schemas"]["v1.VGPUDisplayOptions"];
        };
        "v1.VideoDevice": {
            /** @description Type specifies the video device type (e.g., virtio, vga, bochs, ramfb). If not specified, the default is architecture-dependent (VGA for BIOS-based VMs, Bochs for EFI-based VMs on AMD64; virtio for Arm and s390x). */
            type?: string;
        };
        "v1.VirtTemplateDeployment": {
            /** @description Enabled controls the deployment of virt-template resources, defaults to True when feature gate is enabled. */
            enabled?: boolean;
        };
        /** @description VirtualMachine handles the VirtualMachines that are not running or are in a stopped state The VirtualMachine contains the template to create the VirtualMachineInstance. It also mirrors the running state of the created VirtualMachineInstance in its status. */
        "v1.VirtualMachine": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            metadata?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"];
            spec: components["schemas"]["v1.VirtualMachineSpec"];
            status?: components["schemas"]["v1.VirtualMachineStatus"];
        };
        /** @description VirtualMachineCondition represents the state of VirtualMachine */
        "v1.VirtualMachineCondition": {
            lastProbeTime?: string | null;
            lastTransitionTime?: string | null;
            message?: string;
            reason?: string;
            /** @default  */
            status: string;
            /** @default  */
            type: string;
        };
        /** @description VirtualMachineInstance is *the* VirtualMachineInstance Definition. It represents a virtual machine in the runtime environment of kubernetes. */
        "v1.VirtualMachineInstance": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            metadata?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"];
            spec: components["schemas"]["v1.VirtualMachineInstanceSpec"];
            status?: components["schemas"]["v1.VirtualMachineInstanceStatus"];
        };
        /** @description VirtualMachineInstanceBackupStatus tracks the information of the executed backup */
        "v1.VirtualMachineInstanceBackupStatus": {
            /** @description BackupMsg resturns any relevant information like failure reason unfreeze failed etc... */
            backupMsg?: string;
            /** @description BackupName is the name of the executed backup */
            backupName?: string;
            /** @description CheckpointName is the name of the checkpoint created for the backup */
            checkpointName?: string;
            /** @description Completed indicates the backup completed */
            completed?: boolean;
            endTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
            /** @description Failed indicates that the backup failed */
            failed?: boolean;
            /** @description QuiesceStatus indicates whether filesystem freeze succeeded, failed, or was skipped. */
            quiesceStatus?: string;
            startTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
            /** @description Volumes lists the volumes included in the backup */
            volumes?: components["schemas"]["v1alpha1.BackupVolumeInfo"][];
        };
        "v1.VirtualMachineInstanceCondition": {
            lastProbeTime?: string | null;
            lastTransitionTime?: string | null;
            message?: string;
            reason?: string;
            /** @default  */
            status: string;
            /** @default  */
            type: string;
        };
        "v1.VirtualMachineInstanceGuestOSInfo": {
            /** @description Guest OS Id */
            id?: string;
            /** @description Guest OS Kernel Release */
            kernelRelease?: string;
            /** @description Kernel version of the Guest OS */
            kernelVersion?: string;
            /** @description Machine type of the Guest OS */
            machine?: string;
            /** @description Name of the Guest OS */
            name?: string;
            /** @description Guest OS Pretty Name */
            prettyName?: string;
            /** @description Guest OS Version */
            version?: string;
            /** @description Version ID of the Guest OS */
            versionId?: string;
        };
        /** @description VirtualMachineInstanceList is a list of VirtualMachines */
        "v1.VirtualMachineInstanceList": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            items: components["schemas"]["v1.VirtualMachineInstance"][];
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            metadata?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta"];
        };
        /** @description VirtualMachineInstanceMigration represents the object tracking a VMI's migration to another host in the cluster */
        "v1.VirtualMachineInstanceMigration": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            metadata?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"];
            spec: components["schemas"]["v1.VirtualMachineInstanceMigrationSpec"];
            status?: components["schemas"]["v1.VirtualMachineInstanceMigrationStatus"];
        };
        "v1.VirtualMachineInstanceMigrationCondition": {
            lastProbeTime?: string | null;
            lastTransitionTime?: string | null;
            message?: string;
            reason?: string;
            /** @default  */
            status: string;
            /** @default  */
            type: string;
        };
        /** @description VirtualMachineInstanceMigrationList is a list of VirtualMachineMigrations */
        "v1.VirtualMachineInstanceMigrationList": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            items: components["schemas"]["v1.VirtualMachineInstanceMigration"][];
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            metadata?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta"];
        };
        /** @description VirtualMachineInstanceMigrationPhaseTransitionTimestamp gives a timestamp in relation to when a phase is set on a vmi */
        "v1.VirtualMachineInstanceMigrationPhaseTransitionTimestamp": {
            /** @description Phase is the status of the VirtualMachineInstanceMigrationPhase in kubernetes world. It is not the VirtualMachineInstanceMigrationPhase status, but partially correlates to it. */
            phase?: string;
            phaseTransitionTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
        };
        "v1.VirtualMachineInstanceMigrationSource": {
            /**
             * @description The synchronization controller URL to connect to.
             * @default
             */
            connectURL: string;
            /**
             * @description A unique identifier to identify this migration.
             * @default
             */
            migrationID: string;
        };
        "v1.VirtualMachineInstanceMigrationSourceState": {
            /** @description The name of the domain on the source libvirt domain */
            domainName?: string;
            /** @description Namespace used in the name of the source libvirt domain. Can be used to find and modify paths in the domain */
            domainNamespace?: string;
            /** @description The Source VirtualMachineInstanceMigration object associated with this migration */
            migrationUID?: string;
            /** @description The source node that the VMI originated on */
            node?: string;
            /** @description Node selectors needed by the target to start the receiving pod. */
            nodeSelectors?: {
                [key: string]: string;
            };
            /** @description If the VMI being migrated uses persistent features (backend-storage), its source PVC name is saved here */
            persistentStatePVCName?: string;
            /** @description The source pod that the VMI is originated on */
            pod?: string;
            /** @description SELinuxContext is the actual SELinux context of the pod */
            selinuxContext?: string;
            /** @description The ip address/fqdn:port combination to use to synchronize the VMI with the target. */
            syncAddress?: string;
            /** @description VirtualMachineInstanceUID is the UID of the target virtual machine instance */
            virtualMachineInstanceUID?: string;
        };
        "v1.VirtualMachineInstanceMigrationSpec": {
            /** @description AddedNodeSelector is an additional selector that can be used to complement a NodeSelector or NodeAffinity as set on the VM to restrict the set of allowed target nodes for a migration. In case of key collisions, values set on the VM objects are going to be preserved to ensure that addedNodeSelector can only restrict but not bypass constraints already set on the VM object. */
            addedNodeSelector?: {
                [key: string]: string;
            };
            /** @description Priority of the migration. This can be one of `system-critical`, `user-triggered`, `system-maintenance`. */
            priority?: string;
            receive?: components["schemas"]["v1.VirtualMachineInstanceMigrationTarget"];
            sendTo?: components["schemas"]["v1.VirtualMachineInstanceMigrationSource"];
            /** @description The name of the VMI to perform the migration on. VMI must exist in the migration objects namespace */
            vmiName?: string;
        };
        "v1.VirtualMachineInstanceMigrationState": {
            /** @description Indicates that the migration has been requested to abort */
            abortRequested?: boolean;
            /** @description Indicates the final status of the live migration abortion */
            abortStatus?: string;
            /** @description Indicates the migration completed */
            completed?: boolean;
            endTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
            /** @description Indicates that the migration failed */
            failed?: boolean;
            /** @description Contains the reason why the migration failed */
            failureReason?: string;
            migrationConfiguration?: components["schemas"]["v1.VMIMConfigurationOptions"];
            /** @description The type of migration network, either 'pod' or 'migration' */
            migrationNetworkType?: string;
            /** @description Name of the migration policy. If string is empty, no policy is matched */
            migrationPolicyName?: string;
            /** @description The VirtualMachineInstanceMigration object associated with this migration */
            migrationUid?: string;
            /** @description Lets us know if the vmi is currently running pre or post copy migration */
            mode?: string;
            /** @description The source node that the VMI originated on */
            sourceNode?: string;
            /** @description If the VMI being migrated uses persistent features (backend-storage), its source PVC name is saved here */
            sourcePersistentStatePVCName?: string;
            sourcePod?: string;
            sourceState?: components["schemas"]["v1.VirtualMachineInstanceMigrationSourceState"];
            startTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
            /** @description The UID of the target attachment pod for hotplug volumes */
            targetAttachmentPodUID?: string;
            /** @description If the VMI requires dedicated CPUs, this field will hold the dedicated CPU set on the target node */
            targetCPUSet?: number[];
            /** @description The list of ports opened for live migration on the destination node */
            targetDirectMigrationNodePorts?: {
                [key: string]: number;
            };
            targetMemoryOverhead?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            /** @description The target node that the VMI is moving to */
            targetNode?: string;
            /** @description The address of the target node to use for the migration */
            targetNodeAddress?: string;
            /** @description The Target Node has seen the Domain Start Event */
            targetNodeDomainDetected?: boolean;
            targetNodeDomainReadyTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
            /** @description If the VMI requires dedicated CPUs, this field will hold the numa topology on the target node */
            targetNodeTopology?: string;
            /** @description If the VMI being migrated uses persistent features (backend-storage), its target PVC name is saved here */
            targetPersistentStatePVCName?: string;
            /** @description The target pod that the VMI is moving to */
            targetPod?: string;
            targetState?: components["schemas"]["v1.VirtualMachineInstanceMigrationTargetState"];
        };
        /** @description VirtualMachineInstanceMigration reprents information pertaining to a VMI's migration. */
        "v1.VirtualMachineInstanceMigrationStatus": {
            conditions?: components["schemas"]["v1.VirtualMachineInstanceMigrationCondition"][];
            migrationState?: components["schemas"]["v1.VirtualMachineInstanceMigrationState"];
            phase?: string;
            /** @description PhaseTransitionTimestamp is the timestamp of when the last phase change occurred */
            phaseTransitionTimestamps?: components["schemas"]["v1.VirtualMachineInstanceMigrationPhaseTransitionTimestamp"][];
            /** @description The synchronization addresses one can use to connect to the synchronization controller, includes the port, if multiple addresses are available, the first one is reported in the synchronizationAddress field. */
            synchronizationAddresses?: string[];
        } | null;
        "v1.VirtualMachineInstanceMigrationTarget": {
            /**
             * @description A unique identifier to identify this migration.
             * @default
             */
            migrationID: string;
        };
        "v1.VirtualMachineInstanceMigrationTargetState": {
            /** @description The UID of the target attachment pod for hotplug volumes */
            attachmentPodUID?: string;
            /** @description If the VMI requires dedicated CPUs, this field will hold the dedicated CPU set on the target node */
            cpuSet?: number[];
            /** @description The list of ports opened for live migration on the destination node */
            directMigrationNodePorts?: {
                [key: string]: number;
            };
            /** @description The Target Node has seen the Domain Start Event */
            domainDetected?: boolean;
            /** @description The name of the domain on the source libvirt domain */
            domainName?: string;
            /** @description Namespace used in the name of the source libvirt domain. Can be used to find and modify paths in the domain */
            domainNamespace?: string;
            domainReadyTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
            /** @description The Source VirtualMachineInstanceMigration object associated with this migration */
            migrationUID?: string;
            /** @description The source node that the VMI originated on */
            node?: string;
            /** @description The address of the target node to use for the migration */
            nodeAddress?: string;
            /** @description If the VMI requires dedicated CPUs, this field will hold the numa topology on the target node */
            nodeTopology?: string;
            /** @description If the VMI being migrated uses persistent features (backend-storage), its source PVC name is saved here */
            persistentStatePVCName?: string;
            /** @description The source pod that the VMI is originated on */
            pod?: string;
            /** @description SELinuxContext is the actual SELinux context of the pod */
            selinuxContext?: string;
            /** @description The ip address/fqdn:port combination to use to synchronize the VMI with the target. */
            syncAddress?: string;
            /** @description VirtualMachineInstanceUID is the UID of the target virtual machine instance */
            virtualMachineInstanceUID?: string;
        };
        "v1.VirtualMachineInstanceNetworkInterface": {
            /** @description Specifies the origin of the interface data collected. values: domain, guest-agent, multus-status. */
            infoSource?: string;
            /** @description The interface name inside the Virtual Machine */
            interfaceName?: string;
            /** @description IP address of a Virtual Machine interface. It is always the first item of IPs */
            ipAddress?: string;
            /** @description List of all IP addresses of a Virtual Machine interface */
            ipAddresses?: string[];
            /** @description LinkState Reports the current operational link state`. values: up, down. */
            linkState?: string;
            /** @description Hardware address of a Virtual Machine interface */
            mac?: string;
            /** @description Name of the interface, corresponds to name of the network assigned to the interface */
            name?: string;
            /** @description PodInterfaceName represents the name of the pod network interface */
            podInterfaceName?: string;
            /**
             * Format: int32
             * @description Specifies how many queues are allocated by MultiQueue
             */
            queueCount?: number;
        };
        /** @description VirtualMachineInstancePhaseTransitionTimestamp gives a timestamp in relation to when a phase is set on a vmi */
        "v1.VirtualMachineInstancePhaseTransitionTimestamp": {
            /** @description Phase is the status of the VirtualMachineInstance in kubernetes world. It is not the VirtualMachineInstance status, but partially correlates to it. */
            phase?: string;
            phaseTransitionTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
        };
        "v1.VirtualMachineInstanceProfile": {
            customProfile?: components["schemas"]["v1.CustomProfile"];
        };
        "v1.VirtualMachineInstanceResourceClaim": {
            /**
             * @description Name uniquely identifies this resource claim inside the VMI. This field is required and must be a DNS_LABEL.
             * @default
             */
            name: string;
            /**
             * @description ResourceClaimName is the name of a ResourceClaim object in the same namespace as this VMI.
             *
             *     Exactly one of ResourceClaimName and ResourceClaimTemplateName must be set.
             */
            resourceClaimName?: string;
            /**
             * @description ResourceClaimTemplateName is the name of a ResourceClaimTemplate object in the same namespace as this VMI.
             *
             *     The template name is passed through to the generated virt-launcher Pod spec. From the Pod spec, the template is used to create a new ResourceClaim, which is bound to the virt-launcher Pod. When the virt-launcher Pod is deleted, the ResourceClaim is also deleted. The generated ResourceClaim name is unique and is recorded in pod.status.resourceClaimStatuses.
             *
             *     Exactly one of ResourceClaimName and ResourceClaimTemplateName must be set.
             */
            resourceClaimTemplateName?: string;
        };
        /** @description VirtualMachineInstanceSpec is a description of a VirtualMachineInstance. */
        "v1.VirtualMachineInstanceSpec": {
            /** @description Specifies a set of public keys to inject into the vm guest */
            accessCredentials?: components["schemas"]["v1.AccessCredential"][];
            affinity?: components["schemas"]["k8s.io.api.core.v1.Affinity"];
            /** @description Specifies the architecture of the vm guest you are attempting to run. Defaults to the compiled architecture of the KubeVirt components */
            architecture?: string;
            dnsConfig?: components["schemas"]["k8s.io.api.core.v1.PodDNSConfig"];
            /**
             * @description Set DNS policy for the pod. Defaults to "ClusterFirst". Valid values are 'ClusterFirstWithHostNet', 'ClusterFirst', 'Default' or 'None'. DNS parameters given in DNSConfig will be merged with the policy selected with DNSPolicy. To have DNS options set along with hostNetwork, you have to specify DNS policy explicitly to 'ClusterFirstWithHostNet'.
             *
             *     Possible enum values:
             *      - `"ClusterFirst"` indicates that the pod should use cluster DNS first unless hostNetwork is true, if it is available, then fall back on the default (as determined by kubelet) DNS settings.
             *      - `"ClusterFirstWithHostNet"` indicates that the pod should use cluster DNS first, if it is available, then fall back on the default (as determined by kubelet) DNS settings.
             *      - `"Default"` indicates that the pod should use the default (as determined by kubelet) DNS settings.
             *      - `"None"` indicates that the pod should use empty DNS settings. DNS parameters such as nameservers and search paths should be defined via DNSConfig.
             * @enum {string}
             */
            dnsPolicy?: "ClusterFirst" | "ClusterFirstWithHostNet" | "Default" | "None";
            domain: components["schemas"]["v1.DomainSpec"];
            /** @description EvictionStrategy describes the strategy to follow when a node drain occurs. The possible options are: - "None": No action will be taken, according to the specified 'RunStrategy' the VirtualMachine will be restarted or shutdown. - "LiveMigrate": the VirtualMachineInstance will be migrated instead of being shutdown. - "LiveMigrateIfPossible": the same as "LiveMigrate" but only if the VirtualMachine is Live-Migratable, otherwise it will behave as "None". - "External": the VirtualMachineInstance will be protected and `vmi.Status.EvacuationNodeName` will be set on eviction. This is mainly useful for cluster-api-provider-kubevirt (capk) which needs a way for VMI's to be blocked from eviction, yet signal capk that eviction has been called on the VMI so the capk controller can handle tearing the VMI down. Details can be found in the commit description https://github.com/kubevirt/kubevirt/commit/c1d77face705c8b126696bac9a3ee3825f27f1fa. */
            evictionStrategy?: string;
            /** @description Specifies the hostname of the vmi If not specified, the hostname will be set to the name of the vmi, if dhcp or cloud-init is configured properly. */
            hostname?: string;
            livenessProbe?: components["schemas"]["v1.Probe"];
            /** @description List of networks that can be attached to a vm's virtual interface. */
            networks?: components["schemas"]["v1.Network"][];
            /** @description NodeSelector is a selector which must be true for the vmi to fit on a node. Selector which must match a node's labels for the vmi to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/ */
            nodeSelector?: {
                [key: string]: string;
            };
            /** @description If specified, indicates the pod's priority. If not specified, the pod priority will be default or zero if there is no default. */
            priorityClassName?: string;
            readinessProbe?: components["schemas"]["v1.Probe"];
            /**
             * @description ResourceClaims define which ResourceClaims must be allocated and reserved before the VMI, hence virt-launcher pod is allowed to start. The resources will be made available to the domain which consumes them by name.
             *
             *     This is an alpha field and requires enabling the DynamicResourceAllocation feature gate in kubernetes
             *      https://kubernetes.io/docs/concepts/scheduling-eviction/dynamic-resource-allocation/
             *     This field should only be configured if one of the feature-gates GPUsWithDRA, HostDevicesWithDRA, or NetworkDevicesWithDRA is enabled. This feature is in alpha.
             */
            resourceClaims?: components["schemas"]["v1.VirtualMachineInstanceResourceClaim"][];
            /** @description If specified, the VMI will be dispatched by specified scheduler. If not specified, the VMI will be dispatched by default scheduler. */
            schedulerName?: string;
            /** @description ServiceAccountName is the name of the ServiceAccount to use to run the virt-launcher pod. This sets pod.spec.serviceAccountName but does NOT automatically expose the service account token to the VM guest. To expose the token to the VM, use a serviceAccount volume. */
            serviceAccountName?: string;
            /** @description StartStrategy can be set to "Paused" if Virtual Machine should be started in paused state. */
            startStrategy?: string;
            /** @description If specified, the fully qualified vmi hostname will be "<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>". If not specified, the vmi will not have a domainname at all. The DNS entry will resolve to the vmi, no matter if the vmi itself can pick up a hostname. */
            subdomain?: string;
            /**
             * Format: int64
             * @description Grace period observed after signalling a VirtualMachineInstance to stop after which the VirtualMachineInstance is force terminated.
             */
            terminationGracePeriodSeconds?: number;
            /** @description If toleration is specified, obey all the toleration rules. */
            tolerations?: components["schemas"]["k8s.io.api.core.v1.Toleration"][];
            /** @description TopologySpreadConstraints describes how a group of VMIs will be spread across a given topology domains. K8s scheduler will schedule VMI pods in a way which abides by the constraints. */
            topologySpreadConstraints?: components["schemas"]["k8s.io.api.core.v1.TopologySpreadConstraint"][];
            /** @description List of utility volumes that can be mounted to the vmi virt-launcher pod without having a matching disk in the domain. Used to collect data for various operational workflows. */
            utilityVolumes?: components["schemas"]["v1.UtilityVolume"][];
            /** @description List of volumes that can be mounted by disks belonging to the vmi. */
            volumes?: components["schemas"]["v1.Volume"][];
        };
        /** @description VirtualMachineInstanceStatus represents information about the status of a VirtualMachineInstance. Status may trail the actual state of a system. */
        "v1.VirtualMachineInstanceStatus": {
            /** @description ActivePods is a mapping of pod UID to node name. It is possible for multiple pods to be running for a single VMI during migration. */
            activePods?: {
                [key: string]: string;
            };
            changedBlockTracking?: components["schemas"]["v1.ChangedBlockTrackingStatus"];
            /** @description Conditions are specific points in VirtualMachineInstance's pod runtime. */
            conditions?: components["schemas"]["v1.VirtualMachineInstanceCondition"][];
            currentCPUTopology?: components["schemas"]["v1.CPUTopology"];
            /** @description EvacuationNodeName is used to track the eviction process of a VMI. It stores the name of the node that we want to evacuate. It is meant to be used by KubeVirt core components only and can't be set or modified by users. */
            evacuationNodeName?: string;
            /** @description FSFreezeStatus indicates whether a freeze operation was requested for the guest filesystem. It will be set to "frozen" if the request was made, or unset otherwise. This does not reflect the actual state of the guest filesystem. */
            fsFreezeStatus?: string;
            guestOSInfo?: components["schemas"]["v1.VirtualMachineInstanceGuestOSInfo"];
            /** @description Interfaces represent the details of available network interfaces. */
            interfaces?: components["schemas"]["v1.VirtualMachineInstanceNetworkInterface"][];
            kernelBootStatus?: components["schemas"]["v1.KernelBootStatus"];
            /** @description LauncherContainerImageVersion indicates what container image is currently active for the vmi. */
            launcherContainerImageVersion?: string;
            machine?: components["schemas"]["v1.Machine"];
            memory?: components["schemas"]["v1.MemoryStatus"];
            /** @description MigratedVolumes lists the source and destination volumes during the volume migration */
            migratedVolumes?: components["schemas"]["v1.StorageMigratedVolumeInfo"][];
            /** @description Represents the method using which the vmi can be migrated: live migration or block migration */
            migrationMethod?: string;
            migrationState?: components["schemas"]["v1.VirtualMachineInstanceMigrationState"];
            /** @description This represents the migration transport */
            migrationTransport?: string;
            /** @description NodeName is the name where the VirtualMachineInstance is currently running. */
            nodeName?: string;
            /** @description Phase is the status of the VirtualMachineInstance in kubernetes world. It is not the VirtualMachineInstance status, but partially correlates to it. */
            phase?: string;
            /** @description PhaseTransitionTimestamp is the timestamp of when the last phase change occurred */
            phaseTransitionTimestamps?: components["schemas"]["v1.VirtualMachineInstancePhaseTransitionTimestamp"][];
            /**
             * @description The Quality of Service (QOS) classification assigned to the virtual machine instance based on resource requirements See PodQOSClass type for available QOS classes More info: https://git.k8s.io/community/contributors/design-proposals/node/resource-qos.md
             *
             *     Possible enum values:
             *      - `"BestEffort"` is the BestEffort qos class.
             *      - `"Burstable"` is the Burstable qos class.
             *      - `"Guaranteed"` is the Guaranteed qos class.
             * @enum {string}
             */
            qosClass?: "BestEffort" | "Burstable" | "Guaranteed";
            /** @description A brief CamelCase message indicating details about why the VMI is in this state. e.g. 'NodeUnresponsive' */
            reason?: string;
            /**
             * Format: int64
             * @description RuntimeUser is used to determine what user will be used in launcher
             * @default 0
             */
            runtimeUser: number;
            /** @description SELinuxContext is the actual SELinux context of the virt-launcher pod */
            selinuxContext?: string;
            topologyHints?: components["schemas"]["v1.TopologyHints"];
            /** @description VirtualMachineRevisionName is used to get the vm revision of the vmi when doing an online vm snapshot */
            virtualMachineRevisionName?: string;
            /** @description VolumeStatus contains the statuses of all the volumes */
            volumeStatus?: components["schemas"]["v1.VolumeStatus"][];
            /**
             * Format: int64
             * @description VSOCKCID is used to track the allocated VSOCK CID in the VM.
             */
            VSOCKCID?: number;
        } | null;
        "v1.VirtualMachineInstanceTemplateSpec": {
            metadata?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"];
            spec?: components["schemas"]["v1.VirtualMachineInstanceSpec"];
        };
        /** @description VirtualMachineList is a list of virtualmachines */
        "v1.VirtualMachineList": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            items: components["schemas"]["v1.VirtualMachine"][];
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            metadata?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta"];
        };
        /** @description VirtualMachineMemoryDumpRequest represent the memory dump request phase and info */
        "v1.VirtualMachineMemoryDumpRequest": {
            /**
             * @description ClaimName is the name of the pvc that will contain the memory dump
             * @default
             */
            claimName: string;
            endTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
            /** @description FileName represents the name of the output file */
            fileName?: string;
            /** @description Message is a detailed message about failure of the memory dump */
            message?: string;
            /**
             * @description Phase represents the memory dump phase
             * @default
             */
            phase: string;
            /** @description Remove represents request of dissociating the memory dump pvc */
            remove?: boolean;
            startTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
        };
        /** @description VirtualMachineOptions holds the cluster level information regarding the virtual machine. */
        "v1.VirtualMachineOptions": {
            disableFreePageReporting?: components["schemas"]["v1.DisableFreePageReporting"];
            disableSerialConsoleLog?: components["schemas"]["v1.DisableSerialConsoleLog"];
        };
        /** @description VirtualMachineSpec describes how the proper VirtualMachine should look like */
        "v1.VirtualMachineSpec": {
            /** @description dataVolumeTemplates is a list of dataVolumes that the VirtualMachineInstance template can reference. DataVolumes in this list are dynamically created for the VirtualMachine and are tied to the VirtualMachine's life-cycle. */
            dataVolumeTemplates?: components["schemas"]["v1.DataVolumeTemplateSpec"][];
            instancetype?: components["schemas"]["v1.InstancetypeMatcher"];
            preference?: components["schemas"]["v1.PreferenceMatcher"];
            /** @description Running controls whether the associatied VirtualMachineInstance is created or not Mutually exclusive with RunStrategy Deprecated: VirtualMachineInstance field "Running" is now deprecated, please use RunStrategy instead. */
            running?: boolean;
            /** @description Running state indicates the requested running state of the VirtualMachineInstance mutually exclusive with Running Following are allowed values: - "Always": VMI should always be running. - "Halted": VMI should never be running. - "Manual": VMI can be started/stopped using API endpoints. - "RerunOnFailure": VMI will initially be running and restarted if a failure occurs, but will not be restarted upon successful completion. - "Once": VMI will run once and not be restarted upon completion regardless if the completion is of phase Failure or Success. */
            runStrategy?: string;
            template: components["schemas"]["v1.VirtualMachineInstanceTemplateSpec"];
            /** @description UpdateVolumesStrategy is the strategy to apply on volumes updates */
            updateVolumesStrategy?: string;
        };
        /** @description VirtualMachineStartFailure tracks VMIs which failed to transition successfully to running using the VM status */
        "v1.VirtualMachineStartFailure": {
            /** Format: int32 */
            consecutiveFailCount?: number;
            lastFailedVMIUID?: string;
            retryAfterTimestamp?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.Time"];
        };
        "v1.VirtualMachineStateChangeRequest": {
            /**
             * @description Indicates the type of action that is requested. e.g. Start or Stop
             * @default
             */
            action: string;
            /** @description Provides additional data in order to perform the Action */
            data?: {
                [key: string]: string;
            };
            /** @description Indicates the UUID of an existing Virtual Machine Instance that this change request applies to -- if applicable */
            uid?: string;
        };
        /** @description VirtualMachineStatus represents the status returned by the controller to describe how the VirtualMachine is doing */
        "v1.VirtualMachineStatus": {
            changedBlockTracking?: components["schemas"]["v1.ChangedBlockTrackingStatus"];
            /** @description Hold the state information of the VirtualMachine and its VirtualMachineInstance */
            conditions?: components["schemas"]["v1.VirtualMachineCondition"][];
            /** @description Created indicates if the virtual machine is created in the cluster */
            created?: boolean;
            /**
             * Format: int64
             * @description DesiredGeneration is the generation which is desired for the VMI. This will be used in comparisons with ObservedGeneration to understand when the VMI is out of sync. This will be changed at the same time as ObservedGeneration to remove errors which could occur if Generation is updated through an Update() before ObservedGeneration in Status.
             */
            desiredGeneration?: number;
            instancetypeRef?: components["schemas"]["v1.InstancetypeStatusRef"];
            memoryDumpRequest?: components["schemas"]["v1.VirtualMachineMemoryDumpRequest"];
            /**
             * Format: int64
             * @description ObservedGeneration is the generation observed by the vmi when started.
             */
            observedGeneration?: number;
            preferenceRef?: components["schemas"]["v1.InstancetypeStatusRef"];
            /** @description PrintableStatus is a human readable, high-level representation of the status of the virtual machine */
            printableStatus?: string;
            /** @description Ready indicates if the virtual machine is running and ready */
            ready?: boolean;
            /** @description RestoreInProgress is the name of the VirtualMachineRestore currently executing */
            restoreInProgress?: string;
            /** @description RunStrategy tracks the last recorded RunStrategy used by the VM. This is needed to correctly process the next strategy (for now only the RerunOnFailure) */
            runStrategy?: string;
            /** @description SnapshotInProgress is the name of the VirtualMachineSnapshot currently executing */
            snapshotInProgress?: string;
            startFailure?: components["schemas"]["v1.VirtualMachineStartFailure"];
            /** @description StateChangeRequests indicates a list of actions that should be taken on a VMI e.g. stop a specific VMI then start a new one. */
            stateChangeRequests?: components["schemas"]["v1.VirtualMachineStateChangeRequest"][];
            /** @description VolumeRequests indicates a list of volumes add or remove from the VMI template and hotplug on an active running VMI. */
            volumeRequests?: components["schemas"]["v1.VirtualMachineVolumeRequest"][];
            /** @description VolumeSnapshotStatuses indicates a list of statuses whether snapshotting is supported by each volume. */
            volumeSnapshotStatuses?: components["schemas"]["v1.VolumeSnapshotStatus"][];
            volumeUpdateState?: components["schemas"]["v1.VolumeUpdateState"];
        } | null;
        "v1.VirtualMachineVolumeRequest": {
            addVolumeOptions?: components["schemas"]["v1.AddVolumeOptions"];
            removeVolumeOptions?: components["schemas"]["v1.RemoveVolumeOptions"];
        };
        /** @description VMIMConfigurationOptions holds the resolved migration options for a single migration. It is written to VirtualMachineInstanceMigrationState and represents the effective configuration after merging KubeVirt defaults with any matched MigrationPolicy. */
        "v1.VMIMConfigurationOptions": {
            /** @description AllowAutoConverge allows the platform to compromise performance/availability of VMIs to guarantee successful VMI live migrations. Defaults to false */
            allowAutoConverge?: boolean;
            /** @description AllowPostCopy enables post-copy live migrations. Such migrations allow even the busiest VMIs to successfully live-migrate. However, events like a network failure can cause a VMI crash. If set to true, migrations will still start in pre-copy, but switch to post-copy when CompletionTimeoutPerGiB triggers. Defaults to false */
            allowPostCopy?: boolean;
            /** @description AllowWorkloadDisruption indicates that the migration shouldn't be canceled after acceptableCompletionTime is exceeded. Instead, if permitted, migration will be switched to post-copy or the VMI will be paused to allow the migration to complete */
            allowWorkloadDisruption?: boolean;
            bandwidthPerMigration?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            /**
             * Format: int64
             * @description CompletionTimeoutPerGiB is the maximum number of seconds per GiB a migration is allowed to take. If the timeout is reached, the migration will be either paused, switched to post-copy or cancelled depending on other settings. Defaults to 150
             */
            completionTimeoutPerGiB?: number;
            /** @description When set to true, DisableTLS will disable the additional layer of live migration encryption provided by KubeVirt. This is usually a bad idea. Defaults to false */
            disableTLS?: boolean;
            experimental?: components["schemas"]["v1.ExperimentalMigrationOptions"];
            /** @description By default, the SELinux level of target virt-launcher pods is forced to the level of the source virt-launcher. When set to true, MatchSELinuxLevelOnMigration lets the CRI auto-assign a random level to the target. That will ensure the target virt-launcher doesn't share categories with another pod on the node. However, migrations will fail when using RWX volumes that don't automatically deal with SELinux levels. */
            matchSELinuxLevelOnMigration?: boolean;
            /**
             * Format: int64
             * @description MaxDowntimeMs specifies the maximum tolerable downtime (in milliseconds) during switchover. Defaults to 900
             */
            maxDowntimeMs?: number;
            /** @description Network is the name of the CNI network to use for live migrations. By default, migrations go through the pod network. */
            network?: string;
            /** @description NodeDrainTaintKey defines the taint key that indicates a node should be drained. Note: this option relies on the deprecated node taint feature. Default: kubevirt.io/drain */
            nodeDrainTaintKey?: string;
            /**
             * Format: int64
             * @description ParallelMigrationsPerCluster is the total number of concurrent live migrations allowed cluster-wide. Defaults to 5
             */
            parallelMigrationsPerCluster?: number;
            /**
             * Format: int64
             * @description ParallelOutboundMigrationsPerNode is the maximum number of concurrent outgoing live migrations allowed per node. Defaults to 2
             */
            parallelOutboundMigrationsPerNode?: number;
            /**
             * Format: int64
             * @description ProgressTimeout is the maximum number of seconds a live migration is allowed to make no progress. Hitting this timeout means a migration transferred 0 data for that many seconds. The migration is then considered stuck and therefore cancelled. Defaults to 150
             */
            progressTimeout?: number;
            /** @description UnsafeMigrationOverride allows live migrations to occur even if the compatibility check indicates the migration will be unsafe to the guest. Defaults to false */
            unsafeMigrationOverride?: boolean;
            /**
             * Format: int64
             * @description UtilityVolumesTimeout is the maximum number of seconds a migration can wait in Pending state for utility volumes to be detached. If utility volumes are still present after this timeout, the migration will be marked as Failed. Defaults to 150
             */
            utilityVolumesTimeout?: number;
        };
        /** @description Volume represents a named volume in a vmi. */
        "v1.Volume": {
            cloudInitConfigDrive?: components["schemas"]["v1.CloudInitConfigDriveSource"];
            cloudInitNoCloud?: components["schemas"]["v1.CloudInitNoCloudSource"];
            configMap?: components["schemas"]["v1.ConfigMapVolumeSource"];
            containerDisk?: components["schemas"]["v1.ContainerDiskSource"];
            containerPath?: components["schemas"]["v1.ContainerPathVolumeSource"];
            dataVolume?: components["schemas"]["v1.DataVolumeSource"];
            downwardAPI?: components["schemas"]["v1.DownwardAPIVolumeSource"];
            downwardMetrics?: components["schemas"]["v1.DownwardMetricsVolumeSource"];
            emptyDisk?: components["schemas"]["v1.EmptyDiskSource"];
            ephemeral?: components["schemas"]["v1.EphemeralVolumeSource"];
            hostDisk?: components["schemas"]["v1.HostDisk"];
            memoryDump?: components["schemas"]["v1.MemoryDumpVolumeSource"];
            /**
             * @description Volume's name. Must be a DNS_LABEL and unique within the vmi. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names
             * @default
             */
            name: string;
            persistentVolumeClaim?: components["schemas"]["v1.PersistentVolumeClaimVolumeSource"];
            secret?: components["schemas"]["v1.SecretVolumeSource"];
            serviceAccount?: components["schemas"]["v1.ServiceAccountVolumeSource"];
            sysprep?: components["schemas"]["v1.SysprepSource"];
        };
        "v1.VolumeMigrationState": {
            /** @description MigratedVolumes lists the source and destination volumes during the volume migration */
            migratedVolumes?: components["schemas"]["v1.StorageMigratedVolumeInfo"][];
        };
        "v1.VolumeSnapshotStatus": {
            /**
             * @description True if the volume supports snapshotting
             * @default false
             */
            enabled: boolean;
            /**
             * @description Volume name
             * @default
             */
            name: string;
            /** @description Empty if snapshotting is enabled, contains reason otherwise */
            reason?: string;
        };
        /** @description VolumeStatus represents information about the status of volumes attached to the VirtualMachineInstance. */
        "v1.VolumeStatus": {
            containerDiskVolume?: components["schemas"]["v1.ContainerDiskInfo"];
            hotplugVolume?: components["schemas"]["v1.HotplugVolumeStatus"];
            memoryDumpVolume?: components["schemas"]["v1.DomainMemoryDumpInfo"];
            /** @description Message is a detailed message about the current hotplug volume phase */
            message?: string;
            /**
             * @description Name is the name of the volume
             * @default
             */
            name: string;
            persistentVolumeClaimInfo?: components["schemas"]["v1.PersistentVolumeClaimInfo"];
            /** @description Phase is the phase */
            phase?: string;
            /** @description Reason is a brief description of why we are in the current hotplug volume phase */
            reason?: string;
            /**
             * Format: int64
             * @description Represents the size of the volume
             */
            size?: number;
            /**
             * @description Target is the target name used when adding the volume to the VM, eg: vda
             * @default
             */
            target: string;
        };
        "v1.VolumeUpdateState": {
            volumeMigrationState?: components["schemas"]["v1.VolumeMigrationState"];
        };
        /** @description Named watchdog device. */
        "v1.Watchdog": {
            diag288?: components["schemas"]["v1.Diag288Watchdog"];
            i6300esb?: components["schemas"]["v1.I6300ESBWatchdog"];
            /**
             * @description Name of the watchdog.
             * @default
             */
            name: string;
        };
        /** @description BackupVolumeInfo contains information about a volume included in a backup */
        "v1alpha1.BackupVolumeInfo": {
            /** @description DataEndpoint is the URL of the endpoint for read for pull mode */
            dataEndpoint?: string;
            /**
             * @description DiskTarget is the disk target device name at backup time
             * @default
             */
            diskTarget: string;
            /** @description MapEndpoint is the URL of the endpoint for map for pull mode */
            mapEndpoint?: string;
            /**
             * @description VolumeName is the volume name from VMI spec
             * @default
             */
            volumeName: string;
        };
        /** @description MigrationPolicy holds migration policy (i.e. configurations) to apply to a VM or group of VMs */
        "v1alpha1.MigrationPolicy": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            metadata?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"];
            spec: components["schemas"]["v1alpha1.MigrationPolicySpec"];
            status?: components["schemas"]["v1alpha1.MigrationPolicyStatus"];
        };
        /** @description MigrationPolicyList is a list of MigrationPolicy */
        "v1alpha1.MigrationPolicyList": {
            /** @description APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources */
            apiVersion?: string;
            items: components["schemas"]["v1alpha1.MigrationPolicy"][];
            /** @description Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds */
            kind?: string;
            metadata?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta"];
        };
        "v1alpha1.MigrationPolicySpec": {
            allowAutoConverge?: boolean;
            allowPostCopy?: boolean;
            allowWorkloadDisruption?: boolean;
            bandwidthPerMigration?: components["schemas"]["k8s.io.apimachinery.pkg.api.resource.Quantity"];
            /** Format: int64 */
            completionTimeoutPerGiB?: number;
            experimental?: components["schemas"]["v1.ExperimentalMigrationOptions"];
            /** Format: int64 */
            maxDowntimeMs?: number;
            selectors: components["schemas"]["v1alpha1.Selectors"];
        };
        "v1alpha1.MigrationPolicyStatus": Record<string, never> | null;
        "v1alpha1.Selectors": {
            namespaceSelector?: {
                [key: string]: string;
            };
            virtualMachineInstanceSelector?: {
                [key: string]: string;
            };
        };
        /** @description DataVolumeBlankImage provides the parameters to create a new raw blank image for the PVC */
        "v1beta1.DataVolumeBlankImage": Record<string, never>;
        /** @description DataVolumeCheckpoint defines a stage in a warm migration. */
        "v1beta1.DataVolumeCheckpoint": {
            /**
             * @description Current is the identifier of the snapshot created for this checkpoint.
             * @default
             */
            current: string;
            /**
             * @description Previous is the identifier of the snapshot from the previous checkpoint.
             * @default
             */
            previous: string;
        };
        /** @description DataVolumeSource represents the source for our Data Volume, this can be HTTP, Imageio, S3, GCS, Registry or an existing PVC */
        "v1beta1.DataVolumeSource": {
            blank?: components["schemas"]["v1beta1.DataVolumeBlankImage"];
            gcs?: components["schemas"]["v1beta1.DataVolumeSourceGCS"];
            http?: components["schemas"]["v1beta1.DataVolumeSourceHTTP"];
            imageio?: components["schemas"]["v1beta1.DataVolumeSourceImageIO"];
            pvc?: components["schemas"]["v1beta1.DataVolumeSourcePVC"];
            registry?: components["schemas"]["v1beta1.DataVolumeSourceRegistry"];
            s3?: components["schemas"]["v1beta1.DataVolumeSourceS3"];
            snapshot?: components["schemas"]["v1beta1.DataVolumeSourceSnapshot"];
            upload?: components["schemas"]["v1beta1.DataVolumeSourceUpload"];
            vddk?: components["schemas"]["v1beta1.DataVolumeSourceVDDK"];
        };
        /** @description DataVolumeSourceGCS provides the parameters to create a Data Volume from an GCS source */
        "v1beta1.DataVolumeSourceGCS": {
            /** @description SecretRef provides the secret reference needed to access the GCS source */
            secretRef?: string;
            /**
             * @description URL is the url of the GCS source
             * @default
             */
            url: string;
        };
        /** @description DataVolumeSourceHTTP can be either an http or https endpoint, with an optional basic auth user name and password, and an optional configmap containing additional CAs */
        "v1beta1.DataVolumeSourceHTTP": {
            /** @description CertConfigMap is a configmap reference, containing a Certificate Authority(CA) public key, and a base64 encoded pem certificate */
            certConfigMap?: string;
            /** @description ExtraHeaders is a list of strings containing extra headers to include with HTTP transfer requests */
            extraHeaders?: string[];
            /** @description SecretExtraHeaders is a list of Secret references, each containing an extra HTTP header that may include sensitive information */
            secretExtraHeaders?: string[];
            /** @description SecretRef A Secret reference, the secret should contain accessKeyId (user name) base64 encoded, and secretKey (password) also base64 encoded */
            secretRef?: string;
            /**
             * @description URL is the URL of the http(s) endpoint
             * @default
             */
            url: string;
        };
        /** @description DataVolumeSourceImageIO provides the parameters to create a Data Volume from an imageio source */
        "v1beta1.DataVolumeSourceImageIO": {
            /** @description CertConfigMap provides a reference to the CA cert */
            certConfigMap?: string;
            /**
             * @description DiskID provides id of a disk to be imported
             * @default
             */
            diskId: string;
            /** @description InsecureSkipVerify is a flag to skip certificate verification */
            insecureSkipVerify?: boolean;
            /** @description SecretRef provides the secret reference needed to access the ovirt-engine */
            secretRef?: string;
            /**
             * @description URL is the URL of the ovirt-engine
             * @default
             */
            url: string;
        };
        /** @description DataVolumeSourcePVC provides the parameters to create a Data Volume from an existing PVC */
        "v1beta1.DataVolumeSourcePVC": {
            /**
             * @description The name of the source PVC
             * @default
             */
            name: string;
            /**
             * @description The namespace of the source PVC
             * @default
             */
            namespace: string;
        };
        /** @description DataVolumeSourceRef defines an indirect reference to the source of data for the DataVolume */
        "v1beta1.DataVolumeSourceRef": {
            /**
             * @description The kind of the source reference, currently only "DataSource" is supported
             * @default
             */
            kind: string;
            /**
             * @description The name of the source reference
             * @default
             */
            name: string;
            /** @description The namespace of the source reference, defaults to the DataVolume namespace */
            namespace?: string;
        };
        /** @description DataVolumeSourceRegistry provides the parameters to create a Data Volume from an registry source */
        "v1beta1.DataVolumeSourceRegistry": {
            /** @description CertConfigMap provides a reference to the Registry certs */
            certConfigMap?: string;
            /** @description ImageStream is the name of image stream for import */
            imageStream?: string;
            platform?: components["schemas"]["v1beta1.PlatformOptions"];
            /** @description PullMethod can be either "pod" (default import), or "node" (node docker cache based import) */
            pullMethod?: string;
            /** @description SecretRef provides the secret reference needed to access the Registry source */
            secretRef?: string;
            /** @description URL is the url of the registry source (starting with the scheme: docker, oci-archive) */
            url?: string;
        };
        /** @description DataVolumeSourceS3 provides the parameters to create a Data Volume from an S3 source */
        "v1beta1.DataVolumeSourceS3": {
            /** @description CertConfigMap is a configmap reference, containing a Certificate Authority(CA) public key, and a base64 encoded pem certificate */
            certConfigMap?: string;
            /** @description SecretRef provides the secret reference needed to access the S3 source */
            secretRef?: string;
            /**
             * @description URL is the url of the S3 source
             * @default
             */
            url: string;
        };
        /** @description DataVolumeSourceSnapshot provides the parameters to create a Data Volume from an existing VolumeSnapshot */
        "v1beta1.DataVolumeSourceSnapshot": {
            /**
             * @description The name of the source VolumeSnapshot
             * @default
             */
            name: string;
            /**
             * @description The namespace of the source VolumeSnapshot
             * @default
             */
            namespace: string;
        };
        /** @description DataVolumeSourceUpload provides the parameters to create a Data Volume by uploading the source */
        "v1beta1.DataVolumeSourceUpload": Record<string, never>;
        /** @description DataVolumeSourceVDDK provides the parameters to create a Data Volume from a Vmware source */
        "v1beta1.DataVolumeSourceVDDK": {
            /** @description BackingFile is the path to the virtual hard disk to migrate from vCenter/ESXi */
            backingFile?: string;
            /** @description ExtraArgs is a reference to a ConfigMap containing extra arguments to pass directly to the VDDK library */
            extraArgs?: string;
            /** @description InitImageURL is an optional URL to an image containing an extracted VDDK library, overrides v2v-vmware config map */
            initImageURL?: string;
            /** @description SecretRef provides a reference to a secret containing the username and password needed to access the vCenter or ESXi host */
            secretRef?: string;
            /** @description Thumbprint is the certificate thumbprint of the vCenter or ESXi host */
            thumbprint?: string;
            /** @description URL is the URL of the vCenter or ESXi host with the VM to migrate */
            url?: string;
            /** @description UUID is the UUID of the virtual machine that the backing file is attached to in vCenter/ESXi */
            uuid?: string;
        };
        /** @description DataVolumeSpec defines the DataVolume type specification */
        "v1beta1.DataVolumeSpec": {
            /** @description Checkpoints is a list of DataVolumeCheckpoints, representing stages in a multistage import. */
            checkpoints?: components["schemas"]["v1beta1.DataVolumeCheckpoint"][];
            /** @description DataVolumeContentType options: "kubevirt", "archive" */
            contentType?: string;
            /** @description FinalCheckpoint indicates whether the current DataVolumeCheckpoint is the final checkpoint. */
            finalCheckpoint?: boolean;
            /** @description Preallocation controls whether storage for DataVolumes should be allocated in advance. */
            preallocation?: boolean;
            /** @description PriorityClassName for Importer, Cloner and Uploader pod */
            priorityClassName?: string;
            pvc?: components["schemas"]["k8s.io.api.core.v1.PersistentVolumeClaimSpec"];
            source?: components["schemas"]["v1beta1.DataVolumeSource"];
            sourceRef?: components["schemas"]["v1beta1.DataVolumeSourceRef"];
            storage?: components["schemas"]["v1beta1.StorageSpec"];
        };
        "v1beta1.PlatformOptions": {
            /** @description Architecture specifies the image target CPU architecture */
            architecture?: string;
        };
        /** @description StorageSpec defines the Storage type specification */
        "v1beta1.StorageSpec": {
            /** @description AccessModes contains the desired access modes the volume should have. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1 */
            accessModes?: ("ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOnce" | "ReadWriteOncePod")[];
            dataSource?: components["schemas"]["k8s.io.api.core.v1.TypedLocalObjectReference"];
            dataSourceRef?: components["schemas"]["k8s.io.api.core.v1.TypedObjectReference"];
            resources?: components["schemas"]["k8s.io.api.core.v1.VolumeResourceRequirements"];
            selector?: components["schemas"]["k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector"];
            /** @description Name of the StorageClass required by the claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#class-1 */
            storageClassName?: string;
            /**
             * @description volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.
             *
             *     Possible enum values:
             *      - `"Block"` means the volume will not be formatted with a filesystem and will remain a raw block device.
             *      - `"Filesystem"` means the volume will be or is formatted with a filesystem.
             *      - `"FromStorageProfile"` means the volume mode will be auto selected by CDI according to a matching StorageProfile
             * @enum {string}
             */
            volumeMode?: "Block" | "Filesystem" | "FromStorageProfile";
            /** @description VolumeName is the binding reference to the PersistentVolume backing this claim. */
            volumeName?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
};
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
