package zkwire

import "github.com/zablab/zablab/engine/zkdb"

// RequestHeader starts every request after the handshake: the client's xid (echoed in the
// reply) and the opcode.
type RequestHeader struct {
	Xid  int32
	Type zkdb.OpType
}

// ReplyHeader starts every reply: the request's xid (or a special xid), the server's last
// processed zxid, and the error code. The reply body is present only when Err is OK.
type ReplyHeader struct {
	Xid  int32
	Zxid zkdb.Zxid
	Err  zkdb.Err
}

// RequestHeaderSize and ReplyHeaderSize are the encoded sizes of the headers.
const (
	RequestHeaderSize = 4 + 4
	ReplyHeaderSize   = 4 + 8 + 4
)

// Special xids (ClientCnxn).
const (
	// XidNotification is the xid of a watch notification (server to client).
	XidNotification int32 = -1
	// XidPing is the xid of a ping and its reply.
	XidPing int32 = -2
	// XidAuth is the xid of the Java client's auth packets and their replies.
	XidAuth int32 = -4
	// XidSetWatches is the xid of the Java client's setWatches on reconnect.
	XidSetWatches int32 = -8
)

// KeeperState is the session state carried by a watch notification
// (Watcher.Event.KeeperState).
type KeeperState int32

// ZooKeeper's session states.
const (
	StateDisconnected      KeeperState = 0
	StateSyncConnected     KeeperState = 3
	StateAuthFailed        KeeperState = 4
	StateConnectedReadOnly KeeperState = 5
	StateSaslAuthenticated KeeperState = 6
	StateClosed            KeeperState = 7
	StateExpired           KeeperState = -112
)

// Modes of an addWatch request (AddWatchMode).
const (
	AddWatchPersistent          int32 = 0
	AddWatchPersistentRecursive int32 = 1
)

// Watcher types of removeWatches and checkWatches requests (Watcher.WatcherType).
const (
	WatcherChildren int32 = 1
	WatcherData     int32 = 2
	WatcherAny      int32 = 3
)

func appendReplyHeader(b []byte, h ReplyHeader) []byte {
	b = appendInt32(b, h.Xid)
	b = appendInt64(b, int64(h.Zxid))
	return appendInt32(b, int32(h.Err))
}
