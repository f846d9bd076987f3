package reason

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Every code has a unique dotted name, templates in both languages naming exactly its
// arguments, at most one text argument and a nested reason only last; numeric arguments fit.
func TestCatalogueComplete(t *testing.T) {
	seen := map[string]bool{}
	for c := Code(1); c < codeCount; c++ {
		e := catalogue[c]
		if e.Name == "" || e.En == "" || e.Zh == "" {
			t.Errorf("code %d (%q): missing name or template", c, e.Name)
			continue
		}
		if b := Text(c, "a\"b", 1, 2, 3).AppendJSON(nil); !json.Valid(b) {
			t.Errorf("%s: invalid JSON %s", e.Name, b)
		}
		if seen[e.Name] {
			t.Errorf("duplicate name %q", e.Name)
		}
		seen[e.Name] = true
		if got, ok := Lookup(e.Name); !ok || got != c {
			t.Errorf("Lookup(%q) = %d, %v", e.Name, got, ok)
		}
		var names []string
		texts, nums := 0, 0
		for i, a := range e.Args {
			names = append(names, a.Name)
			switch a.Kind {
			case KText:
				texts++
			case KReason:
				if i != len(e.Args)-1 {
					t.Errorf("%s: nested reason %q is not the last argument", e.Name, a.Name)
				}
				nums++
			default:
				nums++
			}
		}
		if texts > 1 {
			t.Errorf("%s: %d text arguments", e.Name, texts)
		}
		if nums > Slots {
			t.Errorf("%s: %d numeric arguments, %d slots", e.Name, nums, Slots)
		}
		slices.Sort(names)
		for _, tmpl := range []string{e.En, e.Zh} {
			ph := Placeholders(tmpl)
			slices.Sort(ph)
			ph = slices.Compact(ph)
			if !slices.Equal(ph, names) {
				t.Errorf("%s: template %q names %v, arguments are %v", e.Name, tmpl, ph, names)
			}
		}
		if strings.HasPrefix(e.Name, "violation.") && (c.Invariant() == "" || strings.Count(e.Name, ".") != 2) {
			t.Errorf("%s: bad violation name", e.Name)
		}
	}
	for _, s := range Sentences {
		want := slices.Clone(s.Args)
		slices.Sort(want)
		for _, tmpl := range []string{s.En, s.Zh} {
			ph := Placeholders(tmpl)
			slices.Sort(ph)
			ph = slices.Compact(ph)
			if !slices.Equal(ph, want) {
				t.Errorf("sentence %s: template %q names %v, arguments are %v", s.Key, tmpl, ph, want)
			}
		}
	}
}

// Nested deepest chains still fit the slots: every code whose last argument is a reason,
// with each code that can appear nested in it in this engine.
func TestNestingFits(t *testing.T) {
	nested := map[Code][]Code{
		VoteAdopt:         {VoteHigherEpoch, VoteHigherZxid, VoteHigherID},
		ConnReset:         {ResetLinkCut, ResetLinkDown, ResetPacketLost},
		SyncFromDisk:      {SyncInSync, SyncTruncCommitted, SyncDiffCommitted, SyncDiffNewEpoch, SyncDiffNothing, SyncTruncNeverHad},
		ClientRealRefused: {ClientNotServing, ClientBehind, ClientSessionExpired, ClientNotReadOnly, ClientGlobalInReadOnly, ClientNoLocalSessions},
	}
	nums := func(c Code) (n int) {
		for _, a := range catalogue[c].Args {
			if a.Kind != KText {
				n++
			}
		}
		return n
	}
	for outer, subs := range nested {
		for _, sub := range subs {
			if nums(outer)+nums(sub) > Slots {
				t.Errorf("%s nesting %s needs %d slots", outer, sub, nums(outer)+nums(sub))
			}
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for v, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 KB", 1050: "1.1 KB", 9949: "9.9 KB",
		9950: "10.0 KB", 36036: "36 KB", 36500: "37 KB", 999_499: "999 KB", 999_500: "1000 KB", 2_100_000: "2.1 MB",
		67108880: "67 MB", 5_000_000_000: "5.0 GB"} {
		if got := FormatBytes(v); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", v, got, want)
		}
	}
}

func TestRender(t *testing.T) {
	adopt := Nest(VoteAdopt, Of(VoteHigherZxid, 0x100000002, 0x100000001), 3)
	cases := []struct {
		r      Reason
		en, zh string
		json   string
	}{
		{adopt, "adopt 3's vote: higher zxid 0x100000002 > 0x100000001", "采用 3 的投票：zxid 更大 0x100000002 > 0x100000001",
			`{"code":"vote.adopt","args":{"from":3,"why":{"code":"vote.higherZxid","args":{"zxid":"0x100000002","than":"0x100000001"}}}}`},
		{Of(SyncDiffCommitted, 0x200000003, 4), "DIFF: it has 0x200000003, which is in the leader's committed history; 4 txns to send",
			"DIFF：它的 0x200000003 在 leader 的已提交历史中；需发送 4 个事务",
			`{"code":"sync.diff.committedLog","args":{"zxid":"0x200000003","count":4}}`},
		{Nest(SyncFromDisk, Of(SyncDiffNewEpoch, 0x300000000, 2), 7), "DIFF: it starts a new epoch at 0x300000000; 2 txns to send, 7 txns in all (from the on-disk txn log)",
			"DIFF：它位于新 epoch 的起点 0x300000000；需发送 2 个事务，共 7 个事务（取自磁盘上的事务日志）", ""},
		{Of(StateNotSufficientSynced, IDs(3, 5)), "not sufficient followers synced, only synced with sids: [3, 5]", "已同步的 follower 不足法定人数，只与这些 sid 同步：[3, 5]",
			`{"code":"state.notSufficientSynced","args":{"sids":[3,5]}}`},
		{Text(LinksAll, "1→2", Groups([][]int{{1}, {2, 3}}), 55), "partition [1] | [2 3], cut 1→2, loss 5.5%", "分区 [1] | [2 3]，切断 1→2，丢包 5.5%",
			`{"code":"links.all","args":{"groups":[[1],[2,3]],"cuts":"1→2","loss":5.5}}`},
		{Nest(ClientRealRefused, Of(ClientNotServing, 2)).WithText("127.0.0.1:5000"), "real client 127.0.0.1:5000 refused: server 2 is not serving",
			"拒绝真实客户端 127.0.0.1:5000：服务器 2 暂不服务客户端", ""},
		{Of(VZxidCounter, 0x1ffffffff, 0xffffffff), "proposal 0x1ffffffff has counter 0xffffffff", "提案 0x1ffffffff 的计数为 0xffffffff", ""},
		{Text(VConfig, "bad \"x\"\n"), "bad \"x\"\n", "配置无效：bad \"x\"\n", `{"code":"violation.Config.invalid","args":{"error":"bad \"x\"\u000a"}}`},
		{Of(LinksLoss, 30), "loss 3.0%", "丢包 3.0%", `{"code":"links.loss","args":{"loss":3}}`},
		{Of(SyncSnapLaterLogs, 2, 134217760, 36036, 0x100000005),
			"SNAP: 2 later txn log file(s), 134 MB > limit 36 KB (snapshotSizeFactor × the newest snapshot); it is at 0x100000005, older than the committed log",
			"SNAP：2 个更晚的事务日志文件，共 134 MB > 上限 36 KB（snapshotSizeFactor × 最新快照）；它停在 0x100000005，早于已提交日志",
			`{"code":"sync.snap.laterLogs","args":{"files":2,"bytes":134217760,"limit":36036,"zxid":"0x100000005"}}`},
		{Of(StateCannotTruncate, -1), "cannot truncate the log to -1: no snapshot that old", "无法把日志截断到 -1：没有这么早的快照", ""},
		{Reason{}, "", "", "null"},
	}
	for _, c := range cases {
		if got := Render(c.r, En); got != c.en {
			t.Errorf("en: got %q want %q", got, c.en)
		}
		if got := Render(c.r, Zh); got != c.zh {
			t.Errorf("zh: got %q want %q", got, c.zh)
		}
		if c.json != "" {
			b, err := json.Marshal(c.r)
			if err != nil || string(b) != c.json {
				t.Errorf("json: got %s (%v) want %s", b, err, c.json)
			}
		}
	}
	if sub := adopt.Sub(); sub != Of(VoteHigherZxid, 0x100000002, 0x100000001) {
		t.Errorf("Sub of %v = %v", adopt, sub)
	}
	if sub := Of(StateElected, 3).Sub(); !sub.IsZero() {
		t.Errorf("Sub of a reason that nests none = %v", sub)
	}
	if inv := VTwoProposals.Invariant(); inv != "Leadership1" {
		t.Errorf("invariant %q", inv)
	}
	if inv := StateStarted.Invariant(); inv != "" {
		t.Errorf("invariant of a state code %q", inv)
	}
}

// Building and copying a reason does not allocate (emit stays allocation-free).
func TestNoAllocs(t *testing.T) {
	var sink Reason
	n := testing.AllocsPerRun(100, func() {
		sink = Nest(VoteAdopt, Of(VoteHigherEpoch, 3, 2), 5)
	})
	if n != 0 {
		t.Errorf("%v allocations", n)
	}
	_ = sink
}
