// Export for slides: a picture of the page (the cluster, the space-time diagram) as a standalone
// SVG file. The page styles its SVG with CSS classes and variables, which a file does not
// carry, so the computed presentation of every element is copied inline.

const SVGNS = "http://www.w3.org/2000/svg";

/** Presentation properties copied from the page's computed style. */
const PROPS = [
  "fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray", "stroke-opacity", "opacity",
  "font-family", "font-size", "font-weight", "text-anchor", "dominant-baseline", "visibility", "display",
] as const;

function inline(src: Element, dst: Element): void {
  const cs = getComputedStyle(src);
  const style: string[] = [];
  for (const p of PROPS) {
    const v = cs.getPropertyValue(p);
    if (v) style.push(`${p}:${v}`);
  }
  dst.setAttribute("style", style.join(";"));
  dst.removeAttribute("class");
  const a = src.children;
  const b = dst.children;
  for (let i = 0; i < a.length && i < b.length; i++) inline(a[i]!, b[i]!);
}

/** svgText renders the SVG pictures inside root (drawn over each other) as one SVG document. */
export function svgText(root: Element): string {
  const svgs = root instanceof SVGSVGElement ? [root] : Array.from(root.querySelectorAll<SVGSVGElement>(":scope svg")).filter((x) => !x.parentElement?.closest("svg"));
  const first = svgs[0];
  if (!first) return "";
  const out = document.createElementNS(SVGNS, "svg");
  const box = first.viewBox.baseVal;
  const w = box && box.width ? box.width : first.clientWidth || 800;
  const h = box && box.height ? box.height : first.clientHeight || 600;
  out.setAttribute("xmlns", SVGNS);
  out.setAttribute("viewBox", `${box ? box.x : 0} ${box ? box.y : 0} ${w} ${h}`);
  out.setAttribute("width", String(w));
  out.setAttribute("height", String(h));
  const bg = getComputedStyle(document.body).backgroundColor || "#ffffff";
  const rect = document.createElementNS(SVGNS, "rect");
  rect.setAttribute("x", String(box ? box.x : 0));
  rect.setAttribute("y", String(box ? box.y : 0));
  rect.setAttribute("width", String(w));
  rect.setAttribute("height", String(h));
  rect.setAttribute("fill", bg);
  out.append(rect);
  for (const svg of svgs) {
    const g = document.createElementNS(SVGNS, "g");
    for (const child of Array.from(svg.children)) {
      const copy = child.cloneNode(true) as Element;
      inline(child, copy);
      g.append(copy);
    }
    out.append(g);
  }
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(out);
}

/** exportSvg downloads the pictures inside root as an SVG file. */
export function exportSvg(root: Element, filename: string): void {
  const text = svgText(root);
  if (!text) return;
  download(new Blob([text], { type: "image/svg+xml" }), filename);
}

/** download saves a blob as a file. */
function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** exportPng downloads the pictures inside root as a PNG image (twice the size on screen, for
 * slides). */
export async function exportPng(root: Element, filename: string): Promise<void> {
  const text = svgText(root);
  if (!text) return;
  const img = new Image();
  const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
  try {
    img.src = url;
    await img.decode();
    const scale = 2;
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
    canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
    const g = canvas.getContext("2d");
    if (!g) return;
    g.scale(scale, scale);
    g.drawImage(img, 0, 0);
    const blob = await new Promise<Blob | null>((res) => canvas.toBlob(res, "image/png"));
    if (blob) download(blob, filename);
  } finally {
    URL.revokeObjectURL(url);
  }
}
