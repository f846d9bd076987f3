package zkwire

import "github.com/zablab/zablab/engine/zkdb"

// The Append*Reply functions append one complete reply frame (length prefix, ReplyHeader,
// body) to dst and return the extended slice. Each writes only the header when h.Err is not
// OK, as ZooKeeper does.

// AppendReply appends a reply that has no body: any error reply, and the successful replies
// to delete, check, setWatches, setWatches2, removeWatches, checkWatches, auth and
// closeSession. ZooKeeper replies to auth with zxid 0 (and to a failed auth with
// ErrAuthFailed, then closes the connection).
func AppendReply(dst []byte, h ReplyHeader) []byte {
	dst, start := beginFrame(dst)
	dst = appendReplyHeader(dst, h)
	return endFrame(dst, start)
}

// AppendPingReply appends the reply to a ping: xid XidPing, the server's last zxid, OK.
func AppendPingReply(dst []byte, zxid zkdb.Zxid) []byte {
	return AppendReply(dst, ReplyHeader{Xid: XidPing, Zxid: zxid})
}

// AppendPathReply appends a reply whose body is one path: create (CreateResponse) and sync
// (SyncResponse).
func AppendPathReply(dst []byte, h ReplyHeader, path string) []byte {
	dst, start := beginFrame(dst)
	dst = appendReplyHeader(dst, h)
	if h.Err == zkdb.OK {
		dst = appendString(dst, path)
	}
	return endFrame(dst, start)
}

// AppendCreate2Reply appends the reply to create2, createContainer and createTTL
// (Create2Response: path, stat).
func AppendCreate2Reply(dst []byte, h ReplyHeader, path string, stat zkdb.Stat) []byte {
	dst, start := beginFrame(dst)
	dst = appendReplyHeader(dst, h)
	if h.Err == zkdb.OK {
		dst = appendString(dst, path)
		dst = appendStat(dst, stat)
	}
	return endFrame(dst, start)
}

// AppendStatReply appends a reply whose body is one Stat: exists (a missing node is the
// error NONODE), setData and setACL.
func AppendStatReply(dst []byte, h ReplyHeader, stat zkdb.Stat) []byte {
	dst, start := beginFrame(dst)
	dst = appendReplyHeader(dst, h)
	if h.Err == zkdb.OK {
		dst = appendStat(dst, stat)
	}
	return endFrame(dst, start)
}

// AppendDataReply appends the reply to getData and reconfig (GetDataResponse: data, stat).
// A nil data is written as a null buffer, which clients read as nil/None/null.
func AppendDataReply(dst []byte, h ReplyHeader, data []byte, stat zkdb.Stat) []byte {
	dst, start := beginFrame(dst)
	dst = appendReplyHeader(dst, h)
	if h.Err == zkdb.OK {
		dst = appendBuffer(dst, data)
		dst = appendStat(dst, stat)
	}
	return endFrame(dst, start)
}

// AppendACLReply appends the reply to getACL (GetACLResponse: acl vector, stat).
func AppendACLReply(dst []byte, h ReplyHeader, acl []zkdb.ACL, stat zkdb.Stat) []byte {
	dst, start := beginFrame(dst)
	dst = appendReplyHeader(dst, h)
	if h.Err == zkdb.OK {
		dst = appendACLs(dst, acl)
		dst = appendStat(dst, stat)
	}
	return endFrame(dst, start)
}

// AppendChildrenReply appends the reply to getChildren (GetChildrenResponse: children).
func AppendChildrenReply(dst []byte, h ReplyHeader, children []string) []byte {
	return appendStringsReply(dst, h, children)
}

// AppendEphemeralsReply appends the reply to getEphemerals (GetEphemeralsResponse: paths).
func AppendEphemeralsReply(dst []byte, h ReplyHeader, paths []string) []byte {
	return appendStringsReply(dst, h, paths)
}

func appendStringsReply(dst []byte, h ReplyHeader, v []string) []byte {
	dst, start := beginFrame(dst)
	dst = appendReplyHeader(dst, h)
	if h.Err == zkdb.OK {
		dst = appendStrings(dst, v)
	}
	return endFrame(dst, start)
}

// AppendChildren2Reply appends the reply to getChildren2 (GetChildren2Response: children,
// stat).
func AppendChildren2Reply(dst []byte, h ReplyHeader, children []string, stat zkdb.Stat) []byte {
	dst, start := beginFrame(dst)
	dst = appendReplyHeader(dst, h)
	if h.Err == zkdb.OK {
		dst = appendStrings(dst, children)
		dst = appendStat(dst, stat)
	}
	return endFrame(dst, start)
}

// AppendAllChildrenNumberReply appends the reply to getAllChildrenNumber
// (GetAllChildrenNumberResponse: totalNumber).
func AppendAllChildrenNumberReply(dst []byte, h ReplyHeader, n int32) []byte {
	return appendInt32Reply(dst, h, n)
}

// AppendAddWatchReply appends the reply to addWatch. ZooKeeper answers it with an
// ErrorResponse{0} body, which the Java client reads; a header-only reply would fail there.
func AppendAddWatchReply(dst []byte, h ReplyHeader) []byte {
	return appendInt32Reply(dst, h, 0)
}

func appendInt32Reply(dst []byte, h ReplyHeader, n int32) []byte {
	dst, start := beginFrame(dst)
	dst = appendReplyHeader(dst, h)
	if h.Err == zkdb.OK {
		dst = appendInt32(dst, n)
	}
	return endFrame(dst, start)
}

// ClientInfo is one identity of a session in a whoAmI reply: an auth scheme and the user
// (the id) it authenticated, e.g. {"ip", "127.0.0.1"} or {"digest", "alice"}.
type ClientInfo struct {
	AuthScheme string
	User       string
}

// AppendWhoAmIReply appends the reply to whoAmI (WhoAmIResponse: vector<ClientInfo>).
func AppendWhoAmIReply(dst []byte, h ReplyHeader, infos []ClientInfo) []byte {
	dst, start := beginFrame(dst)
	dst = appendReplyHeader(dst, h)
	if h.Err == zkdb.OK {
		dst = appendInt32(dst, int32(len(infos)))
		for _, ci := range infos {
			dst = appendString(dst, ci.AuthScheme)
			dst = appendString(dst, ci.User)
		}
	}
	return endFrame(dst, start)
}

// WatcherEvent is a watch notification: an event type, the session state (StateSyncConnected
// for node events) and the path.
type WatcherEvent struct {
	Type  zkdb.EventType
	State KeeperState
	Path  string
}

// AppendWatcherEvent appends a notification frame: ReplyHeader{XidNotification, -1, OK}
// (ZooKeeper 3.8 sends zxid -1) and the WatcherEvent.
func AppendWatcherEvent(dst []byte, ev WatcherEvent) []byte {
	dst, start := beginFrame(dst)
	dst = appendReplyHeader(dst, ReplyHeader{Xid: XidNotification, Zxid: -1})
	dst = appendInt32(dst, int32(ev.Type))
	dst = appendInt32(dst, int32(ev.State))
	dst = appendString(dst, ev.Path)
	return endFrame(dst, start)
}
