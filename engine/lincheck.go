package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/anishathalye/porcupine"
)

// absent is the value of a key whose znode does not exist.
const absent = "<absent>"

type kvInput struct {
	key   string
	write bool
	value string
}

type kvOutput struct {
	ok    bool   // writes: the write took effect (false = it failed for sure)
	value string // reads
}

// kvModel is a register per znode: writes are setData (or the create that makes the key),
// reads are sync() followed by getData in one session. ZooKeeper makes writes linearizable;
// sync()+read is linearizable only while the answering server's leader is the real one.
var kvModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var order []string
		for _, op := range history {
			k := op.Input.(kvInput).key
			if _, ok := byKey[k]; !ok {
				order = append(order, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		out := make([][]porcupine.Operation, 0, len(order))
		for _, k := range order {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() interface{} { return absent },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		in, out := input.(kvInput), output.(kvOutput)
		if in.write {
			if !out.ok {
				return true, state
			}
			return true, in.value
		}
		return out.value == state.(string), state
	},
	Equal: func(a, b interface{}) bool { return a.(string) == b.(string) },
	DescribeOperation: func(input, output interface{}) string {
		in, out := input.(kvInput), output.(kvOutput)
		if in.write {
			return fmt.Sprintf("set(%s, %s) ok=%v", in.key, in.value, out.ok)
		}
		return fmt.Sprintf("get(%s) = %s", in.key, out.value)
	},
}

// linTimeout bounds porcupine's search. Reaching it gives no verdict (linUnknown), never a
// pass; the workload's histories are sized so that the standard sweeps stay far below it.
var linTimeout = 5 * time.Second

// linVerdict is porcupine's answer about a client history.
type linVerdict uint8

const (
	linOK      linVerdict = iota // linearizable
	linIllegal                   // not linearizable
	linUnknown                   // undecided within linTimeout
)

// checkKVHistory decides whether the history is linearizable, leaving out the reads skip
// selects. It also returns how many operations it judged.
func checkKVHistory(hist []histOp, skip func(*histOp) bool) (linVerdict, int) {
	ops := make([]porcupine.Operation, 0, len(hist))
	for i := range hist {
		h := hist[i]
		if skip != nil && !h.write && skip(&hist[i]) {
			continue
		}
		if h.retUs == 0 && !(h.callUs == 0) {
			h.retUs = -1 // never answered
		}
		ret := h.retUs
		out := kvOutput{ok: true}
		if ret < 0 {
			if !h.write {
				continue // a read without an answer says nothing
			}
			ret = math.MaxInt64
		} else if h.write {
			out.ok = h.outcome == "ok"
		} else {
			if len(h.outcome) > 4 && h.outcome[:4] == "err:" {
				continue
			}
			out.value = h.outcome
		}
		ops = append(ops, porcupine.Operation{ClientId: int(h.client), Input: kvInput{key: h.key, write: h.write, value: h.value},
			Call: h.callUs, Output: out, Return: ret})
	}
	switch porcupine.CheckOperationsTimeout(kvModel, ops, linTimeout) {
	case porcupine.Ok:
		return linOK, len(ops)
	case porcupine.Illegal:
		return linIllegal, len(ops)
	default:
		return linUnknown, len(ops)
	}
}
