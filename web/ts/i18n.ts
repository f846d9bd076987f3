// Every UI string in English and Simplified Chinese. The Chinese table is typed against the
// English one, so a missing translation fails the type check. Placeholders: {name}.

const en = {
  // top bar
  roomLabel: "room {room}",
  connLive: "● live",
  connConnecting: "○ connecting…",
  connReconnecting: "◌ reconnecting…",
  runControls: "Run controls",
  pause: "Pause",
  resume: "Resume",
  step: "Step one event",
  speed: "Speed",
  largeMode: "Large mode",
  language: "Language",
  skipToControls: "Skip to controls",
  roomUnavailable: "Cannot load this room: {error}",
  commandFailed: "{cmd} failed: {error}",
  viewOnly: "View only: this room belongs to someone else, so its controls are off. Start a new sandbox (Cluster tab) to experiment.",

  // picture
  clusterHeading: "Cluster",
  clusterPictureLabel: "The servers, the links between them and the messages on the links",
  epochShort: "epoch acc/cur",
  lastShort: "last",
  committedShort: "commit",
  voteLine: "vote → S{leader} {zxid} round {round}",
  observerLooking: "looking for the leader (round {round})",
  downLine: "crashed: its disk survives",
  leadLine: "{phase} · {n} learners",
  followLine: "→ S{leader} · {phase} {mode}",
  observerTag: "observer",
  observer: "observer",
  participant: "voter",
  cardLabel: "Server {id}: {state}, {role}, epoch {epoch}, last zxid {last}",
  cardCycleHint: "Press Enter to move it to the next partition group",
  queueBadge: "{n} packets queued at the leader for S{id}",
  centreLeader: "Leader S{id} · epoch {epoch}",
  centreNoLeader: "No leader: election in progress",
  centreSub: "{n} txns committed · t = {time} s",
  centreBug: "⚠ broken protocol: {bug}",
  centrePaused: "‖ paused",

  // legend
  legend: "Message key",
  catElection: "election votes",
  catDiscovery: "discovery",
  catSync: "synchronization",
  catBroadcast: "broadcast",
  catPing: "pings",
  catRequest: "forwarded requests",
  catOther: "other",
  legendDropped: "dropped",
  legendCut: "link down (one direction)",

  // detail tabs
  detailsTabs: "Details",
  tabLeader: "Leader queues",
  tabLogs: "Logs",
  tabTree: "Data tree",

  // leader panel
  noLeaderNow: "There is no established leader right now, so there are no queues or proposals.",
  leaderHeading: "Leader S{id}, epoch {epoch}, {phase}",
  queuesHeading: "Queue per learner (head first)",
  queueOf: "Queue for S{id}: {n} packets",
  queueHead: "head:",
  queueEmpty: "empty",
  andMore: "…and {n} more",
  notSyncedHint: "This learner has not acked within syncLimit",
  noLearners: "No learner is connected.",
  outstandingHeading: "Outstanding proposals: acks against the quorum",
  noOutstanding: "No proposal is waiting for acks.",
  acksLabel: "{n} of {m} needed acks",
  acksCount: "{n} / {m} acks",
  ackedBy: "S{id} acked",
  notAckedBy: "S{id} has not acked",
  quorumMeter: "{n} acks, quorum {m}",
  quorumMark: "quorum: {m}",

  // logs panel
  zxidCol: "zxid",
  syncModeRow: "sync",
  syncLeader: "leader",
  uncommittedTag: "uncommitted",
  snapshotTag: "snapshot",
  snapshotAt: "snapshot at {zxid}",
  committedLine: "(last committed)",
  logsEmpty: "No server has logged a transaction yet.",
  logsCaption: "Each server's txn log, newest first; empty cells are txns that server does not hold",
  legendCommitted: "committed",
  legendUncommitted: "logged, not committed",
  legendCommitLine: "committed line",
  legendDiffers: "servers disagree",
  snapshotsLabel: "snapshots",

  // tree panel
  treeMode: "Tree view",
  oneServer: "One server",
  compareServers: "Compare servers",
  onlyDifferences: "Only differences",
  treeOf: "Server",
  refresh: "Refresh",
  autoRefresh: "Follow commits",
  treeUnavailable: "The tree of S{id} is not available: {error}",
  treeCount: "S{id} holds {n} znodes. Open a znode for its Stat.",
  ephemeralTag: "ephemeral",
  persistent: "persistent",
  pathCol: "path",
  downShort: "down",
  missing: "missing",
  differs: "differs",
  diffCount: "Servers disagree on {n} znode(s) (highlighted).",
  noDiffs: "All servers that are up hold the same data.",
  compareCaption: "Each znode on each server: mzxid and version",

  // control tabs
  controlTabs: "Controls",
  tabServers: "Servers",
  tabClient: "Client",
  tabNetwork: "Network",
  tabSetup: "Cluster",

  // servers panel
  serversCaption: "Servers, their state, and actions",
  server: "Server",
  stateCol: "State",
  actionsCol: "Actions",
  crash: "Crash",
  restart: "Restart",
  inspectShort: "Inspect",
  crashServer: "Crash server {id}",
  restartServer: "Restart server {id}",
  inspectServer: "Inspect server {id}",
  serversHint: "A crash loses everything in memory; the txn log, snapshots and epochs on disk survive. Inspect picks the server shown in the data tree.",

  // client panel
  clientForm: "Client request",
  atServer: "At server",
  operation: "Operation",
  path: "Path",
  data: "Data",
  ephemeral: "ephemeral",
  sequential: "sequential",
  sendRequest: "Send request",
  syncThenGet: "Sync, then get",
  answers: "Answers",
  clientHint: "Writes go to the leader and come back committed; reads are answered by the chosen server from its own copy, which may lag. sync makes the server catch up first.",
  pendingAnswer: "pending: the room is paused. Step or resume; the answer will appear in the event log.",
  lateAnswer: "(answered later, while stepping)",
  txnZxid: "txn zxid {zxid}",
  createdPath: "created {path}",
  dataIs: "data \"{data}\"",
  childrenAre: "children: {list}",
  answeredAt: "S{id} had applied up to {zxid} when it answered",
  staleRead: "Stale read: S{id} answered at {at} while {newest} was already committed. Run sync at S{id}, then read again.",
  freshRead: "Up to date with every committed txn.",
  syncDone: "S{id} has caught up with the leader: it is at {zxid}.",

  // network panel
  rulesInForce: "Link rules in force",
  rulesPartition: "Partition: {groups}",
  rulesCut: "One-way cut: nothing from S{from} reaches S{to}",
  rulesLoss: "Packet loss: {pct}%",
  rulesNone: "All links are up.",
  partitionHeading: "Partition",
  partitionHint: "Put servers in groups A, B and C: click a server in the picture or its chip below, or drag a chip to a group. Servers in different groups cannot talk.",
  groupName: "Group {g}",
  chipLabel: "Server {id} in group {g}: move to group {next}",
  groupSelects: "Choose groups from lists",
  groupFor: "Group for server {id}",
  applyPartition: "Apply partition",
  healAll: "Heal all links",
  oneGroupHealed: "Everyone is in one group: all links healed.",
  oneWayHeading: "Cut one direction",
  oneWayHint: "A one-way cut drops messages from one server to another while the other direction still works.",
  fromServer: "From",
  toServer: "To",
  cutLink: "Cut link",
  restoreLink: "Restore link",
  restoreOne: "Restore link {from} → {to}",
  sameServer: "Choose two different servers.",

  // setup panel
  thisCluster: "This cluster",
  factSeed: "Seed",
  factServers: "Servers",
  factServersValue: "{n} voters, {m} observers",
  factTiming: "Timing",
  factBug: "Protocol variant",
  latency: "link latency",
  none: "none (correct ZAB)",
  newCluster: "New cluster",
  voters: "Voters",
  observers: "Observers",
  seed: "Seed",
  timing: "Timing",
  timingWatch: "watch (slowed down to follow each message)",
  timingZooKeeper: "zookeeper (tickTime 2000, LAN latency)",
  timingFast: "fast (tickTime 100)",
  randomSeed: "Random seed",
  breakProtocol: "Break the protocol",
  breakHint: "Teaching variants: a deliberately wrong ZAB. The invariant checker should catch it; watch the violations banner.",
  chooseBug: "Which bug",
  bugCommitWithoutQuorum: "the leader commits a proposal on its own ack, without a quorum",
  bugSkipTruncate: "a rejoining server ignores TRUNC and keeps proposals the new leader never had",
  bugElectByMyid: "votes compare server ids only (\"the largest myid wins\")",
  resetCluster: "Reset cluster in this room",
  newSandbox: "New sandbox",
  resetHint: "Reset replaces this room's cluster for everyone watching it. A sandbox is a new room of your own, at its own address.",
  resetDone: "New cluster started.",
  badClusterSpec: "Voters must be 1 to 9, observers 0 to 4, and the seed a whole number ≥ 0.",
  sandboxFailed: "Could not create a sandbox: {error}",

  // events panel
  eventLog: "Event log",
  allServers: "All servers",
  filterServer: "Filter events by server",
  filterKind: "Filter events by kind",
  allKindsByGroup: "All kinds (by group)",
  kindGroups: "Kinds of events shown",
  kindElection: "election",
  kindMessages: "messages & queues",
  kindDrops: "drops & links",
  kindSync: "epochs & sync",
  kindBroadcast: "broadcast",
  kindClients: "clients",
  kindViolations: "violations",
  freezeLog: "Freeze",
  clearLog: "Clear",

  // banners
  violationsHeading: "The checker caught {n} invariant violation(s)",
  showAllViolations: "Show all {n}",
  violationsHint: "An invariant of ZAB was broken: committed data may be lost or replicas may disagree.",
  bugBanner: "Broken protocol in force: {bug}. This cluster does not run correct ZAB.",
};

export type Key = keyof typeof en;
export type Lang = "en" | "zh";

const zh: Record<Key, string> = {
  roomLabel: "房间 {room}",
  connLive: "● 实时",
  connConnecting: "○ 正在连接…",
  connReconnecting: "◌ 正在重新连接…",
  runControls: "运行控制",
  pause: "暂停",
  resume: "继续",
  step: "单步执行一个事件",
  speed: "速度",
  largeMode: "大字模式",
  language: "语言",
  skipToControls: "跳到控制区",
  roomUnavailable: "无法加载这个房间：{error}",
  commandFailed: "{cmd} 失败：{error}",
  viewOnly: "只读：这个房间属于别人，控制已关闭。可在“集群”标签页新建自己的沙盒来做实验。",

  clusterHeading: "集群",
  clusterPictureLabel: "服务器、它们之间的链路以及链路上的消息",
  epochShort: "epoch 接受/当前",
  lastShort: "最新",
  committedShort: "已提交",
  voteLine: "投票 → S{leader} {zxid} 第 {round} 轮",
  observerLooking: "正在寻找 leader（第 {round} 轮）",
  downLine: "已崩溃：磁盘数据保留",
  leadLine: "{phase} · {n} 个 learner",
  followLine: "→ S{leader} · {phase} {mode}",
  observerTag: "observer",
  observer: "observer",
  participant: "投票者",
  cardLabel: "服务器 {id}：{state}，{role}，epoch {epoch}，最新 zxid {last}",
  cardCycleHint: "按回车把它移到下一个分区组",
  queueBadge: "leader 发往 S{id} 的队列中有 {n} 个包",
  centreLeader: "Leader S{id} · epoch {epoch}",
  centreNoLeader: "没有 leader：正在选举",
  centreSub: "已提交 {n} 个事务 · t = {time} 秒",
  centreBug: "⚠ 协议已被破坏：{bug}",
  centrePaused: "‖ 已暂停",

  legend: "消息图例",
  catElection: "选举投票",
  catDiscovery: "发现阶段",
  catSync: "同步阶段",
  catBroadcast: "广播",
  catPing: "心跳",
  catRequest: "转发的请求",
  catOther: "其他",
  legendDropped: "丢弃",
  legendCut: "链路不通（单向）",

  detailsTabs: "详情",
  tabLeader: "Leader 队列",
  tabLogs: "日志",
  tabTree: "数据树",

  noLeaderNow: "目前没有已建立的 leader，因此没有队列和提案。",
  leaderHeading: "Leader S{id}，epoch {epoch}，{phase}",
  queuesHeading: "每个 learner 的队列（队头在前）",
  queueOf: "发往 S{id} 的队列：{n} 个包",
  queueHead: "队头：",
  queueEmpty: "空",
  andMore: "……还有 {n} 个",
  notSyncedHint: "这个 learner 没有在 syncLimit 内确认",
  noLearners: "没有 learner 连接。",
  outstandingHeading: "待确认的提案：ACK 与法定人数",
  noOutstanding: "没有等待 ACK 的提案。",
  acksLabel: "需要 {m} 个 ACK，已有 {n} 个",
  acksCount: "{n} / {m} 个 ACK",
  ackedBy: "S{id} 已确认",
  notAckedBy: "S{id} 尚未确认",
  quorumMeter: "{n} 个 ACK，法定人数 {m}",
  quorumMark: "法定人数：{m}",

  zxidCol: "zxid",
  syncModeRow: "同步",
  syncLeader: "leader",
  uncommittedTag: "未提交",
  snapshotTag: "快照",
  snapshotAt: "{zxid} 处的快照",
  committedLine: "（最后提交）",
  logsEmpty: "还没有服务器记录任何事务。",
  logsCaption: "每台服务器的事务日志，最新在上；空格表示该服务器没有这个事务",
  legendCommitted: "已提交",
  legendUncommitted: "已记录未提交",
  legendCommitLine: "提交线",
  legendDiffers: "服务器之间不一致",
  snapshotsLabel: "快照",

  treeMode: "数据树视图",
  oneServer: "单台服务器",
  compareServers: "比较服务器",
  onlyDifferences: "只看差异",
  treeOf: "服务器",
  refresh: "刷新",
  autoRefresh: "跟随提交",
  treeUnavailable: "无法获取 S{id} 的数据树：{error}",
  treeCount: "S{id} 有 {n} 个 znode。展开 znode 查看它的 Stat。",
  ephemeralTag: "临时",
  persistent: "持久",
  pathCol: "路径",
  downShort: "宕机",
  missing: "缺失",
  differs: "不一致",
  diffCount: "有 {n} 个 znode 在服务器之间不一致（已高亮）。",
  noDiffs: "所有在线的服务器数据一致。",
  compareCaption: "每台服务器上的每个 znode：mzxid 与版本",

  controlTabs: "控制",
  tabServers: "服务器",
  tabClient: "客户端",
  tabNetwork: "网络",
  tabSetup: "集群",

  serversCaption: "服务器、状态与操作",
  server: "服务器",
  stateCol: "状态",
  actionsCol: "操作",
  crash: "崩溃",
  restart: "重启",
  inspectShort: "查看",
  crashServer: "使服务器 {id} 崩溃",
  restartServer: "重启服务器 {id}",
  inspectServer: "查看服务器 {id}",
  serversHint: "崩溃会丢失内存中的一切；磁盘上的事务日志、快照和 epoch 会保留。“查看”选择数据树中显示的服务器。",

  clientForm: "客户端请求",
  atServer: "连接服务器",
  operation: "操作",
  path: "路径",
  data: "数据",
  ephemeral: "临时节点",
  sequential: "顺序节点",
  sendRequest: "发送请求",
  syncThenGet: "先 sync 再 get",
  answers: "应答",
  clientHint: "写请求转发给 leader，提交后才返回；读请求由所选服务器用自己的副本回答，可能落后。sync 让该服务器先追上 leader。",
  pendingAnswer: "等待中：房间已暂停。单步或继续运行后，应答会出现在事件日志中。",
  lateAnswer: "（单步运行时稍后得到的应答）",
  txnZxid: "事务 zxid {zxid}",
  createdPath: "已创建 {path}",
  dataIs: "数据 \"{data}\"",
  childrenAre: "子节点：{list}",
  answeredAt: "S{id} 回答时已应用到 {zxid}",
  staleRead: "读到旧数据：S{id} 在 {at} 时回答，而 {newest} 已经提交。先在 S{id} 上执行 sync，再读一次。",
  freshRead: "与所有已提交的事务一致。",
  syncDone: "S{id} 已追上 leader：现在位于 {zxid}。",

  rulesInForce: "当前的链路规则",
  rulesPartition: "分区：{groups}",
  rulesCut: "单向切断：S{from} 发出的消息到不了 S{to}",
  rulesLoss: "丢包率：{pct}%",
  rulesNone: "所有链路正常。",
  partitionHeading: "分区",
  partitionHint: "把服务器分到 A、B、C 组：点击图中的服务器或下面的标签，或把标签拖到某个组。不同组的服务器无法通信。",
  groupName: "{g} 组",
  chipLabel: "服务器 {id} 在 {g} 组：移到 {next} 组",
  groupSelects: "从列表中选择分组",
  groupFor: "服务器 {id} 的分组",
  applyPartition: "应用分区",
  healAll: "恢复所有链路",
  oneGroupHealed: "所有服务器都在同一组：已恢复所有链路。",
  oneWayHeading: "切断单个方向",
  oneWayHint: "单向切断会丢弃从一台服务器发往另一台的消息，反方向仍然正常。",
  fromServer: "从",
  toServer: "到",
  cutLink: "切断链路",
  restoreLink: "恢复链路",
  restoreOne: "恢复链路 {from} → {to}",
  sameServer: "请选择两台不同的服务器。",

  thisCluster: "当前集群",
  factSeed: "种子",
  factServers: "服务器",
  factServersValue: "{n} 个投票者，{m} 个 observer",
  factTiming: "时间参数",
  factBug: "协议变体",
  latency: "链路延迟",
  none: "无（正确的 ZAB）",
  newCluster: "新集群",
  voters: "投票者",
  observers: "Observer",
  seed: "种子",
  timing: "时间参数",
  timingWatch: "watch（放慢，便于看清每条消息）",
  timingZooKeeper: "zookeeper（tickTime 2000，局域网延迟）",
  timingFast: "fast（tickTime 100）",
  randomSeed: "随机种子",
  breakProtocol: "破坏协议",
  breakHint: "教学用的错误变体：故意写错的 ZAB。不变式检查器应该能发现它，请留意违规提示。",
  chooseBug: "选择故障",
  bugCommitWithoutQuorum: "leader 只凭自己的 ACK 就提交提案，不等法定人数",
  bugSkipTruncate: "重新加入的服务器忽略 TRUNC，保留新 leader 从未有过的提案",
  bugElectByMyid: "投票只比较服务器 id（“myid 最大者胜出”）",
  resetCluster: "在本房间重建集群",
  newSandbox: "新建沙盒",
  resetHint: "重建会替换本房间的集群，所有正在观看的人都会看到。沙盒是属于你自己的新房间，有自己的地址。",
  resetDone: "新集群已启动。",
  badClusterSpec: "投票者须为 1 到 9，observer 为 0 到 4，种子为不小于 0 的整数。",
  sandboxFailed: "无法创建沙盒：{error}",

  eventLog: "事件日志",
  allServers: "所有服务器",
  filterServer: "按服务器筛选事件",
  filterKind: "按类型筛选事件",
  allKindsByGroup: "所有类型（按分组）",
  kindGroups: "显示的事件类型",
  kindElection: "选举",
  kindMessages: "消息与队列",
  kindDrops: "丢弃与链路",
  kindSync: "epoch 与同步",
  kindBroadcast: "广播",
  kindClients: "客户端",
  kindViolations: "违规",
  freezeLog: "冻结",
  clearLog: "清空",

  violationsHeading: "检查器发现了 {n} 处不变式违规",
  showAllViolations: "显示全部 {n} 条",
  violationsHint: "ZAB 的不变式被破坏：已提交的数据可能丢失，或副本之间不一致。",
  bugBanner: "正在运行被破坏的协议：{bug}。这个集群运行的不是正确的 ZAB。",
};

const tables: Record<Lang, Record<Key, string>> = { en, zh };
let current: Lang = "en";
const LANG_KEY = "zablab.lang";

/** t renders a UI string in the current language, filling {placeholders}. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  const s = tables[current][key] ?? en[key];
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** lang is the current language. */
export function lang(): Lang {
  return current;
}

/** setLang switches the language; remember keeps the choice for the next visit. */
export function setLang(l: Lang, remember: boolean): void {
  current = l;
  document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
  document.body.dataset.lang = l;
  if (remember) {
    try {
      localStorage.setItem(LANG_KEY, l);
    } catch {
      // storage may be unavailable (private mode); the switch still works for this page
    }
    const url = new URL(location.href);
    if (url.searchParams.has("lang")) {
      url.searchParams.set("lang", l);
      history.replaceState(null, "", url);
    }
  }
}

/** normalise maps "zh-CN", "zh-TW", "zh" … to zh, anything else to en. */
function normalise(s: string | null | undefined): Lang | null {
  if (!s) return null;
  return s.toLowerCase().startsWith("zh") ? "zh" : s.toLowerCase().startsWith("en") ? "en" : null;
}

/**
 * detectLang: the shell's data-lang (set by the server when the user asked for a language)
 * wins, then the choice remembered from the switch, then the browser's language.
 */
export function detectLang(dataLang: string | undefined, navigatorLang: string): Lang {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(LANG_KEY);
  } catch {
    stored = null;
  }
  return normalise(dataLang) ?? normalise(stored) ?? (navigatorLang.toLowerCase().startsWith("zh") ? "zh" : "en");
}
