package reason

// Code identifies a reason. Its stable name (Code.Name) is what crosses JSON.
type Code uint16

// Reason codes. Their order is not part of any surface; their names are.
const (
	None Code = iota

	// Server state changes (EvState, the view's node reason).
	StateStarted
	StateCrashed
	StateWonElection
	StateElected
	StatePromisedEpoch
	StateSynced
	StateQuorumAckEpoch
	StateQuorumAckNewLeader
	StateLeaderClosed
	StateCannotConnect
	StateReadTimeout
	StateLeaderEpochLower
	StateCannotTruncate
	StateUnmatchedCommit
	StateInitLimitConnect
	StateInitLimitAckEpoch
	StateInitLimitNewLeader
	StateNotSufficientSynced
	StateZxidRollover

	// Learner connections at the leader and on the network (EvConn).
	ConnLearnerConnected
	ConnLearnerReconnected
	ConnLearnerClosed
	ConnFollowerAhead
	ConnTxnTimeout
	ConnReset
	ResetLinkCut
	ResetLinkDown
	ResetPacketLost

	// Lost messages (EvDrop).
	DropConnClosed
	DropLinkDown
	DropLost
	DropCutInFlight
	DropConnReset
	DropServerDown

	// Leader queues, epochs, logs, snapshots, commits, sessions (one word each).
	QueueQueued
	QueueSent
	EpochAccepted
	EpochCurrent
	TruncDone
	TruncSkipped
	SnapTaken
	SnapNewLeader
	SnapReceived
	CommitSync
	CommitReplayed
	SessionCreated
	SessionClosed
	SessionExpired

	// How the leader syncs a learner (EvSyncMode, the view's syncReason).
	SyncInSync
	SyncTruncCommitted
	SyncDiffCommitted
	SyncDiffNewEpoch
	SyncDiffNothing
	SyncTruncNeverHad
	SyncFromDisk
	SyncDiffTxnLog
	SyncSnapLaterLogs
	SyncSnapLogTooShort
	SyncSnapNoTxnLog
	SyncSnapTxnLogOff
	SyncSnapGap
	SyncSnapSkipped

	// Fast leader election (EvVote, EvDecided).
	VoteInitial
	VoteAdoptBetter
	VoteOwnBetter
	VoteAdopt
	VoteHigherEpoch
	VoteHigherZxid
	VoteHigherID
	DecidedFinalizeWait
	DecidedQuorumOfRound
	DecidedEstablished

	// Link rules (EvLinks).
	LinksAllUp
	LinksPartition
	LinksCut
	LinksLoss
	LinksPartitionCut
	LinksPartitionLoss
	LinksCutLoss
	LinksAll
	LinksNet
	LinksNetPartition

	// Clients (EvClient, EvWatch) and why a simulated client was refused or disconnected.
	ClientRefusedBehind
	ClientNotServing
	ClientBehind
	ClientSessionExpired
	ClientSessionClosed
	ClientServerClosed
	ClientRealConnected
	ClientRealRefused
	ClientServerDown
	ClientNotConnected
	WatchFired

	// Invariant violations: "violation.<Invariant>.<what>" (EvViolation, Violation.Detail).
	VZxidCounter
	VTwoProposals
	VReusesCommitted
	VPrefixWrongPlace
	VTotalOrder
	VIntegrity
	VTruncDropsDelivered
	VBothEstablished
	VBothLead
	VPrimaryIntegrity
	VUncommittedAmong
	VSyncedNotCommitted
	VDifferentTxn
	VNeverCommitted
	VSyncedBelowDelivered
	VElectionOrder
	VAckNewLeaderEpoch
	VAcceptedBelowCurrent
	VLastZxidEpoch
	VAckedBeforeCommit
	VConvergence
	VAckedNotCommitted
	VAckedServerStops
	VNoLeader
	VNotConverged
	VLeaderDifferentTxn
	KnownStaleSyncRead
	VConfig
	VNotLinearizable
	VLeaderReceived
	VAckEpochStage
	VAckUnknown
	VLearnerReceived
	VLeaderInfoOutside
	VOutsideSync
	VProposalNotAbove
	VCommitSyncMismatch
	VCommitNotNext
	VFollowerInform
	VNewLeaderBeforeSync
	VNewLeaderEpoch
	VUpToDateBeforeNewLeader
	VStartupAcceptedBelowCurrent
	VStartupLastZxidEpoch
	VLogOrder

	// Why the leader's ContainerManager deletes a node (EvPropose). Appended: the event
	// digests hash the codes' numbers.
	ReapContainer
	ReapTTL

	// Read-only mode (readonlymode.enabled).
	StateReadOnly
	ClientNotReadOnly
	ClientGlobalInReadOnly
	ClientNoLocalSessions

	codeCount
)

func a(name string, k Kind) Arg { return Arg{name, k} }

var (
	server = a("server", KInt)
	leader = a("leader", KInt)
	epoch  = a("epoch", KInt)
	zxid   = a("zxid", KZxid)
	count  = a("count", KInt)
	why    = a("why", KReason)
	from   = a("from", KInt)
	round  = a("round", KInt)
	packet = a("packet", KText)
)

// catalogue is indexed by Code.
var catalogue = [codeCount]Entry{
	None: {"", nil, "", ""},

	StateStarted:             {"state.started", nil, "started", "已启动"},
	StateCrashed:             {"state.crashed", nil, "crashed", "已崩溃"},
	StateWonElection:         {"state.wonElection", nil, "won the election", "赢得了选举"},
	StateElected:             {"state.elected", []Arg{leader}, "elected {leader} as leader", "选出 {leader} 为 leader"},
	StatePromisedEpoch:       {"state.promisedEpoch", []Arg{epoch, leader}, "promised epoch {epoch} to leader {leader}", "向 leader {leader} 承诺了 epoch {epoch}"},
	StateSynced:              {"state.synced", []Arg{leader, a("mode", KText)}, "synced with leader {leader} by {mode}", "已通过 {mode} 与 leader {leader} 同步"},
	StateQuorumAckEpoch:      {"state.quorumAckEpoch", []Arg{epoch}, "a quorum acknowledged epoch {epoch}", "法定人数已确认 epoch {epoch}"},
	StateQuorumAckNewLeader:  {"state.quorumAckNewLeader", []Arg{epoch}, "a quorum acked NEWLEADER for epoch {epoch}", "法定人数已确认 epoch {epoch} 的 NEWLEADER"},
	StateLeaderClosed:        {"state.leaderClosed", []Arg{leader}, "leader {leader} closed the connection", "leader {leader} 关闭了连接"},
	StateCannotConnect:       {"state.cannotConnect", []Arg{leader}, "could not connect to leader {leader}", "无法连接 leader {leader}"},
	StateReadTimeout:         {"state.readTimeout", []Arg{leader, a("ms", KInt)}, "no packet from leader {leader} for {ms} ms: read timed out", "{ms} 毫秒内没有收到 leader {leader} 的任何包：读超时"},
	StateLeaderEpochLower:    {"state.leaderEpochLower", []Arg{epoch, a("accepted", KInt)}, "leader's epoch {epoch} is less than my accepted epoch {accepted}", "leader 的 epoch {epoch} 小于我已接受的 epoch {accepted}"},
	StateCannotTruncate:      {"state.cannotTruncate", []Arg{zxid}, "cannot truncate the log to {zxid}: no snapshot that old", "无法把日志截断到 {zxid}：没有这么早的快照"},
	StateUnmatchedCommit:     {"state.unmatchedCommit", nil, "UNMATCHED_TXN_COMMIT", "UNMATCHED_TXN_COMMIT：COMMIT 与待提交的提案不匹配"},
	StateInitLimitConnect:    {"state.initLimit.connect", nil, "timeout while waiting for a quorum of learners to connect (initLimit)", "等待法定人数的 learner 连接超时（initLimit）"},
	StateInitLimitAckEpoch:   {"state.initLimit.ackEpoch", nil, "timeout while waiting for a quorum to ACKEPOCH (initLimit)", "等待法定人数回复 ACKEPOCH 超时（initLimit）"},
	StateInitLimitNewLeader:  {"state.initLimit.newLeader", nil, "timeout while waiting for a quorum to ack NEWLEADER (initLimit)", "等待法定人数确认 NEWLEADER 超时（initLimit）"},
	StateNotSufficientSynced: {"state.notSufficientSynced", []Arg{a("sids", KIDs)}, "not sufficient followers synced, only synced with sids: {sids}", "已同步的 follower 不足法定人数，只与这些 sid 同步：{sids}"},
	StateZxidRollover:        {"state.zxidRollover", nil, "zxid lower 32 bits have rolled over, forcing re-election, and therefore new epoch start", "zxid 低 32 位已用尽：强制重新选举，开始新的 epoch"},

	ConnLearnerConnected:   {"conn.learnerConnected", nil, "learner connected", "learner 已连接"},
	ConnLearnerReconnected: {"conn.learnerReconnected", nil, "the learner reconnected", "learner 重新连接"},
	ConnLearnerClosed:      {"conn.learnerClosed", []Arg{a("learner", KInt)}, "learner {learner} closed the connection", "learner {learner} 关闭了连接"},
	ConnFollowerAhead: {"conn.followerAhead", []Arg{epoch, zxid, a("leaderEpoch", KInt), a("leaderZxid", KZxid)},
		"follower is ahead of the leader: it has epoch {epoch}, zxid {zxid}; leader has epoch {leaderEpoch}, zxid {leaderZxid}",
		"follower 比 leader 更新：它的 epoch {epoch}、zxid {zxid}；leader 的 epoch {leaderEpoch}、zxid {leaderZxid}"},
	ConnTxnTimeout: {"conn.txnTimeout", []Arg{a("sid", KInt), zxid},
		"closing connection to {sid} due to transaction timeout: {zxid} unacked for more than syncLimit",
		"因事务超时关闭与 {sid} 的连接：{zxid} 超过 syncLimit 仍未被确认"},
	ConnReset:       {"conn.reset", []Arg{why}, "connection reset: {why}", "连接被重置：{why}"},
	ResetLinkCut:    {"reset.linkCut", nil, "link cut", "链路被切断"},
	ResetLinkDown:   {"reset.linkDown", nil, "link down", "链路不通"},
	ResetPacketLost: {"reset.packetLost", nil, "packet lost", "丢包"},

	DropConnClosed:  {"drop.connClosed", nil, "the connection is closed", "连接已关闭"},
	DropLinkDown:    {"drop.linkDown", nil, "the link is down", "链路不通"},
	DropLost:        {"drop.lost", nil, "lost", "丢失"},
	DropCutInFlight: {"drop.cutInFlight", nil, "the link was cut while it was in flight", "传输途中链路被切断"},
	DropConnReset:   {"drop.connReset", nil, "the connection was reset", "连接已被重置"},
	DropServerDown:  {"drop.serverDown", []Arg{server}, "server {server} is down", "服务器 {server} 已宕机"},

	QueueQueued:    {"queue.queued", nil, "queued", "入队"},
	QueueSent:      {"queue.sent", nil, "sent", "已发出"},
	EpochAccepted:  {"epoch.accepted", nil, "accepted", "acceptedEpoch"},
	EpochCurrent:   {"epoch.current", nil, "current", "currentEpoch"},
	TruncDone:      {"trunc.done", nil, "truncated", "已截断"},
	TruncSkipped:   {"trunc.skipped", nil, "skipped (skip-truncate bug)", "已跳过（skip-truncate 故障变体）"},
	SnapTaken:      {"snap.taken", nil, "taken", "已生成"},
	SnapNewLeader:  {"snap.newLeader", nil, "taken as it starts leading", "开始领导时生成"},
	SnapReceived:   {"snap.received", nil, "received", "已接收"},
	CommitSync:     {"commit.sync", nil, "sync", "同步"},
	CommitReplayed: {"commit.replayed", nil, "already in the tree (replayed from the log at startup)", "已在数据树中（启动时从日志重放）"},
	SessionCreated: {"session.created", nil, "created", "已创建"},
	SessionClosed:  {"session.closed", nil, "closed", "已关闭"},
	SessionExpired: {"session.expired", nil, "expired", "已过期"},

	ReapContainer: {"reap.container", nil, "an empty container that has had children (ContainerManager)", "已空且曾有过子节点的容器节点（ContainerManager）"},
	ReapTTL: {"reap.ttl", []Arg{a("ttl", KInt)}, "an empty TTL node unchanged for longer than its TTL of {ttl} ms (ContainerManager)",
		"已空且超过 TTL（{ttl} 毫秒）未修改的 TTL 节点（ContainerManager）"},

	StateReadOnly:          {"state.readOnly", nil, "still LOOKING after the grace period: serving read-only clients (readonlymode.enabled)", "宽限期后仍在 LOOKING：为只读客户端提供服务（readonlymode.enabled）"},
	ClientNotReadOnly:      {"client.notReadOnly", []Arg{server}, "server {server} is read-only and the client did not ask for read-only", "服务器 {server} 处于只读模式，而客户端没有请求只读连接"},
	ClientGlobalInReadOnly: {"client.globalInReadOnly", []Arg{server}, "server {server} is read-only: a global session cannot reconnect there", "服务器 {server} 处于只读模式：全局会话不能在此重连"},
	ClientNoLocalSessions:  {"client.noLocalSessions", []Arg{server}, "server {server} is read-only and local sessions are off: it answers the new session with NOTREADONLY (localSessionsEnabled=false)", "服务器 {server} 处于只读模式且未启用本地会话：它对新会话回复 NOTREADONLY（localSessionsEnabled=false）"},

	SyncInSync: {"sync.diff.inSync", []Arg{zxid}, "it is already in sync at {zxid}: empty DIFF", "它已同步到 {zxid}：发送空 DIFF"},
	SyncTruncCommitted: {"sync.trunc.aboveCommitted", []Arg{a("to", KZxid), a("holds", KZxid)},
		"TRUNC to {to}: it holds {holds}, newer than anything the leader committed",
		"TRUNC 到 {to}：它持有 {holds}，比 leader 提交过的都新"},
	SyncDiffCommitted: {"sync.diff.committedLog", []Arg{zxid, count},
		"DIFF: it has {zxid}, which is in the leader's committed history; {count} txns to send",
		"DIFF：它的 {zxid} 在 leader 的已提交历史中；需发送 {count} 个事务"},
	SyncDiffNewEpoch: {"sync.diff.newEpoch", []Arg{zxid, count},
		"DIFF: it starts a new epoch at {zxid}; {count} txns to send", "DIFF：它位于新 epoch 的起点 {zxid}；需发送 {count} 个事务"},
	SyncDiffNothing: {"sync.diff.nothing", nil, "DIFF: nothing newer to send", "DIFF：没有更新的事务需要发送"},
	SyncTruncNeverHad: {"sync.trunc.neverHad", []Arg{a("to", KZxid), a("holds", KZxid), count},
		"TRUNC to {to}: it holds {holds} that the leader never had; then {count} txns",
		"TRUNC 到 {to}：它持有 leader 从未有过的 {holds}；随后发送 {count} 个事务"},
	SyncFromDisk: {"sync.fromDisk", []Arg{a("total", KInt), why},
		"{why}, {total} txns in all (from the on-disk txn log)", "{why}，共 {total} 个事务（取自磁盘上的事务日志）"},
	SyncDiffTxnLog: {"sync.diff.txnLog", []Arg{zxid, count, a("later", KInt), a("bytes", KBytes), a("limit", KBytes)},
		"DIFF from the txn log: {count} txns after {zxid} (ZooKeeper 3.8 weighs only the log files after the one holding {zxid}: {later} files, {bytes} ≤ limit {limit})",
		"DIFF，取自事务日志：{zxid} 之后的 {count} 个事务（ZooKeeper 3.8 只计算存放 {zxid} 的那个日志文件之后的文件：{later} 个，{bytes} ≤ 上限 {limit}）"},
	SyncSnapLaterLogs: {"sync.snap.laterLogs", []Arg{a("files", KInt), a("bytes", KBytes), a("limit", KBytes), zxid},
		"SNAP: {files} later txn log file(s), {bytes} > limit {limit} (snapshotSizeFactor × the newest snapshot); it is at {zxid}, older than the committed log",
		"SNAP：{files} 个更晚的事务日志文件，共 {bytes} > 上限 {limit}（snapshotSizeFactor × 最新快照）；它停在 {zxid}，早于已提交日志"},
	SyncSnapLogTooShort: {"sync.snap.logTooShort", []Arg{zxid, a("first", KZxid)},
		"SNAP: it is at {zxid}, older than the committed log, and the txn log starts later, at {first}",
		"SNAP：它停在 {zxid}，早于已提交日志，而事务日志从更晚的 {first} 才开始"},
	SyncSnapNoTxnLog: {"sync.snap.noTxnLog", []Arg{zxid},
		"SNAP: it is at {zxid}, older than the committed log, and the txn log holds nothing",
		"SNAP：它停在 {zxid}，早于已提交日志，而事务日志里什么也没有"},
	SyncSnapTxnLogOff: {"sync.snap.txnLogOff", []Arg{zxid},
		"SNAP: it is at {zxid}, older than the committed log, and syncing from the txn log is off (snapshotSizeFactor < 0)",
		"SNAP：它停在 {zxid}，早于已提交日志，而从事务日志同步已关闭（snapshotSizeFactor < 0）"},
	SyncSnapGap: {"sync.snap.gap", []Arg{zxid, a("end", KZxid), a("from", KZxid)},
		"SNAP: the txn log from {zxid} stops at {end}, short of the committed log (from {from}): a gap",
		"SNAP：从 {zxid} 起的事务日志止于 {end}，够不到已提交日志（从 {from} 开始）：中间有缺口"},
	SyncSnapSkipped: {"sync.snap.skippedEpoch", []Arg{a("at", KZxid), zxid},
		"SNAP at {at}: it holds {zxid}, which the leader does not have, and the leader's next txn after it is from a later epoch; TRUNC never crosses an epoch",
		"SNAP 到 {at}：它持有 leader 没有的 {zxid}，而 leader 在它之后的下一个事务属于更晚的 epoch；TRUNC 从不跨越 epoch"},

	VoteInitial:     {"vote.initial", nil, "initial vote: myself, my last zxid and my currentEpoch", "初始投票：投给自己（我的最新 zxid 和 currentEpoch）"},
	VoteAdoptBetter: {"vote.adoptBetter", []Arg{round, from}, "round {round} from {from}: adopt its better vote", "从 {from} 得知第 {round} 轮：采用它更好的投票"},
	VoteOwnBetter:   {"vote.ownBetter", []Arg{round, from}, "round {round} from {from}: my own vote is better", "从 {from} 得知第 {round} 轮：我自己的投票更好"},
	VoteAdopt:       {"vote.adopt", []Arg{from, why}, "adopt {from}'s vote: {why}", "采用 {from} 的投票：{why}"},
	VoteHigherEpoch: {"vote.higherEpoch", []Arg{epoch, a("than", KInt)}, "higher epoch {epoch} > {than}", "epoch 更高 {epoch} > {than}"},
	VoteHigherZxid:  {"vote.higherZxid", []Arg{zxid, a("than", KZxid)}, "higher zxid {zxid} > {than}", "zxid 更大 {zxid} > {than}"},
	VoteHigherID:    {"vote.higherId", []Arg{a("id", KInt), a("than", KInt)}, "same epoch and zxid, higher server id {id} > {than}", "epoch 和 zxid 相同，服务器 id 更大 {id} > {than}"},
	DecidedFinalizeWait: {"decided.finalizeWait", []Arg{a("ms", KInt)},
		"a quorum agreed and no better vote came within finalizeWait ({ms} ms)", "法定人数达成一致，且 finalizeWait（{ms} 毫秒）内没有更好的投票"},
	DecidedQuorumOfRound: {"decided.quorumOfRound", nil, "a quorum of this round, including the leader, backs it", "本轮的法定人数（包括 leader 本人）支持它"},
	DecidedEstablished:   {"decided.established", nil, "joining an established ensemble: a quorum follows it", "加入已建立的集群：法定人数正在跟随它"},

	LinksAllUp:         {"links.allUp", nil, "all links up", "所有链路正常"},
	LinksPartition:     {"links.partition", []Arg{a("groups", KGroups)}, "partition {groups}", "分区 {groups}"},
	LinksCut:           {"links.cut", []Arg{a("cuts", KText)}, "cut {cuts}", "切断 {cuts}"},
	LinksLoss:          {"links.loss", []Arg{a("loss", KTenths)}, "loss {loss}%", "丢包 {loss}%"},
	LinksPartitionCut:  {"links.partitionCut", []Arg{a("groups", KGroups), a("cuts", KText)}, "partition {groups}, cut {cuts}", "分区 {groups}，切断 {cuts}"},
	LinksPartitionLoss: {"links.partitionLoss", []Arg{a("groups", KGroups), a("loss", KTenths)}, "partition {groups}, loss {loss}%", "分区 {groups}，丢包 {loss}%"},
	LinksCutLoss:       {"links.cutLoss", []Arg{a("cuts", KText), a("loss", KTenths)}, "cut {cuts}, loss {loss}%", "切断 {cuts}，丢包 {loss}%"},
	LinksNet:           {"links.net", []Arg{a("net", KText)}, "network {net}", "网络 {net}"},
	LinksNetPartition: {"links.netPartition", []Arg{a("groups", KGroups), a("net", KText)},
		"partition {groups}, network {net}", "分区 {groups}，网络 {net}"},
	LinksAll: {"links.all", []Arg{a("groups", KGroups), a("cuts", KText), a("loss", KTenths)},
		"partition {groups}, cut {cuts}, loss {loss}%", "分区 {groups}，切断 {cuts}，丢包 {loss}%"},

	ClientRefusedBehind: {"client.refusedBehind", []Arg{a("seen", KZxid), a("at", KZxid)},
		"refused: the client has seen {seen}, the server is at {at}; try another server",
		"拒绝：客户端已见过 {seen}，而服务器只到 {at}；请换一台服务器"},
	ClientNotServing:     {"client.notServing", []Arg{server}, "server {server} is not serving", "服务器 {server} 暂不服务客户端"},
	ClientBehind:         {"client.behind", nil, "server behind the client", "服务器落后于客户端"},
	ClientSessionExpired: {"client.sessionExpired", nil, "session expired", "会话已过期"},
	ClientSessionClosed:  {"client.sessionClosed", nil, "session closed", "会话已关闭"},
	ClientServerClosed:   {"client.serverClosed", []Arg{server}, "server {server} closed the connection", "服务器 {server} 关闭了连接"},
	ClientRealConnected:  {"client.real.connected", []Arg{a("addr", KText)}, "real client {addr} connected", "真实客户端 {addr} 已连接"},
	ClientRealRefused:    {"client.real.refused", []Arg{a("addr", KText), why}, "real client {addr} refused: {why}", "拒绝真实客户端 {addr}：{why}"},
	ClientServerDown:     {"client.serverDown", []Arg{server}, "server {server} is down", "服务器 {server} 已宕机"},
	ClientNotConnected:   {"client.notConnected", nil, "the session is not connected", "会话未连接"},
	WatchFired:           {"watch.fired", []Arg{a("type", KText)}, "{type}", "{type}"},

	VZxidCounter:         {"violation.ZxidCounter.counter", []Arg{zxid, a("counter", KHex)}, "proposal {zxid} has counter {counter}", "提案 {zxid} 的计数为 {counter}"},
	VTwoProposals:        {"violation.Leadership1.twoProposals", []Arg{zxid}, "two different proposals for zxid {zxid}", "zxid {zxid} 有两个不同的提案"},
	VReusesCommitted:     {"violation.Leadership1.reusesCommitted", []Arg{zxid}, "proposal {zxid} reuses the zxid of a committed txn", "提案 {zxid} 重用了已提交事务的 zxid"},
	VPrefixWrongPlace:    {"violation.PrefixConsistency.wrongPlace", []Arg{zxid, a("index", KInt), a("committed", KZxid)}, "delivered {zxid} as committed txn #{index}, where the committed sequence has {committed}", "把 {zxid} 作为第 {index} 个已提交事务交付，而已提交序列在该位置是 {committed}"},
	VTotalOrder:          {"violation.TotalOrder.outOfOrder", []Arg{zxid, a("after", KZxid)}, "delivered {zxid} after {after}", "在 {after} 之后交付了 {zxid}"},
	VIntegrity:           {"violation.Integrity.notProposed", []Arg{zxid}, "delivered {zxid}, which no leader proposed", "交付了 {zxid}，但没有任何 leader 提议过它"},
	VTruncDropsDelivered: {"violation.Durability.truncDropsDelivered", []Arg{a("to", KZxid), zxid}, "TRUNC to {to} drops {zxid}, which it had delivered as committed", "TRUNC 到 {to} 会丢掉它已作为已提交交付的 {zxid}"},
	VBothEstablished:     {"violation.Leadership2.bothEstablished", []Arg{a("a", KInt), a("b", KInt), epoch}, "servers {a} and {b} both established epoch {epoch}", "服务器 {a} 和 {b} 都建立了 epoch {epoch}"},
	VBothLead:            {"violation.Leadership1.bothLead", []Arg{a("a", KInt), a("b", KInt), epoch}, "servers {a} and {b} both lead epoch {epoch}", "服务器 {a} 和 {b} 同时领导 epoch {epoch}"},
	VPrimaryIntegrity:    {"violation.PrimaryIntegrity.missing", []Arg{zxid, epoch}, "committed txn {zxid} is missing from the history of the new leader of epoch {epoch}", "已提交的事务 {zxid} 不在 epoch {epoch} 新 leader 的历史中"},
	VUncommittedAmong:    {"violation.Agreement.uncommittedAmong", []Arg{zxid}, "the new leader's history holds {zxid}, which was never committed, among committed txns", "新 leader 的历史中夹着从未提交过的 {zxid}"},
	VSyncedNotCommitted:  {"violation.Agreement.syncedNotCommitted", []Arg{zxid}, "synced to {zxid}, which is not a committed txn", "同步到了 {zxid}，但它不是已提交的事务"},
	VDifferentTxn:        {"violation.Agreement.differentTxn", []Arg{zxid}, "after sync its log holds a different txn {zxid} than the committed one", "同步后它日志里的 {zxid} 与已提交的事务不同"},
	VNeverCommitted:      {"violation.Agreement.neverCommitted", []Arg{zxid}, "after sync its log holds {zxid}, which was never committed", "同步后它的日志里有从未提交过的 {zxid}"},
	VSyncedBelowDelivered: {"violation.Durability.syncedBelowDelivered", []Arg{zxid, a("delivered", KZxid)},
		"synced to {zxid} but it had delivered {delivered}", "同步到 {zxid}，但它之前已交付 {delivered}"},
	VElectionOrder: {"violation.ElectionOrder.backsOlder", []Arg{server, leader, epoch, zxid, a("ownEpoch", KInt), a("ownZxid", KZxid)},
		"server {server} backs {leader} (epoch {epoch}, zxid {zxid}) although its own history (epoch {ownEpoch}, zxid {ownZxid}) is more recent",
		"服务器 {server} 支持 {leader}（epoch {epoch}，zxid {zxid}），尽管它自己的历史（epoch {ownEpoch}，zxid {ownZxid}）更新"},
	VAckNewLeaderEpoch: {"violation.stateInconsistent.ackNewLeader", []Arg{epoch, a("accepted", KInt)},
		"acked NEWLEADER of epoch {epoch} with acceptedEpoch {accepted}", "确认 epoch {epoch} 的 NEWLEADER 时 acceptedEpoch 为 {accepted}"},
	VAcceptedBelowCurrent: {"violation.EpochOrder.acceptedBelowCurrent", []Arg{a("accepted", KInt), a("current", KInt)},
		"acceptedEpoch {accepted} < currentEpoch {current}", "acceptedEpoch {accepted} < currentEpoch {current}"},
	VLastZxidEpoch: {"violation.EpochOrder.lastZxidEpoch", []Arg{zxid, epoch, a("current", KInt)},
		"last logged zxid {zxid} is from epoch {epoch} > currentEpoch {current}", "最后记录的 zxid {zxid} 属于 epoch {epoch} > currentEpoch {current}"},
	VAckedBeforeCommit: {"violation.AckedWriteLost.beforeCommit", []Arg{zxid}, "write {zxid} was acknowledged to a client before it was committed", "写入 {zxid} 在提交之前就向客户端确认了"},
	VConvergence: {"violation.Convergence.differentData", []Arg{a("a", KInt), a("aZxid", KZxid), a("b", KInt), a("bZxid", KZxid)},
		"after healing, server {a} (at {aZxid}) and server {b} (at {bZxid}) hold different data",
		"网络恢复后，服务器 {a}（位于 {aZxid}）与服务器 {b}（位于 {bZxid}）的数据不同"},
	VAckedNotCommitted: {"violation.AckedWriteLost.notCommitted", []Arg{zxid}, "write {zxid} was acknowledged to a client but is not committed", "写入 {zxid} 已向客户端确认，却没有被提交"},
	VAckedServerStops: {"violation.AckedWriteLost.serverStops", []Arg{zxid, server, a("at", KZxid)},
		"write {zxid} was acknowledged to a client but server {server} stops at {at}", "写入 {zxid} 已向客户端确认，但服务器 {server} 只到 {at}"},
	VNoLeader: {"violation.Liveness.noLeader", []Arg{a("ms", KInt)},
		"no leader for {ms} ms although a quorum of voters has been up and connected", "法定人数的投票者一直在线且互通，却 {ms} 毫秒没有 leader"},
	VNotConverged: {"violation.Liveness.notConverged", []Arg{a("s", KTenths), leader, a("behind", KText)},
		"not yet converged after {s} s of simulated time after healing (leader {leader}; not following it at its zxid: {behind})",
		"网络恢复后 {s} 秒（模拟时间）仍未收敛（leader {leader}；未跟上它的 zxid 的服务器：{behind}）"},
	VLeaderDifferentTxn: {"violation.Agreement.leaderDifferentTxn", []Arg{zxid},
		"the new leader's history holds a different txn {zxid} than the committed one", "新 leader 历史中的 {zxid} 与已提交的事务不同"},
	KnownStaleSyncRead: {"known.StaleSyncRead.window", []Arg{a("ops", KInt), a("stale", KInt)},
		"the history of {ops} operations is linearizable once the {stale} read(s) answered for an old leader inside its step-down window are left out (a known ZooKeeper window, ZOOKEEPER-1675)",
		"去掉旧 leader 在其下台窗口内应答的 {stale} 次读之后，这 {ops} 个操作的历史是线性一致的（ZooKeeper 已知的窗口，ZOOKEEPER-1675）"},
	VConfig: {"violation.Config.invalid", []Arg{a("error", KText)}, "{error}", "配置无效：{error}"},
	VNotLinearizable: {"violation.Linearizability.notLinearizable", []Arg{a("ops", KInt)},
		"client history of {ops} operations is not linearizable (writes, and reads after sync)", "{ops} 个操作的客户端历史不可线性化（写操作，以及 sync 之后的读）"},
	VLeaderReceived:          {"violation.messageIllegal.leaderReceived", []Arg{packet, from}, "leader received {packet} from {from}", "leader 收到了来自 {from} 的 {packet}"},
	VAckEpochStage:           {"violation.stateInconsistent.ackEpochStage", []Arg{from}, "ACKEPOCH from {from} in the wrong stage", "在错误的阶段收到来自 {from} 的 ACKEPOCH"},
	VAckUnknown:              {"violation.ackInconsistent.unknownProposal", []Arg{zxid, from}, "ACK {zxid} from {from} for an unknown proposal", "收到 {from} 对未知提案的 ACK {zxid}"},
	VLearnerReceived:         {"violation.messageIllegal.learnerReceived", []Arg{packet}, "learner received {packet}", "learner 收到了 {packet}"},
	VLeaderInfoOutside:       {"violation.stateInconsistent.leaderInfoOutside", nil, "LEADERINFO outside discovery", "在发现阶段之外收到 LEADERINFO"},
	VOutsideSync:             {"violation.stateInconsistent.outsideSync", []Arg{packet}, "{packet} outside synchronization", "在同步阶段之外收到 {packet}"},
	VProposalNotAbove:        {"violation.proposalInconsistent.notAbove", []Arg{zxid, a("last", KZxid)}, "PROPOSAL {zxid} not above last logged {last}", "PROPOSAL {zxid} 不高于最后记录的 {last}"},
	VCommitSyncMismatch:      {"violation.commitInconsistent.syncMismatch", []Arg{zxid}, "COMMIT {zxid} during sync does not match the next proposal", "同步期间的 COMMIT {zxid} 与下一个提案不匹配"},
	VCommitNotNext:           {"violation.commitInconsistent.notNext", []Arg{zxid}, "COMMIT {zxid} is not the next pending txn", "COMMIT {zxid} 不是下一个待提交的事务"},
	VFollowerInform:          {"violation.messageIllegal.followerInform", nil, "a follower received INFORM", "follower 收到了 INFORM"},
	VNewLeaderBeforeSync:     {"violation.stateInconsistent.newLeaderBeforeSync", nil, "NEWLEADER before the sync stream", "在同步数据之前收到 NEWLEADER"},
	VNewLeaderEpoch:          {"violation.stateInconsistent.newLeaderEpoch", []Arg{epoch, a("accepted", KInt)}, "NEWLEADER for epoch {epoch} while accepted epoch is {accepted}", "收到 epoch {epoch} 的 NEWLEADER，而已接受的 epoch 是 {accepted}"},
	VUpToDateBeforeNewLeader: {"violation.stateInconsistent.upToDateBeforeNewLeader", nil, "UPTODATE before NEWLEADER", "在 NEWLEADER 之前收到 UPTODATE"},
	VStartupAcceptedBelowCurrent: {"violation.StartupCheck.acceptedBelowCurrent", []Arg{a("accepted", KInt), a("current", KInt)},
		"acceptedEpoch {accepted} < currentEpoch {current}", "acceptedEpoch {accepted} < currentEpoch {current}"},
	VStartupLastZxidEpoch: {"violation.StartupCheck.lastZxidEpoch", []Arg{epoch, a("current", KInt)},
		"epoch of last zxid {epoch} > currentEpoch {current}", "最后 zxid 的 epoch {epoch} > currentEpoch {current}"},
	VLogOrder: {"violation.LogOrder.notAbove", []Arg{zxid, a("last", KZxid)}, "zxid {zxid} not above last logged {last}", "zxid {zxid} 不高于最后记录的 {last}"},
}

// Entries lists the catalogue (index = Code; entry 0 is "no reason").
func Entries() []Entry { return catalogue[:] }
