package zkwire

import "github.com/zablab/zablab/engine/zkdb"

// multiOpAllowed reports whether an op of type op may appear in a request of type multi
// (write ops) or multiRead (read ops), as MultiOperationRecord accepts them.
func multiOpAllowed(multi, op zkdb.OpType) bool {
	if multi == zkdb.OpMultiRead {
		return op == zkdb.OpGetChildren || op == zkdb.OpGetData
	}
	switch op {
	case zkdb.OpCreate, zkdb.OpCreate2, zkdb.OpCreateContainer, zkdb.OpCreateTTL,
		zkdb.OpDelete, zkdb.OpSetData, zkdb.OpCheck:
		return true
	}
	return false
}

// readOps reads the ops of a multi or multiRead up to the header with done set. Like
// ZooKeeper it ignores the err field of every header and the type of the terminator.
func (d *decoder) readOps(multi zkdb.OpType) []Request {
	var ops []Request
	for d.err == nil {
		typ := zkdb.OpType(d.readInt32())
		done := d.readBool()
		d.readInt32() // err: ignored
		if d.err != nil || done {
			break
		}
		if !multiOpAllowed(multi, typ) {
			d.fail(ErrBadMultiOp)
			break
		}
		ops = append(ops, Request{Type: typ})
		d.readBody(&ops[len(ops)-1])
	}
	if d.err != nil {
		return nil
	}
	return ops
}

// MultiResult is the result of one op of a multi or multiRead, for AppendMultiReply.
//
// Type selects what is written after the op's MultiHeader:
//
//	OpCreate                                   Path
//	OpCreate2, OpCreateContainer, OpCreateTTL  Path, Stat (written with type create2)
//	OpSetData                                  Stat
//	OpDelete, OpCheck                          nothing
//	OpGetData                                  Data, Stat
//	OpGetChildren                              Children
//	OpError                                    Err
//
// A result with Err ≠ OK is written as an error result whatever its Type. In a failed multi
// every result is an error result: OK for the ops before the failing one, its code for that
// one, ErrRuntimeInconsistency for the rest. ZooKeeper reports a create inside a multi as
// OpCreate (path only) unless its mode is container or TTL (then create2, with the stat).
// Any other Type is a caller bug; it is written as an error result with ErrAPIError so the
// client sees a failure rather than a corrupt reply.
type MultiResult struct {
	Type     zkdb.OpType
	Err      zkdb.Err
	Path     string
	Stat     zkdb.Stat
	Data     []byte
	Children []string
}

// AppendMultiReply appends a complete multi or multiRead reply frame: per result a
// MultiHeader{type, false, err} and the result body, then the terminator {-1, true, -1}.
// Note that a failed multi still has h.Err = OK; its failure is in the results.
func AppendMultiReply(dst []byte, h ReplyHeader, results []MultiResult) []byte {
	dst, start := beginFrame(dst)
	dst = appendReplyHeader(dst, h)
	if h.Err == zkdb.OK {
		for i := range results {
			dst = appendMultiResult(dst, &results[i])
		}
		dst = appendMultiHeader(dst, zkdb.OpError, true, -1)
	}
	return endFrame(dst, start)
}

func appendMultiHeader(b []byte, typ zkdb.OpType, done bool, err zkdb.Err) []byte {
	b = appendInt32(b, int32(typ))
	b = appendBool(b, done)
	return appendInt32(b, int32(err))
}

func appendMultiResult(b []byte, r *MultiResult) []byte {
	typ, err := r.Type, r.Err
	switch typ {
	case zkdb.OpCreate, zkdb.OpCreate2, zkdb.OpCreateContainer, zkdb.OpCreateTTL,
		zkdb.OpSetData, zkdb.OpDelete, zkdb.OpCheck, zkdb.OpGetData, zkdb.OpGetChildren,
		zkdb.OpError:
	default:
		if err == zkdb.OK {
			err = zkdb.ErrAPIError
		}
	}
	if err != zkdb.OK || typ == zkdb.OpError {
		b = appendMultiHeader(b, zkdb.OpError, false, err)
		return appendInt32(b, int32(err))
	}
	if typ == zkdb.OpCreateContainer || typ == zkdb.OpCreateTTL {
		typ = zkdb.OpCreate2
	}
	b = appendMultiHeader(b, typ, false, zkdb.OK)
	switch typ {
	case zkdb.OpCreate:
		b = appendString(b, r.Path)
	case zkdb.OpCreate2:
		b = appendString(b, r.Path)
		b = appendStat(b, r.Stat)
	case zkdb.OpSetData:
		b = appendStat(b, r.Stat)
	case zkdb.OpGetData:
		b = appendBuffer(b, r.Data)
		b = appendStat(b, r.Stat)
	case zkdb.OpGetChildren:
		b = appendStrings(b, r.Children)
	}
	return b
}
