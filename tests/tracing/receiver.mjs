// An OTLP/HTTP trace receiver for the tracing tests. Each POST body (OTLP/JSON)
// goes through the OpenTelemetry project's generated protobuf definitions
// (@opentelemetry/otlp-transformer, pinned in package-lock.json): ids are taken
// from OTLP/JSON's hex form, the object is checked by the message type's
// verify(), built with fromObject(), encoded to the protobuf wire format and
// decoded back. Every decoded span is written as one JSON line to the output
// file; a body that does not decode is answered 400 and logged to stderr.
//
//   node receiver.mjs PORT OUTPUT_FILE
import { createServer } from "node:http";
import { appendFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const root = require("@opentelemetry/otlp-transformer/build/src/generated/root.js");
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const Kind = root.opentelemetry.proto.trace.v1.Span.SpanKind;

const [port, output] = process.argv.slice(2);

function idBytes(hex, length, what) {
  if (typeof hex !== "string" || !new RegExp(`^[0-9a-f]{${length * 2}}$`).test(hex))
    throw new Error(`${what}: expected ${length * 2} lowercase hex digits, got ${JSON.stringify(hex)}`);
  return Buffer.from(hex, "hex");
}

// OTLP/JSON writes bytes fields as hex; protobufjs's fromObject takes bytes.
function fromOtlpJson(body) {
  for (const rs of body.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? [])
      for (const span of ss.spans ?? []) {
        span.traceId = idBytes(span.traceId, 16, "traceId");
        span.spanId = idBytes(span.spanId, 8, "spanId");
        if (span.parentSpanId !== undefined && span.parentSpanId !== "")
          span.parentSpanId = idBytes(span.parentSpanId, 8, "parentSpanId");
      }
  return body;
}

// The AnyValue oneof as a plain value (64-bit integers through their decimal form).
function attrValue(v) {
  switch (v.value) {
    case "stringValue": return v.stringValue;
    case "intValue": return Number(v.intValue.toString());
    case "boolValue": return v.boolValue;
    case "doubleValue": return v.doubleValue;
    default: return null;
  }
}

// The times as the JSON wrote them, in order, to compare with what decoded.
function jsonTimes(body) {
  const out = [];
  for (const rs of body.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? [])
      for (const span of ss.spans ?? []) out.push([String(span.startTimeUnixNano), String(span.endTimeUnixNano)]);
  return out;
}

function decode(text) {
  const object = fromOtlpJson(JSON.parse(text));
  const times = jsonTimes(object);
  // fromObject takes OTLP/JSON's decimal strings for 64-bit integers; verify()
  // then checks the built message field by field, and the wire round trip must
  // give back every time exactly.
  const built = Request.fromObject(object);
  const problem = Request.verify(built);
  if (problem) throw new Error(`verify: ${problem}`);
  const message = Request.decode(Request.encode(built).finish());
  const lines = [];
  let index = 0;
  for (const rs of message.resourceSpans) {
    const resource = Object.fromEntries(rs.resource.attributes.map((a) => [a.key, attrValue(a.value)]));
    for (const ss of rs.scopeSpans)
      for (const s of ss.spans) {
        if (s.traceId.length !== 16 || s.spanId.length !== 8) throw new Error("id of the wrong length");
        if (!Kind[s.kind]) throw new Error(`unknown span kind ${s.kind}`);
        const [start, end] = times[index++] ?? [];
        if (s.startTimeUnixNano.toString() !== start || s.endTimeUnixNano.toString() !== end)
          throw new Error(`times did not survive decoding: ${start}..${end}`);
        lines.push(JSON.stringify({
          service: resource["service.name"],
          scope: ss.scope?.name,
          traceId: Buffer.from(s.traceId).toString("hex"),
          spanId: Buffer.from(s.spanId).toString("hex"),
          parentSpanId: s.parentSpanId?.length ? Buffer.from(s.parentSpanId).toString("hex") : "",
          name: s.name,
          kind: Kind[s.kind],
          startNs: s.startTimeUnixNano.toString(),
          endNs: s.endTimeUnixNano.toString(),
          attributes: Object.fromEntries(s.attributes.map((a) => [a.key, attrValue(a.value)])),
        }));
      }
  }
  return lines;
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    if (req.method !== "POST" || req.url !== "/v1/traces" ||
        !(req.headers["content-type"] ?? "").startsWith("application/json")) {
      res.writeHead(404).end();
      return;
    }
    try {
      const lines = decode(Buffer.concat(chunks).toString("utf8"));
      if (lines.length) appendFileSync(output, lines.join("\n") + "\n");
      res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    } catch (e) {
      process.stderr.write(`bad request: ${e.message}\n`);
      res.writeHead(400, { "Content-Type": "application/json" }).end(JSON.stringify({ message: e.message }));
    }
  });
});
server.listen(Number(port), "127.0.0.1", () => process.stdout.write(`listening ${port}\n`));
