// Message categories: colour (Okabe–Ito, safe for colour-blind viewers), shape and short label,
// so that no category is told apart by colour alone.

export type Category = "election" | "discovery" | "sync" | "broadcast" | "ping" | "request" | "other";

export interface CategoryStyle {
  colour: string;
  /** SVG path centred on (0, 0), about 16 units across. */
  shape: string;
  /** Hollow shapes are drawn with a stroke only. */
  hollow: boolean;
}

export const OKABE_ITO = {
  orange: "#E69F00",
  skyBlue: "#56B4E9",
  bluishGreen: "#009E73",
  yellow: "#F0E442",
  blue: "#0072B2",
  vermillion: "#D55E00",
  reddishPurple: "#CC79A7",
  grey: "#8c8c8c",
} as const;

const CIRCLE = "M-7,0a7,7 0 1,0 14,0a7,7 0 1,0 -14,0Z";
const SMALL_CIRCLE = "M-5,0a5,5 0 1,0 10,0a5,5 0 1,0 -10,0Z";
const DIAMOND = "M0,-8.5L8.5,0L0,8.5L-8.5,0Z";
const SQUARE = "M-6.5,-6.5H6.5V6.5H-6.5Z";
const TRIANGLE = "M0,-8L7.5,6H-7.5Z";
const PENTAGON = "M0,-8L7.6,-2.5L4.7,6.5H-4.7L-7.6,-2.5Z";
const HEXAGON = "M-7,0L-3.5,-6.5H3.5L7,0L3.5,6.5H-3.5Z";

export const CATEGORY_STYLE: Record<Category, CategoryStyle> = {
  election: { colour: OKABE_ITO.orange, shape: CIRCLE, hollow: false },
  discovery: { colour: OKABE_ITO.skyBlue, shape: DIAMOND, hollow: false },
  sync: { colour: OKABE_ITO.bluishGreen, shape: SQUARE, hollow: false },
  broadcast: { colour: OKABE_ITO.blue, shape: TRIANGLE, hollow: false },
  ping: { colour: OKABE_ITO.grey, shape: SMALL_CIRCLE, hollow: true },
  request: { colour: OKABE_ITO.reddishPurple, shape: PENTAGON, hollow: false },
  other: { colour: OKABE_ITO.grey, shape: HEXAGON, hollow: true },
};

export const CATEGORIES: readonly Category[] = ["election", "discovery", "sync", "broadcast", "ping", "request"];

const PACKET_CATEGORY: Record<string, Category> = {
  NOTIFICATION: "election",
  FOLLOWERINFO: "discovery",
  OBSERVERINFO: "discovery",
  LEADERINFO: "discovery",
  ACKEPOCH: "discovery",
  CONNREFUSED: "discovery",
  DIFF: "sync",
  TRUNC: "sync",
  SNAP: "sync",
  NEWLEADER: "sync",
  UPTODATE: "sync",
  PROPOSAL: "broadcast",
  ACK: "broadcast",
  COMMIT: "broadcast",
  INFORM: "broadcast",
  PING: "ping",
  REVALIDATE: "ping",
  REQUEST: "request",
  SYNC: "request",
  REQUESTRESULT: "request",
};

/** Short labels drawn beside a moving message. */
const PACKET_LABEL: Record<string, string> = {
  NOTIFICATION: "VOTE",
  FOLLOWERINFO: "FINFO",
  OBSERVERINFO: "OINFO",
  LEADERINFO: "LINFO",
  ACKEPOCH: "ACKEP",
  CONNREFUSED: "REFUSED",
  NEWLEADER: "NEWLDR",
  UPTODATE: "UPTODATE",
  PROPOSAL: "PROP",
  REVALIDATE: "REVAL",
  REQUESTRESULT: "RESULT",
};

export function packetCategory(packet: string | undefined): Category {
  return (packet && PACKET_CATEGORY[packet]) || "other";
}

export function packetLabel(packet: string | undefined): string {
  if (!packet) return "?";
  return PACKET_LABEL[packet] ?? packet;
}

/** Packets of each category, for the legend. */
export function categoryPackets(c: Category): string[] {
  return Object.keys(PACKET_CATEGORY).filter((p) => PACKET_CATEGORY[p] === c && p !== "REQUESTRESULT" && p !== "CONNREFUSED");
}

/** Partition groups A, B, C: colour plus letter and fill pattern. */
export const GROUP_COLOURS = [OKABE_ITO.skyBlue, OKABE_ITO.orange, OKABE_ITO.reddishPurple] as const;
export const GROUP_LETTERS = ["A", "B", "C"] as const;
