// TypeScript mirrors of the Go JSON the server sends (engine/view.go, web/room.go,
// web/events.go). Field names and shapes follow the Go struct tags exactly; the sample in
// web/ts/testdata was produced by the engine itself.

/** A zxid as the server writes it: "0x…" lowercase hex, or "-1" for "no zxid". */
export type ZxidHex = string;

/** A reason argument: a number, a "0x…" hex string or text, a partition, a set of ids, or a nested reason. */
export type ReasonArg = number | string | number[] | number[][] | Reason;

/** reason.Reason as JSON: a catalogue code (catalogue.gen.ts) and its named arguments. */
export interface Reason {
  code: string;
  args?: Record<string, ReasonArg | undefined>;
}

export type ServerState = "LOOKING" | "FOLLOWING" | "LEADING" | "OBSERVING" | "DOWN";
export type ZabPhase = "ELECTION" | "DISCOVERY" | "SYNCHRONIZATION" | "BROADCAST" | "NONE";
export type SyncMode = "NONE" | "DIFF" | "SNAP" | "TRUNC";
export type Role = "participant" | "observer";

/** engine.VoteView: a server's current election vote. */
export interface VoteView {
  leader: number;
  zxid: ZxidHex;
  peerEpoch: number;
  round: number;
}

/** engine.LogEntryView: one txn of a server's log tail. */
export interface LogEntryView {
  zxid: ZxidHex;
  op: string;
  path: string;
  committed: boolean;
}

/** engine.PacketView: a packet waiting in a learner's queue at the leader. */
export interface PacketView {
  type: string;
  zxid: ZxidHex;
}

/** engine.QueueView: one learner's FIFO queue at the leader. */
export interface QueueView {
  learner: number;
  stage: string;
  packets: PacketView[];
  synced: boolean;
}

/** engine.ProposalView: an outstanding proposal at the leader with its acks. */
export interface ProposalView {
  zxid: ZxidHex;
  op: string;
  path: string;
  acks: number[];
  needed: number;
}

/** engine.NodeView: one server. */
export interface NodeView {
  id: number;
  role: Role;
  state: ServerState;
  phase: ZabPhase;
  acceptedEpoch: number;
  currentEpoch: number;
  lastZxid: ZxidHex;
  /** The newest zxid the server knows to be committed ("0x0" until a restarted one synced). */
  lastCommittedZxid: ZxidHex;
  /** The newest txn in its tree: after leaving a role, logged proposals that may never commit. */
  lastProcessedZxid: ZxidHex;
  vote: VoteView;
  zkPort: number;
  reason: Reason | null;
  syncMode: SyncMode;
  syncReason: Reason | null;
  /** The leader it follows or leads, 0 if none (Go field Leader, JSON "following"). */
  following: number;
  serving: boolean;
  log: LogEntryView[];
  snapshots: ZxidHex[];
  queues?: QueueView[];
  outstanding?: ProposalView[];
  clients: number;
}

/** engine.LinkRules: the network as the user set it. */
export interface LinkRules {
  groups: number[][];
  /** One-way cuts: [from, to]. */
  cuts: [number, number][];
  lossPct: number;
  /** Latency, jitter and loss set per directed link (from = to = 0: every link). */
  links?: LinkNet[];
}

/** engine.LinkNet: the network quality of one directed link, or of all (from = to = 0). */
export interface LinkNet {
  from: number;
  to: number;
  /** -1: the timing's. */
  latencyUs: number;
  /** -1: the timing's. */
  jitterUs: number;
  lossPct: number;
}

/** engine.Timing. Times in simulated ms except the *Us fields. */
export interface Timing {
  tickTime: number;
  initLimit: number;
  syncLimit: number;
  finalizeWait: number;
  linkLatencyUs: number;
  linkJitterUs: number;
  sendGapUs: number;
  name: string;
}

/** engine.Violation: one broken invariant. */
export interface Violation {
  invariant: string;
  node: number;
  detail: Reason | null;
  timeUs: number;
}

/** web.RoomView: GET /api/rooms/{room} and every view the websocket sends. */
export interface RoomView {
  timeMs: number;
  tick: number;
  leader: number;
  nodes: NodeView[];
  links: LinkRules;
  timing: Timing;
  bug: string;
  seed: number;
  voters: number;
  observers: number;
  violations: Violation[];
  committed: number;
  eventSeq: number;
  /** changes exactly when the room gets a new cluster */
  generation: number;
  room: string;
  paused: boolean;
  speed: number;
  canControl: boolean;
  /** Set while the room runs by itself (web.Autopilot). */
  autopilot?: Autopilot;
  /** Set while the room plays a lesson (web.LessonView). */
  lesson?: LessonView;
  /** How simulated time maps to wall time now (web.Pace; absent in views of the past). */
  pace?: Pace;
}

/** web.Pace: slow motion at key moments. */
export interface Pace {
  /** The setting: slow down while a key message is on the wire. */
  slowMotion: boolean;
  /** The share of the speed kept at key moments (1/8). */
  factor: number;
  /** A key message is on the wire now: the room runs at rate = speed × factor. */
  slow: boolean;
  /** Simulated ms per wall ms right now. */
  rate: number;
  /** The room's links are slow enough to watch (the watch timing): slow motion applies. */
  applies: boolean;
}

export type EventKind =
  | "state" | "vote" | "decided" | "send" | "deliver" | "drop" | "queue" | "epoch"
  | "propose" | "logged" | "acked" | "commit" | "syncMode" | "truncated" | "snapshot"
  | "session" | "client" | "links" | "violation" | "conn" | "watch";

/** web.VoteJSON: a vote inside an event. */
export interface EventVote {
  leader: number;
  zxid: ZxidHex;
  peerEpoch: number;
  round: number;
  state: string;
}

/**
 * web.EventJSON. Fields a kind does not use are absent. Note the direction: for "send" and
 * "drop" node is the sender and peer the receiver; for "deliver" node is the receiver and peer
 * the sender.
 */
export interface ZEvent {
  seq: number;
  /** Simulated time, ms. */
  t: number;
  kind: EventKind;
  node?: number;
  peer?: number;
  packet?: string;
  msgId?: number;
  zxid?: ZxidHex;
  /** Scheduled delivery time for "send", ms. */
  at?: number;
  state?: string;
  phase?: string;
  mode?: string;
  vote?: EventVote;
  n?: number;
  m?: number;
  client?: number;
  session?: string;
  op?: string;
  err?: string;
  path?: string;
  epoch?: number;
  /** Why, typed; the page renders it and the event's sentence (reasons.ts). */
  reason?: Reason;
}

/** zkdb.Stat. ephemeralOwner is normalised to a "0x…" string by api.ts (it exceeds 2^53). */
export interface Stat {
  czxid: ZxidHex;
  mzxid: ZxidHex;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
  pzxid: ZxidHex;
}

/** engine.ZNodeView: GET /api/rooms/{room}/nodes/{id}/tree lists these depth-first. */
export interface ZNode {
  path: string;
  data: string;
  stat: Stat;
}

export type OpName = "create" | "set" | "get" | "delete" | "ls" | "sync";

/** web.OpRequest. */
export interface OpRequest {
  server: number;
  op: OpName;
  path: string;
  data: string;
  ephemeral: boolean;
  sequential: boolean;
}

/** web.OpResult (or {pending: true} while the room is paused). */
export interface OpResult {
  ok: boolean;
  pending?: boolean;
  err: string;
  zxid?: ZxidHex;
  replyZxid?: ZxidHex;
  server: number;
  path?: string;
  data?: string;
  children?: string[];
  stat?: Stat;
  client?: number;
}

/** Body of POST /api/rooms and of reset. */
export interface ClusterSpec {
  nodes: number;
  observers: number;
  seed: number;
  bug: string;
  timing?: string;
}

/** Messages the server sends on the websocket. */
export type ServerMsg =
  | { type: "view"; view: RoomView }
  | { type: "reset"; view: RoomView }
  | { type: "events"; events: ZEvent[]; view?: RoomView }
  | { type: "result"; id: number; ok: boolean; result?: unknown; error?: string; code?: string }
  | { type: "question" | "answers" | "reveal" | "control" | "students"; class: Record<string, unknown> };

/**
 * A command of the run-file vocabulary (engine/command.go): every change to a cluster is one,
 * recorded with its simulated time in the room's run (GET /api/rooms/{room}/run).
 */
export type EngineCommand =
  | { kind: "crash" | "restart"; node: number }
  | { kind: "partition"; groups: number[][] }
  | { kind: "link"; from: number; to: number; up: boolean }
  | { kind: "heal" }
  | { kind: "net"; from?: number; to?: number; latencyUs?: number; jitterUs?: number; lossPct?: number }
  | { kind: "bug"; bug: string };

export type AutopilotFault = "leader" | "crash" | "partition";

/** web.Autopilot: POST /api/rooms/{room}/autopilot; all zero turns it off. */
export interface Autopilot {
  /** Background setData writes per simulated second (0: none). */
  writesPerSec: number;
  /** Simulated seconds between faults (0: none). */
  faultEverySec: number;
  faults?: AutopilotFault[];
}

/** Commands the browser sends (on the websocket with an id, or as REST calls). Changes to the
 * cluster go as "apply" with an EngineCommand; the others steer the room (pace, lessons). */
export type Command =
  | { cmd: "apply"; command: EngineCommand }
  | { cmd: "pause" | "resume" | "step" }
  | { cmd: "speed"; speed: number }
  | { cmd: "slowmotion"; on: boolean }
  | ({ cmd: "op" } & OpRequest)
  | ({ cmd: "reset" } & ClusterSpec)
  | { cmd: "lesson"; action: LessonAction; step?: number; slug?: string }
  | ({ cmd: "autopilot" } & Autopilot);

/** The outcome of a command, from either transport. */
export interface CommandResult<T = unknown> {
  ok: boolean;
  result?: T;
  error?: string;
  code?: string;
}

// ---- Lessons (lessons/lesson.go, lessons/run.go, web/lesson.go) ----

/** lessons.Text: one text in both languages. */
export interface Text {
  en: string;
  zh: string;
}

/** An entry of GET /api/lessons. */
export interface LessonSummary {
  slug: string;
  title: Text;
  summary?: Text;
  steps: number;
}

/** lessons.Command: one line of a script, goal or solution. */
export interface ScriptLine {
  line: number;
  text: string;
  kind: string;
  /** A goal line kept from the learner until the goal is reached (it tells an answer). */
  hidden?: boolean;
}

/** lessons.Choice. */
export interface Choice {
  text: Text;
}

/** lessons.Predict: a question asked before a step plays. */
export interface Predict {
  question: Text;
  choices: Choice[];
  /** Index of the right choice. */
  answer: number;
  explain?: Text;
}

/** lessons.Step. */
export interface Step {
  index: number;
  id: string;
  line: number;
  title: Text;
  /** Narration, Markdown. */
  body: Text;
  /** The narration's part that tells the outcome: shown once the step has played. */
  after?: Text;
  predict?: Predict;
  /** A try-it-yourself step: after its script the learner must reach the goal. */
  try: boolean;
  /** null when the step has no script (a try step may have only a goal). */
  script: ScriptLine[] | null;
  goal?: ScriptLine[];
  solution?: ScriptLine[];
}

/** lessons.Setup: the lesson's cluster. */
export interface LessonSetup {
  voters: number;
  observers: number;
  seed: number;
  timing: string;
  bug?: string;
  commitLogCount: number;
  snapCount: number;
  snapshotSizeFactor: number;
  startCounter?: number;
}

/** lessons.Lesson: GET /api/lessons/{slug}. */
export interface Lesson {
  file: string;
  slug: string;
  title: Text;
  summary?: Text;
  setup: LessonSetup;
  steps: Step[];
}

/** lessons.CheckResult: one checkpoint, evaluated. */
export interface CheckResult {
  line: number;
  /** The line as written. */
  check: string;
  pass: boolean;
  detail: Text;
}

/** lessons.Entry: one line of a step's timeline. */
export interface TimelineEntry {
  kind: "action" | "event" | "result" | "check" | "predict" | "note" | string;
  timeMs: number;
  line?: number;
  text: Text;
  pass?: boolean;
}

/** lessons.StepResult: a played step. */
export interface StepResult {
  index: number;
  id: string;
  startMs: number;
  endMs: number;
  /** Go nil slices arrive as null. */
  log: TimelineEntry[] | null;
  checks: CheckResult[] | null;
  solved?: boolean;
  reset?: boolean;
  pass: boolean;
  /** The cluster's event-log digest after the step: equal digests, identical runs. */
  digest: string;
  error?: string;
}

/** web.StepSummary. */
export interface StepSummary {
  index: number;
  pass: boolean;
  solved?: boolean;
  checks: CheckResult[];
}

/** web.LessonView: the lesson part of a room's view. */
export interface LessonView {
  slug: string;
  title: Text;
  steps: number;
  /** Index of the next step to play (= number of steps done). */
  next: number;
  playing: boolean;
  /** A try-it step's script is done; the room waits for the learner to reach the goal. */
  waiting: boolean;
  results: StepSummary[];
  last?: StepResult;
  error?: string;
}

export type LessonAction = "next" | "back" | "goto" | "solve" | "start" | "stop";

/** POST /api/lessons/{slug}/rooms answers this. */
export interface LessonRoom {
  room: string;
  token: string;
  url: string;
}
