package zkdb

import "strconv"

// Err is a ZooKeeper error code (KeeperException.Code). It implements error, so an Err can be
// returned and compared directly (err == ErrNoNode).
type Err int32

// ZooKeeper's error codes (KeeperException.Code).
const (
	OK                              Err = 0
	ErrSystemError                  Err = -1
	ErrRuntimeInconsistency         Err = -2
	ErrDataInconsistency            Err = -3
	ErrConnectionLoss               Err = -4
	ErrMarshallingError             Err = -5
	ErrUnimplemented                Err = -6
	ErrOperationTimeout             Err = -7
	ErrBadArguments                 Err = -8
	ErrUnknownSession               Err = -12
	ErrNewConfigNoQuorum            Err = -13
	ErrReconfigInProgress           Err = -14
	ErrAPIError                     Err = -100
	ErrNoNode                       Err = -101
	ErrNoAuth                       Err = -102
	ErrBadVersion                   Err = -103
	ErrNoChildrenForEphemerals      Err = -108
	ErrNodeExists                   Err = -110
	ErrNotEmpty                     Err = -111
	ErrSessionExpired               Err = -112
	ErrInvalidCallback              Err = -113
	ErrInvalidACL                   Err = -114
	ErrAuthFailed                   Err = -115
	ErrSessionMoved                 Err = -118
	ErrNotReadOnly                  Err = -119
	ErrEphemeralOnLocalSession      Err = -120
	ErrNoWatcher                    Err = -121
	ErrRequestTimeout               Err = -122
	ErrReconfigDisabled             Err = -123
	ErrSessionClosedRequireSASLAuth Err = -124
	ErrQuotaExceeded                Err = -125
	ErrThrottledOp                  Err = -127
)

type errInfo struct {
	name, msg string
}

var errInfos = map[Err]errInfo{
	OK:                              {"OK", "ok"},
	ErrSystemError:                  {"SYSTEMERROR", "system error"},
	ErrRuntimeInconsistency:         {"RUNTIMEINCONSISTENCY", "runtime inconsistency (an earlier operation of the multi failed)"},
	ErrDataInconsistency:            {"DATAINCONSISTENCY", "data inconsistency"},
	ErrConnectionLoss:               {"CONNECTIONLOSS", "connection loss"},
	ErrMarshallingError:             {"MARSHALLINGERROR", "marshalling error"},
	ErrUnimplemented:                {"UNIMPLEMENTED", "operation is unimplemented"},
	ErrOperationTimeout:             {"OPERATIONTIMEOUT", "operation timeout"},
	ErrBadArguments:                 {"BADARGUMENTS", "invalid arguments"},
	ErrUnknownSession:               {"UNKNOWNSESSION", "unknown session"},
	ErrNewConfigNoQuorum:            {"NEWCONFIGNOQUORUM", "no quorum of the new config is connected and up to date"},
	ErrReconfigInProgress:           {"RECONFIGINPROGRESS", "another reconfiguration is in progress"},
	ErrAPIError:                     {"APIERROR", "api error"},
	ErrNoNode:                       {"NONODE", "node does not exist"},
	ErrNoAuth:                       {"NOAUTH", "not authenticated"},
	ErrBadVersion:                   {"BADVERSION", "version conflict"},
	ErrNoChildrenForEphemerals:      {"NOCHILDRENFOREPHEMERALS", "ephemeral nodes may not have children"},
	ErrNodeExists:                   {"NODEEXISTS", "node already exists"},
	ErrNotEmpty:                     {"NOTEMPTY", "node has children"},
	ErrSessionExpired:               {"SESSIONEXPIRED", "session has been expired by the server"},
	ErrInvalidCallback:              {"INVALIDCALLBACK", "invalid callback"},
	ErrInvalidACL:                   {"INVALIDACL", "invalid ACL specified"},
	ErrAuthFailed:                   {"AUTHFAILED", "client authentication failed"},
	ErrSessionMoved:                 {"SESSIONMOVED", "session moved to another server, so operation is ignored"},
	ErrNotReadOnly:                  {"NOTREADONLY", "state-changing request is passed to read-only server"},
	ErrEphemeralOnLocalSession:      {"EPHEMERALONLOCALSESSION", "attempt to create ephemeral node on a local session"},
	ErrNoWatcher:                    {"NOWATCHER", "attempt to remove a non-existing watcher"},
	ErrRequestTimeout:               {"REQUESTTIMEOUT", "request not completed within max allowed time"},
	ErrReconfigDisabled:             {"RECONFIGDISABLED", "reconfiguration is disabled"},
	ErrSessionClosedRequireSASLAuth: {"SESSIONCLOSEDREQUIRESASLAUTH", "session closed because client failed to authenticate"},
	ErrQuotaExceeded:                {"QUOTAEXCEEDED", "quota has been exceeded"},
	ErrThrottledOp:                  {"THROTTLEDOP", "operation throttled due to high load"},
}

// Name is the code's name in ZooKeeper's KeeperException.Code ("NONODE", "NODEEXISTS",
// "OK"); an unknown code is "UNKNOWN(<n>)".
func (e Err) Name() string {
	if info, ok := errInfos[e]; ok {
		return info.name
	}
	return "UNKNOWN(" + strconv.Itoa(int(e)) + ")"
}

// Error is the name and a short description, e.g. "NONODE: node does not exist".
func (e Err) Error() string {
	if info, ok := errInfos[e]; ok {
		return info.name + ": " + info.msg
	}
	return e.Name() + ": unknown error code"
}

// ErrByName returns the code whose Name is name (as written by Name; case-sensitive).
func ErrByName(name string) (Err, bool) {
	for code, info := range errInfos {
		if info.name == name {
			return code, true
		}
	}
	return 0, false
}
