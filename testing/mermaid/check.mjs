// Parse Mermaid diagrams with Mermaid's own parser, in Node, without a browser.
//
// stdin: a JSON array of diagram texts (what goes between ```mermaid and ```).
// stdout: a JSON array, one result per diagram: {"ok": true, "type": "xychart", "data": ...}
// or {"ok": false, "error": "..."}. For an xychart, "data" is what Mermaid understood:
// the x-axis categories, the y-axis range and each plot's values, so a test can check
// the chart means what the report says.
//
// Mermaid sanitizes labels with DOMPurify, which needs a DOM: jsdom provides one.
import { JSDOM } from "jsdom";

const { window } = new JSDOM("");
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import("mermaid");

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const diagrams = JSON.parse(Buffer.concat(chunks).toString("utf8"));

function xychartData(db) {
  const data = db.getXYChartData();
  return {
    xAxis: data.xAxis,
    yAxis: data.yAxis,
    plots: data.plots.map((plot) => ({ type: plot.type, data: plot.data })),
    title: db.getDiagramTitle ? db.getDiagramTitle() : data.title,
  };
}

const results = [];
for (const text of diagrams) {
  try {
    // parse() registers the diagram types and throws on a syntax error; then the diagram
    // itself is built to read back what the parser understood.
    await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const result = { ok: true, type: diagram.type };
    if (diagram.type === "xychart") result.data = xychartData(diagram.db);
    results.push(result);
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
