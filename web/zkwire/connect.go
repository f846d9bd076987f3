package zkwire

import (
	"fmt"

	"github.com/zablab/zablab/engine/zkdb"
)

// ConnectRequest is the first frame a client sends (no RequestHeader).
type ConnectRequest struct {
	ProtocolVersion int32
	// LastZxidSeen is the highest zxid the client has seen; a server that has processed less
	// must close the connection without replying.
	LastZxidSeen zkdb.Zxid
	// TimeOut is the requested session timeout, ms.
	TimeOut int32
	// SessionID is 0 for a new session, else the session to reattach.
	SessionID int64
	// Passwd is the session password (16 bytes when reattaching); nil if sent as null.
	Passwd []byte
	// ReadOnly is the client's canBeReadOnly flag.
	ReadOnly bool
	// HasReadOnly reports whether the readOnly byte was present (Java clients send it,
	// go-zookeeper does not). The ConnectResponse carries a readOnly byte only if it was.
	HasReadOnly bool
}

// Decode decodes a ConnectRequest from a frame payload. Bytes after the optional readOnly
// byte are ignored, as ZooKeeper does.
func (r *ConnectRequest) Decode(frame []byte) error {
	d := decoder{b: frame}
	*r = ConnectRequest{
		ProtocolVersion: d.readInt32(),
		LastZxidSeen:    zkdb.Zxid(d.readInt64()),
		TimeOut:         d.readInt32(),
		SessionID:       d.readInt64(),
		Passwd:          d.readBuffer(),
	}
	if d.err != nil {
		*r = ConnectRequest{}
		return fmt.Errorf("zkwire: ConnectRequest: %w", d.err)
	}
	if d.remaining() > 0 {
		r.HasReadOnly = true
		r.ReadOnly = d.readBool()
	}
	return nil
}

// ConnectResponse is the server's reply to a ConnectRequest (no ReplyHeader).
type ConnectResponse struct {
	ProtocolVersion int32
	// TimeOut is the negotiated session timeout, ms; 0 (with SessionID 0) for an expired
	// session.
	TimeOut   int32
	SessionID int64
	// Passwd is the session password; a nil Passwd is written as null.
	Passwd []byte
	// ReadOnly tells the client the server is read-only; written only if IncludeReadOnly.
	ReadOnly bool
	// IncludeReadOnly is set when the request had the readOnly byte
	// (ConnectRequest.HasReadOnly).
	IncludeReadOnly bool
}

// Encode appends the response to dst as a complete frame (length prefix included).
func (r ConnectResponse) Encode(dst []byte) []byte {
	dst, start := beginFrame(dst)
	dst = appendInt32(dst, r.ProtocolVersion)
	dst = appendInt32(dst, r.TimeOut)
	dst = appendInt64(dst, r.SessionID)
	dst = appendBuffer(dst, r.Passwd)
	if r.IncludeReadOnly {
		dst = appendBool(dst, r.ReadOnly)
	}
	return endFrame(dst, start)
}
