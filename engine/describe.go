package engine

import (
	"fmt"
	"regexp"
	"strings"
)

// Lang is a user language: "en" or "zh" (Simplified Chinese).
type Lang string

// Languages.
const (
	En Lang = "en"
	Zh Lang = "zh"
)

// reasonTable pairs every English reason format the engine emits with its Chinese rendering.
// Arguments keep their order (%[n]s refers to the n-th captured argument).
var reasonTable = [][2]string{
	{"started", "已启动"},
	{"crashed", "已崩溃"},
	{"won the election", "赢得了选举"},
	{"elected %d as leader", "选出 %[1]s 为 leader"},
	{"promised epoch %d to leader %d", "向 leader %[2]s 承诺了 epoch %[1]s"},
	{"synced with leader %d by %s", "已通过 %[2]s 与 leader %[1]s 同步"},
	{"a quorum acknowledged epoch %d", "法定人数已确认 epoch %[1]s"},
	{"a quorum acked NEWLEADER for epoch %d", "法定人数已确认 epoch %[1]s 的 NEWLEADER"},
	{"leader %d closed the connection", "leader %[1]s 关闭了连接"},
	{"learner %d closed the connection", "learner %[1]s 关闭了连接"},
	{"the learner reconnected", "learner 重新连接"},
	{"learner connected", "learner 已连接"},
	{"could not connect to leader %d", "无法连接 leader %[1]s"},
	{"no packet from leader %d for %d ms: read timed out", "%[2]s 毫秒内没有收到 leader %[1]s 的任何包：读超时"},
	{"leader's epoch %d is less than my accepted epoch %d", "leader 的 epoch %[1]s 小于我已接受的 epoch %[2]s"},
	{"cannot truncate the log to %s: no snapshot that old", "无法把日志截断到 %[1]s：没有这么早的快照"},
	{"UNMATCHED_TXN_COMMIT", "UNMATCHED_TXN_COMMIT：COMMIT 与待提交的提案不匹配"},
	{"timeout while waiting for a quorum of learners to connect (initLimit)", "等待法定人数的 learner 连接超时（initLimit）"},
	{"timeout while waiting for a quorum to ACKEPOCH (initLimit)", "等待法定人数回复 ACKEPOCH 超时（initLimit）"},
	{"timeout while waiting for a quorum to ack NEWLEADER (initLimit)", "等待法定人数确认 NEWLEADER 超时（initLimit）"},
	{"not sufficient followers synced, only synced with sids: %s", "已同步的 follower 不足法定人数，只与这些 sid 同步：%[1]s"},
	{"zxid lower 32 bits have rolled over, forcing re-election, and therefore new epoch start", "zxid 低 32 位已用尽：强制重新选举，开始新的 epoch"},
	{"follower is ahead of the leader: it has epoch %d, zxid %s; leader has epoch %d, zxid %s", "follower 比 leader 更新：它的 epoch %[1]s、zxid %[2]s；leader 的 epoch %[3]s、zxid %[4]s"},
	{"closing connection to %d due to transaction timeout: %s unacked for more than syncLimit", "因事务超时关闭与 %[1]s 的连接：%[2]s 超过 syncLimit 仍未被确认"},
	{"connection reset: %s", "连接被重置：%[1]s"},
	{"link cut", "链路被切断"},
	{"link down", "链路不通"},
	{"packet lost", "丢包"},
	{"it is already in sync at %s: empty DIFF", "它已同步到 %[1]s：发送空 DIFF"},
	{"TRUNC to %s: it holds %s, newer than anything the leader committed", "TRUNC 到 %[1]s：它持有 %[2]s，比 leader 提交过的都新"},
	{"DIFF: it has %s, which is in the leader's committed history; %d txns to send", "DIFF：它的 %[1]s 在 leader 的已提交历史中；需发送 %[2]s 个事务"},
	{"DIFF: it starts a new epoch at %s; %d txns to send", "DIFF：它位于新 epoch 的起点 %[1]s；需发送 %[2]s 个事务"},
	{"DIFF: nothing newer to send", "DIFF：没有更新的事务需要发送"},
	{"TRUNC to %s: it holds %s that the leader never had; then %d txns", "TRUNC 到 %[1]s：它持有 leader 从未有过的 %[2]s；随后发送 %[3]s 个事务"},
	{"%s (from the on-disk txn log)", "%[1]s（取自磁盘上的事务日志）"},
	{"SNAP at %s: it is at %s, older than the leader's committed log (from %s) and its txn log is too big or too short", "SNAP 到 %[1]s：它停在 %[2]s，早于 leader 的已提交日志（从 %[3]s 开始），而事务日志太大或不够早"},
	{"SNAP at %s: it holds %s of an epoch the leader's history skips, and TRUNC never crosses an epoch", "SNAP 到 %[1]s：它持有的 %[2]s 属于 leader 历史中跳过的 epoch，而 TRUNC 从不跨越 epoch"},
	{"initial vote: myself, my last zxid and my currentEpoch", "初始投票：投给自己（我的最新 zxid 和 currentEpoch）"},
	{"round %d from %d: adopt its better vote", "从 %[2]s 得知第 %[1]s 轮：采用它更好的投票"},
	{"round %d from %d: my own vote is better", "从 %[2]s 得知第 %[1]s 轮：我自己的投票更好"},
	{"adopt %d's vote: %s", "采用 %[1]s 的投票：%[2]s"},
	{"higher epoch %d > %d", "epoch 更高 %[1]s > %[2]s"},
	{"higher zxid %s > %s", "zxid 更大 %[1]s > %[2]s"},
	{"same epoch and zxid, higher server id %d > %d", "epoch 和 zxid 相同，服务器 id 更大 %[1]s > %[2]s"},
	{"a quorum agreed and no better vote came within finalizeWait (%d ms)", "法定人数达成一致，且 finalizeWait（%[1]s 毫秒）内没有更好的投票"},
	{"a quorum of this round, including the leader, backs it", "本轮的法定人数（包括 leader 本人）支持它"},
	{"joining an established ensemble: a quorum follows it", "加入已建立的集群：法定人数正在跟随它"},
	{"the link is down", "链路不通"},
	{"lost", "丢失"},
	{"the connection is closed", "连接已关闭"},
	{"the link was cut while it was in flight", "传输途中链路被切断"},
	{"the connection was reset", "连接已被重置"},
	{"server %d is down", "服务器 %[1]s 已宕机"},
	{"taken", "已生成"},
	{"accepted", "acceptedEpoch"},
	{"current", "currentEpoch"},
	{"received", "已接收"},
	{"truncated", "已截断"},
	{"skipped (skip-truncate bug)", "已跳过（skip-truncate 故障变体）"},
	{"created", "已创建"},
	{"closed", "已关闭"},
	{"expired", "已过期"},
	{"queued", "入队"},
	{"sent", "已发出"},
	{"sync", "同步"},
	{"all links up", "所有链路正常"},
	{"refused: the client has seen %s, the server is at %s; try another server", "拒绝：客户端已见过 %[1]s，而服务器只到 %[2]s；请换一台服务器"},
	{"delivered %s as committed txn #%d, where the committed sequence has %s", "把 %[1]s 作为第 %[2]s 个已提交事务交付，而已提交序列在该位置是 %[3]s"},
	{"delivered %s after %s", "在 %[2]s 之后交付了 %[1]s"},
	{"delivered %s, which no leader proposed", "交付了 %[1]s，但没有任何 leader 提议过它"},
	{"committed txn %s is missing from the history of the new leader of epoch %d", "已提交的事务 %[1]s 不在 epoch %[2]s 新 leader 的历史中"},
	{"the new leader's history holds %s, which was never committed, among committed txns", "新 leader 的历史中夹着从未提交过的 %[1]s"},
	{"synced to %s, which is not a committed txn", "同步到了 %[1]s，但它不是已提交的事务"},
	{"after sync its log holds %s, which was never committed", "同步后它的日志里有从未提交过的 %[1]s"},
	{"after sync its log holds a different txn %s than the committed one", "同步后它日志里的 %[1]s 与已提交的事务不同"},
	{"synced to %s but it had delivered %s", "同步到 %[1]s，但它之前已交付 %[2]s"},
	{"TRUNC to %s drops %s, which it had delivered as committed", "TRUNC 到 %[1]s 会丢掉它已作为已提交交付的 %[2]s"},
	{"after healing, server %d (at %s) and server %d (at %s) hold different data", "网络恢复后，服务器 %[1]s（位于 %[2]s）与服务器 %[3]s（位于 %[4]s）的数据不同"},
	{"write %s was acknowledged to a client but is not committed", "写入 %[1]s 已向客户端确认，却没有被提交"},
	{"write %s was acknowledged to a client before it was committed", "写入 %[1]s 在提交之前就向客户端确认了"},
	{"write %s was acknowledged to a client but server %d stops at %s", "写入 %[1]s 已向客户端确认，但服务器 %[2]s 只到 %[3]s"},
	{"no leader for %d ms although a quorum of voters has been up and connected", "法定人数的投票者一直在线且互通，却 %[1]s 毫秒没有 leader"},
	{"the cluster did not settle within 20 s of simulated time after healing", "网络恢复后 20 秒（模拟时间）内集群仍未稳定"},
	{"two different proposals for zxid %s", "zxid %[1]s 有两个不同的提案"},
	{"servers %d and %d both established epoch %d", "服务器 %[1]s 和 %[2]s 都建立了 epoch %[3]s"},
	{"servers %d and %d both lead epoch %d", "服务器 %[1]s 和 %[2]s 同时领导 epoch %[3]s"},
	{"real client %s connected", "真实客户端 %[1]s 已连接"},
	{"real client %s refused: %s", "拒绝真实客户端 %[1]s：%[2]s"},
	{"session expired", "会话已过期"},
	{"session closed", "会话已关闭"},
	{"server %d is not serving", "服务器 %[1]s 暂不服务客户端"},
	{"server behind the client", "服务器落后于客户端"},
	{"server %d backs %d (epoch %d, zxid %s) although its own history (epoch %d, zxid %s) is more recent", "服务器 %[1]s 支持 %[2]s（epoch %[3]s，zxid %[4]s），尽管它自己的历史（epoch %[5]s，zxid %[6]s）更新"},
	{"%s: %s", "%[1]s：%[2]s"},
}

type reasonPattern struct {
	re *regexp.Regexp
	zh string
}

var reasonPatterns = compileReasons()

func compileReasons() []reasonPattern {
	out := make([]reasonPattern, 0, len(reasonTable))
	for _, row := range reasonTable {
		expr := regexp.QuoteMeta(row[0])
		expr = strings.NewReplacer(`%d`, `(-?[0-9]+)`, `%s`, `(.+?)`, `%#x`, `(0x[0-9a-f]+)`).Replace(expr)
		out = append(out, reasonPattern{re: regexp.MustCompile("^" + expr + "$"), zh: row[1]})
	}
	return out
}

// Translate renders an engine reason in a language. Unknown text stays English.
func Translate(reason string, lang Lang) string {
	if lang != Zh || reason == "" {
		return reason
	}
	for _, p := range reasonPatterns {
		m := p.re.FindStringSubmatch(reason)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, a := range m[1:] {
			args[i] = Translate(a, lang)
		}
		return fmt.Sprintf(p.zh, args...)
	}
	if strings.HasPrefix(reason, "partition ") || strings.HasPrefix(reason, "cut ") || strings.HasPrefix(reason, "loss ") {
		r := strings.NewReplacer("partition ", "分区 ", "cut ", "切断 ", "loss ", "丢包 ")
		return r.Replace(reason)
	}
	return reason
}

func z(x Zxid) string { return x.String() }

// Describe renders an event as one sentence a person can read.
func Describe(e *Event, lang Lang) string {
	zh := lang == Zh
	why := Translate(e.Reason, lang)
	pick := func(en, cn string) string {
		if zh {
			return cn
		}
		return en
	}
	switch e.Kind {
	case EvState:
		return fmt.Sprintf(pick("server %d is %s (%s): %s", "服务器 %d 进入 %s（%s）：%s"), e.Node, e.State, e.Phase, why)
	case EvVote:
		return fmt.Sprintf(pick("server %d votes for %d (zxid %s, epoch %d, round %d): %s", "服务器 %d 投票给 %d（zxid %s，epoch %d，第 %d 轮）：%s"),
			e.Node, e.Vote.Leader, z(e.Vote.Zxid), e.Vote.PeerEpoch, e.Vote.Round, why)
	case EvDecided:
		return fmt.Sprintf(pick("server %d ends election round %d: the leader is %d — %s", "服务器 %d 结束第 %d 轮选举：leader 是 %d —— %s"), e.Node, e.Vote.Round, e.Peer, why)
	case EvSend:
		return fmt.Sprintf(pick("%d → %d: %s %s", "%d → %d：%s %s"), e.Node, e.Peer, e.Packet, msgDetail(e))
	case EvDeliver:
		return fmt.Sprintf(pick("%d ← %d: %s %s", "%d ← %d：%s %s"), e.Node, e.Peer, e.Packet, msgDetail(e))
	case EvDrop:
		return fmt.Sprintf(pick("%s %s from %d to %d was lost: %s", "从 %[3]d 到 %[4]d 的 %[1]s %[2]s 丢失：%[5]s"), e.Packet, msgDetail(e), e.Node, e.Peer, why)
	case EvQueue:
		return fmt.Sprintf(pick("leader %d's queue for %d: %s %s %s (%d waiting)", "leader %d 发往 %d 的队列：%s %s %s（还有 %d 个）"), e.Node, e.Peer, e.Packet, z(e.Zxid), why, e.N)
	case EvEpoch:
		if e.Reason == "accepted" {
			return fmt.Sprintf(pick("server %d persisted acceptedEpoch = %d", "服务器 %d 持久化 acceptedEpoch = %d"), e.Node, e.Epoch)
		}
		return fmt.Sprintf(pick("server %d persisted currentEpoch = %d", "服务器 %d 持久化 currentEpoch = %d"), e.Node, e.Epoch)
	case EvPropose:
		return fmt.Sprintf(pick("leader %d proposes %s (epoch %d, counter %d): %s %s", "leader %d 提议 %s（epoch %d，计数 %d）：%s %s"), e.Node, z(e.Zxid), e.Zxid.Epoch(), e.Zxid.Counter(), e.Op, e.Path)
	case EvLogged:
		return fmt.Sprintf(pick("server %d logged %s to disk", "服务器 %d 把 %s 写入磁盘日志"), e.Node, z(e.Zxid))
	case EvAcked:
		return fmt.Sprintf(pick("leader %d got ACK %s from %d: %d of %d needed", "leader %d 收到 %d 的 ACK %s：已有 %d 个，需要 %d 个"), e.Node, z(e.Zxid), e.Peer, e.N, e.M)
	case EvCommit:
		res := e.Err.Name()
		return fmt.Sprintf(pick("server %d committed %s: %s %s → %s", "服务器 %d 提交 %s：%s %s → %s"), e.Node, z(e.Zxid), e.Op, e.Path, res)
	case EvSyncMode:
		return fmt.Sprintf(pick("leader %d syncs server %d (at %s) by %s: %s", "leader %d 用 %[4]s 同步服务器 %[2]d（位于 %[3]s）：%[5]s"), e.Node, e.Peer, z(e.Zxid), e.Mode, why)
	case EvTruncated:
		return fmt.Sprintf(pick("server %d truncated its log to %s (%s)", "服务器 %d 把日志截断到 %s（%s）"), e.Node, z(e.Zxid), why)
	case EvSnapshot:
		return fmt.Sprintf(pick("server %d snapshot at %s: %s", "服务器 %d 在 %s 的快照：%s"), e.Node, z(e.Zxid), why)
	case EvSession:
		return fmt.Sprintf(pick("session %#x %s", "会话 %#x %s"), e.Session, why)
	case EvClient:
		if e.Op == 0 && e.Reason != "" {
			return fmt.Sprintf(pick("client %d at server %d: %s", "客户端 %d 在服务器 %d：%s"), e.Client, e.Node, why)
		}
		s := fmt.Sprintf(pick("client %d at server %d: %s %s → %s", "客户端 %d 在服务器 %d：%s %s → %s"), e.Client, e.Node, e.Op, e.Path, e.Err.Name())
		if e.Zxid != 0 {
			s += fmt.Sprintf(pick(" (txn %s)", "（事务 %s）"), z(e.Zxid))
		}
		return s
	case EvLinks:
		return fmt.Sprintf(pick("network: %s", "网络：%s"), why)
	case EvViolation:
		return fmt.Sprintf(pick("INVARIANT VIOLATED at server %d: %s", "违反不变式（服务器 %d）：%s"), e.Node, why)
	case EvConn:
		return fmt.Sprintf(pick("connection %d–%d: %s", "连接 %d–%d：%s"), e.Node, e.Peer, why)
	case EvWatch:
		return fmt.Sprintf(pick("client %d: watch fired, %s on %s", "客户端 %d：watch 触发，%s %s"), e.Client, e.Reason, e.Path)
	}
	return e.Kind.String()
}

func msgDetail(e *Event) string {
	if e.Packet == Notification {
		return fmt.Sprintf("(%s: leader %d, zxid %s, epoch %d, round %d)", e.Vote.State, e.Vote.Leader, z(e.Vote.Zxid), e.Vote.PeerEpoch, e.Vote.Round)
	}
	if e.Zxid == 0 || e.Zxid == -1 {
		return ""
	}
	return z(e.Zxid)
}
