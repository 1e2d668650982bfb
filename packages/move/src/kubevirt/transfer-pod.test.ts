import { describe, expect, it } from "vitest";
import { NBD_PORT, consumerPodBody, nbdVolume, transferPodBody, transferPodName, transferPolicyBody } from "./transfer-pod.ts";

describe("the transfer pod of a warm move into KubeVirt", () => {
  it("serves each claim with its own qemu-nbd container and port: Filesystem claims mounted (disk.img), Block claims as devices", () => {
    const pod = transferPodBody("team-a", "web-01", "registry.example/qemu-nbd:1", [
      { claim: "web-01-vda", volumeMode: "Filesystem" },
      { claim: "web-01-vdb", volumeMode: "Block" },
    ]) as any;
    expect(pod.metadata).toMatchObject({ name: "web-01-vmshift-transfer", namespace: "team-a", labels: { "vmshift.io/transfer-for": "web-01" } });
    expect(pod.spec.restartPolicy).toBe("Never");
    expect(pod.spec.securityContext).toMatchObject({ runAsUser: 107, runAsNonRoot: true });
    const [a, b] = pod.spec.containers;
    expect(a.image).toBe("registry.example/qemu-nbd:1");
    expect(a.command).toEqual(["qemu-nbd", "--persistent", "--shared=8", "--format=raw", "--export-name=web-01-vda", "--bind=0.0.0.0", `--port=${NBD_PORT}`, "/mnt/web-01-vda/disk.img"]);
    expect(a.volumeMounts).toEqual([{ name: "disk-0", mountPath: "/mnt/web-01-vda" }]);
    expect(a.readinessProbe.tcpSocket.port).toBe(NBD_PORT);
    expect(b.command.at(-1)).toBe("/dev/vmshift/web-01-vdb");
    expect(b.command).toContain(`--port=${NBD_PORT + 1}`);
    expect(b.volumeDevices).toEqual([{ name: "disk-1", devicePath: "/dev/vmshift/web-01-vdb" }]);
    expect(b.volumeMounts).toBeUndefined();
    expect(pod.spec.volumes).toEqual([
      { name: "disk-0", persistentVolumeClaim: { claimName: "web-01-vda" } },
      { name: "disk-1", persistentVolumeClaim: { claimName: "web-01-vdb" } },
    ]);
  });

  it("the first consumer of WaitForFirstConsumer claims mounts each (Block ones as devices) and only prints qemu-nbd's version", () => {
    const pod = consumerPodBody("team-a", "web-01", "registry.example/qemu-nbd:1", [
      { claim: "web-01-vda", volumeMode: "Filesystem" },
      { claim: "web-01-vdb", volumeMode: "Block" },
    ]) as any;
    expect(pod.metadata.name).toBe("web-01-vmshift-bind");
    expect(pod.spec.restartPolicy).toBe("Never");
    const [c] = pod.spec.containers;
    expect(c.command).toEqual(["qemu-nbd", "--version"]);
    expect(c.volumeMounts).toEqual([{ name: "disk-0", mountPath: "/mnt/web-01-vda" }]);
    expect(c.volumeDevices).toEqual([{ name: "disk-1", devicePath: "/dev/vmshift/web-01-vdb" }]);
    expect(pod.spec.volumes.map((v: any) => v.persistentVolumeClaim.claimName)).toEqual(["web-01-vda", "web-01-vdb"]);
  });

  it("the NetworkPolicy selects the transfer pod's label and admits only the mover's pods to the NBD ports", () => {
    const pod = transferPodBody("team-a", "web-01", "i", [{ claim: "web-01-vda", volumeMode: "Filesystem" }]) as any;
    const policy = transferPolicyBody("team-a", "web-01", [10809, 10810]) as any;
    expect(policy.metadata).toMatchObject({ name: "web-01-vmshift-transfer", namespace: "team-a" });
    expect(policy.spec.podSelector.matchLabels).toEqual(pod.metadata.labels);
    expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { "vmshift.io/mover": "true" } } }], ports: [{ protocol: "TCP", port: 10809 }, { protocol: "TCP", port: 10810 }] }]);
  });

  it("names the pod within 63 characters", () => {
    expect(transferPodName("x".repeat(80)).length).toBeLessThanOrEqual(63);
  });

  it("addresses an export by URI and as a QEMU NBD node; IPv6 hosts in brackets in the URI only", () => {
    expect(nbdVolume("10.244.1.7", 10810, "web-01-vda")).toEqual({ location: "nbd://10.244.1.7:10810/web-01-vda", protocol: { driver: "nbd", server: { type: "inet", host: "10.244.1.7", port: "10810" }, export: "web-01-vda" } });
    expect(nbdVolume("fd00::7", 10809, "d").location).toBe("nbd://[fd00::7]:10809/d");
    expect((nbdVolume("fd00::7", 10809, "d").protocol as any).server.host).toBe("fd00::7");
  });
});
