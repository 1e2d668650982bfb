import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { VmshiftError } from "@vmshift/core";
import { buildPath, odataString, pathSegment, queryString } from "./escape.ts";

describe("pathSegment", () => {
  it("round-trips every well-formed string and never leaves a separator in the segment", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1 }).filter((v) => v !== "." && v !== ".."), (value) => {
        const segment = pathSegment(value);
        expect(decodeURIComponent(segment)).toBe(value);
        expect(segment).not.toMatch(/[/?#\s%](?![0-9A-F]{2})/);
        expect(segment).not.toMatch(/[/?#]/);
        expect(segment === "." || segment === "..").toBe(false);
        // A URL built with it keeps exactly one segment in that place.
        const url = new URL(`https://pc.example:9440/api/vmm/v4.0/ahv/config/vms/${segment}/$actions/power-on`);
        expect(url.pathname.split("/").length).toBe(10);
      }),
      { numRuns: 500 },
    );
  });

  it("leaves task ids readable, as Prism expects", () => {
    expect(pathSegment("ZXJnb24=:f1e19e35-8c51-53f5-a699-70dd11f8724d")).toBe("ZXJnb24=:f1e19e35-8c51-53f5-a699-70dd11f8724d");
  });

  it("escapes path tricks", () => {
    expect(() => pathSegment("..")).toThrow(/cannot be an id/);
    expect(() => pathSegment(".")).toThrow(VmshiftError);
    expect(pathSegment("a/b?c#d")).toBe("a%2Fb%3Fc%23d");
    expect(pathSegment("100%")).toBe("100%25");
    expect(buildPath`/vms/${"../hosts"}/x`).toBe("/vms/..%2Fhosts/x");
  });

  it("rejects the empty string and lone surrogates", () => {
    expect(() => pathSegment("")).toThrow(VmshiftError);
    expect(() => pathSegment("a\ud800")).toThrow(/surrogate/);
  });
});

describe("queryString and odataString", () => {
  it("encodes names and values so the query parses back to the same pairs", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }).map((k) => `$${k}`), fc.string()), (params) => {
        const qs = queryString(params);
        const parsed = new URLSearchParams(qs.slice(1));
        for (const [k, v] of Object.entries(params)) expect(parsed.get(k)).toBe(v);
        expect(qs).not.toMatch(/[ #]/);
      }),
    );
  });

  it("writes spaces as %20 and keeps $ in names", () => {
    expect(queryString({ $page: 0, $filter: "name eq 'a b'", $limit: undefined })).toBe("?$page=0&$filter=name%20eq%20'a%20b'");
  });

  it("doubles quotes in OData literals", () => {
    expect(odataString("O'Brien")).toBe("'O''Brien'");
  });
});
