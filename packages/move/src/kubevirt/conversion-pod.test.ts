import { describe, expect, it } from "vitest";
import { CONVERSION_CONTAINER, XML_DIR, XML_KEY, conversionConfigMapBody, conversionPodBody, conversionPodName, conversionPodXml } from "./conversion-pod.ts";

const MI = 1024 * 1024;
const input = {
  name: "web-01",
  definition: {
    name: "web-01", cpus: 2, memoryBytes: 1024 * MI, guestOs: "debian12_64Guest",
    disks: [
      { key: "scsi0:0", bus: "scsi", format: "vmdk", sizeBytes: 8 * MI, location: "[ds] web/web.vmdk" },
      { key: "ide0:1", bus: "ide", format: "vmdk", sizeBytes: 4 * MI, location: "[ds] web/web_1.vmdk" },
    ],
  },
  volumes: [
    { diskKey: "scsi0:0", storage: "local-path", location: "cdi-upload://team-a/web-01-scsi0-0", format: "raw", sizeBytes: 8 * MI },
    { diskKey: "ide0:1", storage: "local-path", location: "nbd://10.0.0.7:10810/web-01-ide0-1", format: "raw", sizeBytes: 4 * MI, protocol: { driver: "nbd" } },
  ],
} as any;
const claims = [
  { claim: "web-01-scsi0-0", volumeMode: "Filesystem" },
  { claim: "web-01-ide0-1", volumeMode: "Block" },
] as const;

describe("the conversion pod of a move into KubeVirt", () => {
  it("names the disks at their paths inside the pod, on the buses the guest used at the source, raw", () => {
    const xml = conversionPodXml(input, claims);
    expect(xml).toContain("<name>web-01</name>");
    expect(xml).toContain("<source file='/mnt/web-01-scsi0-0/disk.img'/><target dev='sda' bus='scsi'/>");
    expect(xml).toContain("<source file='/dev/vmshift/web-01-ide0-1'/><target dev='hda' bus='ide'/>");
    expect(xml).not.toContain("cdi-upload://");
    expect(xml).not.toContain("nbd://");
    expect(xml.match(/type='raw'/g)).toHaveLength(2);
  });

  it("passes the XML as a ConfigMap the pod mounts read-only, and runs virt-v2v-in-place on it with every claim mounted", () => {
    const cm = conversionConfigMapBody("team-a", "web-01", "<domain/>") as any;
    expect(cm).toMatchObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web-01-vmshift-convert", namespace: "team-a", labels: { "vmshift.io/conversion-for": "web-01" } }, data: { [XML_KEY]: "<domain/>" } });
    const pod = conversionPodBody("team-a", "web-01", "registry.example/virt-v2v:2.2", claims) as any;
    expect(pod.metadata.name).toBe(conversionPodName("web-01"));
    expect(pod.spec.restartPolicy).toBe("Never");
    expect(pod.spec.containers).toHaveLength(1);
    const [c] = pod.spec.containers;
    expect(c.name).toBe(CONVERSION_CONTAINER);
    expect(c.image).toBe("registry.example/virt-v2v:2.2");
    expect(c.command).toEqual(["virt-v2v-in-place", "-i", "libvirtxml", "--machine-readable", `${XML_DIR}/${XML_KEY}`]);
    expect(c.terminationMessagePolicy).toBe("FallbackToLogsOnError");
    expect(c.env).toEqual([{ name: "LIBGUESTFS_BACKEND", value: "direct" }]);
    expect(c.volumeMounts).toEqual([{ name: "domain-xml", mountPath: XML_DIR, readOnly: true }, { name: "disk-0", mountPath: "/mnt/web-01-scsi0-0" }]);
    expect(c.volumeDevices).toEqual([{ name: "disk-1", devicePath: "/dev/vmshift/web-01-ide0-1" }]);
    expect(pod.spec.volumes).toEqual([
      { name: "domain-xml", configMap: { name: "web-01-vmshift-convert" } },
      { name: "disk-0", persistentVolumeClaim: { claimName: "web-01-scsi0-0" } },
      { name: "disk-1", persistentVolumeClaim: { claimName: "web-01-ide0-1" } },
    ]);
  });

  it("keeps the pod's name a DNS label for long VM names", () => {
    const name = conversionPodName("a".repeat(80));
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
