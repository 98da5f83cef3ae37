// Validates Kubernetes manifests (multi-document YAML files named on the
// command line) offline, in two passes:
//   1. each object against its kind's OpenAPI schema (kubernetes-models'
//      validate(): types, required fields, enums, formats);
//   2. every object as a typed TypeScript literal under `tsc --strict`, which
//      rejects fields the kind does not have (the schemas allow them).
// Exit 0 when every object passes, 1 otherwise (each problem printed).
import { parseAllDocuments } from "yaml";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "policy/v1": "kubernetes-models/policy/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};

const objects = [];
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      console.error(`${file}: ${doc.errors[0].message}`);
      problems++;
      continue;
    }
    const obj = doc.toJS();
    if (obj) objects.push({ file, obj, name: `${obj.kind}/${obj.metadata?.name}` });
  }
}

// Pass 1: schemas.
for (const { file, obj, name } of objects) {
  const module = modules[obj.apiVersion];
  const Kind = module && (await import(module))[obj.kind];
  if (!Kind) {
    console.error(`${file}: ${name}: unknown kind ${obj.apiVersion}/${obj.kind}`);
    problems++;
    continue;
  }
  try {
    new Kind(obj).validate();
  } catch (e) {
    console.error(`${file}: ${name}: ${e.message}`);
    problems++;
  }
}

// Pass 2: unknown fields, through the kinds' TypeScript types.
let source = "";
const lines = []; // [first line, object] of each literal in the generated file
objects.forEach(({ obj }, i) => {
  const module = modules[obj.apiVersion];
  if (!module) return;
  source += `import type { I${obj.kind} as T${i} } from "${module}/${obj.kind}";\n`;
});
objects.forEach((entry, i) => {
  if (!modules[entry.obj.apiVersion]) return;
  lines.push([source.split("\n").length, entry]);
  source += `export const o${i}: T${i} = ${JSON.stringify(entry.obj, null, 1)};\n`;
});
const dir = mkdtempSync(join(here, "check-"));
try {
  writeFileSync(join(dir, "manifests.ts"), source);
  const tsc = spawnSync(
    process.execPath,
    [join(here, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "--strict",
     "--skipLibCheck", "--module", "nodenext", "--moduleResolution", "nodenext",
     "--target", "es2022", join(dir, "manifests.ts")],
    { encoding: "utf8" });
  for (const line of tsc.stdout.split("\n").filter((l) => l.includes("error TS"))) {
    const at = Number(/manifests\.ts\((\d+),/.exec(line)?.[1] ?? 0);
    const owner = lines.filter(([first]) => first <= at).pop()?.[1];
    console.error(`${owner ? `${owner.file}: ${owner.name}` : "?"}: ${line.replace(/^.*error /, "")}`);
    problems++;
  }
  if (tsc.status !== 0 && !tsc.stdout.includes("error TS")) {
    console.error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
    problems++;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`${objects.length} objects, ${problems} problems`);
process.exit(problems ? 1 : 0);
