package reason

// Sentence is a template for one kind of event. Its arguments are event fields, named as the
// websocket's event JSON names them or derived from them (see engine/describe.Event and
// web/ts/sentences.ts, which fill them the same way):
//
//	node peer client packet state phase mode op path err n m epoch session
//	zxid    the event's zxid; zepoch/counter its halves
//	vleader vzxid vepoch vround vstate   the event's vote
//	detail  a message's detail: the msg.vote sentence for a notification, else its zxid or ""
//	reason  the event's rendered reason; invariant the invariant of a violation's reason
type Sentence struct {
	Key    string
	Args   []string
	En, Zh string
}

// Sentences are the event sentences, keyed by "ev.<kind>[.<variant>]".
var Sentences = []Sentence{
	{"ev.state", []string{"node", "state", "phase", "reason"}, "server {node} is {state} ({phase}): {reason}", "服务器 {node} 进入 {state}（{phase}）：{reason}"},
	{"ev.vote", []string{"node", "vleader", "vzxid", "vepoch", "vround", "reason"},
		"server {node} votes for {vleader} (zxid {vzxid}, epoch {vepoch}, round {vround}): {reason}",
		"服务器 {node} 投票给 {vleader}（zxid {vzxid}，epoch {vepoch}，第 {vround} 轮）：{reason}"},
	{"ev.decided", []string{"node", "vround", "peer", "reason"},
		"server {node} ends election round {vround}: the leader is {peer} — {reason}", "服务器 {node} 结束第 {vround} 轮选举：leader 是 {peer} —— {reason}"},
	{"ev.send", []string{"node", "peer", "packet", "detail"}, "{node} → {peer}: {packet} {detail}", "{node} → {peer}：{packet} {detail}"},
	{"ev.deliver", []string{"node", "peer", "packet", "detail"}, "{node} ← {peer}: {packet} {detail}", "{node} ← {peer}：{packet} {detail}"},
	{"ev.drop", []string{"packet", "detail", "node", "peer", "reason"},
		"{packet} {detail} from {node} to {peer} was lost: {reason}", "从 {node} 到 {peer} 的 {packet} {detail} 丢失：{reason}"},
	{"msg.vote", []string{"vstate", "vleader", "vzxid", "vepoch", "vround"},
		"({vstate}: leader {vleader}, zxid {vzxid}, epoch {vepoch}, round {vround})",
		"（{vstate}：leader {vleader}，zxid {vzxid}，epoch {vepoch}，第 {vround} 轮）"},
	{"ev.queue", []string{"node", "peer", "packet", "zxid", "reason", "n"},
		"leader {node}'s queue for {peer}: {packet} {zxid} {reason} ({n} waiting)", "leader {node} 发往 {peer} 的队列：{packet} {zxid} {reason}（还有 {n} 个）"},
	{"ev.epoch.accepted", []string{"node", "epoch"}, "server {node} persisted acceptedEpoch = {epoch}", "服务器 {node} 持久化 acceptedEpoch = {epoch}"},
	{"ev.epoch.current", []string{"node", "epoch"}, "server {node} persisted currentEpoch = {epoch}", "服务器 {node} 持久化 currentEpoch = {epoch}"},
	{"ev.propose", []string{"node", "zxid", "zepoch", "counter", "op", "path"},
		"leader {node} proposes {zxid} (epoch {zepoch}, counter {counter}): {op} {path}", "leader {node} 提议 {zxid}（epoch {zepoch}，计数 {counter}）：{op} {path}"},
	{"ev.propose.why", []string{"node", "zxid", "zepoch", "counter", "op", "path", "reason"},
		"leader {node} proposes {zxid} (epoch {zepoch}, counter {counter}): {op} {path}, {reason}", "leader {node} 提议 {zxid}（epoch {zepoch}，计数 {counter}）：{op} {path}，{reason}"},
	{"ev.logged", []string{"node", "zxid"}, "server {node} logged {zxid} to disk", "服务器 {node} 把 {zxid} 写入磁盘日志"},
	{"ev.acked", []string{"node", "zxid", "peer", "n", "m"},
		"leader {node} got ACK {zxid} from {peer}: {n} of {m} needed", "leader {node} 收到 {peer} 的 ACK {zxid}：已有 {n} 个，需要 {m} 个"},
	{"ev.commit", []string{"node", "zxid", "op", "path", "err"}, "server {node} committed {zxid}: {op} {path} → {err}", "服务器 {node} 提交 {zxid}：{op} {path} → {err}"},
	{"ev.syncMode", []string{"node", "peer", "zxid", "mode", "reason"},
		"leader {node} syncs server {peer} (at {zxid}) by {mode}: {reason}", "leader {node} 用 {mode} 同步服务器 {peer}（位于 {zxid}）：{reason}"},
	{"ev.truncated", []string{"node", "zxid", "reason"}, "server {node} truncated its log to {zxid} ({reason})", "服务器 {node} 把日志截断到 {zxid}（{reason}）"},
	{"ev.snapshot", []string{"node", "zxid", "reason"}, "server {node} snapshot at {zxid}: {reason}", "服务器 {node} 在 {zxid} 的快照：{reason}"},
	{"ev.session", []string{"session", "reason"}, "session {session} {reason}", "会话 {session} {reason}"},
	{"ev.client.note", []string{"client", "node", "reason"}, "client {client} at server {node}: {reason}", "客户端 {client} 在服务器 {node}：{reason}"},
	{"ev.client.reply", []string{"client", "node", "op", "path", "err"}, "client {client} at server {node}: {op} {path} → {err}", "客户端 {client} 在服务器 {node}：{op} {path} → {err}"},
	{"ev.client.replyTxn", []string{"client", "node", "op", "path", "err", "zxid"},
		"client {client} at server {node}: {op} {path} → {err} (txn {zxid})", "客户端 {client} 在服务器 {node}：{op} {path} → {err}（事务 {zxid}）"},
	{"ev.links", []string{"reason"}, "network: {reason}", "网络：{reason}"},
	{"ev.violation", []string{"node", "invariant", "reason"}, "INVARIANT VIOLATED at server {node}: {invariant}: {reason}", "违反不变式（服务器 {node}）：{invariant}：{reason}"},
	{"ev.conn", []string{"node", "peer", "reason"}, "connection {node}–{peer}: {reason}", "连接 {node}–{peer}：{reason}"},
	{"ev.watch", []string{"client", "reason", "path"}, "client {client}: watch fired, {reason} on {path}", "客户端 {client}：watch 触发，{reason} {path}"},
}

var sentenceIndex = func() map[string]*Sentence {
	m := make(map[string]*Sentence, len(Sentences))
	for i := range Sentences {
		m[Sentences[i].Key] = &Sentences[i]
	}
	return m
}()

// SentenceTemplate is the template of an event sentence in a language ("" when unknown).
func SentenceTemplate(key string, lang Lang) string {
	s := sentenceIndex[key]
	if s == nil {
		return ""
	}
	if lang == Zh {
		return s.Zh
	}
	return s.En
}
